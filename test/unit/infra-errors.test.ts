// Issue 14, finding 10: a busy or locked database, an I/O error or a database
// that disappears mid-run is an infrastructure error of that record (kinds
// busy, io, db_missing), never a match or a mismatch: status
// 'infrastructure_error', execution rewards null, counted apart in the
// summary, a failing exit code, and `score --resume` retries those records.
// Locks are real: another process holds BEGIN EXCLUSIVE on a copy of the database.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { formatSummary } from '../../src/cli/summary-text.ts';
import { ExecPool } from '../../src/core/exec/pool.ts';
import { inspectRecord } from '../../src/core/inspect.ts';
import { databaseResolver } from '../../src/core/score/databases.ts';
import { EXIT_INFRASTRUCTURE } from '../../src/core/score/infra.ts';
import { SummaryBuilder } from '../../src/core/score/summary.ts';
import type { InputRecord, ScoredRecord } from '../../src/core/score/types.ts';
import { REPO_ROOT } from '../helpers/data.ts';
import { makeDb, tempDir } from '../helpers/exec-fixtures.ts';

const BUSY_MS = 200;

/** Another process takes an exclusive lock on `db` and holds it until release(). */
async function lockDatabase(db: string): Promise<{ release: () => Promise<void> }> {
  const code = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code, db], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (c) => reject(new Error(`locker exited with ${c}`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false });
  return { code, out, err };
}

const readJsonl = (path: string): ScoredRecord[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ScoredRecord);

let dir: string;
let cleanup: () => void;
let root: string;
const DDL = "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');";
const dbOf = (id: string) => join(root, id, `${id}.sqlite`);

before(() => {
  ({ dir, cleanup } = tempDir('steplens-infra-'));
  root = join(dir, 'root');
  for (const id of ['a', 'b']) {
    mkdirSync(join(root, id), { recursive: true });
    makeDb(dbOf(id), DDL);
  }
});
after(() => cleanup());

describe('execution', () => {
  test('a database locked by another process is busy after the busy timeout, then runs once released', async () => {
    const pool = new ExecPool({ size: 1, busyTimeoutMs: BUSY_MS });
    try {
      // One connection opened before the lock (cached in the worker), one query after.
      assert.equal((await pool.run({ db: dbOf('a'), sql: 'SELECT count(*) FROM t' })).error, null);
      const lock = await lockDatabase(dbOf('a'));
      let r;
      try {
        r = await pool.run({ db: dbOf('a'), sql: 'SELECT count(*) FROM t' });
      } finally {
        await lock.release();
      }
      assert.equal(r.error?.kind, 'busy', JSON.stringify(r.error));
      assert.match(r.error!.message, /locked/);
      assert.ok(r.elapsed_ms >= BUSY_MS * 0.9, `gave up after ${r.elapsed_ms} ms`);
      assert.deepEqual((await pool.run({ db: dbOf('a'), sql: 'SELECT count(*) FROM t' })).rows, [[3]]);
    } finally {
      await pool.close();
    }
  });
});

describe('steplens reward', () => {
  test('both sides locked: the infrastructure error, exit 75, never EX 1', async () => {
    const args = ['reward', '--db', dbOf('b'), '--gold', 'SELECT a FROM t', '--pred', 'SELECT a FROM t', '--busy-timeout-ms', String(BUSY_MS)];
    const lock = await lockDatabase(dbOf('b'));
    let text, json;
    try {
      text = await cli(args);
      json = await cli([...args, '--json']);
    } finally {
      await lock.release();
    }
    assert.equal(text.code, EXIT_INFRASTRUCTURE);
    assert.doesNotMatch(text.out, /EX /);
    assert.match(text.err, /gold: busy: database is locked/);
    assert.match(text.err, /prediction: busy/);
    assert.match(text.err, /not scored: infrastructure error/);
    assert.equal(json.code, EXIT_INFRASTRUCTURE);
    const j = JSON.parse(json.out);
    assert.equal(j.status, 'infrastructure_error');
    assert.deepEqual(j.errors.map((e: { side: string; kind: string }) => `${e.side}/${e.kind}`), ['gold/busy', 'pred/busy']);
    assert.equal(j.ex, undefined);
    // Released: scored as usual.
    const ok = await cli([...args, '--json']);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(JSON.parse(ok.out).ex, 1);
  });
});

describe('one record (inspectRecord)', () => {
  const record = (db_id: string): InputRecord => ({ index: 0, line: 1, source: 'x.jsonl', id: null, db_id, gold_sql: 'SELECT a FROM t', pred_sql: 'SELECT a FROM t' });

  test('a lock taken mid-run: busy, status infrastructure_error, rewards null (not 0)', async () => {
    const copy = join(dir, 'mid');
    mkdirSync(join(copy, 'a'), { recursive: true });
    copyFileSync(dbOf('a'), join(copy, 'a', 'a.sqlite'));
    const database = databaseResolver({ dbRoot: copy });
    const pool = new ExecPool({ size: 1, busyTimeoutMs: BUSY_MS });
    try {
      const ctx = { database, pool, reward: 'EX' };
      const before = await inspectRecord(ctx, record('a'));
      assert.equal(before.status, 'scored');
      assert.equal(before.reward.value, 1);
      const lock = await lockDatabase(join(copy, 'a', 'a.sqlite'));
      let r;
      try {
        r = await inspectRecord(ctx, record('a'));
      } finally {
        await lock.release();
      }
      assert.equal(r.status, 'infrastructure_error');
      assert.deepEqual(r.errors.map((e) => `${e.stage}/${e.side}/${e.kind}`), ['execution/gold/busy', 'execution/pred/busy']);
      assert.equal(r.execution, null);
      assert.equal(r.reward.value, null);
      assert.ok(r.relpm, 'structural scores need no database file and stay');
    } finally {
      await pool.close();
    }
  });

  test('a database deleted mid-run: db_missing', async () => {
    const copy = join(dir, 'gone');
    mkdirSync(join(copy, 'a'), { recursive: true });
    copyFileSync(dbOf('a'), join(copy, 'a', 'a.sqlite'));
    const database = databaseResolver({ dbRoot: copy });
    const pool = new ExecPool({ size: 1 });
    try {
      const ctx = { database, pool, reward: 'EX' };
      assert.equal((await inspectRecord(ctx, record('a'))).status, 'scored');
      rmSync(join(copy, 'a', 'a.sqlite'));
      const r = await inspectRecord(ctx, record('a'));
      assert.equal(r.status, 'infrastructure_error');
      assert.deepEqual(r.errors.map((e) => `${e.stage}/${e.side}/${e.kind}`), ['execution/gold/db_missing', 'execution/pred/db_missing']);
      assert.equal(r.execution, null);
      assert.equal(r.reward.value, null);
    } finally {
      await pool.close();
    }
  });

  test('a database locked before its schema is read: database/busy, not unknown_db', async () => {
    const copy = join(dir, 'early');
    mkdirSync(join(copy, 'a'), { recursive: true });
    copyFileSync(dbOf('a'), join(copy, 'a', 'a.sqlite'));
    const database = databaseResolver({ dbRoot: copy, busyTimeoutMs: BUSY_MS });
    const lock = await lockDatabase(join(copy, 'a', 'a.sqlite'));
    let r;
    try {
      r = await inspectRecord({ database, pool: null, reward: 'relpm_f1' }, record('a'));
    } finally {
      await lock.release();
    }
    assert.equal(r.status, 'infrastructure_error');
    assert.deepEqual(r.errors.map((e) => `${e.stage}/${e.kind}`), ['database/busy']);
    assert.equal(r.reward.value, null);
  });
});

test('the summary counts infrastructure errors apart from scored and bad records', () => {
  const mk = (status: ScoredRecord['status'], ex: number | null): ScoredRecord =>
    ({
      schema: 'steplens.score/2',
      source: 's',
      index: 0,
      line: 1,
      id: null,
      db_id: 'a',
      status,
      reward: { name: 'EX', value: ex },
      format: null,
      execution: ex === null ? null : ({ metrics: { ex }, rewards: {}, weighted: ex } as never),
      test_suite: null,
      relpm: null,
      astpm: null,
      steprtm: null,
      errors: status === 'infrastructure_error' ? [{ stage: 'execution', side: 'gold', kind: 'busy', message: 'database is locked' }] : [],
    }) as unknown as ScoredRecord;
  const b = new SummaryBuilder(['s'], 'EX');
  for (const r of [mk('scored', 1), mk('scored', 0), mk('infrastructure_error', null), mk('infrastructure_error', null)]) b.add(r);
  const s = b.finish();
  assert.equal(s.records, 4);
  assert.equal(s.scored, 2);
  assert.equal(s.infrastructure_errors, 2);
  assert.equal(s.bad_records, 0);
  assert.deepEqual(s.ex, { correct: 1, total: 2, rate: 0.5 });
  assert.equal(s.distributions.EX.count, 2);
  assert.equal(s.per_database.a.scored, 2);
  assert.equal(s.error_classes['execution/gold/busy'], 2);
  assert.match(formatSummary(s), /2 not scored: infrastructure errors .*retried by --resume/);
});

describe('steplens score and --resume', () => {
  const clean = (r: ScoredRecord) => ({ ...r, timing: null, execution: r.execution && { ...r.execution, gold: { ...r.execution.gold, elapsed_ms: 0 }, pred: { ...r.execution.pred, elapsed_ms: 0 } } });

  test('a locked database: its records are infrastructure errors (exit 75), --resume retries exactly those, once unlocked', async () => {
    const input = join(dir, 'preds.jsonl');
    const rows = [
      { db_id: 'a', gold_sql: 'SELECT a FROM t', pred_sql: 'SELECT a FROM t' },
      { db_id: 'b', gold_sql: 'SELECT a FROM t', pred_sql: 'SELECT b FROM t' },
      { db_id: 'a', gold_sql: 'SELECT b FROM t', pred_sql: 'SELECT b FROM t ORDER BY a' },
      { db_id: 'b', gold_sql: 'SELECT count(*) FROM t', pred_sql: 'SELECT count(*) FROM t' },
    ];
    writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const out = join(dir, 'scores.jsonl');
    const summaryPath = join(dir, 'summary.json');
    const args = ['score', input, '--db-root', root, '--out', out, '--structural-threads', '0', '--jobs', '1', '--busy-timeout-ms', String(BUSY_MS)];

    const lock = await lockDatabase(dbOf('a'));
    let first;
    try {
      first = await cli([...args, '--summary-json', summaryPath]);
    } finally {
      await lock.release();
    }
    assert.equal(first.code, EXIT_INFRASTRUCTURE, first.err);
    assert.match(first.err, /2 records were not scored: infrastructure errors .*--resume/);
    assert.match(first.err, /2 not scored: infrastructure errors/);
    const s1 = JSON.parse(readFileSync(summaryPath, 'utf8'));
    assert.equal(s1.infrastructure_errors, 2);
    assert.equal(s1.scored, 2);
    assert.equal(s1.ex.total, 2);
    const lines1 = readJsonl(out);
    assert.deepEqual(lines1.map((r) => r.status), ['infrastructure_error', 'scored', 'infrastructure_error', 'scored']);
    for (const r of [lines1[0], lines1[2]]) {
      assert.equal(r.execution, null);
      assert.equal(r.reward.value, null);
      assert.deepEqual(r.errors.map((e) => `${e.stage}/${e.kind}`), ['database/busy']);
    }

    const second = await cli([...args, '--resume', '--summary-json', summaryPath]);
    assert.equal(second.code, 0, second.err);
    assert.match(second.err, /retrying 2 records that hit infrastructure errors/);
    const lines2 = readJsonl(out);
    assert.deepEqual(lines2.map((r) => [r.index, r.status]), [[0, 'scored'], [1, 'scored'], [2, 'scored'], [3, 'scored']]);
    assert.deepEqual(lines2.map((r) => r.execution?.metrics.ex), [1, 0, 1, 1]);
    const s2 = JSON.parse(readFileSync(summaryPath, 'utf8'));
    assert.equal(s2.infrastructure_errors, 0);
    assert.deepEqual(s2.ex, { correct: 3, total: 4, rate: 0.75 });
    // Records that were fine are kept byte for byte; the whole file equals a clean run's.
    assert.equal(JSON.stringify(lines2[1]), JSON.stringify(lines1[1]));
    const cleanOut = join(dir, 'clean.jsonl');
    const fresh = await cli(['score', input, '--db-root', root, '--out', cleanOut, '--structural-threads', '0', '--jobs', '1', '--quiet']);
    assert.equal(fresh.code, 0, fresh.err);
    assert.deepEqual(lines2.map(clean), readJsonl(cleanOut).map(clean));
  });
});
