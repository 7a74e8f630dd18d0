// The official plug_value candidates (src/core/sql/plug-value.ts) on hand-made cases
// whose expected values are test-suite-sql-eval's own parse.get_all_preds_for_execution
// output (sqlparse 0.6.0), the sqlparse lexer details they rest on, and
// `steplens score --plug-value` on a small database. The same extraction on every
// real Spider dev pair: test/corpus/plug-value-candidates.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { allPredsForExecution, PlugValueSideError, pyReplace } from '../../src/core/sql/plug-value.ts';
import { compareCodePoints } from '../../src/core/rewards/values.ts';
import { firstStatementTokens, formatKeywordUpper, pySplit, sqlparseTokens } from '../../src/core/sql/sqlparse-lexer.ts';
import { makeDb } from '../helpers/exec-fixtures.ts';

interface Vector {
  name: string;
  gold: string;
  pred: string;
  count: number;
  values: string[];
  template: string;
  /** Every candidate in code point order, or the first three when there are many. */
  candidates?: string[];
  first?: string[];
}

// Expected: the official Python's output for each (gold, pred), as eval_exec_match passes them.
const VECTORS: Vector[] = [
  {"name": "'' escapes in a string; a double-quoted string is a value too", "gold": "SELECT a FROM t WHERE b = 'it''s' AND c = \"x\"", "pred": "SELECT a FROM t WHERE b = 'no' AND c = 'y'", "count": 4, "values": ["\"x\"", "'it''s'"], "template": "select a from t where b = valuerare and c = valuerare", "candidates": ["select a from t where b = \"x\" and c = \"x\"", "select a from t where b = \"x\" and c = 'it''s'", "select a from t where b = 'it''s' and c = \"x\"", "select a from t where b = 'it''s' and c = 'it''s'"]},
  {"name": "a double-quoted string as gold's value", "gold": "SELECT name FROM country WHERE name = \"Aruba\"", "pred": "SELECT name FROM country WHERE name = 'aruba'", "count": 1, "values": ["\"Aruba\""], "template": "select name from country where name = valuerare", "candidates": ["select name from country where name = \"Aruba\""]},
  {"name": "floats, signed and bare (.5)", "gold": "SELECT x FROM t WHERE x > 1.5 AND y < -0.25 AND z = .5", "pred": "SELECT x FROM t WHERE x > 2.0 AND y < 3", "count": 9, "values": ["-0.25", ".5", "1.5"], "template": "select x from t where x > valuerare and y < valuerare", "candidates": ["select x from t where x > -0.25 and y < -0.25", "select x from t where x > -0.25 and y < .5", "select x from t where x > -0.25 and y < 1.5", "select x from t where x > .5 and y < -0.25", "select x from t where x > .5 and y < .5", "select x from t where x > .5 and y < 1.5", "select x from t where x > 1.5 and y < -0.25", "select x from t where x > 1.5 and y < .5", "select x from t where x > 1.5 and y < 1.5"]},
  {"name": "negative integers: -1 and a-2's -2", "gold": "SELECT a FROM t WHERE a = -1 AND b = a-2", "pred": "SELECT a FROM t WHERE a = -5", "count": 2, "values": ["-1", "-2"], "template": "select a from t where a = valuerare", "candidates": ["select a from t where a = -1", "select a from t where a = -2"]},
  {"name": "LIMIT 1 is a slot", "gold": "SELECT name FROM t ORDER BY age DESC LIMIT 3", "pred": "SELECT name FROM t ORDER BY age DESC LIMIT 1", "count": 1, "values": ["3"], "template": "select name from t order by age desc limit valuerare", "candidates": ["select name from t order by age desc limit 3"]},
  {"name": "t1.* stays t1 . * (the t1.* rewrite never applies to sqlparse's spacing)", "gold": "SELECT t1.* FROM a AS t1 JOIN b AS T2 ON t1.id = T2.id WHERE T2.x = 5", "pred": "SELECT T1.* FROM a AS T1 WHERE T1.x = 6", "count": 1, "values": ["5"], "template": "select t1 . * from a as t1 where t1 . x = valuerare", "candidates": ["select t1 . * from a as t1 where t1 . x = 5"]},
  {"name": "newlines: a Newline token is not Whitespace; a string value keeps its newline", "gold": "SELECT a\nFROM t\nWHERE b = 'line\nbreak'  \n  AND c = 7", "pred": "SELECT a\nFROM t WHERE b = 'z'\n", "count": 2, "values": ["'line\nbreak'", "7"], "template": "select a from t where b = valuerare", "candidates": ["select a from t where b = 'line\nbreak'", "select a from t where b = 7"]},
  {"name": "';' is dropped everywhere, in strings too, so two statements read as one", "gold": "SELECT a FROM t WHERE b = 'x;y'; SELECT 2", "pred": "SELECT a FROM t WHERE b = 'q'; SELECT 3", "count": 4, "values": ["'xy'", "2"], "template": "select a from t where b = valuerare select valuerare", "candidates": ["select a from t where b = 'xy' select 'xy'", "select a from t where b = 'xy' select 2", "select a from t where b = 2 select 'xy'", "select a from t where b = 2 select 2"]},
  {"name": "zero gold values and a slot: no candidates", "gold": "SELECT count(*) FROM singer", "pred": "SELECT count(*) FROM singer WHERE age > 30", "count": 0, "values": [], "template": "select count ( * ) from singer where age > valuerare", "candidates": []},
  {"name": "no slot: one candidate, the prediction lower-cased and re-spaced", "gold": "SELECT count(*) FROM singer", "pred": "SELECT COUNT(*) FROM Singer", "count": 1, "values": [], "template": "select count ( * ) from singer", "candidates": ["select count ( * ) from singer"]},
  {"name": "GO (upper case) ends sqlparse's first statement: values after it are not read", "gold": "SELECT a FROM t WHERE b = 1 GO SELECT c FROM u WHERE d = 'x'", "pred": "SELECT a FROM t WHERE b = 2", "count": 1, "values": ["1"], "template": "select a from t where b = valuerare", "candidates": ["select a from t where b = 1"]},
  {"name": "a name like a1 or x1 is an integer value ([^tT]\\d+); T1 is not", "gold": "SELECT a1 FROM t WHERE x1 = 4 AND T1.y = 2", "pred": "SELECT a1 FROM t WHERE x1 = 8", "count": 64, "values": ["2", "4", "a1", "x1"], "template": "select valuerare from t where valuerare = valuerare", "first": ["select 2 from t where 2 = 2", "select 2 from t where 2 = 4", "select 2 from t where 2 = a1"]},
  {"name": "LIKE patterns are string values", "gold": "SELECT a FROM t WHERE b LIKE '%x%' AND c = 'x'", "pred": "SELECT a FROM t WHERE b LIKE '%y%'", "count": 2, "values": ["'%x%'", "'x'"], "template": "select a from t where b like valuerare", "candidates": ["select a from t where b like '%x%'", "select a from t where b like 'x'"]},
  {"name": "a repeated value counts once", "gold": "SELECT a FROM t WHERE c = 'x' AND d = 'x'", "pred": "SELECT a FROM t WHERE b = 'x' OR b = 'x'", "count": 1, "values": ["'x'"], "template": "select a from t where b = valuerare or b = valuerare", "candidates": ["select a from t where b = 'x' or b = 'x'"]},
  {"name": "str.replace replaces every occurrence, in token order (a value inside another)", "gold": "SELECT a FROM t WHERE b = 'a' AND c = 'a''b'", "pred": "SELECT a FROM t WHERE c = 'a''b' AND b = 'a'", "count": 4, "values": ["'a'", "'a''b'"], "template": "select a from t where c = valuerare and b = valuerare", "candidates": ["select a from t where c = 'a' and b = 'a'", "select a from t where c = 'a' and b = 'a''b'", "select a from t where c = 'a''b' and b = 'a'", "select a from t where c = 'a''b' and b = 'a''b'"]},
  {"name": "YEAR(CURDATE()) is lower-cased and re-spaced like the rest", "gold": "SELECT YEAR(CURDATE()) - birth FROM people WHERE id = 3", "pred": "SELECT year(curdate()) - birth FROM people WHERE id = 4", "count": 1, "values": ["3"], "template": "select year ( curdate ( ) ) - birth from people where id = valuerare", "candidates": ["select year ( curdate ( ) ) - birth from people where id = 3"]},
  {"name": "Unicode: İ stays as written in a value, Arabic-Indic digits are \\d", "gold": "SELECT a FROM t WHERE b = 'İ' AND n = ١٢", "pred": "SELECT a FROM t WHERE b = 'i'", "count": 2, "values": ["'İ'", "١٢"], "template": "select a from t where b = valuerare", "candidates": ["select a from t where b = 'İ'", "select a from t where b = ١٢"]},
  {"name": "a value inside another is cut: 'a' replaced first leaves valuerare'b', no slot", "gold": "SELECT a FROM t WHERE b = 'q'", "pred": "SELECT a FROM t WHERE b = 'a' AND c = 'a''b'", "count": 1, "values": ["'q'"], "template": "select a from t where b = valuerare and c = valuerare'b'", "candidates": ["select a from t where b = 'q' and c = valuerare'b'"]},
];

for (const v of VECTORS) {
  test(`plug_value candidates: ${v.name}`, () => {
    const r = allPredsForExecution(v.gold, v.pred);
    assert.equal(r.count, BigInt(v.count));
    assert.deepEqual(r.goldValues, v.values);
    assert.equal(r.template.join(' '), v.template);
    const all = [...r.candidates()].sort(compareCodePoints);
    assert.equal(all.length, v.count);
    if (v.candidates) assert.deepEqual(all, v.candidates);
    if (v.first) assert.deepEqual(all.slice(0, 3), v.first);
  });
}

test('plug_value: where sqlparse finds no statement the official code raises, naming the side (gold first)', () => {
  const side = (g: string, p: string) => {
    try {
      allPredsForExecution(g, p);
      return null;
    } catch (err) {
      assert.ok(err instanceof PlugValueSideError);
      return err.side;
    }
  };
  assert.equal(side(';', 'SELECT 1'), 'gold');
  assert.equal(side('SELECT 1', ';;\t '), 'pred');
  assert.equal(side(';', ';'), 'gold');
  assert.equal(side('SELECT 1', '-- a comment is a statement'), null);
});

test('plug_value: the count is exact past 2^53 and nothing is made until asked', () => {
  const gold = `SELECT a FROM t WHERE a IN (${Array.from({ length: 20 }, (_, i) => i + 1).join(', ')})`;
  const pred = `SELECT a FROM t WHERE a IN (${Array.from({ length: 14 }, () => 99).join(', ')})`;
  const r = allPredsForExecution(gold, pred);
  assert.equal(r.count, 20n ** 14n);
  assert.equal(r.candidates().next().value, 'select a from t where a in ( 1 , 1 , 1 , 1 , 1 , 1 , 1 , 1 , 1 , 1 , 1 , 1 , 1 , 1 )');
});

test('sqlparse lexer: token boundaries and types the extraction reads', () => {
  const types = (s: string) => sqlparseTokens(s).map((t) => `${t.type}:${t.value}`);
  assert.deepEqual(types("a = 'it''s'"), ['Name:a', 'Whitespace: ', 'Operator.Comparison:=', 'Whitespace: ', "String.Single:'it''s'"]);
  assert.deepEqual(types('"x" `y` [z]'), ['String.Symbol:"x"', 'Whitespace: ', 'Name:`y`', 'Whitespace: ', 'Name:[z]']);
  assert.deepEqual(types('x-1 -.5 1e3 t1.5'), ['Name:x', 'Number.Integer:-1', 'Whitespace: ', 'Number.Float:-.5', 'Whitespace: ', 'Number.Float:1e3', 'Whitespace: ', 'Name:t1', 'Number.Float:.5']);
  assert.deepEqual(types('a\r\nb  c'), ['Name:a', 'Newline:\r\n', 'Name:b', 'Whitespace: ', 'Whitespace: ', 'Name:c']);
  // Python's whitespace: \x1c and \x85 are, \ufeff is not.
  assert.deepEqual(types('a\x1cb\ufeff'), ['Name:a', 'Whitespace:\x1c', 'Name:b', 'Error:\ufeff']);
  // re.IGNORECASE: ı and İ match I, ſ matches S, as in Python.
  assert.deepEqual(types('ıN aſ'), ['Keyword:ıN', 'Whitespace: ', 'Keyword:aſ']);
  assert.deepEqual(types('ORDER  BY x'), ['Keyword:ORDER  BY', 'Whitespace: ', 'Name:x']);
  assert.deepEqual(types('$a$ ; $a$ /* c */x'), ['Literal:$a$ ; $a$', 'Whitespace: ', 'Comment.Multiline:/* c */', 'Name:x']);
  // Statements: ';' at level 0, and an upper-case GO keyword.
  assert.deepEqual(firstStatementTokens("SELECT 'a;b'; SELECT 2")!.map((t) => t.value).join(''), "SELECT 'a;b'; ");
  assert.deepEqual(firstStatementTokens('SELECT 1 GO SELECT 2')!.map((t) => t.value).join(''), 'SELECT 1 GO ');
  assert.equal(firstStatementTokens('select 1 go select 2')!.length, 9, 'lower-case go does not split');
  assert.equal(firstStatementTokens('  \n'), null);
  // format: keywords upper-cased; each statement's lines right-stripped, statements concatenated.
  assert.equal(formatKeywordUpper('select a  \n from t go select b'), 'SELECT a\n FROM t GOSELECT b');
});

test('Python str semantics: replace replaces every occurrence, split() on str.isspace()', () => {
  assert.equal(pyReplace("'a' 'a' 'ab'", "'a'", 'V'), "V V 'ab'");
  assert.equal(pyReplace('ab', '', '-'), '-a-b-');
  assert.deepEqual(pySplit(' a\x85b\u3000 c\ufeff '), ['a', 'b', 'c\ufeff']);
  assert.deepEqual(pySplit(' \t '), []);
});

test('steplens score --plug-value: a value the prediction got wrong is plugged from gold; off by default; part of the run fingerprint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-plug-'));
  try {
    mkdirSync(join(dir, 'db', 'shop'), { recursive: true });
    makeDb(join(dir, 'db', 'shop', 'shop.sqlite'), `CREATE TABLE item(id INTEGER, name TEXT, price REAL); INSERT INTO item VALUES (1, 'pen', 1.5), (2, 'ink', 7.25), (3, 'pad', 3.0);`);
    const input = join(dir, 'in.jsonl');
    const records = [
      { db_id: 'shop', gold_sql: "SELECT id FROM item WHERE name = 'ink'", pred_sql: "SELECT id FROM item WHERE name = 'Ink'" },
      { db_id: 'shop', gold_sql: 'SELECT name FROM item WHERE price > 2.5 ORDER BY price LIMIT 1', pred_sql: 'SELECT name FROM item WHERE price > 2 ORDER BY price LIMIT 2' },
      { db_id: 'shop', gold_sql: 'SELECT count(*) FROM item', pred_sql: 'SELECT count(*) FROM item WHERE price > 2' },
    ];
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const score = async (...extra: string[]) => {
      let stderr = '';
      const out = join(dir, 'out.jsonl');
      const code = await main(['score', input, '--db-root', join(dir, 'db'), '--out', out, '--jobs', '1', '--quiet', '--structural-threads', '0', ...extra], { stdout: () => {}, stderr: (t) => (stderr += t), isTTY: false });
      return { code, stderr, spider: readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).execution.metrics.spider_ex) };
    };
    assert.deepEqual((await score('--force')).spider, [0, 0, 0]);
    assert.deepEqual((await score('--force', '--plug-value')).spider, [1, 1, 0]);
    // --resume refuses to continue a run made with the other setting.
    const resumed = await score('--resume');
    assert.equal(resumed.code, 1);
    assert.match(resumed.stderr, /plug-value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
