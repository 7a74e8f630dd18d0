// Memory stays bounded with a row cap: a 10-million-row result is never
// materialized; workers stay under 300 MB resident (Linux /proc).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExecPool } from '../../src/core/exec/pool.ts';
import { makeDb, tempDir } from '../helpers/exec-fixtures.ts';

const LIMIT_KB = 300 * 1024;
const TEN_MILLION_ROWS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000) SELECT x, 'row ' || x FROM c";

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

/** Runs the query while sampling the worker's resident set; returns the result and the peak seen. */
async function runSampled(pool: ExecPool, db: string, rowCap: number) {
  const [pid] = pool.pids();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, statusKb(pid, 'VmRSS'))), 5);
  try {
    const r = await pool.run({ db, sql: TEN_MILLION_ROWS, rowCap });
    // VmHWM is the kernel's own high-water mark, so nothing between samples escapes.
    peak = Math.max(peak, statusKb(pid, 'VmRSS'), statusKb(pid, 'VmHWM'));
    return { r, peakKb: peak };
  } finally {
    clearInterval(timer);
  }
}

describe('memory with a row cap', { skip: existsSync('/proc/self/status') ? false : 'needs Linux /proc' }, () => {
  let cleanup: () => void;
  let db: string;
  let pool: ExecPool;
  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = makeDb(join(t.dir, 'empty.sqlite'), 'CREATE TABLE t(x)');
    pool = new ExecPool({ size: 1, timeoutMs: 60_000 });
    await pool.ready();
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('10M-row query, cap 1,000: stops early, worker stays small', async (t) => {
    const { r, peakKb } = await runSampled(pool, db, 1000);
    assert.equal(r.error, null);
    assert.equal(r.rows.length, 1000);
    assert.equal(r.truncated, true);
    assert.deepEqual(r.rows[999], [1000, 'row 1000']);
    assert.ok(r.elapsed_ms < 1000, `took ${r.elapsed_ms} ms: iteration did not stop at the cap`);
    t.diagnostic(`worker peak resident set: ${(peakKb / 1024).toFixed(0)} MB`);
    assert.ok(peakKb < LIMIT_KB, `worker peaked at ${(peakKb / 1024).toFixed(0)} MB`);
  });

  test('10M-row query, cap 1,000,000: a million rows come back, worker under 300 MB', async (t) => {
    const { r, peakKb } = await runSampled(pool, db, 1_000_000);
    assert.equal(r.error, null);
    assert.equal(r.rows.length, 1_000_000);
    assert.equal(r.truncated, true);
    assert.deepEqual(r.rows[999_999], [1_000_000, 'row 1000000']);
    t.diagnostic(`worker peak resident set: ${(peakKb / 1024).toFixed(0)} MB`);
    assert.ok(peakKb < LIMIT_KB, `worker peaked at ${(peakKb / 1024).toFixed(0)} MB`);
  });
});
