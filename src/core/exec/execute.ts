// Runs one query on a read-only connection and turns everything into an
// ExecResult. This is the code the worker process runs; it never runs in the
// extension host or the CLI process itself, because a runaway statement
// cannot be interrupted (see docs/execution.md).

import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import type { Cell, ErrorKind, ExecResult, WireJob } from './protocol.ts';
import { inspectSql, refuseBeforePrepare, type SqlShape } from './statement.ts';

type Connection = InstanceType<typeof Database>;

interface Entry {
  db: Connection;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Small LRU of read-only connections, reopened when the file changes on disk. */
export class ConnectionCache {
  private readonly max: number;
  private readonly map = new Map<string, Entry>();

  constructor(max: number) {
    this.max = Math.max(1, max);
  }

  get size(): number {
    return this.map.size;
  }

  /** Throws ExecFailure('no_database') when the file is missing or unreadable. */
  get(path: string): Connection {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new ExecFailure('no_database', `no such database file: ${path}`);
    }
    if (!st.isFile()) throw new ExecFailure('no_database', `not a database file: ${path}`);
    const hit = this.map.get(path);
    if (hit) {
      this.map.delete(path);
      if (hit.ino === st.ino && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
        this.map.set(path, hit); // most recently used goes last
        return hit.db;
      }
      hit.db.close();
    }
    let db: Connection;
    try {
      // SQLITE_OPEN_READONLY: the file cannot be written, and no -journal/-wal is created.
      db = new Database(path, { readonly: true, fileMustExist: true });
      // Second lock: query_only also refuses writes to the temp schema and attached databases.
      db.pragma('query_only = ON');
    } catch (err) {
      throw new ExecFailure('no_database', `cannot open database ${path}: ${(err as Error).message}`);
    }
    this.map.set(path, { db, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
    while (this.map.size > this.max) {
      const [oldest, e] = this.map.entries().next().value as [string, Entry];
      this.map.delete(oldest);
      e.db.close();
    }
    return db;
  }

  /** Forgets a connection whose session state may have been touched. */
  drop(path: string): void {
    const e = this.map.get(path);
    if (e) {
      this.map.delete(path);
      e.db.close();
    }
  }

  closeAll(): void {
    for (const e of this.map.values()) e.db.close();
    this.map.clear();
  }
}

export class ExecFailure extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

// |v| <= 2^53 converts to a double exactly; beyond, neighbours would collide.
const MAX_EXACT = 2n ** 53n;
const MIN_EXACT = -MAX_EXACT;

/** safeIntegers(true) gives every INTEGER as bigint; keep bigint only where a double would lose digits. */
function convertRow(row: unknown[]): Cell[] {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'bigint' && v >= MIN_EXACT && v <= MAX_EXACT) row[i] = Number(v);
  }
  return row as Cell[];
}

function result(partial: Partial<ExecResult> & { elapsed_ms: number }): ExecResult {
  return { columns: [], types: [], rows: [], truncated: false, error: null, ...partial };
}

function failure(kind: ErrorKind, message: string, t0: number): ExecResult {
  return result({ elapsed_ms: performance.now() - t0, error: { kind, message } });
}

/** Maps a better-sqlite3 error to an error kind; `compiling` = thrown by prepare. */
function classify(err: unknown, compiling: boolean): { kind: ErrorKind; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (err instanceof RangeError && message.includes('more than one statement')) {
    return { kind: 'multiple_statements', message: 'You can only execute one statement at a time.' };
  }
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('SQLITE_READONLY')) return { kind: 'readonly', message };
  // load_extension() and similar are refused by SQLite's authorization.
  if (code.startsWith('SQLITE_AUTH') || message === 'not authorized') return { kind: 'readonly', message };
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CANTOPEN') return { kind: 'no_database', message };
  return { kind: compiling && code === 'SQLITE_ERROR' ? 'syntax' : 'runtime', message };
}

/**
 * Executes exactly one statement with Python sqlite3's rules (spec
 * execution-rewards.md §1 step 3) and the read-only policy.
 */
export function executeJob(conns: ConnectionCache, job: WireJob): ExecResult {
  const t0 = performance.now();
  const { sql } = job;
  let shape: SqlShape | undefined;
  const getShape = () => (shape ??= inspectSql(sql));

  // Cheap textual pre-checks keep the common path free of a full scan.
  const mentionsPragma = /pragma/i.test(sql);
  if (mentionsPragma) {
    const why = refuseBeforePrepare(getShape());
    if (why) return failure('readonly', why, t0);
  }

  let db: Connection;
  try {
    db = conns.get(job.db);
  } catch (err) {
    if (err instanceof ExecFailure) return failure(err.kind, err.message, t0);
    throw err;
  }
  // A PRAGMA may touch session state even when allowed or refused later: start the next query afresh.
  const isPragma = mentionsPragma && getShape().pragma !== null;
  try {
    return runPrepared(db, job, t0, getShape);
  } finally {
    if (isPragma) conns.drop(job.db);
  }
}

function runPrepared(db: Connection, job: WireJob, t0: number, getShape: () => SqlShape): ExecResult {
  const { sql } = job;
  let stmt;
  try {
    stmt = db.prepare(sql);
  } catch (err) {
    if (err instanceof RangeError && err.message.includes('no statements')) {
      // Empty, whitespace-only or comment-only SQL: Python returns no rows and no error.
      return result({ elapsed_ms: performance.now() - t0 });
    }
    const c = classify(err, true);
    return failure(c.kind, c.message, t0);
  }
  // better-sqlite3 tolerates `SELECT 1;;`, Python does not. Needs two `;` to happen at all.
  const semi = sql.indexOf(';');
  if (semi >= 0 && sql.indexOf(';', semi + 1) >= 0 && getShape().extraStatement) {
    return failure('multiple_statements', 'You can only execute one statement at a time.', t0);
  }
  if (!stmt.reader) {
    const kw = getShape().keyword || 'this';
    return failure('readonly', `${kw} statements are not executed: only queries that return rows are allowed`, t0);
  }
  // Readers that still write (INSERT … RETURNING, PRAGMA journal_mode=WAL) are refused too.
  // EXPLAIN only lists the program of the statement it describes and never runs it.
  if (!stmt.readonly && !getShape().explain) {
    return failure('readonly', `${getShape().keyword || 'this'} statement would write to the database`, t0);
  }

  stmt.raw(true);
  stmt.safeIntegers(true);
  const cols = stmt.columns();
  const columns = cols.map((c) => c.name);
  const types = cols.map((c) => c.type);
  let rows: Cell[][] = [];
  let truncated = false;
  try {
    if (job.rowCap > 0) {
      // iterate() keeps memory bounded: rows past the cap are never materialized.
      const it = stmt.iterate() as IterableIterator<unknown[]>;
      try {
        for (const row of it) {
          if (rows.length === job.rowCap) {
            truncated = true;
            break;
          }
          rows.push(convertRow(row));
        }
      } finally {
        it.return?.();
      }
    } else {
      rows = stmt.all() as Cell[][];
      for (const row of rows) convertRow(row);
    }
  } catch (err) {
    const c = classify(err, false);
    return failure(c.kind, c.message, t0);
  }
  const elapsed_ms = performance.now() - t0;
  if (truncated && job.rowCapMode === 'error') {
    return result({ columns, types, elapsed_ms, error: { kind: 'too_many_rows', message: `more than ${job.rowCap} rows` } });
  }
  return { columns, types, rows, elapsed_ms, truncated, error: null };
}
