import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ColumnRef, Expr, FromItem, FunctionCall, JoinRef, SelectCore, SelectStmt, SubqueryExpr, TableRef } from '../../src/core/sql/ast.ts';
import { SqlError } from '../../src/core/sql/errors.ts';
import { parseExpression, parseSelect } from '../../src/core/sql/parse.ts';
import { printExpr, printSelect } from '../../src/core/sql/print.ts';

const pe = (sql: string) => printExpr(parseExpression(sql));
const ps = (sql: string) => printSelect(parseSelect(sql));
const core = (s: SelectStmt) => s.body as SelectCore;
const firstExpr = (sql: string) => {
  const c = core(parseSelect(sql)).columns[0];
  assert.equal(c.kind, 'expr');
  return (c as Extract<typeof c, { kind: 'expr' }>).expr;
};
const from = (sql: string) => core(parseSelect(sql)).from!;

function syntaxError(sql: string, parse: (s: string) => unknown = parseSelect): SqlError {
  try {
    parse(sql);
  } catch (e) {
    assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected a syntax error for: ${sql}`);
}

describe('operator precedence (SQLite lang_expr.html)', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 % 3 * 2', '(((8 / 4) % 3) * 2)'],
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b OR c AND d', '((a AND b) OR (c AND d))'],
    ['NOT a = b', '(NOT (a = b))'],
    ['NOT a AND b', '((NOT a) AND b)'],
    ['NOT NOT a', '(NOT (NOT a))'],
    ['a = b < c', '(a = (b < c))'],
    ['a < b & c', '(a < (b & c))'],
    ['a & b + c', '(a & (b + c))'],
    ['a << 1 >> 2 | 3', '(((a << 1) >> 2) | 3)'],
    ['a + b * c', '(a + (b * c))'],
    ['a * b || c', '(a * (b || c))'],
    ["a -> '$.x' ->> 'y'", "((a -> '$.x') ->> 'y')"],
    ['-a || b', '((-a) || b)'],
    ['- - a', '(-(-a))'],
    ['~a & b', '((~a) & b)'],
    ['-a COLLATE nocase', '((-a) COLLATE nocase)'],
    ['a || b COLLATE nocase', '(a || (b COLLATE nocase))'],
    ['a = b = c', '((a = b) = c)'],
    ['a == b', '(a = b)'],
    ['a <> b', '(a != b)'],
    ['a BETWEEN 1 AND 2 AND b', '((a BETWEEN 1 AND 2) AND b)'],
    ['a BETWEEN b + 1 AND c * 2', '(a BETWEEN (b + 1) AND (c * 2))'],
    ['a NOT BETWEEN 1 AND 2', '(a NOT BETWEEN 1 AND 2)'],
    ['a BETWEEN 1 AND 2 = 0', '((a BETWEEN 1 AND 2) = 0)'],
    ["a LIKE 'x%' ESCAPE '!'", "(a LIKE 'x%' ESCAPE '!')"],
    ["a NOT LIKE b || '%'", "(a NOT LIKE (b || '%'))"],
    ["a NOT GLOB 'x*'", "(a NOT GLOB 'x*')"],
    ['a REGEXP b', '(a REGEXP b)'],
    ['a NOT MATCH b', '(a NOT MATCH b)'],
    ['a = 1 IS NULL', '((a = 1) IS NULL)'],
    ['a IS NULL', '(a IS NULL)'],
    ['a IS NOT NULL', '(a IS NOT NULL)'],
    ['a ISNULL', '(a IS NULL)'],
    ['a NOTNULL', '(a IS NOT NULL)'],
    ['a NOT NULL', '(a IS NOT NULL)'],
    ['a IS b', '(a IS b)'],
    ['a IS NOT b + 1', '(a IS NOT (b + 1))'],
    ['a IS DISTINCT FROM b', '(a IS NOT b)'],
    ['a IS NOT DISTINCT FROM b', '(a IS b)'],
    ['a IS DISTINCT FROM NULL', '(a IS NOT NULL)'],
    ['x IN (1, 2) AND y', '((x IN (1, 2)) AND y)'],
    ['x NOT IN (SELECT 1)', '(x NOT IN (SELECT 1))'],
    // IN (...) / ISNULL end in a token, so a tighter operator takes them as its left operand.
    ['x IN (1) + 1', '((x IN (1)) + 1)'],
    ['x ISNULL * 2', '((x IS NULL) * 2)'],
    ['1 + NOT 2 = 3', '(1 + (NOT (2 = 3)))'],
    ['NOT EXISTS (SELECT 1) = 0', '(NOT ((EXISTS (SELECT 1)) = 0))'],
    ['CASE WHEN a THEN b ELSE c END + 1', '(CASE WHEN a THEN b ELSE c END + 1)'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
  ];
  for (const [input, expected] of cases) {
    test(input, () => assert.equal(pe(input), expected));
  }
});

describe('statements', () => {
  test('compound selects are left-deep with equal precedence; ORDER BY/LIMIT wrap the compound', () => {
    const s = parseSelect('SELECT 1 UNION SELECT 2 EXCEPT VALUES (3) INTERSECT SELECT 4 UNION ALL SELECT 5 ORDER BY 1 LIMIT 2');
    const ops: string[] = [];
    let b = s.body;
    while (b.kind === 'compound') {
      ops.push(b.op);
      assert.notEqual(b.right.kind, 'compound');
      b = b.left;
    }
    assert.deepEqual(ops, ['UNION ALL', 'INTERSECT', 'EXCEPT', 'UNION']);
    assert.equal(s.orderBy!.length, 1);
    assert.equal(printExpr(s.limit!.count), '2');
    // ORDER BY and LIMIT belong to the last core in SQLite's grammar, so VALUES can't end an ordered compound.
    assert.match(syntaxError('SELECT 1 UNION VALUES (2) ORDER BY 1').message, /VALUES cannot take ORDER BY/);
  });

  test('LIMIT a, b is LIMIT b OFFSET a', () => {
    const s = parseSelect('SELECT x FROM t LIMIT 5, 10');
    assert.equal(printExpr(s.limit!.count), '10');
    assert.equal(printExpr(s.limit!.offset!), '5');
    const t = parseSelect('SELECT x FROM t LIMIT 10 OFFSET 5');
    assert.equal(printExpr(t.limit!.count), '10');
    assert.equal(printExpr(t.limit!.offset!), '5');
  });

  test('ORDER BY items: COLLATE, direction, NULLS', () => {
    const s = parseSelect('SELECT a FROM t ORDER BY a COLLATE NOCASE DESC NULLS LAST, b ASC, c NULLS FIRST, (d COLLATE binary)');
    const [a, b, c, d] = s.orderBy!;
    assert.deepEqual([a.collate, a.desc, a.nulls, printExpr(a.expr)], ['NOCASE', true, 'LAST', 'a']);
    assert.deepEqual([b.collate, b.desc, b.nulls], [undefined, false, undefined]);
    assert.equal(c.nulls, 'FIRST');
    // a parenthesized COLLATE stays part of the expression
    assert.equal(d.expr.kind, 'collate');
  });

  test('VALUES statement and VALUES in a CTE', () => {
    const s = parseSelect('VALUES (1, 2), (3, 4)');
    assert.equal(s.body.kind, 'values');
    assert.equal(s.body.kind === 'values' && s.body.rows.length, 2);
    assert.equal(ps('WITH v(a, b) AS (VALUES (1, 2)) SELECT a FROM v'), 'WITH v(a, b) AS (VALUES (1, 2)) SELECT a FROM v');
  });

  test('WITH RECURSIVE, column lists, MATERIALIZED, nested WITH', () => {
    const sql = 'WITH RECURSIVE c(n) AS NOT MATERIALIZED (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5), d AS MATERIALIZED (WITH e AS (SELECT 2) SELECT * FROM e) SELECT * FROM c, (WITH f AS (SELECT 3) SELECT * FROM f)';
    const s = parseSelect(sql);
    assert.equal(s.with!.recursive, true);
    const [c, d] = s.with!.ctes;
    assert.equal(c.name.name, 'c');
    assert.deepEqual(c.columns!.map((x) => x.name), ['n']);
    assert.equal(c.materialized, 'NOT MATERIALIZED');
    assert.equal(d.materialized, 'MATERIALIZED');
    assert.equal(d.query.with!.ctes[0].name.name, 'e');
    const join = core(s).from as JoinRef;
    assert.equal(join.join, 'comma');
    assert.equal(join.right.kind === 'subquery' && join.right.query.with!.ctes[0].name.name, 'f');
    // CTE ranges: the body is exactly the text between the parentheses
    assert.equal(sql[c.openParen], '(');
    assert.equal(sql[c.closeParen], ')');
    assert.equal(sql.slice(c.openParen + 1, c.closeParen), sql.slice(c.query.start, c.query.end));
    assert.equal(sql.slice(d.start, d.end), 'd AS MATERIALIZED (WITH e AS (SELECT 2) SELECT * FROM e)');
    assert.equal(sql.slice(s.with!.start, s.with!.end), sql.slice(0, d.end));
  });

  test('SELECT DISTINCT / ALL, GROUP BY, HAVING, WINDOW', () => {
    const s = parseSelect('SELECT DISTINCT a, count(*) OVER w FROM t GROUP BY a, b HAVING count(*) > 1 WINDOW w AS (PARTITION BY a), v AS (w ORDER BY b)');
    const c = core(s);
    assert.equal(c.distinct, true);
    assert.equal(c.groupBy!.length, 2);
    assert.equal(printExpr(c.having!), '(count(*) > 1)');
    assert.deepEqual(c.windows!.map((w) => w.name.name), ['w', 'v']);
    assert.equal(c.windows![1].spec.base, 'w');
    assert.equal(core(parseSelect('SELECT ALL a FROM t')).distinct, false);
  });

  test('result columns: *, t.*, aliases with and without AS, string and quoted aliases', () => {
    const c = core(parseSelect(`SELECT *, t.*, a AS x, b y, c 'z', d AS "w w", e [v], f AS left, g asc FROM t`));
    assert.deepEqual(
      c.columns.map((r) => (r.kind === 'star' ? `*${r.table?.name ?? ''}` : r.alias?.name ?? '')),
      ['*', '*t', 'x', 'y', 'z', 'w w', 'v', 'left', 'asc'],
    );
  });
});

describe('FROM clause', () => {
  test('join operators', () => {
    const kinds = (sql: string) => {
      const out: string[] = [];
      let f: FromItem = from(sql);
      while (f.kind === 'join') {
        out.unshift(`${f.natural ? 'natural ' : ''}${f.join}`);
        f = f.left;
      }
      return out;
    };
    assert.deepEqual(
      kinds('SELECT * FROM a, b JOIN c INNER JOIN d LEFT JOIN e LEFT OUTER JOIN f RIGHT JOIN g FULL OUTER JOIN h CROSS JOIN i NATURAL JOIN j NATURAL LEFT OUTER JOIN k'),
      ['comma', 'inner', 'inner', 'left', 'left', 'right', 'full', 'cross', 'natural inner', 'natural left'],
    );
  });

  test('ON and USING attach to the join on their left', () => {
    const j = from('SELECT * FROM a JOIN b ON a.x = b.x JOIN c USING (x, y)') as JoinRef;
    assert.deepEqual(j.using!.map((u) => u.name), ['x', 'y']);
    assert.equal(printExpr((j.left as JoinRef).on!), '(a.x = b.x)');
  });

  test('tables: schema, alias, INDEXED BY, NOT INDEXED, table-valued functions, subqueries', () => {
    const j = from("SELECT * FROM main.t AS a INDEXED BY i, u b NOT INDEXED, json_each('[1]') AS j, (SELECT 1) s") as JoinRef;
    const flat: FromItem[] = [];
    let f: FromItem = j;
    while (f.kind === 'join') {
      flat.unshift(f.right);
      f = f.left;
    }
    flat.unshift(f);
    const [t, u, fn, sub] = flat as [TableRef, TableRef, FromItem, FromItem];
    assert.deepEqual([t.schema!.name, t.name.name, t.alias!.name, t.indexedBy!.name], ['main', 't', 'a', 'i']);
    assert.deepEqual([u.alias!.name, u.notIndexed], ['b', true]);
    assert.equal(fn.kind, 'function');
    assert.equal(fn.kind === 'function' && printExpr(fn.args[0]), "'[1]'");
    assert.equal(sub.kind, 'subquery');
    assert.equal(sub.alias!.name, 's');
  });

  test('parenthesized join groups nest on the right', () => {
    const sql = 'SELECT * FROM a LEFT JOIN (b JOIN c ON b.x = c.x) ON a.y = b.y';
    const j = from(sql) as JoinRef;
    assert.equal(j.join, 'left');
    const g = j.right as JoinRef;
    assert.equal(g.kind, 'join');
    assert.equal(sql.slice(g.start, g.end), 'b JOIN c ON b.x = c.x');
    assert.equal(sql.slice(g.parens!.start, g.parens!.end), '(b JOIN c ON b.x = c.x)');
    assert.equal(ps(sql), 'SELECT * FROM a LEFT JOIN (b INNER JOIN c ON (b.x = c.x)) ON (a.y = b.y)');
    const aliased = from('SELECT * FROM (a JOIN b) AS g') as JoinRef;
    assert.equal(aliased.alias!.name, 'g');
    const single = from('SELECT * FROM ((t)) AS x') as TableRef;
    assert.deepEqual([single.name.name, single.alias!.name], ['t', 'x']);
  });

  test('keyword-named tables and columns (SQLite fallback)', () => {
    assert.equal(ps('SELECT count(*) FROM Match'), 'SELECT count(*) FROM Match');
    assert.equal(ps('SELECT T1.Year, rank FROM Show AS T1 JOIN result ON T1.date = result.time'), 'SELECT T1.Year, rank FROM Show AS T1 INNER JOIN result ON (T1.date = result.time)');
    assert.equal(ps('SELECT language, count FROM Count, left, "order"'), 'SELECT language, count FROM Count, left, "order"');
    assert.equal(ps('SELECT x AS full FROM t AS left JOIN u AS right ON 1'), 'SELECT x AS full FROM t AS left INNER JOIN u AS right ON 1');
    assert.equal(ps('SELECT replace(a, 1, 2), like(a, b), glob(a, b) FROM t'), 'SELECT replace(a, 1, 2), like(a, b), glob(a, b) FROM t');
    // join keywords are not bare aliases: this is a LEFT JOIN, not table t aliased "left"
    assert.equal((from('SELECT * FROM t left JOIN u') as JoinRef).join, 'left');
    assert.match(syntaxError('SELECT * FROM order').message, /near "order"/);
  });
});

describe('expressions', () => {
  test('literals keep source text or unescaped value', () => {
    const lit = (s: string) => {
      const e = parseExpression(s);
      assert.equal(e.kind, 'literal');
      return e.kind === 'literal' ? [e.type, e.value] : [];
    };
    assert.deepEqual(lit('1.50'), ['number', '1.50']);
    assert.deepEqual(lit('0x1F'), ['number', '0x1F']);
    assert.deepEqual(lit('1e3'), ['number', '1e3']);
    assert.deepEqual(lit('.5'), ['number', '.5']);
    assert.deepEqual(lit("'it''s'"), ['string', "it's"]);
    assert.deepEqual(lit("X'0aFF'"), ['blob', '0aFF']);
    assert.deepEqual(lit('null'), ['null', 'NULL']);
    assert.deepEqual(lit('true'), ['bool', 'TRUE']);
    assert.deepEqual(lit('False'), ['bool', 'FALSE']);
    assert.deepEqual(lit('current_timestamp'), ['current', 'CURRENT_TIMESTAMP']);
  });

  test('bind parameters', () => {
    assert.deepEqual(
      ['?', '?3', ':name', '@v', '$x'].map((p) => {
        const e = parseExpression(p);
        return e.kind === 'param' ? e.text : '';
      }),
      ['?', '?3', ':name', '@v', '$x'],
    );
  });

  test('column references and quoting', () => {
    const col = (s: string) => parseExpression(s) as ColumnRef;
    const q = col('"Name"');
    assert.deepEqual([q.column.name, q.column.quoted, q.column.quote], ['Name', true, '"']);
    const b = col('[my col]');
    assert.deepEqual([b.column.name, b.column.quote], ['my col', '[']);
    const t = col('`T1`.`Percent (%)`');
    assert.deepEqual([t.table!.name, t.column.name, t.column.quote], ['T1', 'Percent (%)', '`']);
    const s3 = col('main.t.c');
    assert.deepEqual([s3.schema!.name, s3.table!.name, s3.column.name, s3.column.quoted], ['main', 't', 'c', false]);
  });

  test('function calls', () => {
    const f = parseExpression('COUNT(DISTINCT a)') as FunctionCall;
    assert.deepEqual([f.name, f.distinct, f.star, f.args.length], ['count', true, false, 1]);
    assert.equal((parseExpression('count(*)') as FunctionCall).star, true);
    assert.equal((parseExpression('random()') as FunctionCall).args.length, 0);
    const g = parseExpression("group_concat(a, ',' ORDER BY b DESC)") as FunctionCall;
    assert.deepEqual([g.args.length, g.orderBy![0].desc], [2, true]);
    const w = parseExpression('sum(x) FILTER (WHERE x > 0) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW)') as FunctionCall;
    assert.equal(printExpr(w.filter!), '(x > 0)');
    assert.equal(w.over!.partitionBy!.length, 1);
    assert.equal(w.over!.frame, 'ROWS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW');
    const r = parseExpression('rank() over  ( order by x  range   current row )') as FunctionCall;
    assert.equal(r.over!.frame, 'RANGE CURRENT ROW');
    const n = parseExpression('row_number() OVER win') as FunctionCall;
    assert.deepEqual([n.over!.base, n.over!.bare], ['win', true]);
    assert.equal(printExpr(parseExpression('max(x) over ()')), 'max(x) OVER ()');
  });

  test('CASE, CAST, EXISTS, subqueries, IN forms, row values', () => {
    assert.equal(pe('CASE x WHEN 1 THEN a WHEN 2 THEN b END'), 'CASE x WHEN 1 THEN a WHEN 2 THEN b END');
    assert.equal(pe("case when a > 1 then 'y' else 'n' end"), "CASE WHEN (a > 1) THEN 'y' ELSE 'n' END");
    const casts = ['CAST(a AS real)', 'CAST(a AS varchar ( 10 ))', 'CAST(a AS decimal(10, -2))', 'CAST(a AS double  precision)', 'CAST(a AS)'].map((s) => {
      const e = parseExpression(s);
      return e.kind === 'cast' ? e.type : '';
    });
    assert.deepEqual(casts, ['REAL', 'VARCHAR(10)', 'DECIMAL(10,-2)', 'DOUBLE PRECISION', '']);
    const ex = parseExpression('NOT EXISTS (SELECT 1)');
    assert.deepEqual([ex.kind, ex.kind === 'exists' && ex.not], ['exists', true]);
    assert.equal(parseExpression('(SELECT max(a) FROM t)').kind, 'subquery');
    const forms = ['x IN (1, 2)', 'x IN (SELECT a FROM t)', 'x IN t', 'x IN main.t', "x IN json_each('[1]')", 'x IN ()'].map((s) => {
      const e = parseExpression(s);
      assert.equal(e.kind, 'in');
      if (e.kind !== 'in') return '';
      return [e.list ? `list${e.list.length}` : '', e.query ? 'query' : '', e.table?.name ?? '', e.tableSchema?.name ?? '', e.tableArgs ? 'args' : ''].join('|');
    });
    assert.deepEqual(forms, ['list2||||', '|query|||', '||t||', '||t|main|', '||json_each||args', 'list0||||']);
    assert.equal(pe('(a, b) = (1, 2)'), '((a, b) = (1, 2))');
    assert.equal(pe('(a, b) IN (SELECT 1, 2)'), '((a, b) IN (SELECT 1, 2))');
  });
});

describe('source ranges', () => {
  test('every node slices to its own text', () => {
    const sql = 'SELECT  T1.name, COUNT(DISTINCT T2.id) AS n, (SELECT max(x) FROM u) FROM singer AS T1 JOIN concert T2 ON T1.id = T2.sid WHERE (T1.age > 20)  AND T1.x IN (1, 2) GROUP BY T1.name';
    const s = parseSelect(sql);
    const c = core(s);
    const text = (r: { start: number; end: number }) => sql.slice(r.start, r.end);
    const [col, fn, sub] = c.columns.map((r) => (r.kind === 'expr' ? r.expr : undefined));
    assert.equal(text(col!), 'T1.name');
    assert.equal(text((col as ColumnRef).table!), 'T1');
    assert.equal(text(fn!), 'COUNT(DISTINCT T2.id)');
    assert.equal(text((fn as FunctionCall).nameRange), 'COUNT');
    assert.equal(text(c.columns[1]), 'COUNT(DISTINCT T2.id) AS n');
    assert.equal(text(sub!), '(SELECT max(x) FROM u)');
    assert.equal(text((sub as SubqueryExpr).query), 'SELECT max(x) FROM u');
    const j = c.from as JoinRef;
    assert.equal(text(j), 'singer AS T1 JOIN concert T2 ON T1.id = T2.sid');
    assert.equal(text(j.left), 'singer AS T1');
    assert.equal(text(j.right), 'concert T2');
    assert.equal(text(j.on!), 'T1.id = T2.sid');
    const where = c.where!;
    assert.equal(text(where), '(T1.age > 20)  AND T1.x IN (1, 2)');
    assert.equal(where.kind === 'binary' && text(where.left), 'T1.age > 20');
    assert.equal(where.kind === 'binary' && text(where.left.parens!), '(T1.age > 20)');
    assert.equal(where.kind === 'binary' && text(where.right), 'T1.x IN (1, 2)');
    assert.equal(text(c), sql);
    assert.equal(text(s), sql);
  });

  test('statement range excludes the trailing semicolon and comments', () => {
    const sql = '  SELECT 1 -- one\n ;  /* done */ ';
    const s = parseSelect(sql);
    assert.equal(sql.slice(s.start, s.end), 'SELECT 1');
  });

  test('compound and ORDER BY ranges', () => {
    const sql = 'SELECT a FROM t UNION SELECT b FROM u ORDER BY 1';
    const s = parseSelect(sql);
    assert.equal(sql.slice(s.body.start, s.body.end), 'SELECT a FROM t UNION SELECT b FROM u');
    assert.equal(s.body.kind === 'compound' && sql.slice(s.body.right.start, s.body.right.end), 'SELECT b FROM u');
    assert.equal(sql.slice(s.orderBy![0].start, s.orderBy![0].end), '1');
  });

  test('offsets are UTF-16 positions in text with non-ASCII characters', () => {
    const sql = "SELECT 'héllo 😀', naïve FROM t";
    const e = core(parseSelect(sql)).columns[1];
    assert.equal(sql.slice(e.start, e.end), 'naïve');
  });
});

describe('comments, strings and quoting', () => {
  test('comments and strings containing ) ; --', () => {
    const sql = "SELECT a /* ) ; */, ')' || ';' || '--' -- trailing ) ;\nFROM t WHERE b = 'x -- y' /* unterminated at end is allowed";
    const s = parseSelect(sql);
    assert.equal(core(s).columns.length, 2);
    assert.equal(printExpr(core(s).where!), "(b = 'x -- y')");
  });

  test('brackets, backticks and double quotes with spaces and keywords', () => {
    assert.equal(ps('SELECT [Percent (%)], `order`, "select" FROM [my table] AS `t`'), 'SELECT [Percent (%)], `order`, "select" FROM [my table] AS `t`');
    assert.equal(ps('SELECT "a""b"'), 'SELECT "a""b"');
  });
});

describe('errors', () => {
  test('unexpected token: names token, line and column', () => {
    const e = syntaxError('SELECT a,\n  FROM t');
    assert.equal(e.kind, 'syntax');
    assert.equal(e.token, 'FROM');
    assert.equal(e.line, 2);
    assert.equal(e.column, 3);
    assert.match(e.message, /syntax error: expected an expression near "FROM" at line 2, column 3/);
  });

  test('unexpected end of input', () => {
    const e = syntaxError('SELECT a FROM t WHERE (a = 1');
    assert.equal(e.token, '');
    assert.match(e.message, /^incomplete input: expected "\)" at end of input at line 1, column 29$/);
    assert.match(syntaxError('SELECT').message, /incomplete input: expected an expression/);
    assert.match(syntaxError('').message, /incomplete input/);
  });

  test('unterminated constructs', () => {
    assert.match(syntaxError("SELECT 'abc").message, /unterminated string literal near "'" at line 1, column 8/);
    assert.match(syntaxError('SELECT "abc').message, /unterminated quoted identifier/);
    assert.match(syntaxError('SELECT [abc').message, /unterminated \[identifier\]/);
    assert.match(syntaxError('SELECT (1 + 2').message, /incomplete input: expected "\)"/);
    assert.match(syntaxError('SELECT CASE WHEN 1 THEN 2').message, /incomplete input: expected END/);
  });

  test('a syntax error before an unterminated string is reported first, like SQLite', () => {
    const e = syntaxError("SELECT a FROM t WHERE name = 'Women's Soccer'");
    assert.equal(e.token, 's');
  });

  test('trailing text after the statement', () => {
    assert.equal(syntaxError('SELECT 1 FROM t t2 t3').token, 't3');
    assert.equal(syntaxError('SELECT 1)').token, ')');
    const second = syntaxError('SELECT 1; SELECT 2');
    assert.equal(second.kind, 'unsupported');
    assert.match(second.message, /only one statement/);
    assert.doesNotThrow(() => parseSelect('SELECT 1;;  -- done'));
  });

  test('statements other than SELECT are unsupported', () => {
    for (const [sql, word] of [
      ['DELETE FROM t', 'DELETE'],
      ['insert into t values (1)', 'INSERT'],
      ['CREATE TABLE t(x)', 'CREATE'],
      ['UPDATE t SET x = 1', 'UPDATE'],
      ['WITH c AS (SELECT 1) DELETE FROM t', 'DELETE'],
    ]) {
      const e = syntaxError(sql);
      assert.equal(e.kind, 'unsupported');
      assert.match(e.message, new RegExp(`only SELECT statements are analyzed; found ${word}`));
    }
  });

  test('SQLite parse-time errors', () => {
    assert.match(syntaxError('SELECT 1 ORDER BY 1 UNION SELECT 2').message, /ORDER BY clause should come after UNION not before/);
    assert.match(syntaxError('SELECT * FROM t ON 1').message, /a JOIN clause is required before ON/);
    assert.match(syntaxError('SELECT * FROM t OUTER JOIN u').message, /unknown join type: OUTER/);
    assert.match(syntaxError('SELECT * FROM t INNER OUTER JOIN u').message, /unknown join type: INNER OUTER/);
    assert.match(syntaxError('SELECT count(t.*) FROM t').message, /near "\*"/);
    assert.match(syntaxError('SELECT 1 UNION (SELECT 2)').message, /expected SELECT or VALUES after UNION near "\("/);
  });

  test('parseExpression rejects trailing text', () => {
    assert.equal(syntaxError('a b', parseExpression).token, 'b');
  });
});

describe('printer', () => {
  test('printing is a fixed point of parse . print', () => {
    const statements = [
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10) SELECT DISTINCT x, count(*) FILTER (WHERE x > 1) OVER (PARTITION BY x ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS n FROM c WHERE x NOT IN (SELECT 1) AND x BETWEEN 1 AND 2 OR x LIKE '%a' ESCAPE '!' GROUP BY x HAVING n > 1 ORDER BY 1 DESC NULLS LAST LIMIT 3 OFFSET 1",
      'SELECT a.*, CAST(b AS INTEGER), CASE WHEN c THEN d END, -e, NOT f, g COLLATE nocase FROM t AS a NATURAL LEFT JOIN u USING (k) CROSS JOIN (v JOIN w ON v.x = w.x)',
      "SELECT X'AB', 'it''s', ?1, :n, NULL, TRUE, current_date, (1, 2) FROM t1, json_each('[]') AS j",
    ];
    for (const sql of statements) {
      const once = ps(sql);
      assert.equal(ps(once), once);
    }
  });
});

describe('AST details', () => {
  test('double-quoted names stay column references for the planner to resolve', () => {
    const e = firstExpr('SELECT "USA"') as Expr;
    assert.equal(e.kind, 'column');
    assert.equal(e.kind === 'column' && e.column.quote, '"');
  });

  test('optional fields are omitted rather than undefined', () => {
    const s = parseSelect('SELECT a FROM t');
    assert.deepEqual(Object.keys(s).sort(), ['body', 'end', 'kind', 'start']);
    assert.deepEqual(Object.keys(core(s)).sort(), ['columns', 'distinct', 'end', 'from', 'kind', 'start']);
  });
});
