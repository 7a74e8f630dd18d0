// The lexical checks behind the one-statement rule and the PRAGMA screen, and
// the double-quoted-string fallback (better-sqlite3 is built with SQLITE_DQS=0).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExecPool } from '../../src/core/exec/pool.ts';
import { doubleQuotedOccurrences, inspectSql, quotedToString, refuseBeforePrepare } from '../../src/core/exec/statement.ts';
import { makeDb, tempDir } from '../helpers/exec-fixtures.ts';

describe('inspectSql', () => {
  test('empty input: whitespace, comments and semicolons only', () => {
    for (const sql of ['', ' \n', '-- x', '/* x */', '/* open', ';;', ' ; -- x\n ;']) assert.equal(inspectSql(sql).empty, true, JSON.stringify(sql));
    assert.equal(inspectSql('SELECT 1').empty, false);
  });

  test('a second statement is anything but whitespace/comments after the first one ends', () => {
    const extra = (sql: string) => inspectSql(sql).extraStatement;
    assert.equal(extra('SELECT 1'), false);
    assert.equal(extra('SELECT 1;'), false);
    assert.equal(extra('SELECT 1; -- a ; b'), false);
    assert.equal(extra('SELECT 1; /* ; */'), false);
    assert.equal(extra("SELECT ';' || \";\" || `;` || [;]"), false);
    assert.equal(extra("SELECT 'it''s; fine';"), false);
    assert.equal(extra('; ; SELECT 1;'), false, 'leading empty statements are skipped');
    assert.equal(extra('SELECT 1;;'), true);
    assert.equal(extra('SELECT 1; ;'), true);
    assert.equal(extra('SELECT 1; SELECT 2'), true);
    // Semicolons inside a trigger body do not end the CREATE TRIGGER statement.
    assert.equal(extra('CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; UPDATE t SET a = 1; END;'), false);
    assert.equal(extra('CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END; SELECT 1'), true);
  });

  test('first keyword, EXPLAIN and PRAGMA details', () => {
    assert.deepEqual(inspectSql('  /* c */ select 1').keyword, 'SELECT');
    const e = inspectSql('EXPLAIN QUERY PLAN SELECT 1');
    assert.deepEqual([e.explain, e.keyword], [true, 'SELECT']);
    assert.deepEqual(inspectSql('PRAGMA user_version').pragma, { name: 'user_version', hasValue: false });
    assert.deepEqual(inspectSql('pragma main.User_Version=3').pragma, { name: 'user_version', hasValue: true });
    assert.deepEqual(inspectSql('PRAGMA "journal_mode" (wal)').pragma, { name: 'journal_mode', hasValue: true });
    assert.deepEqual(inspectSql('EXPLAIN PRAGMA query_only = 0').pragma, { name: 'query_only', hasValue: true });
    assert.equal(inspectSql("SELECT 'pragma x = 1'").pragma, null);
  });

  test('PRAGMA screen: settings refused, introspection with an argument allowed', () => {
    const refused = (sql: string) => refuseBeforePrepare(inspectSql(sql)) !== null;
    for (const sql of ['PRAGMA query_only = OFF', 'PRAGMA journal_mode(WAL)', 'PRAGMA main.cache_size = 1', 'PRAGMA mmap_size=1', 'explain pragma foreign_keys=0']) {
      assert.equal(refused(sql), true, sql);
    }
    for (const sql of ['PRAGMA table_info(t)', "PRAGMA main.index_list('t')", 'PRAGMA integrity_check(5)', 'PRAGMA journal_mode', 'SELECT 1']) {
      assert.equal(refused(sql), false, sql);
    }
  });

  test('double-quoted occurrences and their rewrite as string literals', () => {
    const sql = `SELECT "a" FROM t WHERE b = "x" AND c = '"x"' -- "x"\n OR d = "x" OR e = "it""s"`;
    const spots = doubleQuotedOccurrences(sql, 'x');
    assert.equal(spots.length, 2);
    assert.equal(quotedToString(sql, ...spots[0]), sql.replace('b = "x"', "b = 'x'"));
    const q = doubleQuotedOccurrences(sql, 'it"s');
    assert.equal(q.length, 1);
    assert.ok(quotedToString(sql, ...q[0]).endsWith("e = 'it\"s'"));
    assert.equal(quotedToString(`SELECT "O'Neil"`, 7, 15), `SELECT 'O''Neil'`);
  });
});

describe('double-quoted strings, as in a default SQLite build', () => {
  let cleanup: () => void;
  let db: string;
  let pool: ExecPool;
  before(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = makeDb(
      join(t.dir, 'dqs.sqlite'),
      `CREATE TABLE people(name TEXT, city TEXT, x TEXT);
       INSERT INTO people VALUES ('Ann', 'Rome', 'x'), ('Bob', 'Paris', 'name'), ('Cid', 'x', 'y');`,
    );
    pool = new ExecPool({ size: 1 });
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('a double-quoted word that names no column is a string (Spider writes = "Rome")', async () => {
    const r = await pool.run({ db, sql: 'SELECT name FROM people WHERE city = "Rome" OR city IN ("Paris", "Oslo") ORDER BY name' });
    assert.equal(r.error, null);
    assert.deepEqual(r.rows, [['Ann'], ['Bob']]);
  });

  test('a double-quoted column name stays a column; the same word elsewhere can still be a string', async () => {
    const cols = await pool.run({ db, sql: 'SELECT "name" FROM people WHERE "city" = \'Paris\'' });
    assert.deepEqual(cols.rows, [['Bob']]);
    // "x" is a column of people: it compares city with column x, not with the text 'x'.
    const col = await pool.run({ db, sql: 'SELECT name FROM people WHERE city = "x"' });
    assert.deepEqual(col.rows, []);
    const mixed = await pool.run({ db, sql: 'SELECT name FROM people WHERE city = "Rome" OR name = "Rome" OR x = "name"' });
    assert.equal(mixed.error, null);
    assert.deepEqual(mixed.rows, [['Ann']]);
  });

  test('other errors are still reported as they are', async () => {
    const r = await pool.run({ db, sql: 'SELECT nope FROM people WHERE city = "Rome"' });
    assert.equal(r.error?.kind, 'syntax');
    assert.match(r.error!.message, /no such column: nope/);
  });
});
