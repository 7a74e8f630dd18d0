// Issue 14, finding 6: a result budget per query, on by default. Gold and
// prediction that each return 10 million rows end as result_too_large with the
// worker's memory bounded, instead of exhausting the heap; a cross join on
// world_1 gets the documented kind; the budget is configurable from the pool
// and from `steplens exec` / `reward` / `score`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { classify } from '../../src/core/exec/execute.ts';
import { DEFAULT_MAX_RESULT_CELLS, ExecPool } from '../../src/core/exec/pool.ts';
import { ERROR_KINDS } from '../../src/core/exec/protocol.ts';
import { REPO_ROOT, sharedDataDir } from '../helpers/data.ts';
import { makeDb, tempDir } from '../helpers/exec-fixtures.ts';

const TEN_MILLION = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000) SELECT x FROM c';
const TEN_MILLION_TEXT = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000) SELECT x, 'row ' || x FROM c";
const HAVE_PROC = existsSync('/proc/self/status');

function hwmKb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  return m ? Number(m[1]) : 0;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false });
  return { code, out, err };
}

function world1(): string | null {
  const bundled = join(REPO_ROOT, 'data/spider/world_1/world_1.sqlite');
  if (existsSync(bundled)) return bundled;
  const data = sharedDataDir();
  const shared = data ? join(data, 'spider_dev/database/world_1/world_1.sqlite') : '';
  return data && existsSync(shared) ? shared : null;
}

let dir: string;
let cleanup: () => void;
let db: string;
before(() => {
  ({ dir, cleanup } = tempDir());
  db = makeDb(join(dir, 'demo.sqlite'), "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');");
});
after(() => cleanup());

describe('the default budget', () => {
  let pool: ExecPool;
  before(async () => {
    pool = new ExecPool({ size: 1, timeoutMs: 120_000 });
    await pool.ready();
  });
  after(async () => {
    await pool.close();
  });

  test('gold and prediction of 10 million rows each: result_too_large, worker memory bounded', { skip: HAVE_PROC ? false : 'needs Linux /proc' }, async (t) => {
    const [pid] = pool.pids();
    const [gold, pred] = await pool.runMany([
      { db, sql: TEN_MILLION },
      { db, sql: TEN_MILLION_TEXT },
    ]);
    for (const r of [gold, pred]) {
      assert.equal(r.error?.kind, 'result_too_large', JSON.stringify(r.error));
      assert.match(r.error!.message, /budget of 2000000 cells/);
      assert.deepEqual(r.rows, []);
    }
    assert.match(gold.error!.message, /stopped after 2000000 rows/);
    assert.match(pred.error!.message, /stopped after 1000000 rows/);
    const peakMb = hwmKb(pid) / 1024;
    t.diagnostic(`worker peak resident set ${peakMb.toFixed(0)} MB`);
    assert.ok(peakMb < 400, `worker peaked at ${peakMb.toFixed(0)} MB`);
    // The same worker goes on serving.
    const next = await pool.run({ db, sql: 'SELECT count(*) FROM t' });
    assert.deepEqual(next.rows, [[3]]);
    assert.deepEqual(pool.pids(), [pid]);
  });

  test('a cross join on world_1 is result_too_large, the documented kind', { skip: world1() ? false : 'no world_1 database (bundled data/spider or STEPLENS_DATA)' }, async () => {
    const r = await pool.run({ db: world1()!, sql: 'SELECT * FROM city, country, countrylanguage' });
    assert.equal(r.error?.kind, 'result_too_large', JSON.stringify(r.error));
    const doc = readFileSync(join(REPO_ROOT, 'docs/execution.md'), 'utf8');
    assert.match(doc, /\| `result_too_large` \|/);
  });

  test('results under the budget are untouched', async () => {
    const r = await pool.run({ db, sql: 'SELECT a, b FROM t ORDER BY a' });
    assert.equal(r.error, null);
    assert.deepEqual(r.rows, [[1, 'one'], [2, 'two'], [3, 'three']]);
    assert.equal(new ExecPool({ size: 1 }).maxResultCells, DEFAULT_MAX_RESULT_CELLS);
  });
});

test("V8's array limit (RangeError: Invalid array length) is result_too_large too, never runtime", () => {
  const c = classify(new RangeError('Invalid array length'), false);
  assert.equal(c.kind, 'result_too_large');
  assert.match(c.message, /Invalid array length/);
});

test('every error kind is documented in docs/execution.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/execution.md'), 'utf8');
  for (const k of ERROR_KINDS) assert.match(doc, new RegExp(`\\| \`${k}\` \\|`), `${k} is not in the error-kind table`);
});

describe('a configured budget', () => {
  test('cells: exactly at the budget passes, one more cell is result_too_large', async () => {
    const pool = new ExecPool({ size: 1, maxResultCells: 6 });
    try {
      const [ok, over] = await pool.runMany([
        { db, sql: 'SELECT a, b FROM t' },
        { db, sql: 'SELECT a, b, a FROM t' },
      ]);
      assert.equal(ok.error, null);
      assert.equal(ok.rows.length, 3);
      assert.equal(over.error?.kind, 'result_too_large');
      assert.match(over.error!.message, /budget of 6 cells .*stopped after 2 rows/);
    } finally {
      await pool.close();
    }
  });

  test('bytes: long text passes the byte budget; 0 turns both off', async () => {
    const big = "SELECT replace(zeroblob(100000), x'00', 'x') AS s";
    const small = new ExecPool({ size: 1, maxResultBytes: 100_000 });
    const none = new ExecPool({ size: 1, maxResultCells: 0, maxResultBytes: 0 });
    try {
      const r = await small.run({ db, sql: big });
      assert.equal(r.error?.kind, 'result_too_large');
      assert.match(r.error!.message, /budget of 100000 bytes/);
      const free = await none.run({ db, sql: big });
      assert.equal(free.error, null);
      assert.equal((free.rows[0][0] as string).length, 100_000);
    } finally {
      await Promise.all([small.close(), none.close()]);
    }
    assert.throws(() => new ExecPool({ maxResultCells: -1 }), /maxResultCells must be a whole number/);
  });

  test('steplens exec --max-result-cells: exit 1 naming the kind', async () => {
    const r = await cli(['exec', '--db', db, '--sql', 'SELECT * FROM t', '--max-result-cells', '5']);
    assert.equal(r.code, 1);
    assert.match(r.err, /result too large: result larger than the budget of 5 cells/);
    const ok = await cli(['exec', '--db', db, '--sql', 'SELECT * FROM t', '--max-result-cells', '6']);
    assert.equal(ok.code, 0, ok.err);
  });

  test('steplens reward --max-result-cells: the side over the budget reports result_too_large', async () => {
    const r = await cli(['reward', '--db', db, '--gold', 'SELECT a FROM t', '--pred', 'SELECT a, b FROM t', '--max-result-cells', '4', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.gold_result.error, null);
    assert.equal(j.pred_result.error.kind, 'result_too_large');
    assert.equal(j.ex, 0);
  });

  test('steplens score --max-result-bytes: the record names the side and kind', async () => {
    const root = join(dir, 'root');
    makeDb(join(dir, 'mk.sqlite'), 'CREATE TABLE x(y)');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(join(root, 'demo'), { recursive: true });
    copyFileSync(db, join(root, 'demo', 'demo.sqlite'));
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, JSON.stringify({ db_id: 'demo', gold_sql: 'SELECT a FROM t', pred_sql: "SELECT replace(zeroblob(5000), x'00', 'x')" }) + '\n');
    const r = await cli(['score', input, '--db-root', root, '--quiet', '--structural-threads', '0', '--max-result-bytes', '1000']);
    assert.equal(r.code, 0, r.err);
    const rec = JSON.parse(r.out);
    assert.deepEqual(
      rec.errors.filter((e: { stage: string }) => e.stage === 'execution').map((e: { side: string; kind: string }) => `${e.side}/${e.kind}`),
      ['pred/result_too_large'],
    );
    assert.equal(rec.execution.metrics.ex, 0);
  });
});
