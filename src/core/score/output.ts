// The output file of a scoring run: JSON Lines written so that the file is
// valid at every moment (only whole lines reach the disk, in input order), and
// read back by --resume, which trusts every complete line and drops a torn
// last line that a kill may leave.

import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { jsonReplacer } from '../json.ts';
import { splitPlanFields } from './plan-fields.ts';
import { SCORE_SCHEMA, type ScoredRecord } from './types.ts';

export function recordLine(r: ScoredRecord): string {
  // A replacer slows JSON.stringify down severalfold; only result previews can hold a bigint.
  const replacer = hasBigint(r) ? jsonReplacer : undefined;
  const split = splitPlanFields(r);
  if (split === null) return JSON.stringify(r, replacer) + '\n';
  return `${JSON.stringify(split.rest, replacer).slice(0, -1)},${split.json}}\n`;
}

function hasBigint(r: ScoredRecord): boolean {
  const e = r.execution;
  if (!e) return false;
  for (const rows of [e.gold.rows, e.pred.rows]) for (const row of rows) for (const c of row) if (typeof c === 'bigint') return true;
  return false;
}

/**
 * Appends records to a file in whole lines. Lines are buffered and written with
 * one write(2) per flush; a flush happens every `flushBytes` or `flushMs`, and
 * on close(). A process killed between flushes loses only unwritten lines.
 */
export class JsonlWriter {
  private readonly fd: number;
  private buf: string[] = [];
  /** UTF-16 units buffered (what `flushBytes` counts). */
  private bytes = 0;
  private scratch = Buffer.alloc(0);
  private lastFlush = performance.now();
  private readonly flushBytes: number;
  private readonly flushMs: number;

  constructor(path: string, options: { append: boolean; flushBytes?: number; flushMs?: number }) {
    this.fd = openSync(path, options.append ? 'a' : 'w');
    this.flushBytes = options.flushBytes ?? 1 << 16;
    this.flushMs = options.flushMs ?? 200;
  }

  write(r: ScoredRecord): void {
    const line = recordLine(r);
    this.buf.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.flushBytes || performance.now() - this.lastFlush >= this.flushMs) this.flush();
  }

  flush(): void {
    if (this.buf.length > 0) {
      // Encoding line by line into one reused buffer beats join() + Buffer.from(),
      // which flattens and copies every line twice (decisions.md, "Scoring runs").
      const worst = this.bytes * 3; // UTF-8 needs at most 3 bytes per UTF-16 unit
      if (this.scratch.length < worst) this.scratch = Buffer.allocUnsafe(Math.max(worst, this.scratch.length * 2));
      let n = 0;
      for (const line of this.buf) n += this.scratch.write(line, n, 'utf8');
      let off = 0;
      while (off < n) off += writeSync(this.fd, this.scratch, off, n - off);
      this.buf = [];
      this.bytes = 0;
    }
    this.lastFlush = performance.now();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export interface PreviousOutput {
  /** Every complete record already in the file, in file order. */
  records: ScoredRecord[];
  /** The text of each record's line (with its newline), parallel to `records`. */
  lines: string[];
  /** Bytes of a torn last line that were cut off (0 when the file ended cleanly). */
  truncatedBytes: number;
}

/**
 * Reads an earlier run's output for --resume and cuts off a torn last line (a
 * kill during a write). A malformed line anywhere else means the file is not
 * ours or was edited: refuse rather than guess.
 */
export function readPreviousOutput(path: string): PreviousOutput {
  if (!existsSync(path)) return { records: [], lines: [], truncatedBytes: 0 };
  const buf = readFileSync(path);
  const text = buf.toString('utf8');
  const records: ScoredRecord[] = [];
  const lines: string[] = [];
  let at = 0;
  let lineNo = 0;
  let goodEnd = 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    lineNo++;
    if (nl === -1) break; // no newline: a torn last line
    const line = text.slice(at, nl);
    at = nl + 1;
    if (line.trim() === '') {
      goodEnd = at;
      continue;
    }
    let r: ScoredRecord;
    try {
      r = JSON.parse(line) as ScoredRecord;
    } catch {
      if (at >= text.length) break; // a torn last line that happens to end in a newline
      throw new Error(`${path} line ${lineNo}: not a StepLens score record (malformed JSON); cannot resume into it`);
    }
    if (r?.schema !== SCORE_SCHEMA) throw new Error(`${path} line ${lineNo}: not a ${SCORE_SCHEMA} record (schema ${JSON.stringify(r?.schema)}); cannot resume into it`);
    records.push(r);
    lines.push(text.slice(at - line.length - 1, at));
    goodEnd = at;
  }
  const goodBytes = Buffer.byteLength(text.slice(0, goodEnd));
  const truncatedBytes = buf.length - goodBytes;
  if (truncatedBytes > 0) {
    const fd = openSync(path, 'r+');
    try {
      if (fstatSync(fd).size === buf.length) ftruncateSync(fd, goodBytes);
    } finally {
      closeSync(fd);
    }
  }
  return { records, lines, truncatedBytes };
}

/**
 * Replaces `path` with exactly these lines, atomically: written beside it,
 * fsynced, renamed over it. A kill at any moment leaves the old file or the
 * new one, never a mix. `--resume` uses it to drop the records it will retry
 * (so no record is ever in the file twice) and, at the end, to put retried
 * records back in input order.
 */
export function replaceLines(path: string, lines: readonly string[]): void {
  const tmp = `${path}.rewrite-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const buf = Buffer.from(lines.join(''), 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** The file's lines in the order `rank` gives each (source, index), stable for equal ranks; unknown records last. */
export function sortOutputLines(path: string, rank: (source: string, index: number) => number): void {
  const prev = readPreviousOutput(path);
  const keyed = prev.records.map((r, i) => ({ rank: rank(r.source, r.index), i }));
  keyed.sort((a, b) => a.rank - b.rank || a.i - b.i);
  if (keyed.every((k, i) => k.i === i)) return; // already in order
  replaceLines(path, keyed.map((k) => prev.lines[k.i]));
}
