// Differential test: SQLite itself (better-sqlite3's prepare) is the oracle.
// Whatever SQLite prepares, parseSelect must accept; whatever SQLite rejects
// at parse time (syntax errors and the errors its grammar actions raise),
// parseSelect must reject. Semantic errors (no such column, ...) say nothing
// about syntax and are skipped. A precedence fuzzer also evaluates random
// expressions as written and as re-printed fully parenthesized from our tree.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqlError } from '../../src/core/sql/errors.ts';
import { parseExpression, parseSelect } from '../../src/core/sql/parse.ts';
import { printExpr } from '../../src/core/sql/print.ts';

const KEYWORDS = `ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN BETWEEN BY
CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME
CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE
EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP
GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN
KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER
OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX
RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN
TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH
WITHOUT TRUE FALSE ROWID`.split(/\s+/);

// Handwritten statements over t1(a, b, c), t2(a, b, d), t3(x, y). Valid and
// invalid ones mixed; SQLite decides which is which.
const HANDWRITTEN = [
  // basics
  'SELECT 1', 'SELECT a FROM t1', 'SELECT * FROM t1', 'SELECT t1.* FROM t1', 'SELECT DISTINCT a FROM t1', 'SELECT ALL a FROM t1',
  'SELECT a, b FROM t1;', 'SELECT a FROM t1 ;;', 'SELECT', 'SELECT FROM t1', 'SELECT a FROM', 'SELECT a FROM t1 WHERE',
  'SELECT a,, b FROM t1', 'SELECT a b c FROM t1', 'SELECT * a FROM t1', 'SELECT *.* FROM t1', 'SELECT t1.*.a FROM t1',
  'SELECT a FROM t1 t', 'SELECT a FROM t1 AS', 'SELECT a AS FROM t1', "SELECT a 'x' FROM t1", 'SELECT a "x" FROM t1', 'SELECT a [x] FROM t1',
  'SELECT a FROM main.t1', 'SELECT main.t1.a FROM t1', 'SELECT t1 . a FROM t1', 'SELECT a FROM t1 WHERE a = 1 AND',
  // clauses
  'SELECT a, count(*) FROM t1 GROUP BY a HAVING count(*) > 1', 'SELECT count(*) FROM t1 HAVING count(*) > 1', 'SELECT a FROM t1 GROUP a',
  'SELECT a FROM t1 ORDER BY a DESC, b ASC', 'SELECT a FROM t1 ORDER BY a NULLS FIRST', 'SELECT a FROM t1 ORDER BY a DESC NULLS LAST',
  'SELECT a FROM t1 ORDER BY a NULLS', 'SELECT a FROM t1 ORDER a', 'SELECT a FROM t1 ORDER BY', 'SELECT a FROM t1 ORDER BY a COLLATE nocase',
  'SELECT a FROM t1 LIMIT 1', 'SELECT a FROM t1 LIMIT 1 OFFSET 2', 'SELECT a FROM t1 LIMIT 1, 2', 'SELECT a FROM t1 LIMIT', 'SELECT a FROM t1 LIMIT 1 OFFSET',
  'SELECT a FROM t1 LIMIT 1, 2, 3', 'SELECT a FROM t1 OFFSET 1', 'SELECT a FROM t1 LIMIT 1 ORDER BY a', 'SELECT a FROM t1 WHERE a GROUP BY a ORDER BY a LIMIT (SELECT 1)',
  'SELECT a FROM t1 HAVING a > 1 GROUP BY a',
  // compounds
  'SELECT a FROM t1 UNION SELECT a FROM t2', 'SELECT a FROM t1 UNION ALL SELECT a FROM t2', 'SELECT a FROM t1 INTERSECT SELECT a FROM t2',
  'SELECT a FROM t1 EXCEPT SELECT a FROM t2', 'SELECT a FROM t1 UNION SELECT a FROM t2 ORDER BY 1 LIMIT 1', 'SELECT a FROM t1 ORDER BY 1 UNION SELECT a FROM t2',
  'SELECT a FROM t1 LIMIT 1 UNION SELECT a FROM t2', 'SELECT a FROM t1 UNION (SELECT a FROM t2)', '(SELECT a FROM t1) UNION SELECT a FROM t2',
  'SELECT a FROM t1 UNION', 'SELECT a FROM t1 UNION ALL ALL SELECT 1', 'SELECT 1 UNION VALUES (2)', 'VALUES (1) UNION SELECT 2',
  'SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4', 'SELECT 1 UNION WITH x AS (SELECT 1) SELECT 2',
  // VALUES
  'VALUES (1, 2), (3, 4)', 'VALUES (1)', 'VALUES 1', 'VALUES ()', 'VALUES (1),', 'VALUES (1) ORDER BY 1', 'VALUES (1) LIMIT 1', 'SELECT 1 UNION VALUES (2) ORDER BY 1', 'SELECT 1 UNION VALUES (2) LIMIT 1', 'VALUES (1) UNION SELECT 2 ORDER BY 1 LIMIT 1', 'SELECT * FROM (VALUES (1, 2))',
  // WITH
  'WITH c AS (SELECT 1) SELECT * FROM c', 'WITH c(x) AS (SELECT 1) SELECT x FROM c', 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c',
  'WITH c AS MATERIALIZED (SELECT 1) SELECT * FROM c', 'WITH c AS NOT MATERIALIZED (SELECT 1) SELECT * FROM c', 'WITH c AS (SELECT 1), d AS (SELECT 2) SELECT * FROM c, d',
  'WITH c AS (SELECT 1) SELECT * FROM (WITH d AS (SELECT 2) SELECT * FROM d), c', 'WITH c AS (WITH d AS (SELECT 2) SELECT * FROM d) SELECT * FROM c',
  'WITH c AS SELECT 1 SELECT * FROM c', 'WITH c (SELECT 1) SELECT * FROM c', 'WITH c AS (SELECT 1)', 'WITH c AS (SELECT 1),', 'WITH SELECT 1',
  'WITH c AS (VALUES (1)) SELECT * FROM c', 'WITH c AS (SELECT 1) VALUES (1)', 'WITH c AS (SELECT 1) SELECT 1 UNION SELECT * FROM c', 'WITH c() AS (SELECT 1) SELECT 1',
  'SELECT a FROM t1 WHERE a IN (WITH c AS (SELECT 1) SELECT * FROM c)', 'SELECT (WITH c AS (SELECT 1) SELECT * FROM c)',
  // joins
  'SELECT * FROM t1, t2', 'SELECT * FROM t1 JOIN t2 ON t1.a = t2.a', 'SELECT * FROM t1 INNER JOIN t2 ON t1.a = t2.a', 'SELECT * FROM t1 LEFT JOIN t2 ON 1',
  'SELECT * FROM t1 LEFT OUTER JOIN t2 ON 1', 'SELECT * FROM t1 RIGHT JOIN t2 ON 1', 'SELECT * FROM t1 FULL OUTER JOIN t2 ON 1', 'SELECT * FROM t1 CROSS JOIN t2',
  'SELECT * FROM t1 NATURAL JOIN t2', 'SELECT * FROM t1 NATURAL LEFT JOIN t2', 'SELECT * FROM t1 JOIN t2 USING (a)', 'SELECT * FROM t1 JOIN t2 USING (a, b)',
  'SELECT * FROM t1 JOIN t2 USING a', 'SELECT * FROM t1 JOIN t2 USING ()', 'SELECT * FROM t1 JOIN t2 ON', 'SELECT * FROM t1 JOIN', 'SELECT * FROM t1 LEFT t2',
  'SELECT * FROM t1 OUTER JOIN t2 ON 1', 'SELECT * FROM t1 INNER OUTER JOIN t2 ON 1', 'SELECT * FROM t1 LEFT INNER JOIN t2 ON 1', 'SELECT * FROM t1 LEFT RIGHT JOIN t2 ON 1',
  'SELECT * FROM t1 NATURAL CROSS JOIN t2', 'SELECT * FROM t1 ON 1', 'SELECT * FROM t1 USING (a)', 'SELECT * FROM t1, t2 ON t1.a = t2.a', 'SELECT * FROM t1 JOIN t2 JOIN t3',
  'SELECT * FROM (t1 JOIN t2 ON t1.a = t2.a)', 'SELECT * FROM t3 JOIN (t1 JOIN t2 ON t1.a = t2.a) ON 1', 'SELECT * FROM ((t1))', 'SELECT * FROM (t1) AS x',
  'SELECT * FROM (t1 JOIN t3) AS g', 'SELECT * FROM (t1 JOIN t3) g JOIN t2 ON 1', 'SELECT * FROM ()', 'SELECT * FROM (t1', 'SELECT * FROM (SELECT 1) AS s', 'SELECT * FROM (SELECT 1) s',
  'SELECT * FROM (SELECT 1)', 'SELECT * FROM ((SELECT 1) AS s JOIN t1 ON 1)', "SELECT * FROM json_each('[1,2]')", "SELECT * FROM json_each('[1,2]') AS j WHERE j.value > 1",
  'SELECT * FROM t1 INDEXED BY i', 'SELECT * FROM t1 NOT INDEXED', 'SELECT * FROM t1 AS x NOT INDEXED', 'SELECT * FROM t1 INDEXED i', 'SELECT * FROM t1 JOIN t2 NATURAL',
  // expressions
  'SELECT 1 + 2 * 3 - 4 / 5 % 6', 'SELECT 1 || 2', "SELECT '{\"a\":1}' -> '$.a'", "SELECT '{\"a\":1}' ->> '$.a'", 'SELECT 1 << 2 >> 1 & 3 | 4', 'SELECT ~1, -1, +1, - - 1',
  'SELECT 1 +', 'SELECT * 2', 'SELECT 1 * * 2', 'SELECT 1 = = 2', 'SELECT 1 == 2, 1 <> 2, 1 != 2', 'SELECT 1 < 2 <= 3 > 4 >= 5', 'SELECT NOT 1', 'SELECT NOT', 'SELECT 1 NOT',
  'SELECT 1 + NOT 2', 'SELECT - NOT 1', 'SELECT 1 IS 2, 1 IS NOT 2, 1 IS NULL, 1 IS NOT NULL', 'SELECT 1 ISNULL, 1 NOTNULL, 1 NOT NULL', 'SELECT 1 IS DISTINCT FROM 2',
  'SELECT 1 IS NOT DISTINCT FROM 2', 'SELECT 1 IS DISTINCT 2', 'SELECT 1 BETWEEN 0 AND 2', 'SELECT 1 NOT BETWEEN 0 AND 2', 'SELECT 1 BETWEEN 0', 'SELECT 1 BETWEEN 0 OR 2',
  'SELECT 1 BETWEEN 1 = 1 AND 2', "SELECT 'a' LIKE 'a'", "SELECT 'a' NOT LIKE 'b'", "SELECT 'a' LIKE 'a' ESCAPE '!'", "SELECT 'a' GLOB 'a'", "SELECT 'a' NOT GLOB 'b'",
  "SELECT 'a' ESCAPE 'b'", "SELECT 'a' LIKE", 'SELECT 1 IN (1, 2)', 'SELECT 1 NOT IN (1, 2)', 'SELECT 1 IN ()', 'SELECT 1 IN (SELECT 1)', 'SELECT 1 IN t3', 'SELECT 1 IN main.t3',
  "SELECT 1 IN json_each('[1]')", 'SELECT 1 IN', 'SELECT 1 IN (1,)', 'SELECT 1 IN (1) + 1', 'SELECT (1, 2) = (1, 2)', 'SELECT (1, 2) IN (SELECT 1, 2)', 'SELECT ()',
  'SELECT (1,)', 'SELECT (SELECT 1)', 'SELECT (SELECT 1) + 1', 'SELECT ((SELECT 1))', 'SELECT (SELECT 1 UNION SELECT 2)', 'SELECT EXISTS (SELECT 1)', 'SELECT NOT EXISTS (SELECT 1)',
  'SELECT EXISTS SELECT 1', 'SELECT EXISTS (1)', 'SELECT CASE WHEN 1 THEN 2 END', 'SELECT CASE 1 WHEN 1 THEN 2 ELSE 3 END', 'SELECT CASE END', 'SELECT CASE WHEN 1 THEN 2',
  'SELECT CASE WHEN 1 END', 'SELECT CASE 1 ELSE 2 END', 'SELECT CAST(1 AS TEXT)', 'SELECT CAST(1 AS VARCHAR(10))', 'SELECT CAST(1 AS DECIMAL(10, 2))', 'SELECT CAST(1 AS)',
  'SELECT CAST(1 AS DOUBLE PRECISION)', 'SELECT CAST(1 AS INT(-1))', 'SELECT CAST(1)', 'SELECT CAST 1 AS INT', 'SELECT CAST(1 AS INT', "SELECT CAST(1 AS 'text')",
  'SELECT 1 COLLATE nocase', "SELECT 'a' COLLATE 'nocase'", 'SELECT 1 COLLATE', 'SELECT a COLLATE nocase = b FROM t1', 'SELECT NULL, TRUE, FALSE, CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP',
  "SELECT X'01', x'AbCd'", "SELECT X'0'", 'SELECT 0x1F, 1e10, 1.5e-3, .5, 5., 1_000', 'SELECT 1e', 'SELECT 0x', 'SELECT 12abc', 'SELECT ?, ?1, :a, @b, $c', 'SELECT :', 'SELECT @',
  "SELECT 'it''s'", "SELECT 'abc", 'SELECT "abc', 'SELECT [abc', 'SELECT `abc', 'SELECT a FROM t1 WHERE a = "a"', 'SELECT t1."a" FROM t1', 'SELECT "t1".a FROM t1',
  "SELECT 't1'.a FROM t1", 'SELECT a.b.c.d FROM t1',
  // functions and windows
  'SELECT count(*) FROM t1', 'SELECT count() FROM t1', 'SELECT count(DISTINCT a) FROM t1', 'SELECT count(ALL a) FROM t1', 'SELECT count(DISTINCT *) FROM t1', 'SELECT count(a,) FROM t1',
  'SELECT max(a, b) FROM t1', "SELECT group_concat(a, ',' ORDER BY b) FROM t1", 'SELECT group_concat(a ORDER BY b DESC) FROM t1', 'SELECT group_concat(ORDER BY b) FROM t1',
  'SELECT count(*) FILTER (WHERE a > 1) FROM t1', 'SELECT count(*) FILTER (a > 1) FROM t1', 'SELECT count(*) FILTER WHERE a > 1 FROM t1',
  'SELECT row_number() OVER () FROM t1', 'SELECT row_number() OVER (ORDER BY a) FROM t1', 'SELECT sum(a) OVER (PARTITION BY b ORDER BY a) FROM t1',
  'SELECT sum(a) OVER (PARTITION BY b, c ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t1',
  'SELECT sum(a) OVER (ORDER BY a RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES) FROM t1', 'SELECT sum(a) OVER (ORDER BY a GROUPS 2 PRECEDING EXCLUDE NO OTHERS) FROM t1',
  'SELECT sum(a) OVER (ROWS UNBOUNDED PRECEDING) FROM t1', 'SELECT sum(a) OVER (ROWS UNBOUNDED FOLLOWING) FROM t1', 'SELECT sum(a) OVER (ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP) FROM t1',
  'SELECT sum(a) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM t1', 'SELECT sum(a) OVER (ROWS 1) FROM t1', 'SELECT sum(a) OVER (ROWS BETWEEN 1 PRECEDING) FROM t1',
  'SELECT sum(a) OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM t1', 'SELECT sum(a) OVER (EXCLUDE TIES) FROM t1',
  'SELECT sum(a) OVER w FROM t1 WINDOW w AS (ORDER BY a)', 'SELECT sum(a) OVER (w) FROM t1 WINDOW w AS (ORDER BY a)', 'SELECT sum(a) OVER (w ROWS 1 PRECEDING) FROM t1 WINDOW w AS (ORDER BY a)',
  'SELECT sum(a) OVER w FROM t1 WINDOW w AS (PARTITION BY b), v AS (w ORDER BY a)', 'SELECT 1 WINDOW w AS ()', 'SELECT a FROM t1 WINDOW w', 'SELECT a FROM t1 WINDOW w AS',
  'SELECT sum(a) OVER FROM t1', 'SELECT sum(a) OVER (PARTITION a) FROM t1', 'SELECT sum(a) FILTER (WHERE a > 0) OVER (ORDER BY a) FROM t1', 'SELECT sum(a) OVER (ORDER BY a) FILTER (WHERE 1) FROM t1',
  'SELECT a FROM t1 window', 'SELECT a window FROM t1', 'SELECT count(*) over FROM t1', 'SELECT count(*) filter FROM t1',
  // comments and odd spacing
  'SELECT a -- comment\nFROM t1', 'SELECT a /* c */ FROM t1', 'SELECT a /* unterminated', "SELECT ')' , ';' , '--' FROM t1", 'SELECT\ta\nFROM\r\nt1',
  'SELECT 1 -- ; SELECT 2', '/* lead */ SELECT 1', '-- lead\nSELECT 1',
  // not SELECT
  'DELETE FROM t1', 'INSERT INTO t1 VALUES (1, 2, 3)', 'UPDATE t1 SET a = 1', 'CREATE TABLE z(x)', 'DROP TABLE t1', 'PRAGMA table_info(t1)', 'EXPLAIN SELECT 1',
  'WITH c AS (SELECT 1) DELETE FROM t1', 'SELECT 1; SELECT 2', 'BEGIN', ';', '',
];

/** Messages of errors SQLite raises while parsing (grammar or grammar actions). */
const PARSE_ERROR = /syntax error|incomplete input|unrecognized token|unknown join type|should come after|a JOIN clause is required|may only be used within a trigger|contains no statements|more than one statement|no statements/;

type Verdict = 'ok' | 'not-a-query' | 'parse-error' | 'semantic-error';

const QUERY_START = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:select|with|values)\b/i;

function makeDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t1(a, b, c); CREATE TABLE t2(a, b, d); CREATE TABLE t3(x, y)');
  for (const k of KEYWORDS) db.exec(`CREATE TABLE "${k}"("${k}", y)`);
  return db;
}

function sqliteVerdict(db: Database.Database, sql: string): { verdict: Verdict; message: string } {
  try {
    const stmt = db.prepare(sql);
    // Valid SQL that is not a query (DELETE, PRAGMA, EXPLAIN, WITH ... DELETE) must be reported as unsupported.
    return { verdict: stmt.reader && QUERY_START.test(sql) ? 'ok' : 'not-a-query', message: '' };
  } catch (e) {
    const message = (e as Error).message;
    return { verdict: PARSE_ERROR.test(message) ? 'parse-error' : 'semantic-error', message };
  }
}

function ours(sql: string): SqlError | undefined {
  try {
    parseSelect(sql);
    return undefined;
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
}

/** Runs statements through both and returns the disagreements. */
function compare(db: Database.Database, statements: string[]) {
  const counts = { ok: 0, notQuery: 0, parseError: 0, semantic: 0 };
  const problems: string[] = [];
  for (const sql of statements) {
    const { verdict, message } = sqliteVerdict(db, sql);
    const err = ours(sql);
    if (verdict === 'ok') {
      counts.ok++;
      if (err) problems.push(`SQLite accepts, we reject: ${JSON.stringify(sql)}\n    ${err.message}`);
    } else if (verdict === 'not-a-query') {
      counts.notQuery++;
      if (err?.kind !== 'unsupported') problems.push(`not a query, expected an 'unsupported' error: ${JSON.stringify(sql)} (${err?.message ?? 'accepted'})`);
    } else if (verdict === 'parse-error') {
      counts.parseError++;
      if (!err) problems.push(`SQLite rejects (${message}), we accept: ${JSON.stringify(sql)}`);
    } else counts.semantic++;
  }
  return { counts, problems };
}

function keywordStatements(): string[] {
  const out: string[] = [];
  for (const k of KEYWORDS) {
    const q = `"${k}"`;
    out.push(
      `SELECT * FROM ${k}`,
      `SELECT * FROM t1 ${k}`,
      `SELECT * FROM t1 AS ${k}`,
      `SELECT ${k} FROM ${q}`,
      `SELECT 1 FROM ${q} WHERE ${k} = 1`,
      `SELECT ${q}.${k} FROM ${q}`,
      `SELECT ${k}.y FROM ${k}`,
      `SELECT a ${k} FROM t1`,
      `SELECT a AS ${k} FROM t1`,
      `SELECT ${k}(1)`,
      `WITH ${k} AS (SELECT 1) SELECT * FROM ${k}`,
      `SELECT * FROM t1 JOIN ${k} ON 1`,
      `SELECT * FROM t1 ${k} JOIN t2 u ON 1`,
      `SELECT a FROM t1 ORDER BY ${k}`,
      `SELECT count(*) OVER ${k} FROM t1 WINDOW ${k} AS ()`,
      `SELECT a COLLATE ${k} FROM t1`,
      `SELECT CAST(a AS ${k}) FROM t1`,
      `SELECT * FROM t1 JOIN t2 USING (${k})`,
    );
  }
  return out;
}

describe('parseSelect agrees with SQLite on what is valid', () => {
  const db = makeDb();

  test('handwritten statements', (t) => {
    const { counts, problems } = compare(db, HANDWRITTEN);
    t.diagnostic(`SQLite verdicts: ${JSON.stringify(counts)}`);
    assert.deepEqual(problems, []);
    // Sanity: both kinds are well represented, so agreement means something.
    assert.ok(counts.ok >= 150 && counts.parseError >= 100, JSON.stringify(counts));
  });

  test('every SQLite keyword as table, column, alias, function, CTE, window, collation and type name', (t) => {
    const statements = keywordStatements();
    const { counts, problems } = compare(db, statements);
    t.diagnostic(`SQLite verdicts: ${JSON.stringify(counts)}`);
    assert.deepEqual(problems, []);
    assert.ok(counts.ok > 1000 && counts.parseError > 500, JSON.stringify(counts));
  });
});

describe('operator precedence agrees with SQLite (fuzzed)', () => {
  // Deterministic LCG so failures reproduce.
  let seed = 20251121;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)];
  const BIN = ['+', '-', '*', '/', '%', '||', '&', '|', '<<', '>>', '<', '<=', '>', '>=', '=', '==', '!=', '<>', 'IS', 'IS NOT', 'AND', 'OR', 'LIKE', 'NOT LIKE', 'GLOB', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM', '->>'];
  const POST = ['ISNULL', 'NOTNULL', 'NOT NULL', 'IS NULL', 'IS NOT NULL', 'COLLATE nocase', 'IN (1, 2)', 'NOT IN (0)', 'IN ()', 'IN (SELECT 2)'];
  const PRE = ['-', '+', '~', 'NOT '];
  const operand = (d: number): string => {
    const r = rnd();
    if (r < 0.12 && d < 3) return pick(PRE) + operand(d + 1);
    if (r < 0.2 && d < 3) return `(${expr(d + 1)})`;
    if (r < 0.24 && d < 3) return `CASE WHEN ${expr(d + 1)} THEN ${expr(d + 1)} ELSE ${operand(d + 1)} END`;
    if (r < 0.27) return 'NULL';
    if (r < 0.3) return "'1'";
    return String(Math.floor(rnd() * 7) - 1);
  };
  const expr = (d: number): string => {
    let s = operand(d);
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      if (r < 0.12) s += ` ${pick(POST)}`;
      else if (r < 0.2) s += ` ${rnd() < 0.3 ? 'NOT ' : ''}BETWEEN ${operand(d + 1)} AND ${operand(d + 1)}`;
      else s += ` ${pick(BIN)} ${operand(d)}`;
    }
    return s;
  };

  test('2,000 random expressions evaluate the same as written and as re-printed from our tree', (t) => {
    const db = new Database(':memory:');
    let compared = 0;
    const problems: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const e = expr(0);
      let want: unknown;
      let sqliteError = '';
      try {
        want = db.prepare(`SELECT ${e}`).raw().get();
      } catch (err) {
        sqliteError = (err as Error).message;
      }
      let printed: string;
      try {
        printed = printExpr(parseExpression(e));
      } catch (err) {
        if (!sqliteError) problems.push(`rejected ${e}: ${(err as Error).message}`);
        continue;
      }
      if (sqliteError) {
        if (PARSE_ERROR.test(sqliteError)) problems.push(`accepted ${e}; SQLite: ${sqliteError}`);
        continue;
      }
      const got = db.prepare(`SELECT ${printed}`).raw().get();
      compared++;
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${e}\n    as ${printed}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
    t.diagnostic(`${compared} expressions evaluated both ways`);
    assert.ok(compared > 1900, `only ${compared} expressions compared`);
    assert.deepEqual(problems, []);
  });
});
