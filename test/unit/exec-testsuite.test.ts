// Test-suite execution accuracy over variant databases, the layout-A EX
// comparison it uses, and the gold-result cache.
import assert from 'node:assert/strict';
import { copyFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ResultCache } from '../../src/core/exec/cache.ts';
import { ExecPool } from '../../src/core/exec/pool.ts';
import type { ExecResult } from '../../src/core/exec/protocol.ts';
import { exLayoutA, sameResultLayoutA, testSuiteExecutionAccuracy, variantDatabases } from '../../src/core/exec/testsuite.ts';
import { makeDb, tempDir } from '../helpers/exec-fixtures.ts';

describe('sameResultLayoutA (spec §3.2 EX, vectors V04–V20)', () => {
  test('row order and within-row column order are ignored', () => {
    assert.equal(sameResultLayoutA([['Ann'], ['Bob']], [['Bob'], ['Ann']]), true); // V02
    assert.equal(sameResultLayoutA([['Ann', 30], ['Bob', 25]], [[30, 'Ann'], [25, 'Bob']]), true); // V04
  });
  test('row count must match; multiplicities beyond it are not checked', () => {
    assert.equal(sameResultLayoutA([[30], [25], [30], [41], [25]], [[30], [25], [41]]), false); // V06
    assert.equal(sameResultLayoutA([[30], [25], [30]], [[30], [25], [25]]), true); // V07
    assert.equal(sameResultLayoutA([], []), true); // V13
    assert.equal(sameResultLayoutA([], [['Dee']]), false); // V14
  });
  test('Python equality of cells', () => {
    assert.equal(sameResultLayoutA([[null]], [[null]]), true); // V09
    assert.equal(sameResultLayoutA([[32.0]], [[32]]), true); // V10
    assert.equal(sameResultLayoutA([[32.0]], [['32']]), false); // V11
    assert.equal(sameResultLayoutA([[0.30000000000000004]], [[0.3]]), false); // V12
    assert.equal(sameResultLayoutA([[0]], [[-0]]), true);
    assert.equal(sameResultLayoutA([[10n ** 20n]], [[1e20]]), true, 'int == float exactly');
    assert.equal(sameResultLayoutA([[2n ** 53n + 1n]], [[2 ** 53]]), false, 'no rounding of big ints');
    assert.equal(sameResultLayoutA([[new Uint8Array([0x61])]], [['a']]), false, 'blob is not text');
    assert.equal(sameResultLayoutA([[new Uint8Array([1, 2])]], [[new Uint8Array([1, 2])]]), true);
  });
  test('cells right but paired differently across rows still match (V20: rows are sorted independently)', () => {
    assert.equal(sameResultLayoutA([[1, 30], [2, 25]], [[1, 25], [2, 30]]), false);
    assert.equal(sameResultLayoutA([[1, 30], [2, 25]], [[30, 1], [25, 2]]), true);
  });
  test('error rules: both failed → 1, only prediction failed → 0, only gold failed → 0', () => {
    const ok = (rows: ExecResult['rows']): ExecResult => ({ columns: ['c'], types: [null], rows, elapsed_ms: 0, truncated: false, error: null });
    const bad: ExecResult = { ...ok([]), error: { kind: 'syntax', message: 'x' } };
    assert.equal(exLayoutA(bad, bad), 1);
    assert.equal(exLayoutA(ok([[1]]), bad), 0);
    assert.equal(exLayoutA(bad, ok([])), 0);
    assert.equal(exLayoutA(ok([[1]]), ok([[1]])), 1);
  });
});

describe('test-suite execution accuracy', () => {
  let dir: string;
  let cleanup: () => void;
  let pool: ExecPool;
  before(() => {
    ({ dir, cleanup } = tempDir());
    // Two variants of one schema: the suite's second database tells the two predictions apart.
    makeDb(join(dir, 'shop_v1.sqlite'), "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'p'), (2, 'q'), (3, 'r');");
    makeDb(join(dir, 'shop_v2.sqlite'), "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'p'), (2, 'q'), (30, 's');");
    pool = new ExecPool({ size: 2 });
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('variantDatabases lists *.sqlite sorted', () => {
    assert.deepEqual(variantDatabases(dir).map((p) => p.slice(dir.length + 1)), ['shop_v1.sqlite', 'shop_v2.sqlite']);
  });

  test('right on one variant, wrong on the other → not correct', async () => {
    const variants = variantDatabases(dir);
    const gold = 'SELECT a FROM t WHERE a > 1';
    const v = await testSuiteExecutionAccuracy(pool, gold, 'SELECT a FROM t WHERE a IN (2, 3)', variants);
    assert.equal(v.correct, false);
    assert.deepEqual(v.variants.map((x) => x.ex), [1, 0]);
    const right = await testSuiteExecutionAccuracy(pool, gold, 'SELECT a FROM t WHERE NOT a <= 1 ORDER BY a DESC', variants);
    assert.equal(right.correct, true);
    assert.deepEqual(right.variants.map((x) => x.ex), [1, 1]);
  });

  test('errors follow layout-A EX: both failing counts as agreement, a failing prediction does not', async () => {
    const variants = variantDatabases(dir);
    const both = await testSuiteExecutionAccuracy(pool, 'SELECT nope FROM t', 'SELECT nada FROM t', variants);
    assert.equal(both.correct, true);
    assert.equal(both.variants[0].goldError?.kind, 'syntax');
    const predFails = await testSuiteExecutionAccuracy(pool, 'SELECT a FROM t', 'DELETE FROM t', variants);
    assert.equal(predFails.correct, false);
    assert.equal(predFails.variants[1].predError?.kind, 'readonly');
  });

  test('gold goes through the cache: the second prediction reuses gold results', async () => {
    const cache = new ResultCache();
    const variants = variantDatabases(dir);
    const gold = 'SELECT b FROM t WHERE a < 10';
    await testSuiteExecutionAccuracy(pool, gold, 'SELECT b FROM t WHERE a < 5', variants, { cache });
    assert.deepEqual([cache.hits, cache.misses], [0, 2]);
    const v = await testSuiteExecutionAccuracy(pool, gold, 'SELECT b FROM t WHERE a <= 3', variants, { cache });
    assert.deepEqual([cache.hits, cache.misses], [2, 2]);
    assert.equal(v.correct, true);
  });
});

describe('ResultCache', () => {
  let dir: string;
  let cleanup: () => void;
  let pool: ExecPool;
  before(() => {
    ({ dir, cleanup } = tempDir());
    pool = new ExecPool({ size: 1, timeoutMs: 300 });
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('hits for the same database and SQL, misses for other SQL, in-flight duplicates share one run', async () => {
    const db = makeDb(join(dir, 'a.sqlite'), 'CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);');
    const cache = new ResultCache();
    const [r1, r2] = await Promise.all([cache.run(pool, { db, sql: 'SELECT x FROM t' }), cache.run(pool, { db, sql: 'SELECT x FROM t' })]);
    assert.deepEqual(r1.rows, [[1], [2]]);
    assert.equal(r1, r2);
    const many = await cache.runMany(pool, [
      { db, sql: 'SELECT x FROM t' },
      { db, sql: 'SELECT count(*) FROM t' },
      { db, sql: 'SELECT count(*) FROM t' },
    ]);
    assert.deepEqual(many.map((r) => r.rows), [[[1], [2]], [[2]], [[2]]]);
    assert.deepEqual([cache.hits, cache.misses, cache.size], [3, 2, 2]);
  });

  test('a changed database file is a different identity (stat), a copied one is the same (sha256)', async () => {
    const db = makeDb(join(dir, 'b.sqlite'), 'CREATE TABLE t(x); INSERT INTO t VALUES (1);');
    const cache = new ResultCache();
    const before = await cache.run(pool, { db, sql: 'SELECT count(*) FROM t' });
    makeDb(db, 'INSERT INTO t VALUES (2);');
    const after = await cache.run(pool, { db, sql: 'SELECT count(*) FROM t' });
    assert.deepEqual([before.rows, after.rows], [[[1]], [[2]]]);
    assert.equal(cache.misses, 2);

    const byContent = new ResultCache({ identity: 'sha256' });
    const copy = join(dir, 'b-copy.sqlite');
    copyFileSync(db, copy);
    utimesSync(copy, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(byContent.databaseIdentity(db), byContent.databaseIdentity(copy));
    assert.notEqual(cache.databaseIdentity(db), cache.databaseIdentity(copy));
  });

  test('timeouts are not cached; ordinary errors are', async () => {
    const db = makeDb(join(dir, 'c.sqlite'), 'CREATE TABLE t(x);');
    const cache = new ResultCache();
    const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
    assert.equal((await cache.run(pool, { db, sql: slow })).error?.kind, 'timeout');
    assert.equal(cache.size, 0);
    assert.equal((await cache.run(pool, { db, sql: 'SELEC' })).error?.kind, 'syntax');
    assert.equal(cache.size, 1);
  });

  test('least recently used entries go beyond maxEntries', async () => {
    const db = makeDb(join(dir, 'd.sqlite'), 'CREATE TABLE t(x);');
    const cache = new ResultCache({ maxEntries: 2 });
    await cache.runMany(pool, [{ db, sql: 'SELECT 1' }, { db, sql: 'SELECT 2' }]);
    await cache.run(pool, { db, sql: 'SELECT 1' }); // refresh 1
    await cache.run(pool, { db, sql: 'SELECT 3' }); // evicts 2
    assert.equal(cache.size, 2);
    const misses = cache.misses;
    await cache.run(pool, { db, sql: 'SELECT 1' });
    assert.equal(cache.misses, misses);
    await cache.run(pool, { db, sql: 'SELECT 2' });
    assert.equal(cache.misses, misses + 1);
  });
});
