// Hostile SQL never changes a database: every write, schema change, setting
// change or extension load is refused with a clear error kind, and the file's
// bytes (and its directory) stay exactly as they were.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExecPool } from '../../src/core/exec/pool.ts';
import type { ErrorKind } from '../../src/core/exec/protocol.ts';
import { makeDb, sha256File, tempDir } from '../helpers/exec-fixtures.ts';

const HOSTILE: [string, ErrorKind][] = [
  ['DELETE FROM t', 'readonly'],
  ['UPDATE t SET a = 0', 'readonly'],
  ["INSERT INTO t VALUES (9, 'z')", 'readonly'],
  ["INSERT INTO t VALUES (9, 'z') RETURNING *", 'readonly'],
  ['DELETE FROM t RETURNING a', 'readonly'],
  ['WITH x AS (SELECT 1) DELETE FROM t', 'readonly'],
  ["REPLACE INTO t VALUES (1, 'q')", 'readonly'],
  ['DROP TABLE t', 'readonly'],
  ['DROP INDEX ti', 'readonly'],
  ['CREATE TABLE u(x)', 'readonly'],
  ['CREATE TEMP TABLE u(x)', 'readonly'],
  ['CREATE TEMP VIEW v AS SELECT 1', 'readonly'],
  ['CREATE INDEX tb ON t(b)', 'readonly'],
  ['CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END', 'readonly'],
  ['ALTER TABLE t ADD COLUMN c', 'readonly'],
  ['ALTER TABLE t RENAME TO t2', 'readonly'],
  ["ATTACH 'NEWFILE' AS o", 'readonly'],
  ['DETACH o', 'readonly'],
  ['VACUUM', 'readonly'],
  ["VACUUM INTO 'NEWFILE'", 'readonly'],
  ['REINDEX', 'readonly'],
  ['ANALYZE', 'readonly'],
  ['BEGIN', 'readonly'],
  ['BEGIN IMMEDIATE', 'readonly'],
  ['SAVEPOINT s', 'readonly'],
  ['PRAGMA user_version = 5', 'readonly'],
  ['PRAGMA journal_mode=WAL', 'readonly'],
  ['PRAGMA journal_mode(WAL)', 'readonly'],
  ['PRAGMA main.journal_mode = DELETE', 'readonly'],
  ['PRAGMA "journal_mode" = wal', 'readonly'],
  ['explain pragma query_only = off', 'readonly'],
  ['PRAGMA query_only = OFF', 'readonly'],
  ['PRAGMA locking_mode = EXCLUSIVE', 'readonly'],
  ['PRAGMA writable_schema = ON', 'readonly'],
  ['PRAGMA schema_version = 99', 'readonly'],
  ['PRAGMA wal_checkpoint', 'readonly'],
  ['PRAGMA incremental_vacuum', 'readonly'],
  ["SELECT load_extension('x')", 'readonly'],
  ["SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')", 'readonly'],
  ['SELECT 1; DROP TABLE t', 'multiple_statements'],
  ['SELECT a FROM t; DELETE FROM t;', 'multiple_statements'],
  ['DELETE FROM t;;', 'multiple_statements'],
];

describe('hostile SQL', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let pool: ExecPool;
  before(() => {
    ({ dir, cleanup } = tempDir());
    db = makeDb(join(dir, 'shop.sqlite'), "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1,'x'),(2,'y'),(3,'z'); CREATE INDEX ti ON t(a);");
    pool = new ExecPool({ size: 2, timeoutMs: 10_000 });
  });
  after(async () => {
    await pool.close();
    cleanup();
  });

  test('each hostile statement gets its error kind and leaves the file byte-identical', async () => {
    const before = sha256File(db);
    const listing = readdirSync(dir).sort();
    const newFile = join(dir, 'created-by-attack.sqlite');
    for (const [template, kind] of HOSTILE) {
      const sql = template.replace('NEWFILE', newFile);
      const r = await pool.run({ db, sql });
      assert.equal(r.error?.kind, kind, `${sql}: ${JSON.stringify(r.error)}`);
      assert.ok(r.error!.message.length > 0);
      assert.deepEqual(r.rows, [], sql);
      assert.equal(sha256File(db), before, `${sql} changed the database`);
      assert.equal(existsSync(newFile), false, `${sql} created a file`);
      for (const suffix of ['-wal', '-journal', '-shm']) assert.equal(existsSync(db + suffix), false, `${sql} left ${suffix}`);
    }
    assert.deepEqual(readdirSync(dir).sort(), listing);
  });

  test('the same hostile statements in one batch change nothing either, and later reads see the original data', async () => {
    const before = sha256File(db);
    const newFile = join(dir, 'created-by-batch.sqlite');
    const results = await pool.runMany(HOSTILE.map(([t]) => ({ db, sql: t.replace('NEWFILE', newFile) })));
    results.forEach((r, i) => assert.equal(r.error?.kind, HOSTILE[i][1], HOSTILE[i][0]));
    assert.equal(existsSync(newFile), false);
    assert.equal(sha256File(db), before);
    const r = await pool.run({ db, sql: 'SELECT a, b FROM t ORDER BY a' });
    assert.equal(r.error, null);
    assert.deepEqual(r.rows, [[1, 'x'], [2, 'y'], [3, 'z']]);
  });

  test('refused setting changes leave the session read-only (query_only stays on, temp schema empty)', async () => {
    // Every worker first gets a refused attempt to switch query_only off.
    await pool.runMany(Array.from({ length: 8 }, () => ({ db, sql: 'PRAGMA query_only = 0' })));
    const checks = await pool.runMany(Array.from({ length: 8 }, () => ({ db, sql: 'PRAGMA query_only' })));
    for (const r of checks) assert.deepEqual(r.rows, [[1]]);
    const temp = await pool.run({ db, sql: 'SELECT count(*) FROM temp.sqlite_master' });
    assert.deepEqual(temp.rows, [[0]]);
  });

  test('read-only statements are still allowed: SELECT, EXPLAIN of a write, schema pragmas', async () => {
    const ok = [
      'SELECT count(*) FROM t',
      'EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 1',
      'EXPLAIN DELETE FROM t',
      'PRAGMA table_info(t)',
      "PRAGMA index_list('t')",
      'PRAGMA integrity_check',
      'PRAGMA user_version',
      "SELECT * FROM pragma_table_info('t')",
    ];
    const before = sha256File(db);
    for (const sql of ok) {
      const r = await pool.run({ db, sql });
      assert.equal(r.error, null, `${sql}: ${JSON.stringify(r.error)}`);
      assert.ok(r.rows.length > 0, sql);
    }
    assert.equal(sha256File(db), before);
  });

  test('a missing or non-SQLite file is no_database', async () => {
    const missing = await pool.run({ db: join(dir, 'nope.sqlite'), sql: 'SELECT 1' });
    assert.equal(missing.error?.kind, 'no_database');
    assert.match(missing.error!.message, /nope\.sqlite/);
    assert.equal(existsSync(join(dir, 'nope.sqlite')), false, 'opening must not create the file');
    const notDb = join(dir, 'notes.sqlite');
    (await import('node:fs')).writeFileSync(notDb, 'this is not a database, just text that is long enough to have a header');
    const bad = await pool.run({ db: notDb, sql: 'SELECT 1 FROM t' });
    assert.equal(bad.error?.kind, 'no_database');
    const dirAsDb = await pool.run({ db: dir, sql: 'SELECT 1' });
    assert.equal(dirAsDb.error?.kind, 'no_database');
  });
});
