// The official metrics' building blocks against values computed by the official
// Python code itself (test-suite-sql-eval remove_distinct / result_eq with sqlparse
// 0.6.0; mini-dev calculate_f1_score), case by case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { officialTexts, pyFloatRepr, resultEq, typeAmbiguous } from '../../src/core/exec/official.ts';
import { birdExOfficial, birdSoftF1, softF1FromRows } from '../../src/core/rewards/bird.ts';
import { removeDistinctOfficial } from '../../src/core/sql/distinct.ts';

test('remove_distinct: bare-word tokens out, first sqlparse statement only', () => {
  const cases: [string, string][] = [
    ['SELECT DISTINCT name FROM singer', 'SELECT  name FROM singer'],
    ['select count(distinct a) from t; select distinct b from t', 'select count( a) from t; '],
    ['SELECT DISTINCT(a) FROM t', 'SELECT (a) FROM t'],
    ['select t.distinct from t', 'select t. from t'],
    [`select "distinct", 'distinct', \`distinct\` from t`, `select "distinct", 'distinct', \`distinct\` from t`],
    ['SELECT a FROM t; -- distinct\nSELECT 2', 'SELECT a FROM t; -- distinct\n'],
    ['SELECT a FROM t;\nSELECT DISTINCT 2', 'SELECT a FROM t;'],
    ['SELECT CASE WHEN a THEN 1 END; SELECT 2', 'SELECT CASE WHEN a THEN 1 END; '],
    ['SELECT (a; SELECT DISTINCT b)', 'SELECT (a; SELECT  b)'],
    ['SELECT distinctly, xdistinct FROM t', 'SELECT distinctly, xdistinct FROM t'],
    ['select a from t -- distinct comment', 'select a from t -- distinct comment'],
    ['SELECT DiStInCt a FROM t', 'SELECT  a FROM t'],
    ['SELECT a FROM t;  ', 'SELECT a FROM t;  '],
    ['select 1 /* distinct */', 'select 1 /* distinct */'],
  ];
  for (const [input, want] of cases) assert.equal(removeDistinctOfficial(input).sql, want, input);
  assert.equal(removeDistinctOfficial('  ').noStatement, true);
});

test('officialTexts: order by detected on the processed gold text only as "order by"', () => {
  assert.equal(officialTexts('SELECT a FROM t ORDER BY a', 'SELECT a FROM t').orderMatters, true);
  assert.equal(officialTexts('SELECT a FROM t ORDER  BY a', 'SELECT a FROM t').orderMatters, false);
  assert.equal(officialTexts('SELECT a FROM t WHERE x > = 1', 'SELECT value FROM t').gold, 'SELECT a FROM t WHERE x >= 1');
  assert.equal(officialTexts('SELECT 1', 'SELECT value FROM t').pred, 'SELECT 1 FROM t');
  assert.equal(officialTexts('SELECT YEAR(CURDATE()) - 1', 'SELECT 1').gold, 'SELECT 2020- 1');
});

test('result_eq: the official answers', () => {
  const cases: [unknown[][], unknown[][], boolean, boolean][] = [
    [[[1, 'a'], [2, 'b']], [['b', 2], ['a', 1]], false, true],
    [[[1, 'a'], [2, 'b']], [['b', 2], ['a', 1]], true, false],
    [[[1, 'a'], [2, 'b']], [['a', 1], ['b', 2]], true, true],
    [[[1], [1], [2]], [[1], [2], [2]], false, false],
    [[[1], [2]], [[1], [2], [2]], false, false],
    [[], [], true, true],
    [[], [[1]], false, false],
    [[[1, 2]], [[1]], false, false],
    [[[1, 1.5]], [[1, 1.5]], false, true],
    [[[null, 'x']], [['x', null]], false, true],
    [[[1, 2, 3, 4], [4, 3, 2, 1]], [[4, 3, 2, 1], [1, 2, 3, 4]], false, true],
    [[[1, 2, 3, 4], [5, 6, 7, 8]], [[4, 3, 2, 1], [8, 7, 6, 5]], true, true],
    [[[1, 2, 3, 4], [5, 6, 7, 8]], [[4, 3, 2, 1], [8, 7, 5, 6]], true, false],
    [[[1, 2], [2, 1]], [[1, 2], [1, 2]], false, false],
    [[[1, '1']], [['1', 1]], false, true],
    [[[1, '2']], [[1, 2]], false, false],
    [[[2.5, 10]], [[10, 2.5]], true, true],
  ];
  for (const [a, b, order, want] of cases) assert.equal(resultEq(a as never, b as never, order), want, JSON.stringify([a, b, order]));
  // Python: (1, 1.5) vs (1.0, 1.5) is False (unorder_row sorts "1<class 'int'>" after "1.5..."): with exact types.
  assert.equal(resultEq([[1n, 1.5]], [[1, 1.5]], false, true), false);
  // The Spider record that needs it (codes-15b, car_1): (2295507260.5, 2) vs (2295507260.5, 2.0).
  assert.equal(resultEq([[2295507260.5, 2n]], [[2295507260.5, 2]], false, true), false);
  assert.equal(typeAmbiguous([[2295507260.5, 2]]), true);
  assert.equal(typeAmbiguous([['Paris', 2]]), false);
});

test('Python float repr', () => {
  assert.deepEqual([2, 0.5, 1e16, 1e-5, 0.0001, 123456789.125, -2.5e-7, 1e22].map(pyFloatRepr), ['2.0', '0.5', '1e+16', '1e-05', '0.0001', '123456789.125', '-2.5e-07', '1e+22']);
});

test('Soft-F1 and BIRD EX: the official answers', () => {
  // Values from mini_dev calculate_f1_score(predicted, ground_truth).
  assert.equal(softF1FromRows([], []), 1);
  assert.equal(softF1FromRows([[1, 2]], [[1, 2]]), 1);
  assert.equal(softF1FromRows([[1, 3]], [[1, 2]]), 0.5);
  assert.equal(softF1FromRows([[1], [1], [2]], [[1], [3]]), 0.5);
  assert.equal(softF1FromRows([[2, 1]], [[1, 2], [3, 4]]), 0.6666666666666666);
  assert.equal(birdSoftF1({ ok: false }, { ok: false }), 0);
  assert.equal(birdExOfficial({ ok: false }, { ok: false }), 0);
  assert.equal(birdExOfficial({ ok: true, rows: [[1], [1]] }, { ok: true, rows: [[1]] }), 1);
});
