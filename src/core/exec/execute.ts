// Runs one query on a read-only connection and turns everything into a
// WireResult. This is the code the worker process runs; it never runs in the
// extension host or the CLI process itself, because a runaway statement
// cannot be interrupted (see docs/execution.md).

import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Cell, ErrorKind, WireJob, WireResult } from './protocol.ts';
import { doubleQuotedOccurrences, inspectSql, quotedToString, refuseBeforePrepare, type SqlShape } from './statement.ts';

type Connection = InstanceType<typeof Database>;
type Statement = Database.Statement<unknown[], unknown>;

interface Entry {
  db: Connection;
  ino: number;
  size: number;
  mtimeMs: number;
  /** SQL text → its double-quoted-string rewrite, which depends on the schema only (shared by every file with this schema). */
  dqs: Map<string, string>;
}

const SCHEMA_SQL = "SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) FROM sqlite_master";

/** Schemas whose rewrites are kept; past this the memo starts over. */
const DQS_SCHEMAS_MAX = 4096;

const DQS_MEMO_MAX = 4096;

/** pool.ts's DEFAULT_BUSY_TIMEOUT_MS (not imported: this file runs in the worker). */
const BUSY_TIMEOUT_MS = 5000;

/** Small LRU of read-only connections, reopened when the file changes on disk. */
export class ConnectionCache {
  private readonly max: number;
  private readonly busyTimeoutMs: number;
  private readonly map = new Map<string, Entry>();
  // A test suite holds dozens of files per schema: a query's rewrite is worked out once for all.
  private readonly dqsBySchema = new Map<string, Map<string, string>>();

  constructor(max: number, busyTimeoutMs = BUSY_TIMEOUT_MS) {
    this.max = Math.max(1, max);
    this.busyTimeoutMs = busyTimeoutMs;
  }

  get size(): number {
    return this.map.size;
  }

  /** The open connection for `path`; throws ExecFailure('no_database') when the file is missing or unreadable. */
  entry(path: string): Entry {
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
        return hit;
      }
      hit.db.close();
    }
    let db: Connection | undefined;
    let dqs: Map<string, string>;
    try {
      // SQLITE_OPEN_READONLY: the file cannot be written, and no -journal/-wal is created.
      // timeout: how long SQLite waits for another connection's lock before SQLITE_BUSY.
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: this.busyTimeoutMs });
      // Second lock: query_only also refuses writes to the temp schema and attached databases.
      db.pragma('query_only = ON');
    } catch (err) {
      db?.close();
      const c = classify(err, false);
      throw new ExecFailure(c.kind === 'busy' || c.kind === 'io' ? c.kind : 'no_database', `cannot open database ${path}: ${(err as Error).message}`);
    }
    try {
      // Reads the schema, which the first query needs anyway: a locked or broken file fails here as it would there.
      dqs = this.dqsMemo(db.prepare(SCHEMA_SQL).pluck().get() as string | null);
    } catch (err) {
      db.close();
      const c = classify(err, false);
      throw new ExecFailure(c.kind === 'busy' || c.kind === 'io' ? c.kind : 'no_database', c.message);
    }
    const entry: Entry = { db, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, dqs };
    this.map.set(path, entry);
    while (this.map.size > this.max) {
      const [oldest, e] = this.map.entries().next().value as [string, Entry];
      this.map.delete(oldest);
      e.db.close();
    }
    return entry;
  }

  private dqsMemo(schema: string | null): Map<string, string> {
    const key = createHash('sha256').update(schema ?? '').digest('base64');
    let memo = this.dqsBySchema.get(key);
    if (!memo) {
      if (this.dqsBySchema.size >= DQS_SCHEMAS_MAX) this.dqsBySchema.clear();
      memo = new Map();
      this.dqsBySchema.set(key, memo);
    }
    return memo;
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

/**
 * The result budget counts about what a result costs in memory: 8 bytes per
 * cell (a pointer or an inline number), plus 2 per character of text, plus
 * the bytes of BLOBs.
 */
const CELL_BYTES = 8;

// |v| <= 2^53 converts to a double exactly; beyond, neighbours would collide.
const MAX_EXACT = 2n ** 53n;
const MIN_EXACT = -MAX_EXACT;

function failure(kind: ErrorKind, message: string, t0: number): WireResult {
  return { columns: [], types: [], cells: [], rowCount: 0, elapsed_ms: performance.now() - t0, truncated: false, error: { kind, message } };
}

function messageOf(err: unknown): string {
  const m = (err as { message?: unknown })?.message;
  return typeof m === 'string' ? m : String(err);
}

/** Maps a better-sqlite3 error to an error kind; `compiling` = thrown by prepare. */
export function classify(err: unknown, compiling: boolean): { kind: ErrorKind; message: string } {
  const message = messageOf(err);
  if (err instanceof RangeError && message.includes('more than one statement')) {
    return { kind: 'multiple_statements', message: 'You can only execute one statement at a time.' };
  }
  // V8 cannot hold the result at all (its array limit): the same verdict as passing the budget.
  if (err instanceof RangeError && TOO_LARGE_FOR_V8.test(message)) {
    return { kind: 'result_too_large', message: `result too large to hold in memory (${message})` };
  }
  const code = (err as { code?: unknown })?.code;
  const c = typeof code === 'string' ? code : '';
  if (c.startsWith('SQLITE_READONLY')) return { kind: 'readonly', message };
  // load_extension() is refused by SQLite's authorization check.
  if (c.startsWith('SQLITE_AUTH') || message === 'not authorized') return { kind: 'readonly', message };
  if (c === 'SQLITE_NOTADB' || c === 'SQLITE_CANTOPEN') return { kind: 'no_database', message };
  // Another connection holds a lock: the machine's state, not the query's fault.
  if (c.startsWith('SQLITE_BUSY') || c.startsWith('SQLITE_LOCKED')) return { kind: 'busy', message };
  // The file cannot be read as it should (a disk error, a file truncated or replaced under us).
  if (c.startsWith('SQLITE_IOERR') || c.startsWith('SQLITE_CORRUPT') || c === 'SQLITE_FULL' || c === 'SQLITE_PROTOCOL') return { kind: 'io', message };
  return { kind: compiling && c === 'SQLITE_ERROR' ? 'syntax' : 'runtime', message };
}

const TOO_LARGE_FOR_V8 = /Invalid array length|Invalid typed array length|Array buffer allocation failed/;

const DQS_ERROR = /^no such column: "(.*)" - should this be a string literal in single-quotes\?$/s;

function prepareError(db: Connection, sql: string): string | null {
  try {
    db.prepare(sql);
    return null;
  } catch (err) {
    return messageOf(err);
  }
}

/**
 * better-sqlite3 is compiled with SQLITE_DQS=0, so `WHERE name = "Aruba"` (all
 * over Spider) fails where Python's sqlite3 reads a double-quoted word that
 * names no column as a string. Replay that fallback: rewrite the token SQLite
 * complains about as a string literal and prepare again.
 */
export function prepareLikeDefaultSqlite(db: Connection, sql: string, memo?: Map<string, string>): Statement {
  let text = memo?.get(sql) ?? sql;
  for (let round = 0; ; round++) {
    try {
      const stmt = db.prepare(text);
      if (round > 0 && memo) {
        if (memo.size >= DQS_MEMO_MAX) memo.clear();
        memo.set(sql, text); // repeated statements skip the retries
      }
      return stmt;
    } catch (err) {
      const m = round < 64 ? DQS_ERROR.exec(messageOf(err)) : null;
      if (!m) throw err;
      const name = m[1];
      const spots = doubleQuotedOccurrences(text, name);
      if (spots.length === 0) throw err;
      let next: string | undefined;
      if (spots.length === 1) next = quotedToString(text, spots[0][0], spots[0][1]);
      else {
        // SQLite does not say which occurrence failed; another may be a real column
        // elsewhere in scope. Take the first whose rewrite makes this complaint go away.
        for (const [a, b] of spots) {
          const candidate = quotedToString(text, a, b);
          const e = prepareError(db, candidate);
          const other = e === null ? null : DQS_ERROR.exec(e);
          if (e === null || (other && other[1] !== name)) {
            next = candidate;
            break;
          }
        }
        // Several occurrences fail alike (`a = "x" OR b = "x"`): all are strings.
        next ??= spots.reduceRight((t, [a, b]) => quotedToString(t, a, b), text);
      }
      text = next;
    }
  }
}

/**
 * Executes exactly one statement with Python sqlite3's rules (spec
 * execution-rewards.md §1 step 3) and the read-only policy.
 */
export function executeJob(conns: ConnectionCache, job: WireJob): WireResult {
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

  let conn: Entry;
  try {
    conn = conns.entry(job.db);
  } catch (err) {
    if (err instanceof ExecFailure) return failure(err.kind, err.message, t0);
    throw err;
  }
  // A PRAGMA may touch session state even when allowed: the next query gets a fresh connection.
  const isPragma = mentionsPragma && getShape().pragma !== null;
  try {
    return runOne(conn, job, t0, getShape);
  } finally {
    if (isPragma) conns.drop(job.db);
  }
}

function runOne(conn: Entry, job: WireJob, t0: number, getShape: () => SqlShape): WireResult {
  const { sql } = job;
  let stmt: Statement;
  try {
    stmt = prepareLikeDefaultSqlite(conn.db, sql, conn.dqs);
  } catch (err) {
    if (err instanceof RangeError && err.message.includes('no statements')) {
      // Empty, whitespace-only or comment-only SQL: Python returns no rows and no error.
      return { columns: [], types: [], cells: [], rowCount: 0, elapsed_ms: performance.now() - t0, truncated: false, error: null };
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
  // Readers that still write (INSERT … RETURNING, PRAGMA wal_checkpoint) are refused too.
  // EXPLAIN only lists the program of the statement it describes and never runs it.
  if (!stmt.readonly && !getShape().explain) {
    return failure('readonly', `${getShape().keyword || 'this'} statement would write to the database`, t0);
  }

  stmt.raw(true);
  stmt.safeIntegers(true);
  const cols = stmt.columns();
  const columns = cols.map((c) => c.name);
  const types = cols.map((c) => c.type);
  const cap = job.rowCap > 0 ? job.rowCap : Infinity;
  const maxCells = job.maxCells > 0 ? job.maxCells : Infinity;
  const maxBytes = job.maxBytes > 0 ? job.maxBytes : Infinity;
  const exactIntegers = job.exactIntegers === true;
  // Rows are copied straight into one flat array (the wire format); iterate() never
  // materializes rows past the cap or the budget, so memory stays bounded.
  const cells: Cell[] = [];
  let rowCount = 0;
  let truncated = false;
  let bytes = 0;
  let tooLarge = false;
  try {
    const it = stmt.iterate() as IterableIterator<unknown[]>;
    try {
      for (const row of it) {
        if (rowCount === cap) {
          truncated = true;
          break;
        }
        // Checked before the row is kept: the budget is never passed by more than the row SQLite just made.
        if (cells.length + row.length > maxCells) {
          tooLarge = true;
          break;
        }
        bytes += CELL_BYTES * row.length;
        for (let i = 0; i < row.length; i++) {
          const v = row[i];
          if (typeof v === 'string') bytes += 2 * v.length;
          else if (v instanceof Uint8Array) bytes += v.length;
          // safeIntegers(true) gives every INTEGER as bigint; keep bigint only where a double would lose digits.
          cells.push(typeof v === 'bigint' && !exactIntegers && v >= MIN_EXACT && v <= MAX_EXACT ? Number(v) : (v as Cell));
        }
        rowCount++;
        if (bytes > maxBytes) {
          tooLarge = true;
          break;
        }
      }
    } finally {
      it.return?.(undefined);
    }
  } catch (err) {
    const c = classify(err, false);
    return failure(c.kind, c.message, t0);
  }
  if (tooLarge) {
    const what = bytes > maxBytes ? `${maxBytes} bytes` : `${job.maxCells} cells (rows × columns)`;
    cells.length = 0; // free it before the next query of the batch
    return { ...failure('result_too_large', `result larger than the budget of ${what}: stopped after ${rowCount} rows`, t0), columns, types };
  }
  const elapsed_ms = performance.now() - t0;
  if (truncated && job.rowCapMode === 'error') {
    return { ...failure('too_many_rows', `more than ${job.rowCap} rows`, t0), columns, types, elapsed_ms };
  }
  return { columns, types, cells, rowCount, elapsed_ms, truncated, error: null };
}
