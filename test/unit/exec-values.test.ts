// Values, column metadata and Python sqlite3's statement rules, through the
// real worker processes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExecPool } from '../../src/core/exec/pool.ts';
import { makeDb, tempDir } from '../helpers/exec-fixtures.ts';

describe('execution values and statement rules', () => {
  let cleanup: () => void;
  let db: string;
  let pool: ExecPool;
  before(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = makeDb(
      join(t.dir, 'values.sqlite'),
      `CREATE TABLE v(id INTEGER PRIMARY KEY, big INTEGER, r REAL, s TEXT, b BLOB, n NUMERIC);
       INSERT INTO v VALUES
         (1, 9223372036854775807, 1.5, 'Zoë 🙂', x'00ff10', NULL),
         (2, -9223372036854775808, -0.0, '', x'', 3),
         (3, 9007199254740993, 0.1, 'a''b', NULL, 2.5),
         (4, 9007199254740992, 1e300, 'x', x'27', NULL),
         (5, -9007199254740992, NULL, NULL, NULL, NULL);`,
    );
    pool = new ExecPool({ size: 1 });
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('integers beyond 2^53 come back as exact bigint, others as number', async () => {
    const r = await pool.run({ db, sql: 'SELECT id, big FROM v ORDER BY id' });
    assert.equal(r.error, null);
    assert.deepEqual(r.rows, [
      [1, 9223372036854775807n],
      [2, -9223372036854775808n],
      [3, 9007199254740993n],
      [4, 9007199254740992],
      [5, -9007199254740992],
    ]);
    const sum = await pool.run({ db, sql: 'SELECT 4611686018427387903 * 2 + 1, 2 * 3, 4611686018427387904 * 2' });
    // The last one overflows 64-bit integer arithmetic, so SQLite (and Python) give a REAL.
    assert.deepEqual(sum.rows, [[9223372036854775807n, 6, 9223372036854775808]]);
  });

  test('REAL, TEXT, BLOB and NULL keep their types', async () => {
    const r = await pool.run({ db, sql: 'SELECT r, s, b, n FROM v ORDER BY id' });
    assert.equal(r.error, null);
    const [r1, r2, r3, r4, r5] = r.rows;
    assert.equal(r1[0], 1.5);
    assert.equal(r1[1], 'Zoë 🙂');
    assert.ok(r1[2] instanceof Uint8Array);
    assert.deepEqual([...(r1[2] as Uint8Array)], [0x00, 0xff, 0x10]);
    assert.equal(r1[3], null);
    assert.ok(Object.is(r2[0], -0) || r2[0] === 0);
    assert.equal(r2[1], '');
    assert.deepEqual([...(r2[2] as Uint8Array)], []);
    assert.equal(r2[3], 3);
    assert.equal(r3[0], 0.1);
    assert.equal(r3[1], "a'b");
    assert.equal(r3[2], null);
    assert.equal(r3[3], 2.5);
    assert.equal(r4[0], 1e300);
    assert.deepEqual(r5, [null, null, null, null]);
    // Arithmetic stays binary64, like Python: no rounding anywhere.
    const f = await pool.run({ db, sql: 'SELECT 0.1 + 0.2, 1.0 / 3, 32.0, 7 / 2' });
    assert.deepEqual(f.rows, [[0.30000000000000004, 1 / 3, 32, 3]]);
  });

  test('column names and declared types', async () => {
    const r = await pool.run({ db, sql: 'SELECT id, big AS "Big One", r, s, b, n, count(*) AS c, 1 + 1 FROM v' });
    assert.deepEqual(r.columns, ['id', 'Big One', 'r', 's', 'b', 'n', 'c', '1 + 1']);
    assert.deepEqual(r.types, ['INTEGER', 'INTEGER', 'REAL', 'TEXT', 'BLOB', 'NUMERIC', null, null]);
    const empty = await pool.run({ db, sql: 'SELECT s AS name FROM v WHERE 0' });
    assert.deepEqual(empty.columns, ['name']);
    assert.deepEqual(empty.rows, []);
  });

  test('empty, whitespace-only and comment-only SQL succeed with no rows and no columns (as in Python)', async () => {
    for (const sql of ['', '   ', '\n\t', '-- only a comment', '/* block */', '/* unterminated', ';', ' ; ;', '-- c\n;']) {
      const r = await pool.run({ db, sql });
      assert.equal(r.error, null, JSON.stringify(sql));
      assert.deepEqual([r.columns, r.rows], [[], []], JSON.stringify(sql));
    }
  });

  test('trailing semicolons, whitespace and comments are fine; a second statement is not', async () => {
    for (const sql of ['SELECT 1', 'SELECT 1;', 'SELECT 1; ', 'SELECT 1; -- c', 'SELECT 1; /* c */', 'SELECT 1 -- c;', '; SELECT 1', "SELECT ';;' = 'x';"]) {
      const r = await pool.run({ db, sql });
      assert.equal(r.error, null, `${JSON.stringify(sql)}: ${JSON.stringify(r.error)}`);
      assert.equal(r.rows.length, 1, sql);
    }
    for (const sql of ['SELECT 1;;', 'SELECT 1; ;', 'SELECT 1; SELECT 2', 'SELECT 1; garbage', 'SELECT 1; -- c\n;']) {
      const r = await pool.run({ db, sql });
      assert.equal(r.error?.kind, 'multiple_statements', JSON.stringify(sql));
      assert.equal(r.error?.message, 'You can only execute one statement at a time.');
    }
  });

  test('compile errors are syntax, failures while running are runtime', async () => {
    const cases: [string, string, RegExp][] = [
      ['SELEC name FROM v', 'syntax', /near "SELEC": syntax error/],
      ['SELECT nope FROM v', 'syntax', /no such column: nope/],
      ['SELECT * FROM nowhere', 'syntax', /no such table: nowhere/],
      // The first statement's compile error wins over the second statement, as in Python.
      ['SELEC 1; SELECT 2', 'syntax', /syntax error/],
      ["SELECT abs(-9223372036854775808)", 'runtime', /integer overflow/],
    ];
    for (const [sql, kind, msg] of cases) {
      const r = await pool.run({ db, sql });
      assert.equal(r.error?.kind, kind, sql);
      assert.match(r.error!.message, msg);
    }
  });

  test('row cap: truncated flag, or too_many_rows in error mode; no cap by default', async () => {
    const sql = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 50) SELECT x FROM c';
    const full = await pool.run({ db, sql });
    assert.equal(full.rows.length, 50);
    assert.equal(full.truncated, false);
    const capped = await pool.run({ db, sql, rowCap: 10 });
    assert.deepEqual(capped.rows.map((r) => r[0]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(capped.truncated, true);
    const exact = await pool.run({ db, sql, rowCap: 50 });
    assert.equal(exact.truncated, false, 'a cap equal to the row count is not a truncation');
    const strict = new ExecPool({ size: 1, rowCap: 10, rowCapMode: 'error' });
    try {
      const r = await strict.run({ db, sql });
      assert.equal(r.error?.kind, 'too_many_rows');
      assert.deepEqual(r.rows, []);
      assert.equal((await strict.run({ db, sql: 'SELECT 1' })).error, null);
    } finally {
      await strict.close();
    }
  });

  test('relative paths resolve against the current directory; results come back in input order', async () => {
    const rel = join('.', db.slice(process.cwd().length + 1));
    const sqls = Array.from({ length: 300 }, (_, i) => `SELECT ${i}, '${'x'.repeat(i % 7)}'`);
    const rs = await pool.runMany(sqls.map((sql, i) => ({ db: i % 2 && db.startsWith(process.cwd()) ? rel : db, sql })));
    rs.forEach((r, i) => assert.deepEqual(r.rows, [[i, 'x'.repeat(i % 7)]]));
  });
});
