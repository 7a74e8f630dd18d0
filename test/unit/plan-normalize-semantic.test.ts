// The schema-aware normalizations (primary keys, NOT NULL, SQLite affinity)
// and the output-row handling of the matching tree: each rewrite gives the
// same tree exactly when the two queries return the same rows, and keeps the
// trees apart when a key, a NOT NULL or a type is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchTreeOf, planExplain, planSql } from '../../src/core/plan/index.ts';
import { makeSchema, type Schema } from '../../src/core/plan/schema.ts';
import { formatTree } from '../../src/core/match/tree.ts';
import { relpm } from '../../src/core/match/relpm.ts';
import { affinityOf } from '../../src/core/plan/keys.ts';

const keyed = makeSchema([
  {
    name: 'emp',
    kind: 'table',
    columns: [
      { name: 'id', type: 'INTEGER', primaryKey: true },
      { name: 'name', type: 'TEXT' },
      { name: 'dept_id', type: 'INTEGER' },
      { name: 'salary', type: 'REAL' },
      { name: 'code', type: 'VARCHAR(10)', notNull: true },
    ],
  },
  { name: 'dept', kind: 'table', columns: [{ name: 'id', type: 'INTEGER', primaryKey: true }, { name: 'name', type: 'TEXT' }] },
]);
/** The same tables without keys or NOT NULL. */
const keyless = makeSchema([...keyed.tables.values()].map((t) => ({ ...t, columns: t.columns.map((c) => ({ name: c.name, type: c.type })) })));

const tree = (sql: string, schema: Schema = keyed) => formatTree(matchTreeOf(planSql(sql, schema)));
const same = (a: string, b: string, schema: Schema = keyed) => assert.equal(tree(b, schema), tree(a, schema), `${a}  vs  ${b}`);
const differ = (a: string, b: string, schema: Schema = keyed) => assert.notEqual(tree(b, schema), tree(a, schema), `${a}  vs  ${b}`);

test('SQLite affinity of declared types', () => {
  assert.deepEqual(['INT', 'varchar(10)', 'TEXT', '', 'BLOB', 'REAL', 'double', 'NUMERIC', 'DATETIME', 'number'].map(affinityOf), ['INTEGER', 'TEXT', 'TEXT', 'BLOB', 'BLOB', 'REAL', 'REAL', 'NUMERIC', 'NUMERIC', 'NUMERIC']);
});

test('equalities on one value are an IN list', () => {
  same("SELECT id FROM emp WHERE name = 'a' OR name = 'b'", "SELECT id FROM emp WHERE name IN ('b', 'a')");
  same('SELECT id FROM emp WHERE dept_id = 1 OR dept_id IN (3, 2)', 'SELECT id FROM emp WHERE dept_id IN (1, 2, 3)');
  same("SELECT id FROM emp WHERE (name = 'a' OR name = 'b') AND salary > 3", "SELECT id FROM emp WHERE salary > 3 AND name IN ('a', 'b')");
  differ("SELECT id FROM emp WHERE name = 'a' OR code = 'b'", "SELECT id FROM emp WHERE name IN ('a', 'b')");
  assert.match(tree("SELECT id FROM emp WHERE name = 'a' OR code = 'b'"), /^\s+OR$/m);
});

test('literals compared with a column take the column affinity', () => {
  same("SELECT id FROM emp WHERE dept_id > '30'", 'SELECT id FROM emp WHERE dept_id > 30');
  same("SELECT id FROM emp WHERE salary = '2.50'", 'SELECT id FROM emp WHERE salary = 2.5');
  same('SELECT id FROM emp WHERE name = 12', "SELECT id FROM emp WHERE name = '12'");
  same("SELECT id FROM emp WHERE dept_id IN ('1', '2')", 'SELECT id FROM emp WHERE dept_id IN (1, 2)');
  // Text that is not a number stays text; a REAL literal is not turned into text.
  differ("SELECT id FROM emp WHERE dept_id = 'x1'", 'SELECT id FROM emp WHERE dept_id = 1');
  assert.match(planExplain(planSql('SELECT id FROM emp WHERE name = 1.5', keyed)), /=\(1\.5, \$1\)|=\(\$1, 1\.5\)/);
  // Without a column on the other side there is no affinity (the R1 tree writes both literals lit:3; the plan keeps the type).
  assert.notEqual(planExplain(planSql("SELECT id FROM emp WHERE dept_id + 1 = '3'", keyed)), planExplain(planSql('SELECT id FROM emp WHERE dept_id + 1 = 3', keyed)));
});

test('COUNT(x) is COUNT(*) when x is never NULL', () => {
  same('SELECT COUNT(1) FROM emp', 'SELECT COUNT(*) FROM emp');
  same('SELECT COUNT(id) FROM emp', 'SELECT COUNT(*) FROM emp');
  same('SELECT COUNT(code) FROM emp', 'SELECT COUNT(*) FROM emp');
  same("SELECT COUNT(name) FROM emp WHERE name LIKE 'A%'", "SELECT COUNT(*) FROM emp WHERE name LIKE 'A%'");
  same('SELECT dept_id, COUNT(DISTINCT id) FROM emp GROUP BY dept_id', 'SELECT dept_id, COUNT(*) FROM emp GROUP BY dept_id');
  differ('SELECT COUNT(name) FROM emp', 'SELECT COUNT(*) FROM emp');
  differ('SELECT COUNT(NULL) FROM emp', 'SELECT COUNT(*) FROM emp');
  differ('SELECT COUNT(DISTINCT dept_id) FROM emp', 'SELECT COUNT(dept_id) FROM emp');
  differ('SELECT COUNT(id) FROM emp', 'SELECT COUNT(*) FROM emp', keyless);
});

test('DISTINCT and GROUP BY without aggregates over rows already distinct', () => {
  same('SELECT DISTINCT id, name FROM emp', 'SELECT id, name FROM emp');
  same('SELECT id, name FROM emp GROUP BY id, name', 'SELECT id, name FROM emp');
  same('SELECT COUNT(DISTINCT dept_id) FROM (SELECT dept_id FROM emp GROUP BY dept_id)', 'SELECT COUNT(DISTINCT dept_id) FROM emp');
  differ('SELECT DISTINCT dept_id FROM emp', 'SELECT dept_id FROM emp');
  differ('SELECT DISTINCT id, name FROM emp', 'SELECT id, name FROM emp', keyless);
  same('SELECT dept_id FROM emp GROUP BY dept_id HAVING COUNT(*) >= 1', 'SELECT dept_id FROM emp GROUP BY dept_id');
  same('SELECT dept_id FROM emp GROUP BY dept_id HAVING COUNT(*) > 0', 'SELECT DISTINCT dept_id FROM emp');
  differ('SELECT dept_id FROM emp GROUP BY dept_id HAVING COUNT(*) >= 2', 'SELECT dept_id FROM emp GROUP BY dept_id');
});

test('a join that only filters is a semi join; IN and EXISTS give the same tree', () => {
  const semi = "SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE name = 'x')";
  same("SELECT e.name FROM emp e JOIN dept d ON e.dept_id = d.id WHERE d.name = 'x'", semi);
  same("SELECT e.name FROM dept d, emp e WHERE d.name = 'x' AND d.id = e.dept_id", semi);
  same("SELECT name FROM emp WHERE dept_id IN (SELECT DISTINCT id FROM dept WHERE name = 'x')", semi);
  // dept columns in the output, or dept.id not known to be unique: still a join.
  differ("SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id WHERE d.name = 'x'", semi);
  differ("SELECT e.name FROM emp e JOIN dept d ON e.dept_id = d.id WHERE d.name = 'x'", semi, keyless);
  assert.match(tree("SELECT e.name FROM emp e JOIN dept d ON e.dept_id = d.id WHERE d.name = 'x'", keyless), /Join:inner/);
  // Two semi joins on one input: their order is irrelevant.
  same(
    "SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE name = 'x') AND id IN (SELECT id FROM dept WHERE name = 'y')",
    "SELECT name FROM emp WHERE id IN (SELECT id FROM dept WHERE name = 'y') AND dept_id IN (SELECT id FROM dept WHERE name = 'x')",
  );
});

test('left joins: a lookup nobody reads disappears; IS NULL on a matched-non-null column is NOT EXISTS', () => {
  same('SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id', 'SELECT name FROM emp');
  differ('SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id', 'SELECT name FROM emp', keyless);
  const anti = 'SELECT name FROM emp e WHERE NOT EXISTS (SELECT 1 FROM dept d WHERE d.id = e.dept_id)';
  same('SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE d.id IS NULL', anti);
  same('SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE d.id IS NULL', anti, keyless);
  same('SELECT name FROM emp WHERE dept_id NOT IN (SELECT id FROM dept)', anti);
  // d.name can be NULL in a matched row: not an anti join.
  differ('SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE d.name IS NULL', anti);
});

test('EXCEPT / INTERSECT over distinct rows are anti / semi joins; DISTINCT under a set operation is redundant', () => {
  same('SELECT id FROM emp EXCEPT SELECT id FROM dept', 'SELECT id FROM emp WHERE id NOT IN (SELECT id FROM dept)');
  same('SELECT id FROM emp INTERSECT SELECT id FROM dept', 'SELECT id FROM emp WHERE id IN (SELECT id FROM dept)');
  same('SELECT DISTINCT name FROM emp INTERSECT SELECT name FROM dept', 'SELECT name FROM emp INTERSECT SELECT DISTINCT name FROM dept');
  assert.match(tree('SELECT name FROM emp EXCEPT SELECT name FROM dept'), /^Minus:DISTINCT/);
  // A nullable column pair is compared as set operations do (NULL equals NULL).
  assert.match(tree('SELECT id, name FROM emp EXCEPT SELECT id, name FROM dept'), /IS_NOT_DISTINCT_FROM/);
});

test('grouping by a key after a join is aggregating the other side first', () => {
  const inSubquery = 'SELECT name FROM dept WHERE id IN (SELECT dept_id FROM emp GROUP BY dept_id HAVING COUNT(*) > 2)';
  same('SELECT d.name FROM dept d JOIN emp e ON d.id = e.dept_id GROUP BY d.id, d.name HAVING COUNT(*) > 2', inSubquery);
  same('SELECT d.name FROM dept d JOIN emp e ON d.id = e.dept_id GROUP BY e.dept_id, d.name HAVING COUNT(*) > 2', inSubquery);
  // Grouping by a non-key column merges departments of the same name: different.
  differ('SELECT d.name FROM dept d JOIN emp e ON d.id = e.dept_id GROUP BY d.name HAVING COUNT(*) > 2', inSubquery);
  differ('SELECT d.name FROM dept d JOIN emp e ON d.id = e.dept_id GROUP BY d.id, d.name HAVING COUNT(*) > 2', inSubquery, keyless);
  // Without aggregate calls: DISTINCT over a join that keeps one row per department is a semi join.
  const semi = 'SELECT id, name FROM dept WHERE id IN (SELECT dept_id FROM emp)';
  same('SELECT DISTINCT d.id, d.name FROM dept d JOIN emp e ON d.id = e.dept_id', semi);
  same('SELECT d.id, d.name FROM dept d JOIN emp e ON d.id = e.dept_id GROUP BY d.id, d.name HAVING COUNT(*) >= 1', semi);
  differ('SELECT DISTINCT d.name FROM dept d JOIN emp e ON d.id = e.dept_id', 'SELECT name FROM dept WHERE id IN (SELECT dept_id FROM emp)');
  differ('SELECT d.id, d.name FROM dept d JOIN emp e ON d.id = e.dept_id', semi);
});

test('the output row: column order does not matter, its width does', () => {
  const t = (sql: string) => matchTreeOf(planSql(sql, keyed));
  assert.equal(relpm(t('SELECT name, id FROM emp WHERE salary > 3'), t('SELECT id, name FROM emp WHERE salary > 3')).f1, 1);
  assert.equal(relpm(t('SELECT COUNT(*), dept_id FROM emp GROUP BY dept_id'), t('SELECT dept_id, COUNT(*) FROM emp GROUP BY dept_id')).f1, 1);
  // One column fewer: the Projects pair, their output columns do not (slots o2 and o1).
  const wide = t('SELECT name, salary FROM emp ORDER BY salary DESC LIMIT 1');
  const narrow = t('SELECT name FROM emp ORDER BY salary DESC LIMIT 1');
  const r = relpm(wide, narrow);
  assert.equal(r.gold_nodes, 10);
  assert.equal(r.pred_nodes, 9);
  assert.equal(r.matched, 8);
  const outputSlots = (n: ReturnType<typeof t>): string[] => [...(n.op ? [] : [n.slot]), ...n.children.flatMap(outputSlots)].filter((s) => s.startsWith('o'));
  assert.deepEqual(outputSlots(wide), ['o2', 'o2']);
  assert.deepEqual(outputSlots(narrow), ['o1']);
  // An intermediate CTE step's tree keeps plain attribute slots.
  assert.deepEqual(outputSlots(matchTreeOf(planSql('SELECT name, salary FROM emp', keyed), { output: false })), []);
});
