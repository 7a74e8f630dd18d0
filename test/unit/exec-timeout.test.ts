// Runaway queries: wall-clock timeouts, SIGKILL and respawn, the queue going
// on, crashes, and no worker process left behind (also when the parent exits
// or is killed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ExecPool, referenceTimeoutMs } from '../../src/core/exec/pool.ts';
import { bundledWorker, INFINITE_CTE, makeDb, processAlive, tempDir, waitUntil } from '../helpers/exec-fixtures.ts';
import { REPO_ROOT } from '../helpers/data.ts';

const SLACK_MS = 250;
const CROSS_JOIN_6 = 'SELECT count(*) FROM n a, n b, n c, n d, n e, n f';

describe('timeouts and worker lifecycle', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  before(() => {
    ({ dir, cleanup } = tempDir());
    db = makeDb(
      join(dir, 'big.sqlite'),
      `CREATE TABLE n(x INTEGER);
       WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3000) INSERT INTO n SELECT x FROM c;`,
    );
  });
  after(() => cleanup());

  test('an infinite recursive CTE and a 6-way cross join end within timeout + 250 ms', async () => {
    const timeoutMs = 200;
    const pool = new ExecPool({ size: 1, timeoutMs });
    try {
      for (const sql of [INFINITE_CTE, CROSS_JOIN_6]) {
        await pool.ready(); // measure the query, not a respawn
        const t0 = performance.now();
        const r = await pool.run({ db, sql });
        const wall = performance.now() - t0;
        assert.equal(r.error?.kind, 'timeout', sql);
        assert.ok(r.elapsed_ms >= timeoutMs, `reported ${r.elapsed_ms} ms`);
        assert.ok(wall >= timeoutMs && wall <= timeoutMs + SLACK_MS, `${sql}: ended after ${wall.toFixed(0)} ms`);
      }
    } finally {
      await pool.close();
    }
  });

  test('after 100 runaway queries a normal query succeeds in normal time and no worker is left', async () => {
    const timeoutMs = 200;
    // 104 worker starts: the bundled worker (what ships) starts much faster than one from .ts sources.
    const worker = await bundledWorker();
    const pool = new ExecPool({ size: 4, timeoutMs, workerPath: worker.path });
    try {
      await pool.ready();
      const runaway = Array.from({ length: 100 }, (_, i) => ({ db, sql: i % 2 ? CROSS_JOIN_6 : INFINITE_CTE }));
      const rs = await pool.runMany(runaway);
      // Four workers on a shared 2-core machine: a kill can wait for a core, so the bound here is
      // looser than the single-query test's (what this test is about is the recovery after them).
      for (const r of rs) {
        assert.equal(r.error?.kind, 'timeout');
        assert.ok(r.elapsed_ms >= timeoutMs && r.elapsed_ms <= timeoutMs + 4 * SLACK_MS, `ran ${r.elapsed_ms.toFixed(0)} ms`);
      }
      const stats = pool.stats();
      assert.equal(stats.timeouts, 100);
      // A killed worker is replaced when there is work for it: the last kills wait for the next query.
      assert.ok(stats.spawned >= 100 && stats.spawned <= 4 + 100, `spawned ${stats.spawned}`);
      await pool.ready();
      assert.equal(pool.stats().spawned, 4 + 100, 'ready() fills every slot');
      const t0 = performance.now();
      const ok = await pool.run({ db, sql: 'SELECT count(*), max(x) FROM n' });
      const wall = performance.now() - t0;
      assert.equal(ok.error, null);
      assert.deepEqual(ok.rows, [[3000, 3000]]);
      assert.ok(wall < 1000, `normal query took ${wall.toFixed(0)} ms`);
    } finally {
      await pool.close();
      worker.cleanup();
    }
    const pids = pool.spawnedPids();
    assert.equal(pids.length, 104);
    assert.deepEqual(pids.filter(processAlive), [], 'worker processes still running');
  });

  test('the queue goes on: queries batched around a runaway one all get their own results', async () => {
    const pool = new ExecPool({ size: 1, timeoutMs: 300 });
    try {
      const qs = [
        ...Array.from({ length: 40 }, (_, i) => ({ db, sql: `SELECT x FROM n WHERE x = ${i + 1}` })),
        { db, sql: INFINITE_CTE },
        ...Array.from({ length: 40 }, (_, i) => ({ db, sql: `SELECT x * 2 FROM n WHERE x = ${i + 1}` })),
        { db, sql: CROSS_JOIN_6, timeoutMs: 150 },
        { db, sql: 'SELECT 42' },
      ];
      const rs = await pool.runMany(qs);
      for (let i = 0; i < 40; i++) assert.deepEqual(rs[i].rows, [[i + 1]]);
      assert.equal(rs[40].error?.kind, 'timeout');
      for (let i = 0; i < 40; i++) assert.deepEqual(rs[41 + i].rows, [[2 * (i + 1)]]);
      assert.equal(rs[81].error?.kind, 'timeout');
      assert.equal(rs[81].error?.message, 'query exceeded 150 ms');
      assert.ok(rs[81].elapsed_ms < 150 + SLACK_MS);
      assert.deepEqual(rs[82].rows, [[42]]);
      assert.equal(pool.stats().timeouts, 2);
    } finally {
      await pool.close();
    }
  });

  test('a worker killed from outside: the running query is reported crashed, the rest still run', async () => {
    const pool = new ExecPool({ size: 1, timeoutMs: 20_000 });
    try {
      await pool.ready();
      const [pid] = pool.pids();
      const pending = pool.runMany([{ db, sql: INFINITE_CTE }, { db, sql: 'SELECT 7' }, { db, sql: 'SELECT 8' }]);
      await new Promise((r) => setTimeout(r, 150));
      process.kill(pid, 'SIGKILL');
      const rs = await pending;
      assert.equal(rs[0].error?.kind, 'crashed');
      assert.match(rs[0].error!.message, /SIGKILL/);
      assert.deepEqual([rs[1].rows, rs[2].rows], [[[7]], [[8]]]);
      assert.equal(pool.stats().crashes, 1);
    } finally {
      await pool.close();
    }
  });

  test('close() rejects unfinished queries and kills running workers', async () => {
    const pool = new ExecPool({ size: 2, timeoutMs: 20_000 });
    await pool.ready();
    const pids = pool.pids();
    const pending = pool.runMany([{ db, sql: INFINITE_CTE }, { db, sql: INFINITE_CTE }, { db, sql: 'SELECT 1' }]);
    const rejected = assert.rejects(pending, /closed/);
    await new Promise((r) => setTimeout(r, 100));
    await pool.close();
    await rejected;
    assert.deepEqual(pids.filter(processAlive), []);
    await assert.rejects(pool.run({ db, sql: 'SELECT 1' }), /closed/);
  });

  test('workers die with their parent: on process exit, and when the parent is SIGKILLed', async () => {
    const script = join(dir, 'parent.mts');
    const poolUrl = pathToFileURL(join(REPO_ROOT, 'src/core/exec/pool.ts')).href;
    writeFileSync(
      script,
      `import { ExecPool } from ${JSON.stringify(poolUrl)};
       const pool = new ExecPool({ size: 2, timeoutMs: 60_000 });
       await pool.ready();
       void pool.run({ db: ${JSON.stringify(db)}, sql: ${JSON.stringify(INFINITE_CTE)} });
       setTimeout(() => {
         process.stdout.write(JSON.stringify(pool.pids()) + '\\n');
         if (process.argv[2] === 'exit') setTimeout(() => process.exit(0), 50);
       }, 200);
       setInterval(() => {}, 1000);`,
    );
    for (const mode of ['exit', 'sigkill']) {
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
      const pids = await new Promise<number[]>((res, rej) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) res(JSON.parse(out));
        });
        child.on('error', rej);
      });
      assert.equal(pids.length, 2);
      assert.ok(pids.every(processAlive));
      if (mode === 'sigkill') child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // 'exit' kills synchronously; after SIGKILL the workers' own watchdog notices within ~0.5 s.
      const gone = await waitUntil(() => !pids.some(processAlive), 3000);
      assert.ok(gone, `${mode}: workers ${pids.filter(processAlive)} still running`);
    }
  });

  test('referenceTimeoutMs is min(1.2 t + 10, 500) s', () => {
    assert.equal(referenceTimeoutMs(1), 11_200);
    assert.equal(referenceTimeoutMs(0), 10_000);
    assert.equal(referenceTimeoutMs(500), 500_000);
    assert.equal(referenceTimeoutMs(1000), 500_000);
  });
});
