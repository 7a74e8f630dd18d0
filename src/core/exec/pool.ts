// ExecPool: a fixed number of worker processes running untrusted SQL with a
// wall-clock timeout. Processes, not threads: a running SQLite statement cannot
// be interrupted from JavaScript, and only killing a process really stops it
// (docs/execution.md, shared notes "Node and SQLite").
//
// Throughput: queries go to a worker in batches (one IPC message per batch,
// results streamed back in chunks), so per-query messaging stays small next to
// Spider's ~0.1 ms statements. Timeouts stay per query: before each query the
// worker writes (batch, index, start time) into its slot of a small shared file;
// the parent reads a slot only when a deadline may have passed.

import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PROGRESS_SLOT_BYTES,
  fromWire,
  parseFromWorker,
  progressCheck,
  type ExecResult,
  type RowCapMode,
  type WireJob,
} from './protocol.ts';
import { v8Flags } from '../v8-flags.ts';
import { JobQueue } from './job-queue.ts';

export interface ExecPoolOptions {
  /** Worker processes; default os.availableParallelism(). */
  size?: number;
  /** Wall-clock budget per query in ms; default 30 000. */
  timeoutMs?: number;
  /** Keep at most this many rows per result; 0 (default) = no cap, like the reference. */
  rowCap?: number;
  /** 'truncate' (default): return the first rowCap rows with truncated = true; 'error': kind too_many_rows. */
  rowCapMode?: RowCapMode;
  /**
   * Result budget per query, enforced in the worker while it reads rows: past this many
   * cells (rows × columns) the result is `result_too_large`. Default DEFAULT_MAX_RESULT_CELLS; 0 = none.
   */
  maxResultCells?: number;
  /** Same, in approximate bytes (8 per cell + 2 per text character + BLOB bytes). Default DEFAULT_MAX_RESULT_BYTES; 0 = none. */
  maxResultBytes?: number;
  /** How long a query waits for another connection's lock on its database before `busy`; default 5000 ms. */
  busyTimeoutMs?: number;
  /** Worker script; default: see defaultWorkerPath(). */
  workerPath?: string;
  /** Open connections kept per worker (LRU); default 8. */
  maxConnections?: number;
  /** Largest batch sent to a worker in one message; default 256. */
  maxBatch?: number;
  /**
   * Batches in flight per worker; default 2 (throughput). An editor wants 1 with
   * maxBatch 1: a quick query then never waits behind a runaway one in the same worker.
   */
  pipelineDepth?: number;
}

export interface ExecQuery {
  /** Database file (made absolute against the current directory). */
  db: string;
  sql: string;
  /** Overrides the pool's timeout for this query. */
  timeoutMs?: number;
  /** Overrides the pool's row cap for this query. */
  rowCap?: number;
  /** INTEGER cells as bigint always (WireJob.exactIntegers); such results are not for the shared caches. */
  exactIntegers?: boolean;
  /** Makes this a compare job (WireJob.compare): `sql` is gold, the result carries only `compare`; never for the caches. */
  compare?: { sql: string; orderMatters: boolean };
}

export interface ExecPoolStats {
  size: number;
  spawned: number;
  timeouts: number;
  crashes: number;
  batches: number;
  queries: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** better-sqlite3's own default, kept: long enough for a writer's short transaction, short next to the query timeout. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/**
 * Far above any Spider dev gold result (largest: 1,860 cells, 46 KB; predictions
 * 9,300 cells, 150 KB) and small enough that a worker and the parent holding
 * such a result stay well under 1 GB (docs/decisions.md, "Result budget").
 */
export const DEFAULT_MAX_RESULT_CELLS = 2_000_000;
export const DEFAULT_MAX_RESULT_BYTES = 128 * 2 ** 20;

/**
 * The reference timeout policy (Think2SQL): min(1.2·t + 10, 500) seconds for a
 * gold query that took t seconds; returned in milliseconds.
 */
export function referenceTimeoutMs(goldSeconds: number): number {
  return Math.min(1.2 * goldSeconds + 10, 500) * 1000;
}

/**
 * Where the worker script lives: src/core/exec/worker.ts beside this file when
 * running from sources (Node strips the types), dist/exec-worker.cjs beside
 * the bundle otherwise (scripts/build.mjs maps import.meta.url to the bundle's URL).
 */
export function defaultWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), here.endsWith('.ts') ? 'worker.ts' : 'exec-worker.cjs');
}

// ---- internals ---------------------------------------------------------------

interface Pending {
  job: WireJob;
  timeoutMs: number;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  /** Crashes this query was caught up in without being the culprit. */
  requeues: number;
}

interface Batch {
  seq: number;
  items: Pending[];
  reported: number;
}

interface WorkerHandle {
  slot: number;
  child: ChildProcess;
  pid: number;
  ready: boolean;
  /** Set once we killed it or it exited; its messages are ignored from then on. */
  gone: boolean;
  batches: Batch[];
  stderrTail: string;
  exited: Promise<void>;
  referenced: boolean;
}

/** Batches aim at about this much worker time, so the per-message cost is amortized. */
const TARGET_BATCH_MS = 8;
/** In-flight batches per worker: the next one is already queued while the current runs. */
const PIPELINE_DEPTH = 2;
const STARTUP_FAILURE_LIMIT = 3;
const PROGRESS_FD_IN_WORKER = 4;
const MAX_REQUEUES = 3;

const livePools = new Set<ExecPool>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Runs on normal exit, process.exit() and uncaught exceptions; workers are
  // killed synchronously. Workers also kill themselves if the parent disappears.
  process.on('exit', () => {
    for (const pool of livePools) pool.killNow();
  });
}

function timeoutResult(ms: number, elapsed: number): ExecResult {
  return { columns: [], types: [], rows: [], elapsed_ms: elapsed, truncated: false, error: { kind: 'timeout', message: `query exceeded ${ms} ms` } };
}

function crashResult(message: string, elapsed: number): ExecResult {
  return { columns: [], types: [], rows: [], elapsed_ms: elapsed, truncated: false, error: { kind: 'crashed', message } };
}

const nowMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

export class ExecPool {
  readonly size: number;
  readonly timeoutMs: number;
  readonly rowCap: number;
  readonly rowCapMode: RowCapMode;
  readonly maxResultCells: number;
  readonly maxResultBytes: number;
  readonly workerPath: string;
  readonly busyTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly maxBatch: number;
  private readonly pipelineDepth: number;

  private workers: (WorkerHandle | undefined)[] = [];
  private readonly queue: JobQueue<Pending>;
  private seq = 0;
  /** Running mean of query time; starts high so the first batches are single queries (slow start). */
  private avgMs = TARGET_BATCH_MS;
  private closed = false;
  private broken: Error | null = null;
  private startupFailures = 0;
  private progressDir: string | null = null;
  private progressFd = -1;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private readyWaiters: (() => void)[] = [];
  private readonly slotBuf = Buffer.alloc(PROGRESS_SLOT_BYTES);
  private readonly counters = { spawned: 0, timeouts: 0, crashes: 0, batches: 0, queries: 0 };
  /** Every child not yet reaped, including killed ones, so close() can wait for all of them. */
  private readonly alive = new Map<ChildProcess, Promise<void>>();
  private readonly pidHistory: number[] = [];

  constructor(options: ExecPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.queue = new JobQueue<Pending>(this.size);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.rowCap = options.rowCap ?? 0;
    this.rowCapMode = options.rowCapMode ?? 'truncate';
    this.maxResultCells = options.maxResultCells ?? DEFAULT_MAX_RESULT_CELLS;
    this.maxResultBytes = options.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    this.maxConnections = options.maxConnections ?? 8;
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (!Number.isSafeInteger(this.busyTimeoutMs) || this.busyTimeoutMs < 0) throw new RangeError(`busyTimeoutMs must be a whole number, got ${this.busyTimeoutMs}`);
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
    this.pipelineDepth = Math.max(1, Math.floor(options.pipelineDepth ?? PIPELINE_DEPTH));
    this.workerPath = resolve(options.workerPath ?? defaultWorkerPath());
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${this.timeoutMs}`);
    if (!Number.isInteger(this.rowCap) || this.rowCap < 0) throw new RangeError(`rowCap must be a whole number, got ${this.rowCap}`);
    for (const [name, v] of [['maxResultCells', this.maxResultCells], ['maxResultBytes', this.maxResultBytes]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number (0 = no budget), got ${v}`);
    }
    if (!existsSync(this.workerPath)) {
      throw new Error(`exec worker not found at ${this.workerPath} (run \`npm run build\`, or pass workerPath)`);
    }
  }

  /** Runs one query. Query failures are results (`error`), never rejections. */
  run(query: ExecQuery): Promise<ExecResult> {
    return new Promise((res, rej) => {
      this.enqueue([this.pending(query, res, rej)]);
    });
  }

  /** Runs many queries, spread over the workers in batches; results in input order. */
  runMany(queries: readonly ExecQuery[]): Promise<ExecResult[]> {
    if (queries.length === 0) return Promise.resolve([]);
    return new Promise((res, rej) => {
      const out = new Array<ExecResult>(queries.length);
      let left = queries.length;
      let failed = false;
      const fail = (e: Error) => {
        if (!failed) {
          failed = true;
          rej(e);
        }
      };
      const items = queries.map((q, i) =>
        this.pending(
          q,
          (r) => {
            out[i] = r;
            if (--left === 0 && !failed) res(out);
          },
          fail,
        ),
      );
      this.enqueue(items);
    });
  }

  /** Starts the workers (normally done on first use) and waits until all are ready. */
  async ready(): Promise<void> {
    this.checkOpen();
    this.ensureWorkers(true);
    while (!this.workers.every((w) => w?.ready)) {
      if (this.broken) throw this.broken;
      await new Promise<void>((r) => this.readyWaiters.push(r));
      this.checkOpen();
    }
  }

  /** Process ids of the current workers (for tests and diagnostics). */
  pids(): number[] {
    return this.workers.filter((w): w is WorkerHandle => w !== undefined && !w.gone).map((w) => w.pid);
  }

  /** Process ids of every worker this pool has started, oldest first (last 1000). */
  spawnedPids(): number[] {
    return this.pidHistory.slice();
  }

  stats(): ExecPoolStats {
    return { size: this.size, ...this.counters };
  }

  /** Kills every worker; queued and running queries are rejected. Resolves when all have exited. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.killNow();
    await Promise.all(this.alive.values());
    this.removeProgressDir();
  }

  /** Synchronous part of close(), also used by the process 'exit' hook. */
  killNow(): void {
    this.closed = true;
    livePools.delete(this);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const err = new Error('exec pool closed');
    for (const child of this.alive.keys()) {
      child.ref(); // so that close() can await the 'exit' events
      child.kill('SIGKILL');
    }
    for (const w of this.workers) {
      if (!w) continue;
      w.gone = true;
      for (const b of w.batches) for (const p of b.items.slice(b.reported)) p.reject(err);
      w.batches = [];
    }
    for (const p of this.queue.drain()) p.reject(err);
    for (const r of this.readyWaiters.splice(0)) r();
    if (this.progressFd >= 0) closeSync(this.progressFd);
    this.progressFd = -1;
    this.removeProgressDir();
  }

  private removeProgressDir(): void {
    if (!this.progressDir) return;
    try {
      rmSync(this.progressDir, { recursive: true, force: true });
      this.progressDir = null;
    } catch {
      // Windows refuses while a dying worker still has the file open; close() retries.
    }
  }

  // ---- queue -------------------------------------------------------------------

  private pending(q: ExecQuery, res: (r: ExecResult) => void, rej: (e: Error) => void): Pending {
    const rowCap = q.rowCap ?? this.rowCap;
    return {
      job: { db: resolve(q.db), sql: q.sql, rowCap, rowCapMode: this.rowCapMode, maxCells: this.maxResultCells, maxBytes: this.maxResultBytes, ...(q.exactIntegers ? { exactIntegers: true } : {}), ...(q.compare ? { compare: q.compare } : {}) },
      timeoutMs: q.timeoutMs ?? this.timeoutMs,
      resolve: res,
      reject: rej,
      requeues: 0,
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('exec pool closed');
    if (this.broken) throw this.broken;
  }

  private enqueue(items: Pending[]): void {
    try {
      this.checkOpen();
    } catch (err) {
      for (const p of items) p.reject(err as Error);
      return;
    }
    for (const p of items) this.queue.push(p, p.job.db);
    this.counters.queries += items.length;
    this.ensureWorkers();
    this.pump();
  }

  private queued(): number {
    return this.queue.size;
  }

  /** Puts interrupted queries back at the head of the queue, in their order. */
  private requeueFront(items: Pending[]): void {
    this.queue.requeueFront(items);
  }

  private batchSize(): number {
    const byTime = Math.floor(TARGET_BATCH_MS / Math.max(this.avgMs, 0.001));
    // Near the end of the queue, share what is left instead of handing it all to one worker.
    const share = Math.ceil(this.queued() / (this.size * this.pipelineDepth));
    return Math.max(1, Math.min(this.maxBatch, byTime, share));
  }

  private pump(): void {
    if (this.closed) return;
    for (const w of this.workers) {
      if (!w || !w.ready || w.gone) continue;
      while (w.batches.length < this.pipelineDepth && this.queued() > 0) {
        const items = this.queue.take(this.batchSize(), w.slot);
        const batch: Batch = { seq: (this.seq = (this.seq + 1) >>> 0), items, reported: 0 };
        w.batches.push(batch);
        this.counters.batches++;
        w.child.send({ type: 'run', batch: batch.seq, jobs: items.map((p) => p.job) });
        this.armTimer(nowMs() + Math.min(...items.map((p) => p.timeoutMs)));
      }
      this.setReferenced(w, w.batches.length > 0);
    }
  }

  // ---- workers -------------------------------------------------------------------

  /**
   * Starts workers for the work there is (all of them with `all`): a pool of 300
   * asked to run 2 queries starts 2 processes, not 300.
   */
  private ensureWorkers(all = false): void {
    if (this.closed || this.broken) return;
    if (this.progressFd < 0) {
      this.progressDir = mkdtempSync(join(tmpdir(), 'steplens-exec-'));
      const file = join(this.progressDir, 'progress');
      this.progressFd = openSync(file, 'w+');
      writeSync(this.progressFd, Buffer.alloc(PROGRESS_SLOT_BYTES * this.size), 0, PROGRESS_SLOT_BYTES * this.size, 0);
      // Workers inherit the open descriptor, so on POSIX the name can go at once:
      // nothing is left in the temp directory even if this process is SIGKILLed.
      if (process.platform !== 'win32') this.removeProgressDir();
      livePools.add(this);
      installExitHook();
    }
    let live = 0;
    let busy = 0;
    for (const w of this.workers) {
      if (!w || w.gone) continue;
      live++;
      if (w.batches.length > 0) busy++;
    }
    const want = all ? this.size : Math.min(this.size, busy + this.queued());
    for (let i = 0; i < this.size && live < want; i++) {
      const w = this.workers[i];
      if (!w || w.gone) {
        this.spawn(i);
        live++;
      }
    }
  }

  private spawn(slot: number): void {
    // A fresh slot: nothing of the previous occupant may look like a running query.
    writeSync(this.progressFd, Buffer.alloc(PROGRESS_SLOT_BYTES), 0, PROGRESS_SLOT_BYTES, slot * PROGRESS_SLOT_BYTES);
    const fromSources = this.workerPath.endsWith('.ts');
    const execArgv = [
      ...v8Flags(),
      ...(fromSources ? ['--disable-warning=ExperimentalWarning', ...((process.features as { typescript?: unknown }).typescript ? [] : ['--experimental-strip-types'])] : []),
    ];
    // In VS Code process.execPath is Electron; ELECTRON_RUN_AS_NODE makes it behave as plain Node.
    const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
    const child = fork(this.workerPath, [], {
      execPath: process.execPath,
      execArgv,
      env,
      serialization: 'advanced',
      // fd 4 in the worker: the shared progress file.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc', this.progressFd],
    });
    let markExited!: () => void;
    const w: WorkerHandle = {
      slot,
      child,
      pid: child.pid ?? -1,
      ready: false,
      gone: false,
      batches: [],
      stderrTail: '',
      exited: new Promise<void>((r) => (markExited = r)),
      referenced: true,
    };
    this.workers[slot] = w;
    this.counters.spawned++;
    this.alive.set(child, w.exited);
    if (child.pid !== undefined) this.pidHistory.push(child.pid);
    if (this.pidHistory.length > 1000) this.pidHistory.shift();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      w.stderrTail = (w.stderrTail + d).slice(-2000);
    });
    child.on('message', (m: unknown) => this.onMessage(w, m));
    child.on('error', (err) => {
      w.stderrTail += `\n${err.message}`;
      // Spawn failures emit no 'exit'.
      if (child.pid === undefined) {
        this.alive.delete(child);
        markExited();
        this.onExit(w, null, null);
      }
    });
    child.on('exit', (code, signal) => {
      this.alive.delete(child);
      markExited();
      this.onExit(w, code, signal);
    });
    child.send({
      type: 'init',
      progressFd: PROGRESS_FD_IN_WORKER,
      slot,
      maxConnections: this.maxConnections,
      flushMs: 20,
      busyTimeoutMs: this.busyTimeoutMs,
    });
  }

  private setReferenced(w: WorkerHandle, on: boolean): void {
    // Idle workers must not keep the parent alive; busy ones must.
    if (w.referenced === on || w.gone) return;
    w.referenced = on;
    const streams = [w.child.stderr as unknown as { ref?: () => void; unref?: () => void } | null];
    if (on) {
      w.child.ref();
      w.child.channel?.ref();
      for (const s of streams) s?.ref?.();
    } else {
      w.child.unref();
      w.child.channel?.unref();
      for (const s of streams) s?.unref?.();
    }
  }

  private onMessage(w: WorkerHandle, raw: unknown): void {
    if (w.gone) return;
    let msg;
    try {
      msg = parseFromWorker(raw);
    } catch (err) {
      this.fatal(w, `protocol error: ${(err as Error).message}`);
      return;
    }
    if (msg.type === 'ready') {
      w.ready = true;
      this.startupFailures = 0;
      for (const r of this.readyWaiters.splice(0)) r();
      this.pump();
      return;
    }
    if (msg.type === 'fatal') {
      this.fatal(w, msg.message);
      return;
    }
    const b = w.batches.find((x) => x.seq === msg.batch);
    if (!b || msg.start !== b.reported || msg.start + msg.results.length > b.items.length) {
      this.fatal(w, `results out of order (batch ${msg.batch}, start ${msg.start})`);
      return;
    }
    for (let i = 0; i < msg.results.length; i++) {
      const r = msg.results[i];
      this.avgMs = 0.8 * this.avgMs + 0.2 * (r.elapsed_ms + 0.01);
      b.items[msg.start + i].resolve(fromWire(r));
    }
    b.reported += msg.results.length;
    if (b.reported === b.items.length) w.batches.splice(w.batches.indexOf(b), 1);
    this.pump();
  }

  /** A worker misbehaved: kill it and treat it like a crash. */
  private fatal(w: WorkerHandle, message: string): void {
    w.stderrTail += `\n${message}`;
    w.child.kill('SIGKILL');
  }

  /** The query the worker is running now, from its progress slot, if any. */
  private current(w: WorkerHandle): { batch: Batch; index: number; startMs: number } | null {
    const off = w.slot * PROGRESS_SLOT_BYTES;
    for (let attempt = 0; attempt < 3; attempt++) {
      readSync(this.progressFd, this.slotBuf, 0, PROGRESS_SLOT_BYTES, off);
      const seq = this.slotBuf.readUInt32LE(0);
      const index = this.slotBuf.readUInt32LE(4);
      const startNs = this.slotBuf.readBigUInt64LE(8);
      // A torn read (the worker writing at that instant) fails the check; read again.
      if (this.slotBuf.readUInt32LE(16) !== progressCheck(seq, index, startNs)) continue;
      const batch = w.batches.find((b) => b.seq === seq);
      if (!batch || index < batch.reported || index >= batch.items.length) return null;
      return { batch, index, startMs: Number(startNs / 1000n) / 1000 };
    }
    return null;
  }

  private armTimer(due: number): void {
    if (this.closed || due >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, due - nowMs()));
    // Busy workers keep the process alive; the timer alone must not.
    this.timer.unref();
  }

  /** Kills workers whose current query is past its deadline; re-arms for the next deadline. */
  private onTimer(): void {
    this.timer = null;
    this.timerDue = Infinity;
    if (this.closed) return;
    const now = nowMs();
    let next = Infinity;
    for (const w of this.workers) {
      if (!w || w.gone || w.batches.length === 0) continue;
      const cur = this.current(w);
      if (cur) {
        const item = cur.batch.items[cur.index];
        const due = cur.startMs + item.timeoutMs;
        if (now >= due) {
          this.counters.timeouts++;
          item.resolve(timeoutResult(item.timeoutMs, now - cur.startMs));
          this.retire(w, new Set([item]));
          continue;
        }
        next = Math.min(next, due);
      } else {
        // Not started yet (or between queries): it cannot be late before now + its budget.
        const b = w.batches[0];
        next = Math.min(next, now + b.items[b.reported].timeoutMs);
      }
    }
    if (next < Infinity) this.armTimer(next);
  }

  /** Kills a worker; every unfinished query not in `settled` goes back to the queue. */
  private retire(w: WorkerHandle, settled: ReadonlySet<Pending>): void {
    w.gone = true;
    w.child.kill('SIGKILL');
    const rest: Pending[] = [];
    for (const b of w.batches) for (const p of b.items.slice(b.reported)) if (!settled.has(p)) rest.push(p);
    w.batches = [];
    this.requeueFront(rest);
    this.ensureWorkers();
    this.pump();
  }

  private onExit(w: WorkerHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closed) return;
    if (w.gone) return; // we killed it and already re-queued its work
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const tail = w.stderrTail.trim().split('\n').slice(-3).join(' | ');
    if (!w.ready) {
      w.gone = true;
      if (++this.startupFailures >= STARTUP_FAILURE_LIMIT) {
        this.broken = new Error(`exec worker ${this.workerPath} failed to start (${how})${tail ? ': ' + tail : ''}`);
        const err = this.broken;
        const waiting = [...this.queue.drain(), ...w.batches.flatMap((b) => b.items.slice(b.reported))];
        w.batches = [];
        for (const p of waiting) p.reject(err);
        for (const r of this.readyWaiters.splice(0)) r();
        return;
      }
      this.retire(w, new Set());
      return;
    }
    this.counters.crashes++;
    const settled = new Set<Pending>();
    const cur = this.current(w);
    if (cur) {
      const culprit = cur.batch.items[cur.index];
      culprit.resolve(crashResult(`worker died (${how}) while running this query${tail ? ': ' + tail : ''}`, nowMs() - cur.startMs));
      settled.add(culprit);
    }
    // Queries caught up in a crash they did not cause run again, a few times at most.
    for (const b of w.batches) {
      for (const p of b.items.slice(b.reported)) {
        if (!settled.has(p) && ++p.requeues > MAX_REQUEUES) {
          p.resolve(crashResult(`worker died (${how}) repeatedly`, 0));
          settled.add(p);
        }
      }
    }
    this.retire(w, settled);
  }
}

/** Resident memory of one idle worker with a few open databases, measured at about 45 MB; budgeted with room to spare. */
const WORKER_BUDGET_BYTES = 96 * 2 ** 20;

/**
 * The most worker processes this machine can run at once: four per core (a
 * worker mostly waits on SQLite, so more than one per core helps a little) and
 * no more than half the memory at WORKER_BUDGET_BYTES each.
 */
export function clampWorkers(requested: number): number {
  const byCores = 4 * availableParallelism();
  const byMemory = Math.floor(totalmem() / 2 / WORKER_BUDGET_BYTES);
  return Math.max(1, Math.min(requested, byCores, byMemory));
}
