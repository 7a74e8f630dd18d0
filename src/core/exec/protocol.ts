// The typed message protocol between ExecPool (parent) and its worker processes,
// plus the result types both sides share. Messages travel over Node's IPC channel
// with `serialization: 'advanced'` (V8 structured clone), so bigint and
// Uint8Array cells arrive intact. Every message is checked by `parseToWorker` /
// `parseFromWorker` where it enters a process.

/** One result cell: INTEGER → number (bigint beyond ±2^53), REAL → number, TEXT → string, BLOB → Uint8Array, NULL → null. */
export type Cell = null | number | bigint | string | Uint8Array;

export type ErrorKind =
  /** The statement did not compile: parse error, unknown table/column/function. */
  | 'syntax'
  /** The statement compiled but failed while running. */
  | 'runtime'
  /** Killed after its wall-clock budget. */
  | 'timeout'
  /** Would write, change connection settings or load code; rejected (normally before it runs). */
  | 'readonly'
  /** More than one statement (Python: "You can only execute one statement at a time."). */
  | 'multiple_statements'
  /** The database file is missing or is not an SQLite database. */
  | 'no_database'
  /** More rows than the row cap, with rowCapMode 'error'. */
  | 'too_many_rows'
  /** The result passed the worker's result budget (cells or bytes), or was too large for V8 to hold at all; reading stopped there. */
  | 'result_too_large'
  /** The worker process died while running this query (e.g. out of memory). */
  | 'crashed'
  /** The database was locked by another connection for longer than the busy timeout (SQLITE_BUSY, SQLITE_LOCKED): not the query's fault. */
  | 'busy'
  /** The database could not be read (SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, ...): not the query's fault. */
  | 'io';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'syntax',
  'runtime',
  'timeout',
  'readonly',
  'multiple_statements',
  'no_database',
  'too_many_rows',
  'result_too_large',
  'crashed',
  'busy',
  'io',
];

/** Kinds that say something about the machine or the file, not the query: retried, never cached, never scored. */
export const INFRASTRUCTURE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['busy', 'io']);

export interface ExecError {
  kind: ErrorKind;
  message: string;
}

export interface ExecResult {
  /** Result column names as SQLite reports them (Python `cursor.description[i][0]`). */
  columns: string[];
  /** Declared column types (`CREATE TABLE` text), null for expressions. */
  types: (string | null)[];
  rows: Cell[][];
  elapsed_ms: number;
  /** True when the row cap cut the result short. */
  truncated: boolean;
  error: ExecError | null;
  /** Set for a compare job (WireJob.compare): then rows are empty and `error` is gold's. */
  compare?: CompareOutcome;
}

/**
 * What a compare job found on its database: the prediction's error, or whether its
 * result equals gold's as the official result_eq decides (src/core/exec/official.ts).
 */
export interface CompareOutcome {
  predError: ExecError | null;
  same: boolean;
}

/**
 * An ExecResult as it crosses the process boundary: cells flattened row-major
 * into one array. The V8 serializer tracks every object it writes, so one flat
 * array instead of a million row arrays costs far less time and memory.
 */
export interface WireResult {
  columns: string[];
  types: (string | null)[];
  cells: Cell[];
  rowCount: number;
  elapsed_ms: number;
  truncated: boolean;
  error: ExecError | null;
  compare?: CompareOutcome;
}

export function fromWire(w: WireResult): ExecResult {
  const width = w.columns.length;
  const rows = new Array<Cell[]>(w.rowCount);
  for (let i = 0, at = 0; i < w.rowCount; i++, at += width) rows[i] = w.cells.slice(at, at + width);
  const r: ExecResult = { columns: w.columns, types: w.types, rows, elapsed_ms: w.elapsed_ms, truncated: w.truncated, error: w.error };
  if (w.compare) r.compare = w.compare;
  return r;
}

export type RowCapMode = 'truncate' | 'error';

/** One query as sent to a worker. `db` is an absolute path; rowCap, maxCells, maxBytes 0 = no limit. */
export interface WireJob {
  db: string;
  sql: string;
  rowCap: number;
  rowCapMode: RowCapMode;
  /** Result budget: at most this many cells (rows × columns) ... */
  maxCells: number;
  /** ... and about this many bytes (see resultBytes in execute.ts); past either, the result is `result_too_large`. */
  maxBytes: number;
  /** Every INTEGER as bigint, so 2 and 2.0 stay apart (the official Spider match can tell them apart); default: number where exact. */
  exactIntegers?: boolean;
  /**
   * A compare job: `sql` is gold; when it succeeds, `compare.sql` (the prediction) runs
   * on the same database and the worker compares the two results as the official
   * Spider evaluator does. Only the verdict comes back (no rows), so the comparison
   * runs in the workers, in parallel, and rows never cross the process boundary.
   */
  compare?: { sql: string; orderMatters: boolean };
}

export type ToWorker =
  | {
      type: 'init';
      /** Inherited descriptor of the file holding one progress slot per worker (see pool.ts), or null for none. */
      progressFd: number | null;
      slot: number;
      maxConnections: number;
      /** Results are sent at least this often while a batch runs. */
      flushMs: number;
      /** How long a connection waits for another one's lock before SQLITE_BUSY (better-sqlite3 `timeout`). */
      busyTimeoutMs: number;
    }
  | { type: 'run'; batch: number; jobs: WireJob[] };

export type FromWorker =
  | { type: 'ready'; pid: number; sqliteVersion: string }
  /** Results for jobs `start .. start + results.length - 1` of `batch`, in order. */
  | { type: 'results'; batch: number; start: number; results: WireResult[] }
  | { type: 'fatal'; message: string };

/** Bytes per worker in the progress file: batch u32, job index u32, start time (hrtime ns) u64, check u32, pad. */
export const PROGRESS_SLOT_BYTES = 32;

export function progressCheck(batch: number, index: number, startNs: bigint): number {
  return (Math.imul(batch, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ Number(startNs & 0xffffffffn)) >>> 0;
}

// ---- validation at the boundary -------------------------------------------

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what}: expected an object`);
  return v as Obj;
}
function str(o: Obj, k: string, what: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw new ProtocolError(`${what}.${k}: expected a string`);
  return v;
}
function nat(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ProtocolError(`${what}.${k}: expected a whole number`);
  return v;
}
function arr(o: Obj, k: string, what: string): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) throw new ProtocolError(`${what}.${k}: expected an array`);
  return v;
}

function parseJob(v: unknown, what: string): WireJob {
  const o = obj(v, what);
  const mode = o.rowCapMode;
  if (mode !== 'truncate' && mode !== 'error') throw new ProtocolError(`${what}.rowCapMode: expected 'truncate' or 'error'`);
  return {
    db: str(o, 'db', what),
    sql: str(o, 'sql', what),
    rowCap: nat(o, 'rowCap', what),
    rowCapMode: mode,
    maxCells: nat(o, 'maxCells', what),
    maxBytes: nat(o, 'maxBytes', what),
    ...(o.exactIntegers === true ? { exactIntegers: true } : {}),
    ...(o.compare !== undefined ? { compare: parseCompareJob(o.compare, `${what}.compare`) } : {}),
  };
}

function parseCompareJob(v: unknown, what: string): { sql: string; orderMatters: boolean } {
  const o = obj(v, what);
  if (typeof o.orderMatters !== 'boolean') throw new ProtocolError(`${what}.orderMatters: expected a boolean`);
  return { sql: str(o, 'sql', what), orderMatters: o.orderMatters };
}

function parseError(v: unknown, what: string): ExecError {
  const e = obj(v, what);
  const kind = e.kind as ErrorKind;
  if (!ERROR_KINDS.includes(kind)) throw new ProtocolError(`${what}.kind: unknown kind ${JSON.stringify(e.kind)}`);
  return { kind, message: str(e, 'message', what) };
}

export function parseToWorker(v: unknown): ToWorker {
  const o = obj(v, 'message');
  switch (o.type) {
    case 'init': {
      const p = o.progressFd;
      if (p !== null && !(typeof p === 'number' && Number.isInteger(p) && p >= 0)) throw new ProtocolError('init.progressFd: expected a descriptor or null');
      return {
        type: 'init',
        progressFd: p,
        slot: nat(o, 'slot', 'init'),
        maxConnections: Math.max(1, nat(o, 'maxConnections', 'init')),
        flushMs: nat(o, 'flushMs', 'init'),
        busyTimeoutMs: nat(o, 'busyTimeoutMs', 'init'),
      };
    }
    case 'run':
      return { type: 'run', batch: nat(o, 'batch', 'run'), jobs: arr(o, 'jobs', 'run').map((j, i) => parseJob(j, `run.jobs[${i}]`)) };
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(o.type)}`);
  }
}

function isCell(c: unknown): boolean {
  return c === null || typeof c === 'number' || typeof c === 'bigint' || typeof c === 'string' || c instanceof Uint8Array;
}

function parseResult(v: unknown, what: string): WireResult {
  const o = obj(v, what);
  const columns = arr(o, 'columns', what);
  const types = arr(o, 'types', what);
  const cells = arr(o, 'cells', what);
  const rowCount = nat(o, 'rowCount', what);
  if (!columns.every((c) => typeof c === 'string')) throw new ProtocolError(`${what}.columns: expected strings`);
  if (types.length !== columns.length || !types.every((t) => t === null || typeof t === 'string'))
    throw new ProtocolError(`${what}.types: expected one string or null per column`);
  if (cells.length !== rowCount * columns.length) throw new ProtocolError(`${what}.cells: expected rowCount × columns cells`);
  // Cells are checked too: linear, and small next to deserializing them.
  for (let i = 0; i < cells.length; i++) if (!isCell(cells[i])) throw new ProtocolError(`${what}.cells[${i}]: not a cell value`);
  const elapsed = o.elapsed_ms;
  if (typeof elapsed !== 'number') throw new ProtocolError(`${what}.elapsed_ms: expected a number`);
  if (typeof o.truncated !== 'boolean') throw new ProtocolError(`${what}.truncated: expected a boolean`);
  const error = o.error === null ? null : parseError(o.error, `${what}.error`);
  let compare: CompareOutcome | undefined;
  if (o.compare !== undefined) {
    const c = obj(o.compare, `${what}.compare`);
    if (typeof c.same !== 'boolean') throw new ProtocolError(`${what}.compare.same: expected a boolean`);
    compare = { predError: c.predError === null ? null : parseError(c.predError, `${what}.compare.predError`), same: c.same };
  }
  return {
    columns: columns as string[],
    types: types as (string | null)[],
    cells: cells as Cell[],
    rowCount,
    elapsed_ms: elapsed,
    truncated: o.truncated,
    error,
    ...(compare ? { compare } : {}),
  };
}

export function parseFromWorker(v: unknown): FromWorker {
  const o = obj(v, 'message');
  switch (o.type) {
    case 'ready':
      return { type: 'ready', pid: nat(o, 'pid', 'ready'), sqliteVersion: str(o, 'sqliteVersion', 'ready') };
    case 'results':
      return {
        type: 'results',
        batch: nat(o, 'batch', 'results'),
        start: nat(o, 'start', 'results'),
        results: arr(o, 'results', 'results').map((r, i) => parseResult(r, `results[${i}]`)),
      };
    case 'fatal':
      return { type: 'fatal', message: str(o, 'message', 'fatal') };
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(o.type)}`);
  }
}
