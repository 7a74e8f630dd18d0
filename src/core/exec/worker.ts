// Entry point of an execution worker process (bundled to dist/exec-worker.cjs;
// forked directly as .ts when running from sources). It receives batches of
// queries from ExecPool, runs them one after another on read-only
// connections and streams the results back. It never decides about timeouts:
// the parent SIGKILLs it, because a running SQLite statement cannot be
// interrupted from JavaScript.

import Database from 'better-sqlite3';
import { closeSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { executeCompareJob } from './compare-job.ts';
import { ConnectionCache, executeJob } from './execute.ts';
import {
  PROGRESS_SLOT_BYTES,
  parseToWorker,
  progressCheck,
  type FromWorker,
  type WireJob,
  type WireResult,
} from './protocol.ts';

/** Results are also flushed once this many cells are buffered, to bound memory. */
const FLUSH_CELLS = 200_000;

let conns = new ConnectionCache(8);
let flushMs = 20;
let progressFd = -1;
let slotOffset = 0;
const slotBuf = Buffer.alloc(PROGRESS_SLOT_BYTES);

function send(msg: FromWorker): void {
  process.send!(msg);
}

/**
 * Records which job is starting, and when, in this worker's slot of the shared
 * progress file. The parent reads it only when a deadline passes, so this costs
 * one pwrite per job and no message; the clock is the system-wide monotonic one.
 */
function markStart(batch: number, index: number): void {
  if (progressFd < 0) return;
  const start = process.hrtime.bigint();
  slotBuf.writeUInt32LE(batch, 0);
  slotBuf.writeUInt32LE(index, 4);
  slotBuf.writeBigUInt64LE(start, 8);
  slotBuf.writeUInt32LE(progressCheck(batch, index, start), 16);
  writeSync(progressFd, slotBuf, 0, PROGRESS_SLOT_BYTES, slotOffset);
}

function runBatch(batch: number, jobs: WireJob[]): void {
  let pending: WireResult[] = [];
  let start = 0;
  let cells = 0;
  let last = performance.now();
  for (let i = 0; i < jobs.length; i++) {
    markStart(batch, i);
    let r: WireResult;
    try {
      const job = jobs[i];
      r = job.compare ? executeCompareJob(conns, job) : executeJob(conns, job);
    } catch (err) {
      // A bug here must not take the rest of the batch down.
      r = { columns: [], types: [], cells: [], rowCount: 0, elapsed_ms: 0, truncated: false, error: { kind: 'runtime', message: `internal error: ${(err as Error).message}` } };
    }
    pending.push(r);
    cells += r.cells.length + 1;
    const now = performance.now();
    if (now - last >= flushMs || cells >= FLUSH_CELLS) {
      send({ type: 'results', batch, start, results: pending });
      start = i + 1;
      pending = [];
      cells = 0;
      last = now;
    }
  }
  if (pending.length > 0) send({ type: 'results', batch, start, results: pending });
}

/**
 * A watchdog thread that SIGKILLs this process when the parent is gone. The
 * IPC 'disconnect' event cannot fire while the main thread is stuck inside a
 * long SQLite call; this thread keeps running regardless.
 */
function startOrphanWatchdog(): void {
  const code = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      let gone = process.ppid !== workerData.ppid;
      if (!gone) { try { process.kill(workerData.ppid, 0); } catch (e) { gone = e.code === 'ESRCH'; } }
      if (gone) process.kill(process.pid, 'SIGKILL');
    }, 500);`;
  const w = new Worker(code, { eval: true, workerData: { ppid: process.ppid } });
  w.unref();
}

function main(): void {
  if (typeof process.send !== 'function') {
    process.stderr.write('steplens exec worker: must be started by ExecPool (no IPC channel)\n');
    process.exit(2);
  }
  process.on('message', (raw: unknown) => {
    let msg;
    try {
      msg = parseToWorker(raw);
    } catch (err) {
      send({ type: 'fatal', message: `bad message from parent: ${(err as Error).message}` });
      return;
    }
    if (msg.type === 'init') {
      conns.closeAll();
      conns = new ConnectionCache(msg.maxConnections, msg.busyTimeoutMs);
      flushMs = msg.flushMs;
      if (msg.progressFd !== null) {
        progressFd = msg.progressFd;
        slotOffset = msg.slot * PROGRESS_SLOT_BYTES;
      }
      const mem = new Database(':memory:');
      const sqliteVersion = (mem.prepare('SELECT sqlite_version()').pluck().get() as string) ?? '';
      mem.close();
      send({ type: 'ready', pid: process.pid, sqliteVersion });
    } else {
      runBatch(msg.batch, msg.jobs);
    }
  });
  process.on('disconnect', () => {
    conns.closeAll();
    if (progressFd >= 0) closeSync(progressFd);
    process.exit(0);
  });
  startOrphanWatchdog();
}

main();
