// Our parse tree → mo-sql-parsing-like JSON → AstPM tree: the spec's AstPM
// vectors (structural-rewards.md §2.5) computed from SQL text instead of the
// released JSON, and the shape of the JSON for the constructs Spider uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { astTreeOfSql, moSqlJson, moSqlJsonText, numberText } from '../../src/core/match/ast-from-sql.ts';
import { CTE_REWRITES } from '../fixtures/cte-rewrites.ts';
import { astTree, astTreeFromJson, RawNumber } from '../../src/core/match/ast-tree.ts';
import { astpm } from '../../src/core/match/relpm.ts';
import { countNodes } from '../../src/core/match/tree.ts';
import { parseSelect } from '../../src/core/sql/parse.ts';

const json = (sql: string) => moSqlJsonText(parseSelect(sql));

test('spec §2.5 A-1..A-4 from SQL: the released JSON and the same AstPM values', () => {
  const vectors: [string, string, string, number, number, number, number][] = [
    ['SELECT COUNT(*) AS `EXPR$0` FROM singer', 'SELECT count(*) FROM singer', '{"select":{"value":{"count":"*"},"name":"EXPR$0"},"from":"singer"}', 9, 7, 7, 0.875],
    [
      "SELECT SUM(SurfaceArea) AS `EXPR$0` FROM (SELECT Region, SurfaceArea FROM country) AS t WHERE Region = 'Caribbean'",
      "SELECT SUM(surfacearea) FROM country WHERE continent = 'Caribbean'",
      '{"select":{"value":{"sum":"surfacearea"},"name":"EXPR$0"},"from":{"value":{"select":[{"value":"region"},{"value":"surfacearea"}],"from":"country"},"name":"t"},"where":{"eq":["region",{"literal":"Caribbean"}]}}',
      23, 12, 10, 0.5714,
    ],
    [
      'SELECT Year FROM (SELECT Weight, Year FROM cars_data) AS t WHERE Weight >= 3000 AND Weight <= 4000 GROUP BY Year',
      'SELECT year FROM cars_data WHERE weight >= 3000 AND weight <= 4000',
      '{"select":{"value":"year"},"from":{"value":{"select":[{"value":"weight"},{"value":"year"}],"from":"cars_data"},"name":"t"},"where":{"and":[{"gte":["weight",3000]},{"lte":["weight",4000]}]},"groupby":{"value":"year"}}',
      26, 14, 13, 0.65,
    ],
    ['SELECT Template_Type_Code FROM Templates GROUP BY Template_Type_Code', 'SELECT DISTINCT template_type_code FROM ref_template_types', '{"select":{"value":"template_type_code"},"from":"templates","groupby":{"value":"template_type_code"}}', 9, 6, 2, 0.2667],
  ];
  for (const [gold, pred, released, g, p, m, f1] of vectors) {
    assert.deepEqual(JSON.parse(json(gold)), JSON.parse(released), gold);
    assert.deepEqual(astTreeOfSql(gold), astTreeFromJson(released), gold);
    const r = astpm(astTreeOfSql(gold), astTreeOfSql(pred));
    assert.deepEqual([r.gold_nodes, r.pred_nodes, r.matched], [g, p, m], gold);
    assert.equal(Number(r.f1.toFixed(4)), f1, gold);
  }
});

test('mo-sql-parsing shapes: joins, lists, null tests, IN lists, ORDER BY, LIMIT, set operations, CTEs', () => {
  assert.equal(
    json("SELECT a.x FROM t a JOIN u ON a.id = u.id LEFT OUTER JOIN v USING (id) WHERE x IN ('a', 'b') AND y NOT IN (1, 2) AND z IS NULL AND w IS NOT NULL ORDER BY 1 DESC LIMIT 3 OFFSET 1"),
    '{"select": {"value": "a.x"}, "from": [{"value": "t", "name": "a"}, {"join": "u", "on": {"eq": ["a.id", "u.id"]}}, {"left join": "v", "using": "id"}], ' +
      '"where": {"and": [{"in": ["x", {"literal": ["a", "b"]}]}, {"nin": ["y", [1, 2]]}, {"missing": "z"}, {"exists": "w"}]}, "orderby": {"value": 1, "sort": "desc"}, "limit": 3, "offset": 1}',
  );
  assert.equal(json('SELECT a FROM t UNION SELECT b FROM u UNION SELECT c FROM v'), '{"union": [{"select": {"value": "a"}, "from": "t"}, {"select": {"value": "b"}, "from": "u"}, {"select": {"value": "c"}, "from": "v"}]}');
  assert.equal(json('SELECT * FROM t, u'), '{"select": {"all_columns": {}}, "from": ["t", "u"]}');
  assert.equal(json('WITH c AS (SELECT 1) SELECT * FROM c'), '{"with": {"name": "c", "value": {"select": {"value": 1}}}, "select": {"all_columns": {}}, "from": "c"}');
  assert.equal(json('SELECT COUNT(DISTINCT a), -2, -b FROM t WHERE NOT EXISTS (SELECT 1 FROM u) AND a BETWEEN 1 AND 2'),
    '{"select": [{"value": {"count": "a", "distinct": true}}, {"value": -2}, {"value": {"neg": "b"}}], "from": "t", "where": {"and": [{"not": {"exists": {"select": {"value": 1}, "from": "u"}}}, {"between": ["a", 1, 2]}]}}');
  assert.equal(json("SELECT CASE WHEN a > 1 THEN 'x' ELSE NULL END, CAST(b AS REAL) FROM t"),
    '{"select": [{"value": {"case": [{"when": {"gt": ["a", 1]}, "then": {"literal": "x"}}, {"null": {}}]}}, {"value": {"cast": ["b", {"real": {}}]}}], "from": "t"}');
});

test('numbers keep int vs float as Python would print them', () => {
  assert.deepEqual(['3000', '3000.0', '1.50', '.5', '5.', '1e3', '0x1F', '007'].map(numberText), ['3000', '3000.0', '1.50', '0.5', '5.0', '1e3', '31', '7']);
  const leaves = (sql: string) => {
    const t = astTreeOfSql(sql);
    const out: string[] = [];
    const walk = (n: typeof t) => (n.children.length ? n.children.forEach(walk) : out.push(n.label));
    walk(t);
    return out;
  };
  assert.deepEqual(leaves('SELECT 3000, 3000.0, 1.50, 1e3'), ['3000', '3000.0', '1.5', '1000.0']);
});

test('an AST tree counts every key and value node', () => {
  // Query, select, value, name, from, singer
  assert.equal(countNodes(astTreeOfSql('SELECT name FROM singer')), 6);
});

test('astTree of the syntax tree equals the one read back from the JSON text (fixtures, literals, nesting)', () => {
  const sqls = [
    ...CTE_REWRITES.flatMap((r) => [r.gold, r.rewrite, ...r.wrong.map((w) => w.sql)]),
    "SELECT 3000, 3000.0, 1.50, .5, 5., 1e3, 1E-7, 0x1F, 007, -2, -0.0, 123456789012345678901234567890, 'a\"b', 'é\u2028', NULL, x IS NOT NULL FROM t",
    "SELECT a FROM t WHERE b IN ('x', 'y') AND c NOT IN (1, 2.0) OR EXISTS (SELECT 1 FROM u) ORDER BY a DESC LIMIT 5 OFFSET 2",
    'SELECT count(DISTINCT a), CASE WHEN b THEN 1 END FROM t GROUP BY c HAVING count(*) > 1 UNION SELECT 1, 2 FROM v',
  ];
  for (const sql of sqls) {
    const ast = parseSelect(sql);
    assert.deepEqual(astTree(moSqlJson(ast)), astTreeFromJson(moSqlJsonText(ast)), sql);
  }
  // Values the converter does not produce but the type allows: empty containers, booleans, JS numbers.
  const odd = { a: [], b: {}, c: true, d: false, e: 2.5, f: 1e21, g: 7, h: new RawNumber('1.0') };
  assert.deepEqual(astTree(odd), astTreeFromJson('{"a": [], "b": {}, "c": true, "d": false, "e": 2.5, "f": 1e+21, "g": 7, "h": 1.0}'));
  assert.throws(() => astTree(new RawNumber('0x1F')), /not a JSON number/);
});
