// `steplens exec`: JSON and table output, exact bigints, BLOBs as hex, and
// one-line errors naming the database.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandIO } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { INFINITE_CTE, makeDb, tempDir } from '../helpers/exec-fixtures.ts';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false };
  const code = await main(args, io);
  return { code, out, err };
}

describe('steplens exec', () => {
  let cleanup: () => void;
  let db: string;
  before(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = makeDb(join(t.dir, 'cli.sqlite'), "CREATE TABLE t(id INTEGER, name TEXT, data BLOB); INSERT INTO t VALUES (1, 'Ann', x'00ff'), (2, 'Bob', NULL);");
  });
  after(() => cleanup());

  test('--json prints columns, rows, types, elapsed_ms, truncated, error; bigint exact, BLOB as hex', async () => {
    const r = await cli(['exec', '--db', db, '--sql', 'SELECT id, name, data, 9007199254740993 AS big, 1.5 AS r FROM t ORDER BY id', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    assert.ok(r.out.includes('[1,"Ann",{"blob":"00ff"},9007199254740993,1.5]'), r.out);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['columns', 'rows', 'types', 'elapsed_ms', 'truncated', 'error']);
    assert.deepEqual(j.columns, ['id', 'name', 'data', 'big', 'r']);
    assert.deepEqual(j.types, ['INTEGER', 'TEXT', 'BLOB', null, null]);
    assert.equal(j.rows[1][2], null);
    assert.equal(j.truncated, false);
    assert.equal(j.error, null);
  });

  test('without --json: a readable table and a row count', async () => {
    const r = await cli(['exec', '--db', db, '--sql', 'SELECT id, name FROM t ORDER BY id', '--row-cap', '1']);
    assert.equal(r.code, 0);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /^id\s+\|\s+name$/);
    assert.match(lines[2], /^1\s+\|\s+Ann$/);
    assert.match(lines.at(-1)!, /^\(1 row, truncated at the row cap, [\d.]+ ms\)$/);
  });

  test('query errors: one line on stderr naming the database, exit 1; JSON still printed with --json', async () => {
    const bad = await cli(['exec', '--db', db, '--sql', 'SELEC 1']);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, '');
    assert.equal(bad.err.trimEnd().split('\n').length, 1);
    assert.ok(bad.err.includes(db) && /syntax/.test(bad.err), bad.err);

    const ro = await cli(['exec', '--db', db, '--sql', 'DROP TABLE t', '--json']);
    assert.equal(ro.code, 1);
    assert.equal(JSON.parse(ro.out).error.kind, 'readonly');

    const missing = await cli(['exec', '--db', join(db, '..', 'missing.sqlite'), '--sql', 'SELECT 1']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /missing\.sqlite/);
    assert.doesNotMatch(missing.err, /\n.+/, 'a single line, no stack');
  });

  test('--timeout-ms stops a runaway query', async () => {
    const t0 = performance.now();
    const r = await cli(['exec', '--db', db, '--sql', INFINITE_CTE, '--timeout-ms', '200', '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.out).error.kind, 'timeout');
    assert.ok(performance.now() - t0 < 5000);
  });

  test('usage errors exit 2; the command is listed in help', async () => {
    assert.equal((await cli(['exec', '--db', db])).code, 2);
    assert.equal((await cli(['exec', '--db', db, '--sql', 'SELECT 1', '--row-cap', 'many'])).code, 2);
    const help = await cli(['help']);
    assert.match(help.out, /\n\s+exec\s+/);
  });
});
