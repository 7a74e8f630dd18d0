import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitSteps } from '../../src/core/sql/steps.ts';
import { SqlError } from '../../src/core/sql/errors.ts';

test('a query without WITH is one main step covering the statement', () => {
  const sql = '  SELECT name FROM singer;  ';
  const { steps, isCte } = splitSteps(sql);
  assert.equal(isCte, false);
  assert.equal(steps.length, 1);
  assert.equal(steps[0].name, null);
  assert.equal(sql.slice(steps[0].start, steps[0].end), 'SELECT name FROM singer');
  assert.equal(steps[0].sql, 'SELECT name FROM singer');
  assert.equal(sql[steps[0].creditOffset], 'r');
});

test('CTE steps: names, exact ranges, closing parenthesis and runnable SQL', () => {
  const sql = 'WITH high AS (SELECT dept_id FROM emp WHERE salary > 1000), cnt(name, c) AS (SELECT d.name, COUNT(*) FROM high h JOIN dept d ON h.dept_id = d.id GROUP BY d.name) SELECT name, c FROM cnt ORDER BY c DESC LIMIT 1';
  const { steps } = splitSteps(sql);
  assert.deepEqual(steps.map((s) => s.name), ['high', 'cnt', null]);
  assert.deepEqual(steps[1].columns, ['name', 'c']);
  const [high, cnt, main] = steps;
  assert.equal(sql.slice(high.nameStart!, high.nameEnd!), 'high');
  assert.equal(sql.slice(high.bodyStart, high.bodyEnd), 'SELECT dept_id FROM emp WHERE salary > 1000');
  assert.equal(sql[high.closeParen!], ')');
  assert.equal(high.creditOffset, high.closeParen);
  assert.equal(sql.slice(high.start, high.end), 'high AS (SELECT dept_id FROM emp WHERE salary > 1000)');
  assert.equal(high.sql, 'WITH high AS (SELECT dept_id FROM emp WHERE salary > 1000) SELECT * FROM high');
  assert.equal(cnt.sql, `WITH ${sql.slice(high.start, high.end)}, ${sql.slice(cnt.start, cnt.end)} SELECT * FROM cnt`);
  assert.equal(sql.slice(main.start, main.end), 'SELECT name, c FROM cnt ORDER BY c DESC LIMIT 1');
  assert.equal(main.sql, sql);
  assert.equal(main.creditOffset, sql.length - 1);
});

test('strings, quoted identifiers and comments never confuse the split', () => {
  const sql = `WITH "a)b" AS (SELECT ')' AS x, [c)] FROM t -- ) comment
  /* ( */), \`w\` AS (SELECT "q(" FROM "a)b") SELECT * FROM \`w\``;
  const { steps } = splitSteps(sql);
  assert.deepEqual(steps.map((s) => s.name), ['a)b', 'w', null]);
  assert.equal(sql[steps[0].closeParen!], ')');
  assert.ok(sql.slice(steps[0].bodyStart, steps[0].bodyEnd).endsWith('FROM t'));
  assert.equal(steps[0].sql.endsWith('SELECT * FROM "a)b"'), true);
});

test('nested WITH stays inside its step; MATERIALIZED hints are skipped', () => {
  const sql = 'WITH a AS NOT MATERIALIZED (WITH inner1 AS (SELECT 1 AS v) SELECT v FROM inner1), b AS MATERIALIZED (SELECT v FROM a) SELECT * FROM b';
  const { steps } = splitSteps(sql);
  assert.deepEqual(steps.map((s) => s.name), ['a', 'b', null]);
  assert.equal(sql.slice(steps[0].bodyStart, steps[0].bodyEnd), 'WITH inner1 AS (SELECT 1 AS v) SELECT v FROM inner1');
});

test('RECURSIVE CTEs are one step each and only self-referencing ones are marked', () => {
  const sql = 'WITH RECURSIVE base AS (SELECT 1 AS n), c(x) AS (SELECT n FROM base UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c';
  const { steps } = splitSteps(sql);
  assert.deepEqual(steps.map((s) => [s.name, s.recursive]), [['base', false], ['c', true], [null, false]]);
  assert.ok(steps[1].sql.startsWith('WITH RECURSIVE base AS'));
});

test('offsets can be relative to a surrounding completion', () => {
  const prefix = '<think>plan</think><answer>';
  const sql = 'WITH a AS (SELECT 1) SELECT * FROM a';
  const { steps } = splitSteps(sql, prefix.length);
  const text = prefix + sql + '</answer>';
  assert.equal(text[steps[0].closeParen!], ')');
  assert.equal(text.slice(steps[1].start, steps[1].end), 'SELECT * FROM a');
});

test('a malformed WITH clause is an error with a position', () => {
  assert.throws(() => splitSteps('WITH a b AS (SELECT 1) SELECT 1'), (e: unknown) => e instanceof SqlError && e.line === 1 && e.column === 8 && /expected AS/.test(e.message));
  assert.throws(() => splitSteps('WITH a AS (SELECT 1'), (e: unknown) => e instanceof SqlError && /unclosed/.test(e.message));
  assert.throws(() => splitSteps('WITH a AS (SELECT 1)'), (e: unknown) => e instanceof SqlError && /main query/.test(e.message));
  assert.throws(() => splitSteps(' ; '), (e: unknown) => e instanceof SqlError && /empty/.test(e.message));
});
