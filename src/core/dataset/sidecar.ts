// The annotations of a dataset (issue 12), kept beside it and never in it:
// for train.jsonl, train.steplens.jsonl, an append-only log with one JSON
// object per line (docs/dataset.md, "The sidecar"):
//   {"v":1,"line":7,"id":"q7","status":"accepted","labels":["good"],"note":null,"edit":null,"at":"2026-…Z","hash":"…"}
// The last entry for a line wins. append() returns only after writeSync +
// fsyncSync, so an annotation the UI shows as saved survives a kill (tested
// with SIGKILL in test/unit/dataset-sidecar-kill.test.ts). A torn last line
// (a crash mid-write) is skipped with a warning and never blocks opening; the
// next append starts on a fresh line so it cannot be glued to the torn one.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export type ReviewStatus = 'accepted' | 'rejected' | 'flagged' | 'pending';
export const REVIEW_STATUSES: readonly ReviewStatus[] = ['pending', 'accepted', 'rejected', 'flagged'];

export interface Annotation {
  v: 1;
  /** 1-based line in the dataset. */
  line: number;
  id: string | number | null;
  status: ReviewStatus;
  labels: string[];
  note: string | null;
  edit: { sql: string } | { completion: string } | null;
  /** ISO 8601 time. */
  at: string;
  /** sha256 (first 16 hex) of the annotated dataset line's text (lineHash), to tell when the dataset changed. */
  hash?: string;
}

/** train.jsonl → train.steplens.jsonl (beside it); a name without extension gets `.steplens.jsonl`. */
export function sidecarPathFor(dataset: string): string {
  const ext = extname(dataset);
  const stem = basename(dataset, ext);
  return join(dirname(dataset), `${stem}.steplens.jsonl`);
}

/** The `hash` of a dataset line: sha256 of its text (without the line break), first 16 hex digits. */
export function lineHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Why `v` is not a valid annotation (naming the field), or null when it is one. */
export function annotationProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const a = v as Record<string, unknown>;
  if (a.v !== 1) return `"v" is ${JSON.stringify(a.v)}, expected 1`;
  if (typeof a.line !== 'number' || !Number.isInteger(a.line) || a.line < 1) return `"line" is ${JSON.stringify(a.line)}, expected a line number (1, 2, ...)`;
  if (!(a.id === null || typeof a.id === 'string' || (typeof a.id === 'number' && Number.isFinite(a.id)))) return `"id" is ${JSON.stringify(a.id)}, expected a string, a number or null`;
  if (!REVIEW_STATUSES.includes(a.status as ReviewStatus)) return `"status" is ${JSON.stringify(a.status)}, expected one of ${REVIEW_STATUSES.join(', ')}`;
  if (!Array.isArray(a.labels) || !a.labels.every((l) => typeof l === 'string')) return `"labels" must be an array of strings`;
  if (!(a.note === null || typeof a.note === 'string')) return `"note" must be a string or null`;
  const e = a.edit;
  if (e !== null) {
    if (e === undefined || typeof e !== 'object' || Array.isArray(e)) return `"edit" must be {"sql": ...}, {"completion": ...} or null`;
    const keys = Object.keys(e);
    const o = e as Record<string, unknown>;
    if (keys.length !== 1 || !(typeof o.sql === 'string' || typeof o.completion === 'string')) return `"edit" must be {"sql": <string>} or {"completion": <string>}`;
  }
  if (typeof a.at !== 'string' || Number.isNaN(Date.parse(a.at))) return `"at" is ${JSON.stringify(a.at)}, expected an ISO 8601 time`;
  if (a.hash !== undefined && (typeof a.hash !== 'string' || !/^[0-9a-f]{16}$/.test(a.hash))) return `"hash" must be 16 hex digits`;
  return null;
}

/** The JSON line of an annotation, fields in the documented order. */
export function annotationLine(a: Annotation): string {
  const o: Annotation = { v: 1, line: a.line, id: a.id, status: a.status, labels: a.labels, note: a.note, edit: a.edit, at: a.at };
  if (a.hash !== undefined) o.hash = a.hash;
  return JSON.stringify(o) + '\n';
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function fsyncDir(dir: string): void {
  // Makes a new or renamed directory entry durable; not possible on every platform (Windows), where it is skipped.
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export class Sidecar {
  readonly path: string;
  /** Torn line, malformed entries, dataset changed (after reconcile), ... one sentence each, naming the file. */
  readonly warnings: string[] = [];
  private map = new Map<number, Annotation>();
  /** Entries whose record is no longer in the dataset (after reconcile): kept in the log, not shown. */
  private orphaned: Annotation[] = [];
  /** Entries reconcile moved to another line: [the entry as logged, its new line]. Compaction writes them at the new line. */
  private moves: [Annotation, number][] = [];
  private fd = -1;
  /** The log does not end with a line break (a torn last line): the next append starts a new line first. */
  private needsNewline = false;
  private exists = false;

  private constructor(path: string) {
    this.path = path;
  }

  /** Reads the log if there is one (creates nothing until the first append). A torn last line → warning, ignored. */
  static open(path: string): Sidecar {
    const s = new Sidecar(path);
    s.load();
    s.removeStaleTemps();
    return s;
  }

  /** A compaction killed before its rename leaves `<log>.<pid>.tmp`: removed once its process is gone (the log itself is intact). */
  private removeStaleTemps(): void {
    const base = basename(this.path);
    let names: string[];
    try {
      names = readdirSync(dirname(this.path));
    } catch {
      return;
    }
    for (const n of names) {
      const m = n.startsWith(base + '.') ? /^\.(\d+)\.tmp$/.exec(n.slice(base.length)) : null;
      if (!m) continue;
      const pid = Number(m[1]);
      let alive = pid === process.pid;
      if (!alive) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (err) {
          alive = (err as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (!alive) rmSync(join(dirname(this.path), n), { force: true });
    }
  }

  private load(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`${this.path}: cannot read the annotations (${(err as Error).message})`);
    }
    this.exists = true;
    const name = basename(this.path);
    try {
      if (fstatSync(fd).isDirectory()) throw new Error(`${this.path}: is a directory, not an annotations file`);
      // Streamed in chunks: a long review's log can be large.
      const buf = Buffer.allocUnsafe(1 << 20);
      let pos = 0;
      let carry: Buffer = Buffer.alloc(0);
      let lineNo = 0;
      const handle = (bytes: Buffer, last: boolean) => {
        lineNo++;
        const text = bytes.toString('utf8').replace(/\r$/, '');
        if (text.trim() === '') return;
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch {
          this.warnings.push(last ? `${name} line ${lineNo}: torn last line (an interrupted write) ignored` : `${name} line ${lineNo}: malformed JSON, entry ignored`);
          return;
        }
        const problem = annotationProblem(v);
        if (problem) {
          this.warnings.push(`${name} line ${lineNo}: ${problem}, entry ignored`);
          return;
        }
        const a = v as Annotation;
        this.map.set(a.line, a);
      };
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        let chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
        let start = 0;
        for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
          handle(chunk.subarray(start, nl), false);
          start = nl + 1;
        }
        carry = Buffer.from(chunk.subarray(start));
        chunk = Buffer.alloc(0);
      }
      if (carry.length > 0) {
        this.needsNewline = true;
        handle(carry, true);
      }
    } finally {
      closeSync(fd);
    }
  }

  get(line: number): Annotation | undefined {
    return this.map.get(line);
  }

  /** The annotation of each line (the last entry for a line wins). */
  entries(): ReadonlyMap<number, Annotation> {
    return this.map;
  }

  /** Appends one line, writeSync + fsyncSync before returning: only then may the UI show it saved. Throws on an invalid annotation (naming the field) or a failed write. */
  append(a: Annotation): void {
    const problem = annotationProblem(a);
    if (problem) throw new Error(`${this.path}: invalid annotation for line ${(a as { line?: unknown })?.line}: ${problem}`);
    const line = annotationLine(a);
    // Another process (a second window, a script) may have replaced the log since (a compaction renames a new file
    // over it): appending to the old, unlinked inode would lose the entry, so the log is reopened.
    if (this.fd >= 0) {
      let same = false;
      try {
        same = statSync(this.path).ino === fstatSync(this.fd).ino;
      } catch {
        same = false;
      }
      if (!same) {
        closeSync(this.fd);
        this.fd = -1;
      }
    }
    if (this.fd < 0) {
      const created = !this.exists;
      try {
        this.fd = openSync(this.path, 'a+');
        // A log that does not end with a line break (a torn last line): the entry starts on a new line.
        const size = fstatSync(this.fd).size;
        const last = Buffer.alloc(1);
        this.needsNewline = size > 0 && readSync(this.fd, last, 0, 1, size - 1) === 1 && last[0] !== 10;
      } catch (err) {
        throw new Error(`${this.path}: cannot write the annotations (${(err as Error).message})`);
      }
      this.exists = true;
      if (created) fsyncDir(dirname(this.path));
    }
    writeAll(this.fd, Buffer.from(this.needsNewline ? '\n' + line : line, 'utf8'));
    fsyncSync(this.fd);
    this.needsNewline = false;
    const stored = JSON.parse(line) as Annotation;
    this.map.set(stored.line, stored);
  }

  /**
   * Checks hashes against the dataset: an entry whose `hash` differs from its
   * line's text now (or whose line is gone) is re-matched by id (`lineOfId`),
   * to the line of that id if its text still has the hash (or the entry has
   * none). Entries that cannot be matched are set aside (kept in the log).
   * One warning names how many changed, moved and were not found.
   */
  reconcile(lineText: (line: number) => string | null, lineOfId: (id: string | number) => number | null): void {
    const keep = new Map<number, Annotation>();
    const moved: Annotation[] = [];
    const lost: Annotation[] = [];
    const total = this.map.size;
    let changed = 0;
    for (const a of this.map.values()) {
      const text = lineText(a.line);
      const same = text !== null && (a.hash === undefined || lineHash(text) === a.hash);
      if (same) {
        keep.set(a.line, a);
        continue;
      }
      changed++;
      const to = a.id !== null ? lineOfId(a.id) : null;
      const toText = to !== null ? lineText(to) : null;
      if (to !== null && toText !== null && (a.hash === undefined || lineHash(toText) === a.hash)) {
        moved.push({ ...a, line: to });
        this.moves.push([a, to]);
      }
      else lost.push(a);
    }
    for (const a of moved) {
      const there = keep.get(a.line);
      // A record's own annotation at its line beats one moved onto it, unless the moved one is newer.
      if (!there || Date.parse(there.at) < Date.parse(a.at)) keep.set(a.line, a);
    }
    this.map = keep;
    this.orphaned.push(...lost);
    if (changed > 0) {
      const name = basename(this.path);
      this.warnings.push(
        `${name}: the dataset changed since these annotations were written: ${changed} of ${total} annotated lines differ; ` +
          `${moved.length} matched again by record id, ${lost.length} not found (kept in ${name}, not shown)`,
      );
    }
  }

  /** Rewrites the log with one entry per line (and the set-aside ones): temp file, fsync, rename over the log, fsync the folder. */
  compact(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    // From the log as it is on disk now, not from memory: another process may have appended since this one read it.
    const disk = new Sidecar(this.path);
    disk.load();
    const merged = new Map(disk.map);
    const sameEntry = (x: Annotation | undefined, y: Annotation) => x !== undefined && annotationLine(x) === annotationLine(y);
    // Sources first (a line annotated again since keeps its newer entry), then the targets.
    const moves = this.moves.filter(([a]) => sameEntry(merged.get(a.line), a));
    const orphans = this.orphaned.filter((o) => sameEntry(merged.get(o.line), o));
    for (const [a] of moves) merged.delete(a.line);
    for (const o of orphans) merged.delete(o.line);
    for (const [a, to] of moves) {
      const there = merged.get(to);
      if (!there || Date.parse(there.at) < Date.parse(a.at)) merged.set(to, { ...a, line: to });
    }
    const all = [...orphans, ...[...merged.values()].sort((x, y) => x.line - y.line)];
    let fd = -1;
    try {
      fd = openSync(tmp, 'w');
      const parts: string[] = [];
      let size = 0;
      for (const a of all) {
        const l = annotationLine(a);
        parts.push(l);
        size += l.length;
        if (size > 1 << 20) {
          writeAll(fd, Buffer.from(parts.join(''), 'utf8'));
          parts.length = 0;
          size = 0;
        }
      }
      if (parts.length) writeAll(fd, Buffer.from(parts.join(''), 'utf8'));
      fsyncSync(fd);
      closeSync(fd);
      fd = -1;
      // The append fd points at the old file: close it before the rename so the next append opens the new one.
      if (this.fd >= 0) {
        closeSync(this.fd);
        this.fd = -1;
      }
      renameSync(tmp, this.path);
      fsyncDir(dirname(this.path));
      this.exists = true;
      this.needsNewline = false;
      this.map = merged;
      this.orphaned = orphans;
      this.moves = [];
    } catch (err) {
      if (fd >= 0) closeSync(fd);
      rmSync(tmp, { force: true });
      throw new Error(`${this.path}: compaction failed, the log is unchanged (${(err as Error).message})`);
    }
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
