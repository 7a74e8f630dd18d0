// The official execution match as it runs in the workers (compare jobs), its
// shortcuts (one statement run once, verdicts of repeated texts reused, the
// double-quoted-string rewrite shared by files of one schema), and what each
// one must never change: the verdict, and which side a failure is blamed on;
// and plug_value's candidates, run the same way.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ResultCache } from '../../src/core/exec/cache.ts';
import { executeCompareJob } from '../../src/core/exec/compare-job.ts';
import { ConnectionCache, executeJob } from '../../src/core/exec/execute.ts';
import { officialTexts, PLUG_VALUE_MAX_CANDIDATES, sameTokens } from '../../src/core/exec/official.ts';
import { officialExecMatch, plugStages, runTexts, VerdictCache } from '../../src/core/exec/official-run.ts';
import { ExecPool } from '../../src/core/exec/pool.ts';
import type { WireJob } from '../../src/core/exec/protocol.ts';
import { INFINITE_CTE, makeDb, tempDir } from '../helpers/exec-fixtures.ts';

const job = (db: string, gold: string, pred: string, orderMatters = false): WireJob => ({
  db,
  sql: gold,
  rowCap: 0,
  rowCapMode: 'truncate',
  maxCells: 0,
  maxBytes: 0,
  compare: { sql: pred, orderMatters },
});

test('sameStatement: the same tokens, bare words up to ASCII case, everything else exactly', () => {
  const same: [string, string][] = [
    ['SELECT name FROM singer', 'select  NAME\n from Singer'],
    ['SELECT count(*) FROM t WHERE a = 1 -- note', 'SELECT COUNT( * ) FROM t WHERE a=1'],
    ['SELECT a FROM t /* x */ ORDER BY a', 'select a from t order by a'],
  ];
  const different: [string, string][] = [
    ["SELECT a FROM t WHERE b = 'Aruba'", "SELECT a FROM t WHERE b = 'aruba'"],
    ['SELECT a FROM t WHERE b = "Aruba"', 'SELECT a FROM t WHERE b = "aruba"'], // a string to SQLite when no column is named so
    ['SELECT Ä FROM t', 'SELECT ä FROM t'], // SQLite folds ASCII only
    ['SELECT 1', 'SELECT 1.0'],
    ['SELECT a FROM t', 'SELECT a FROM t;'],
    ["SELECT 'unterminated", "SELECT 'unterminated"],
  ];
  for (const [a, b] of same) assert.equal(sameTokens(a, b), true, `${a} | ${b}`);
  for (const [a, b] of different) assert.equal(sameTokens(a, b), false, `${a} | ${b}`);
  // DISTINCT is gone from both before they are compared, as the official evaluator runs them.
  assert.equal(officialTexts('SELECT DISTINCT name FROM t', 'select name from T').sameStatement, true);
  assert.equal(officialTexts('SELECT name FROM t', 'SELECT name FROM t WHERE 1').sameStatement, false);
});

describe('compare jobs', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let other: string;
  let conns: ConnectionCache;
  before(() => {
    ({ dir, cleanup } = tempDir());
    db = makeDb(join(dir, 'a.sqlite'), `CREATE TABLE t(id INTEGER, name TEXT, x REAL); INSERT INTO t VALUES (1, 'ann', 1.5), (2, 'bob', 2.0), (3, 'cy', NULL);`);
    // Same schema, other rows: a test-suite variant.
    other = makeDb(join(dir, 'a_v1.sqlite'), `CREATE TABLE t(id INTEGER, name TEXT, x REAL); INSERT INTO t VALUES (7, 'dee', 0.5);`);
    conns = new ConnectionCache(8);
  });
  after(() => {
    conns.closeAll();
    cleanup();
  });

  test('verdicts: same rows in any order, other rows, a failing prediction, a failing gold', () => {
    const same = executeCompareJob(conns, job(db, 'SELECT id, name FROM t', 'SELECT name, id FROM t ORDER BY id DESC'));
    assert.deepEqual(same.compare, { predError: null, same: true });
    assert.equal(same.cells.length, 0, 'no rows come back from a compare job');
    assert.deepEqual(executeCompareJob(conns, job(db, 'SELECT id FROM t ORDER BY id', 'SELECT id FROM t ORDER BY id DESC', true)).compare, { predError: null, same: false });
    const bad = executeCompareJob(conns, job(db, 'SELECT id FROM t', 'SELECT nope FROM t'));
    assert.equal(bad.error, null);
    assert.equal(bad.compare?.same, false);
    assert.equal(bad.compare?.predError?.kind, 'syntax');
    const goldFails = executeCompareJob(conns, job(db, 'SELECT nope FROM t', 'SELECT id FROM t'));
    assert.equal(goldFails.error?.kind, 'syntax', 'gold failing is the job error, as the official script asserts on it');
    assert.equal(goldFails.compare, undefined);
  });

  test('2 and 2.0 in one row are told apart as Python does (read again with SQLite types)', () => {
    // Official: (1, 1.5) vs (1.0, 1.5) is False, the row sort puts "1<class 'int'>" after "1.5...".
    assert.equal(executeCompareJob(conns, job(db, 'SELECT 1, 1.5', 'SELECT 1.0, 1.5')).compare?.same, false);
    assert.equal(executeCompareJob(conns, job(db, 'SELECT 1, 1.5', 'SELECT 1, 1.5')).compare?.same, true);
    assert.equal(executeCompareJob(conns, job(db, 'SELECT 2', 'SELECT 2.0')).compare?.same, true, 'one column: 2 == 2.0');
  });

  test('one statement twice runs once, unless it draws random numbers', () => {
    assert.deepEqual(executeCompareJob(conns, job(db, 'SELECT name FROM t', 'SELECT name FROM t')).compare, { predError: null, same: true });
    // Run twice, random() differs between the two runs: the official evaluator would see two results.
    const r = executeCompareJob(conns, job(db, 'SELECT random()', 'SELECT random()'));
    assert.equal(r.compare?.same, false);
  });

  test("the double-quoted-string rewrite is shared by files of one schema, never across schemas", () => {
    // In a.sqlite and a_v1.sqlite "ann" names no column: a string, as Python's sqlite3 reads it.
    assert.deepEqual(executeJob(conns, { ...job(db, 'SELECT id FROM t WHERE name = "ann"', ''), compare: undefined }).cells, [1]);
    assert.deepEqual(executeJob(conns, { ...job(other, 'SELECT id FROM t WHERE name = "dee"', ''), compare: undefined }).cells, [7]);
    assert.deepEqual(executeJob(conns, { ...job(other, 'SELECT id FROM t WHERE name = "ann"', ''), compare: undefined }).cells, []);
    // Another schema where "name" is a column: the same text means the column there.
    const renamed = makeDb(join(dir, 'b.sqlite'), `CREATE TABLE t(id INTEGER, ann TEXT, name TEXT); INSERT INTO t VALUES (5, 'q', 'q'), (6, 'r', 's');`);
    assert.deepEqual(executeJob(conns, { ...job(renamed, 'SELECT id FROM t WHERE name = "ann"', ''), compare: undefined }).cells, [5]);
  });
});

describe('runTexts through the pool', () => {
  let dir: string;
  let cleanup: () => void;
  let dbs: string[];
  let pool: ExecPool;
  before(() => {
    ({ dir, cleanup } = tempDir());
    dbs = [0, 1, 2].map((i) => makeDb(join(dir, `s${i}.sqlite`), `CREATE TABLE t(id INTEGER, v INTEGER); INSERT INTO t VALUES (1, ${i}), (2, ${i * 2});`));
    pool = new ExecPool({ size: 2, timeoutMs: 400 });
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('the verdict stops at the first database where the prediction differs, and names it', async () => {
    const right = officialTexts('SELECT v FROM t WHERE id = 2', 'SELECT v * 1 FROM t WHERE id = 2');
    assert.deepEqual(await runTexts(pool, right, dbs, { chunk: 1 }), { correct: 1, databases: 3 });
    // Equal on s0 only (v = 0 and 2v = 0 there).
    const wrong = officialTexts('SELECT v FROM t WHERE id = 1', 'SELECT v FROM t WHERE id = 2');
    assert.deepEqual(await runTexts(pool, wrong, dbs, { chunk: 1 }), { correct: 0, databases: 2, failedOn: dbs[1] });
  });

  test('a slow prediction is its own failure, a slow gold is no verdict (run one by one after the compare job times out)', async () => {
    const slowPred = await runTexts(pool, officialTexts('SELECT 1', INFINITE_CTE), dbs.slice(0, 1), { timeoutMs: 400 });
    assert.equal(slowPred.correct, 0);
    assert.equal(slowPred.failedOn, dbs[0]);
    assert.equal(slowPred.transient, true, 'a timeout is not a lasting verdict');
    const slowGold = await runTexts(pool, officialTexts(INFINITE_CTE, 'SELECT 1'), dbs.slice(0, 1), { timeoutMs: 400 });
    assert.equal(slowGold.correct, null);
    assert.equal(slowGold.goldError?.kind, 'timeout');
  });

  test('a repeated run gets the first verdict; an edited database or a timeout runs again', async () => {
    const verdicts = new VerdictCache();
    const cache = new ResultCache();
    const texts = officialTexts('SELECT v FROM t ORDER BY id', 'SELECT v FROM t ORDER BY id');
    const first = await runTexts(pool, texts, dbs, { verdicts, cache });
    const again = await runTexts(pool, officialTexts('SELECT v FROM t ORDER BY id', 'select v from t order by id'), dbs, { verdicts, cache });
    assert.deepEqual(again, first);
    assert.equal(verdicts.hits, 1, 'the same statement in other case is the same run');
    // Another prediction: its own run.
    await runTexts(pool, officialTexts('SELECT v FROM t ORDER BY id', 'SELECT v FROM t ORDER BY v'), dbs, { verdicts, cache });
    assert.equal(verdicts.hits, 1);
    // The file changes (size and content): no stale verdict.
    const edited = makeDb(join(dir, 's9.sqlite'), `CREATE TABLE t(id INTEGER, v INTEGER); INSERT INTO t VALUES (1, 1), (2, 2);`);
    const before9 = await runTexts(pool, officialTexts('SELECT v FROM t', 'SELECT 1 FROM t'), [edited], { verdicts, cache });
    assert.equal(before9.correct, 0);
    makeDb(edited, `DELETE FROM t; INSERT INTO t VALUES (1, 1), (2, 1), (3, 1);`);
    const after9 = await runTexts(pool, officialTexts('SELECT v FROM t', 'SELECT 1 FROM t'), [edited], { verdicts, cache });
    assert.equal(after9.correct, 1);
    // A statement that may answer differently each time is run every time.
    const volatileHits = verdicts.hits;
    await runTexts(pool, officialTexts('SELECT random() FROM t', 'SELECT random() FROM t'), dbs, { verdicts, cache });
    await runTexts(pool, officialTexts('SELECT random() FROM t', 'SELECT random() FROM t'), dbs, { verdicts, cache });
    assert.equal(verdicts.hits, volatileHits);
    // A timeout is not kept.
    const hits = verdicts.hits;
    await runTexts(pool, officialTexts('SELECT 1', INFINITE_CTE), [dbs[0]], { verdicts, cache, timeoutMs: 300 });
    await runTexts(pool, officialTexts('SELECT 1', INFINITE_CTE), [dbs[0]], { verdicts, cache, timeoutMs: 300 });
    assert.equal(verdicts.hits, hits);
  });
});

describe('plug_value through the pool', () => {
  let dir: string;
  let cleanup: () => void;
  let dbs: string[];
  let pool: ExecPool;
  before(() => {
    ({ dir, cleanup } = tempDir());
    // t(id, v): s0 (1,0),(2,0); s1 (1,1),(2,2); s2 (1,2),(2,4). s0 is the record's own database.
    dbs = [0, 1, 2].map((i) => makeDb(join(dir, `p${i}.sqlite`), `CREATE TABLE t(id INTEGER, v INTEGER); INSERT INTO t VALUES (1, ${i}), (2, ${i * 2});`));
    pool = new ExecPool({ size: 2, timeoutMs: 2000 });
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('off by default: no candidates, the verdict as before', async () => {
    assert.equal(officialTexts('SELECT id FROM t WHERE id = 2', 'SELECT id FROM t WHERE id = 3').plug, undefined);
    assert.deepEqual(await officialExecMatch(pool, 'SELECT id FROM t WHERE id = 2', 'SELECT id FROM t WHERE id = 3', dbs), { correct: 0, databases: 3, failedOn: dbs[0] });
  });

  test("a wrong value is right when gold's value in its slot matches, and the passing candidate is named", async () => {
    const v = await officialExecMatch(pool, 'SELECT id FROM t WHERE id = 2', 'SELECT id FROM t WHERE id = 3', dbs, { plugValue: true });
    assert.equal(v.correct, 1);
    assert.equal(v.plugged, 'select id from t where id = 2');
    assert.equal(v.databases, 3);
    // A prediction right by itself never needs a candidate.
    assert.deepEqual(await officialExecMatch(pool, 'SELECT id FROM t WHERE id = 2', 'SELECT id FROM t WHERE id = 2', dbs, { plugValue: true }), { correct: 1, databases: 3 });
  });

  test('a candidate right on the own database but not on a variant: Spider EX 1, the suite 0', async () => {
    const gold = 'SELECT id FROM t WHERE v = 2';
    const pred = 'SELECT id FROM t WHERE v = 0 AND id = 1'; // wrong on s0; the only candidate: v = 2 AND id = 2
    const verdicts = new VerdictCache();
    const ex = await officialExecMatch(pool, gold, pred, dbs.slice(0, 1), { plugValue: true, verdicts });
    assert.equal(ex.correct, 1);
    const hits = verdicts.hits;
    const ts = await officialExecMatch(pool, gold, pred, dbs, { plugValue: true, verdicts });
    assert.equal(ts.correct, 0);
    assert.equal(ts.failedOn, dbs[0], 'the prediction itself failed on its own database');
    assert.ok(verdicts.hits > hits, "the suite's first stage reuses Spider EX's candidate runs");
    assert.deepEqual(plugStages(dbs), [[dbs[0]], dbs.slice(1)]);
  });

  test('past the cap: no verdict naming the count, unless the prediction itself is right', async () => {
    const gold = 'SELECT id FROM t WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)'; // 11 values
    assert.ok(11 ** 4 > PLUG_VALUE_MAX_CANDIDATES);
    const over = await officialExecMatch(pool, gold, 'SELECT id FROM t WHERE id IN (20, 21, 22, 23)', dbs, { plugValue: true });
    assert.equal(over.correct, null);
    assert.equal(over.plugValueError?.kind, 'plug_value_too_many_candidates');
    assert.match(over.plugValueError!.message, /14641 candidates/);
    const right = await officialExecMatch(pool, gold, 'SELECT id FROM t WHERE id IN (1, 2, 3, 4)', dbs, { plugValue: true });
    assert.equal(right.correct, 1);
    // Under the cap every candidate is tried: 11 ** 3 = 1331, none right (v is never NULL).
    const under = await officialExecMatch(pool, gold, 'SELECT id FROM t WHERE id IN (20, 21, 22) AND v IS NULL', dbs.slice(0, 1), { plugValue: true });
    assert.equal(under.correct, 0);
  });

  test('where the official code raises reading values: gold → no verdict, prediction → wrong', async () => {
    const g = await officialExecMatch(pool, ';', 'SELECT 1', dbs.slice(0, 1), { plugValue: true });
    assert.equal(g.correct, null);
    assert.equal(g.plugValueError?.kind, 'plug_value_failed');
    const p = await officialExecMatch(pool, 'SELECT 1', ';', dbs.slice(0, 1), { plugValue: true });
    assert.equal(p.correct, 0);
  });

  test('zero gold values and a slot: the prediction itself is the only try', async () => {
    const v = await officialExecMatch(pool, 'SELECT count(*) FROM t', 'SELECT count(*) FROM t WHERE v > 1', dbs, { plugValue: true });
    assert.equal(v.correct, 0);
    assert.equal(officialTexts('SELECT count(*) FROM t', 'SELECT count(*) FROM t WHERE v > 1', { plugValue: true }).plug?.ok, true);
  });
});
