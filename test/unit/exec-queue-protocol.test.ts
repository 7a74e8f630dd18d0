// The pool's job queue (a lane per worker, by database, with stealing) and the
// worker protocol's compare jobs, validated at the process boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobQueue, laneOf } from '../../src/core/exec/job-queue.ts';
import { parseFromWorker, parseToWorker, ProtocolError } from '../../src/core/exec/protocol.ts';

test('job queue: one database stays in one lane, FIFO within it', () => {
  const q = new JobQueue<string>(2);
  for (let i = 0; i < 6; i++) q.push(`a${i}`, '/db/a.sqlite');
  assert.equal(q.size, 6);
  // Whichever lane a.sqlite hashes to, taking for it yields its items in order.
  const first = q.take(2, 0);
  const rest = q.take(10, 1);
  assert.deepEqual([...first, ...rest], ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'], 'an empty lane steals from the other, in order');
  assert.equal(q.size, 0);
  assert.deepEqual(q.take(3, 0), []);
});

test('job queue: databases spread over lanes, re-queued work goes first, drain empties it', () => {
  const q = new JobQueue<string>(2);
  const dbs = Array.from({ length: 40 }, (_, i) => `/suite/db_${i}.sqlite`);
  for (const db of dbs) q.push(db, db);
  const lane0 = q.take(100, 0);
  // Lane 0 takes its own, then steals the rest: all 40 come out once.
  assert.equal(lane0.length, 40);
  assert.equal(new Set(lane0).size, 40);
  for (const db of dbs) q.push(db, db);
  const counts = [0, 1].map((l) => dbs.filter((d) => laneOf(d, 2) === l).length);
  assert.ok(counts[0] > 5 && counts[1] > 5, `FNV spreads the files: ${counts}`);
  // While a lane has its own databases, its worker gets only those.
  for (let i = 0; i < Math.min(...counts); i++) {
    assert.equal(laneOf(q.take(1, 0)[0], 2), 0);
    assert.equal(laneOf(q.take(1, 1)[0], 2), 1);
  }
  q.requeueFront(['x', 'y']);
  assert.deepEqual(q.take(2, 1), ['x', 'y']);
  const left = q.size;
  assert.equal(q.drain().length, left);
  assert.equal(q.size, 0);
});

test('protocol: a compare job and its verdict cross the boundary, malformed ones are refused by name', () => {
  const job = { db: '/x.sqlite', sql: 'SELECT 1', rowCap: 0, rowCapMode: 'truncate', maxCells: 0, maxBytes: 0, compare: { sql: 'SELECT 2', orderMatters: true } };
  const run = parseToWorker({ type: 'run', batch: 1, jobs: [job] });
  assert.equal(run.type, 'run');
  assert.deepEqual(run.type === 'run' && run.jobs[0].compare, { sql: 'SELECT 2', orderMatters: true });
  assert.throws(() => parseToWorker({ type: 'run', batch: 1, jobs: [{ ...job, compare: { sql: 'SELECT 2' } }] }), (e: unknown) => e instanceof ProtocolError && /compare\.orderMatters/.test(e.message));
  const base = { columns: [], types: [], cells: [], rowCount: 0, elapsed_ms: 1, truncated: false, error: null };
  const ok = parseFromWorker({ type: 'results', batch: 1, start: 0, results: [{ ...base, compare: { predError: { kind: 'syntax', message: 'no such column: x' }, same: false } }] });
  assert.deepEqual(ok.type === 'results' && ok.results[0].compare, { predError: { kind: 'syntax', message: 'no such column: x' }, same: false });
  assert.throws(() => parseFromWorker({ type: 'results', batch: 1, start: 0, results: [{ ...base, compare: { predError: { kind: 'oops', message: '' }, same: false } }] }), /compare\.predError\.kind: unknown kind "oops"/);
  assert.throws(() => parseFromWorker({ type: 'results', batch: 1, start: 0, results: [{ ...base, compare: { predError: null } }] }), /compare\.same: expected a boolean/);
});
