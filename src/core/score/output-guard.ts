// What keeps a scoring run's output file safe from ordinary mistakes: the
// output never replaces an existing file by accident, never names one of the
// run's own inputs (by identity: device + inode, so links and relative paths
// are caught), is held by one process at a time (a lock file), and remembers
// what produced it (a fingerprint of inputs and options) so that --resume
// refuses to mix two different runs in one file.

import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync, fsyncSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, resolve } from 'node:path';

export class OutputGuardError extends Error {}

export interface OutputCheck {
  out: string;
  /** Files the run reads or writes besides the output, with what they are (`input`, `--gold`, ...). */
  others: { path: string; role: string }[];
  resume: boolean;
  force: boolean;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Throws OutputGuardError with a one-line reason when `--out` must not be written. */
export function checkOutputPath(c: OutputCheck): void {
  const dir = dirname(resolve(c.out));
  const dirStat = statOrNull(dir);
  if (!dirStat) throw new OutputGuardError(`--out ${c.out}: the folder ${dir} does not exist`);
  if (!dirStat.isDirectory()) throw new OutputGuardError(`--out ${c.out}: ${dir} is not a folder`);
  const st = statOrNull(c.out);
  if (!st) return;
  if (st.isDirectory()) throw new OutputGuardError(`--out ${c.out}: is a folder, not a file`);
  for (const o of c.others) {
    const os = statOrNull(o.path);
    if (os && os.dev === st.dev && os.ino === st.ino) throw new OutputGuardError(`--out ${c.out} is the ${o.role} file ${o.path}: refusing to overwrite it`);
  }
  if (looksLikeSqlite(c.out)) throw new OutputGuardError(`--out ${c.out} is a SQLite database: refusing to overwrite it`);
  if (!c.resume && !c.force && st.size > 0) {
    throw new OutputGuardError(`--out ${c.out} already exists: add --resume to continue it or --force to replace it`);
  }
}

function looksLikeSqlite(path: string): boolean {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\u0000';
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

// ---------------------------------------------------------------- lock

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on the output: `<out>.lock`, created with O_EXCL (atomic
 * on local file systems), holding the owner's pid, host and start time. A lock
 * whose owner on this host is gone is stale and taken over. Node has no flock(2);
 * see decisions.md, "Output files".
 */
export class OutputLock {
  readonly path: string;
  private held = false;

  private constructor(path: string) {
    this.path = path;
  }

  static acquire(out: string, warn: (msg: string) => void): OutputLock {
    const lock = new OutputLock(`${resolve(out)}.lock`);
    const body = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }) + '\n';
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lock.path, 'wx');
        writeSync(fd, body);
        closeSync(fd);
        lock.held = true;
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputGuardError(`--out ${out}: cannot create the lock file ${lock.path} (${(err as Error).message})`);
      }
      let owner: { pid?: number; host?: string; started?: string } = {};
      try {
        owner = JSON.parse(readFileSync(lock.path, 'utf8'));
      } catch {
        // A lock being written right now, or torn by a crash: treat as held unless it is old.
      }
      const sameHost = owner.host === hostname();
      if (typeof owner.pid === 'number' && sameHost && !pidAlive(owner.pid)) {
        warn(`steplens: ${lock.path}: taking over a stale lock of process ${owner.pid} (no longer running)`);
        rmSync(lock.path, { force: true });
        continue;
      }
      const who = typeof owner.pid === 'number' ? `process ${owner.pid}${sameHost ? '' : ` on ${owner.host}`}${owner.started ? ` since ${owner.started}` : ''}` : 'another process';
      throw new OutputGuardError(`--out ${out} is being written by ${who} (lock ${lock.path}); wait for it, or delete the lock if that run is gone`);
    }
    throw new OutputGuardError(`--out ${out}: could not take the lock ${lock.path}`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    rmSync(this.path, { force: true });
  }
}

// ---------------------------------------------------------------- fingerprint

export const RUN_SCHEMA = 'steplens.run/1';

export interface FileFingerprint {
  role: string;
  /** Absolute path (informational: files are compared by size and hash, so a moved input still matches). */
  path: string;
  size: number;
  sha256: string;
}

export interface RunFingerprint {
  schema: typeof RUN_SCHEMA;
  files: FileFingerprint[];
  /** The options that change the numbers, as given. */
  options: Record<string, string | number | boolean | null>;
}

export function fileFingerprint(role: string, path: string): FileFingerprint {
  const bytes = readFileSync(path);
  return { role, path: resolve(path), size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Where the fingerprint of `<out>` lives: `<out>.run.json` beside it. */
export function fingerprintPath(out: string): string {
  return `${out}.run.json`;
}

/** Written atomically (temp file, fsync, rename) before the first record. */
export function writeFingerprint(out: string, fp: RunFingerprint): void {
  const path = fingerprintPath(out);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(fp, null, 2) + '\n');
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readFingerprint(out: string): RunFingerprint | null {
  let text: string;
  try {
    text = readFileSync(fingerprintPath(out), 'utf8');
  } catch {
    return null;
  }
  try {
    const fp = JSON.parse(text) as RunFingerprint;
    return fp?.schema === RUN_SCHEMA ? fp : null;
  } catch {
    return null;
  }
}

/** What differs between the run that wrote a file and this one, one phrase per difference (empty: the same run). */
export function fingerprintChanges(before: RunFingerprint, now: RunFingerprint): string[] {
  const changes: string[] = [];
  const key = (f: FileFingerprint, i: number) => `${f.role}#${i}`;
  const index = (fs: FileFingerprint[]) => {
    const seen = new Map<string, number>();
    return new Map(fs.map((f) => {
      const n = seen.get(f.role) ?? 0;
      seen.set(f.role, n + 1);
      return [key(f, n), f] as const;
    }));
  };
  const a = index(before.files);
  const b = index(now.files);
  for (const [k, f] of b) {
    const old = a.get(k);
    if (!old) changes.push(`${f.role} ${basename(f.path)} was not part of the earlier run`);
    else if (old.size !== f.size || old.sha256 !== f.sha256) changes.push(`${f.role} ${basename(f.path)} changed (${old.size} → ${f.size} bytes${old.sha256 !== f.sha256 ? ', other content' : ''})`);
  }
  for (const [k, f] of a) if (!b.has(k)) changes.push(`${f.role} ${basename(f.path)} is no longer given`);
  const names = new Set([...Object.keys(before.options), ...Object.keys(now.options)]);
  for (const n of names) {
    const x = before.options[n] ?? null;
    const y = now.options[n] ?? null;
    if (x !== y) changes.push(`--${n} ${JSON.stringify(x)} → ${JSON.stringify(y)}`);
  }
  return changes;
}
