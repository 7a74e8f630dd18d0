import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSql, planExplain, matchTreeOf, planJson } from '../../src/core/plan/index.ts';
import { formatTree, countNodes } from '../../src/core/match/tree.ts';
import { SqlError } from '../../src/core/sql/errors.ts';
import { makeSchema } from '../../src/core/plan/schema.ts';
import { CTE_REWRITES } from '../fixtures/cte-rewrites.ts';
import { spiderSchema } from '../helpers/spider.ts';

const tree = (sql: string, db: string) => formatTree(matchTreeOf(planSql(sql, spiderSchema(db))));

const emp = makeSchema([
  { name: 'emp', kind: 'table', columns: ['id', 'name', 'dept_id', 'salary'].map((name) => ({ name, type: '' })) },
  { name: 'dept', kind: 'table', columns: ['id', 'name'].map((name) => ({ name, type: '' })) },
]);
const empTree = (sql: string) => formatTree(matchTreeOf(planSql(sql, emp)));

test('spec E1: ORDER BY ... LIMIT becomes Limit over Sort over the projection', () => {
  assert.equal(
    tree('SELECT transcript_date FROM Transcripts ORDER BY transcript_date DESC LIMIT 1', 'student_transcripts_tracking'),
    ['Limit', '  fetch:1', '  Sort', '    key:DESC  [k0]', '      col:transcripts.transcript_date  [a0]', '    Project', '      col:transcripts.transcript_date', '      Scan', '        table:transcripts'].join('\n'),
  );
});

test('spec E2: HAVING is a Filter over the Aggregate, comparison flipped to <=', () => {
  const t = matchTreeOf(planSql('SELECT Document_ID FROM Paragraphs GROUP BY Document_ID HAVING COUNT(*) >= 2', spiderSchema('cre_Doc_Template_Mgt')));
  assert.equal(countNodes(t), 12);
  assert.match(formatTree(t), /LESS_THAN_OR_EQUAL\n\s+lit:2  \[a0\]\n\s+col:COUNT\(\)  \[a1\]/);
});

test('Calcite explain text with $n input references', () => {
  assert.equal(
    planExplain(planSql('SELECT name FROM emp WHERE dept_id = 10', emp)),
    ['LogicalProject(name=[$1])', '  LogicalFilter(condition=[=(10, $2)])', '    LogicalTableScan(table=[[emp]])'].join('\n'),
  );
});

test('every faithful CTE rewrite plans to the same normalized tree as its gold query', () => {
  assert.ok(CTE_REWRITES.length >= 30);
  for (const r of CTE_REWRITES) {
    assert.equal(tree(r.rewrite, r.db), tree(r.gold, r.db), `dev ${r.dev}: ${r.rewrite}`);
  }
});

test('every wrong variant of a rewrite plans to a different tree', () => {
  for (const r of CTE_REWRITES) {
    const gold = tree(r.gold, r.db);
    for (const w of r.wrong) assert.notEqual(tree(w.sql, r.db), gold, `dev ${r.dev} (${w.kind}): ${w.sql}`);
  }
});

test('normalization: aliases, case, comparison direction, BETWEEN, IN lists, NOT, constants, join order', () => {
  const same = [
    ['SELECT e.name FROM emp e WHERE e.salary > 1000', 'select NAME from EMP where 1000 < Salary'],
    ['SELECT name FROM emp WHERE salary BETWEEN 10 AND 20', 'SELECT name FROM emp WHERE salary <= 20 AND salary >= 10'],
    ['SELECT name FROM emp WHERE id IN (3, 1, 2)', 'SELECT name FROM emp WHERE id IN (1, 2, 3, 2)'],
    ['SELECT name FROM emp WHERE NOT (salary < 5 OR id = 1)', 'SELECT name FROM emp WHERE id <> 1 AND salary >= 5'],
    ['SELECT name FROM emp WHERE salary > 2 * 500', 'SELECT name FROM emp WHERE salary > 1000.0'],
    ['SELECT name FROM emp WHERE id IN (7)', 'SELECT name FROM emp WHERE id = 7'],
    ['SELECT d.name, e.name FROM emp e JOIN dept d ON e.dept_id = d.id', 'SELECT d.name, e.name FROM dept d, emp e WHERE d.id = e.dept_id'],
    ['SELECT name FROM emp WHERE salary > 10 AND 1 = 1', 'SELECT name FROM emp WHERE salary > 10'],
    ['SELECT name FROM (SELECT name, salary FROM emp) t WHERE salary > 3', 'SELECT name FROM emp WHERE salary > 3'],
    ['SELECT x * 2 FROM (SELECT salary + 1 AS x FROM emp)', 'SELECT (salary + 1) * 2 FROM emp'],
    ['SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE name = \'x\')', 'SELECT name FROM emp WHERE EXISTS (SELECT * FROM dept WHERE dept.id = emp.dept_id AND dept.name = \'x\')'],
  ];
  for (const [a, b] of same) assert.equal(empTree(b), empTree(a), `${a}  vs  ${b}`);
  const different = [
    ['SELECT name FROM emp WHERE salary > 1000', 'SELECT name FROM emp WHERE salary >= 1000'],
    ['SELECT e.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id', 'SELECT e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id'],
    ['SELECT DISTINCT name FROM emp', 'SELECT name FROM emp'],
  ];
  for (const [a, b] of different) assert.notEqual(empTree(b), empTree(a), `${a}  vs  ${b}`);
});

test('subqueries become semi, anti and single-value joins', () => {
  assert.match(empTree('SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept)'), /Join:semi/);
  assert.match(empTree('SELECT name FROM emp WHERE dept_id NOT IN (SELECT id FROM dept)'), /Join:anti/);
  assert.match(empTree('SELECT name FROM emp WHERE NOT EXISTS (SELECT 1 FROM dept WHERE dept.id = emp.dept_id)'), /Join:anti/);
  const scalar = empTree('SELECT name FROM emp WHERE salary > (SELECT AVG(salary) FROM emp)');
  assert.match(scalar, /Join:inner\n\s+LESS_THAN\n\s+col:AVG\(emp.salary\)  \[a0\]\n\s+col:emp.salary  \[a1\]/);
  assert.match(empTree('SELECT name FROM emp WHERE salary > (SELECT salary FROM emp WHERE id = 1)'), /agg:SINGLE_VALUE/);
});

test('lineage: aggregates, bare columns of aggregate queries, computed columns', () => {
  const t = empTree('SELECT dept_id, name, COUNT(DISTINCT salary), MAX(salary) + 1 FROM emp GROUP BY dept_id');
  assert.match(t, /agg:COUNT:DISTINCT\n\s+col:emp.salary  \[a0\]/);
  assert.match(t, /agg:ANY_VALUE\n\s+col:emp.name  \[a0\]/);
  assert.match(t, /PLUS\n\s+lit:1\n\s+col:MAX\(emp.salary\)/);
});

test('set operations, VALUES, windows and recursive CTEs plan', () => {
  assert.match(empTree('SELECT name FROM emp EXCEPT SELECT name FROM dept'), /^Minus:DISTINCT/);
  assert.match(empTree('SELECT name FROM emp UNION ALL SELECT name FROM dept'), /^Union:ALL/);
  assert.match(empTree('SELECT name FROM emp INTERSECT SELECT name FROM dept ORDER BY 1'), /Intersect:DISTINCT/);
  assert.match(empTree('VALUES (1, 2), (3, 4)'), /^Values\n\s+tuple/);
  assert.match(empTree('SELECT name, RANK() OVER (PARTITION BY dept_id ORDER BY salary DESC) FROM emp'), /Window\n\s+win:RANK/);
  assert.match(empTree('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c'), /table:cte:c/);
});

test('unknown tables and columns are errors naming them and their position', () => {
  const bad = (sql: string, kind: string, token: string) =>
    assert.throws(() => planSql(sql, emp), (e: unknown) => e instanceof SqlError && e.kind === kind && e.token === token && sql.slice(e.start, e.end) === token);
  bad('SELECT name FROM employees', 'unknown_table', 'employees');
  bad('SELECT nme FROM emp', 'unknown_column', 'nme');
  bad('SELECT e.nme FROM emp e', 'unknown_column', 'e.nme');
  bad('SELECT x.name FROM emp e', 'unknown_column', 'x.name');
  bad('SELECT name FROM emp JOIN dept ON emp.dept_id = dept.id', 'ambiguous_column', 'name');
  assert.throws(() => planSql('SELECT name FROM emp WHERE COUNT(*) > 1', emp), /misuse of aggregate/);
});

test('SQLite quirks: double-quoted strings, aliases in WHERE, ORDER BY ordinals, rowid', () => {
  assert.match(empTree('SELECT name FROM emp WHERE name = "Ann"'), /lit:Ann/);
  assert.equal(empTree('SELECT salary * 2 AS s2 FROM emp WHERE s2 > 10'), empTree('SELECT salary * 2 FROM emp WHERE salary * 2 > 10'));
  assert.equal(empTree('SELECT name, salary FROM emp ORDER BY 2 DESC'), empTree('SELECT name, salary FROM emp ORDER BY salary DESC'));
  assert.match(empTree('SELECT rowid FROM emp'), /col:emp.rowid/);
});

test('plan JSON: ids, operators, lineage and source ranges', () => {
  const sql = 'SELECT name FROM emp WHERE salary > 10';
  const json = planJson(planSql(sql, emp));
  assert.equal(json.id, 0);
  assert.equal(json.op, 'Project');
  assert.deepEqual(json.fields, [{ name: 'name', lineage: 'emp.name' }]);
  const filter = json.children[0];
  assert.equal(filter.op, 'Filter');
  assert.equal(filter.attributes.condition, 'LESS_THAN(10, emp.salary)');
  assert.equal(sql.slice(filter.range!.start, filter.range!.end), 'salary > 10');
  const scan = filter.children[0];
  assert.equal(scan.id, 2);
  assert.equal(sql.slice(scan.range!.start, scan.range!.end), 'emp');
});
