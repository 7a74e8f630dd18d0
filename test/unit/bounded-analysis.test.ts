// One record never stops a run (issue 14, findings 4 and 8): statements nested
// or chained past what SQLite itself accepts are refused with a positioned
// error of kind `too_deep`, whatever the parser, planner or matcher would do
// with them; every output line stays readable by Python's json at its default
// limits; and a stack overflow anywhere becomes the record's error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MAX_COMPOUND_SELECT, MAX_EXPR_DEPTH, NESTING_LIMIT, parseSelect } from '../../src/core/sql/parse.ts';
import { SqlError, stackOverflowAsSqlError } from '../../src/core/sql/errors.ts';
import type { ScoredRecord } from '../../src/core/score/types.ts';
import { REPO_ROOT } from '../helpers/data.ts';
import { SPIDER_DIR } from '../helpers/spider.ts';

const CLI = join(REPO_ROOT, 'bin', 'steplens.cjs');
const DB = join(SPIDER_DIR, 'concert_singer', 'concert_singer.sqlite');
const GOLD = 'SELECT name FROM singer WHERE age > 30';

const parens = (n: number) => `SELECT ${'('.repeat(n)}1${')'.repeat(n)}`;
const ands = (n: number) => `SELECT name FROM singer WHERE ${Array.from({ length: n }, (_, i) => `age > ${i}`).join(' AND ')}`;
const unions = (n: number, op = 'UNION ALL') => Array.from({ length: n }, (_, i) => `SELECT name FROM singer WHERE age > ${i}`).join(` ${op} `);

function refusal(sql: string): SqlError {
  try {
    parseSelect(sql);
  } catch (err) {
    assert.ok(err instanceof SqlError, String(err));
    return err;
  }
  assert.fail(`accepted: ${sql.slice(0, 60)}...`);
}

test('chains SQLite refuses are refused too, at the operator, as too_deep; chains it accepts are parsed', () => {
  const sqlite = new Database(DB, { readonly: true });
  try {
    const sqliteRefuses = (sql: string) => {
      try {
        sqlite.prepare(sql);
        return false;
      } catch {
        return true;
      }
    };
    for (const sql of [ands(MAX_EXPR_DEPTH + 1), ands(5000), unions(MAX_COMPOUND_SELECT + 1), unions(5000, 'UNION'), parens(10_000)]) {
      const e = refusal(sql);
      assert.equal(e.kind, 'too_deep');
      assert.ok(e.start > 0 && e.line === 1 && e.column > 1, e.message);
      assert.ok(sqliteRefuses(sql), `SQLite accepts what StepLens refuses: ${e.message}`);
    }
    assert.match(refusal(ands(3000)).message, /Expression tree is too large \(maximum depth 1000/);
    assert.match(refusal(unions(501)).message, /too many terms in compound SELECT \(SQLite's limit is 500\) near "UNION"/);
    for (const sql of [ands(999), unions(MAX_COMPOUND_SELECT), parens(NESTING_LIMIT)]) assert.doesNotThrow(() => parseSelect(sql));
  } finally {
    sqlite.close();
  }
});

test('steplens plan on 1,000 nested parentheses or 3,000 ANDs: a positioned error, not "internal error"', () => {
  for (const sql of [parens(1000), ands(3000)]) {
    const r = spawnSync(process.execPath, [CLI, 'plan', '--db', DB, '--sql', sql], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stderr, /internal error|Maximum call stack/);
    assert.match(r.stderr, /at line 1, column \d+/);
  }
});

test('a stack overflow becomes a too_deep SqlError at the most deeply nested parenthesis', () => {
  const sql = 'SELECT (1) + ((((2))))';
  let overflow: unknown;
  const recurse = (n: number): number => recurse(n + 1) + 1;
  try {
    recurse(0);
  } catch (err) {
    overflow = err;
  }
  const e = stackOverflowAsSqlError(overflow, sql);
  assert.ok(e instanceof SqlError);
  assert.equal(e.kind, 'too_deep');
  assert.equal(e.start, sql.indexOf('((((') + 3, 'the innermost of the four nested parentheses');
  const other = new TypeError('x');
  assert.equal(stackOverflowAsSqlError(other, sql), other);
});

test('score: deep and long predictions get a named error each and the run goes on, with or without structural threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-bounded-'));
  try {
    const preds = [parens(4000), parens(10_000), ands(5000), unions(500), unions(600), `SELECT name FROM singer WHERE ${'NOT '.repeat(3000)}age > 3`, GOLD];
    const input = join(dir, 'deep.jsonl');
    writeFileSync(input, preds.map((p, i) => JSON.stringify({ id: i, db_id: 'concert_singer', gold_sql: GOLD, pred_sql: p })).join('\n') + '\n');
    for (const threads of ['0', '1']) {
      const out = join(dir, `out-${threads}.jsonl`);
      const r = spawnSync(process.execPath, [CLI, 'score', input, '--db-root', SPIDER_DIR, '--structural-threads', threads, '--out', out, '--force'], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /RangeError|Maximum call stack|at .*\.ts:\d+/);
      assert.match(r.stderr, /wrote 7 records/);
      const py = spawnSync('python3', ['-c', 'import json,sys\nfor l in open(sys.argv[1]): json.loads(l)\nprint("ok")', out], { encoding: 'utf8' });
      if (py.error === undefined) assert.equal(py.stdout.trim(), 'ok', `Python's json cannot read ${out}: ${py.stderr.slice(-300)}`);
      const records = readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as ScoredRecord);
      assert.equal(records.length, 7);
      const structural = (r: ScoredRecord) => r.errors.filter((e) => e.stage === 'structural');
      for (const k of [0, 1, 2, 4, 5]) {
        const errs = structural(records[k]);
        assert.ok(errs.length > 0 && errs.every((e) => e.kind === 'too_deep' && typeof e.start === 'number'), `record ${k}: ${JSON.stringify(errs)}`);
      }
      assert.deepEqual(structural(records[3]), [], 'a 500-term UNION ALL is valid SQLite and is analyzed');
      assert.equal(records[3].relpm !== null, true);
      assert.equal(records[6].reward.value, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chained CTEs: the statement is parsed once; a chain deeper than SQLite accepts (999) is refused at the CTE that passes it, independent CTEs are all planned', async () => {
  const { analyzeSql, MAX_CTE_DEPTH } = await import('../../src/core/analyze.ts');
  const { makeSchema } = await import('../../src/core/plan/schema.ts');
  const schema = makeSchema([{ name: 't', kind: 'table', columns: [{ name: 'a', type: 'INTEGER' }] }]);
  const chain = (n: number) => `WITH ${Array.from({ length: n }, (_, i) => (i === 0 ? 'c1 AS (SELECT a FROM t)' : `c${i + 1} AS (SELECT a FROM c${i})`)).join(', ')} SELECT * FROM c${n}`;
  const ok = analyzeSql(chain(MAX_CTE_DEPTH), schema);
  assert.equal(ok.steps.length, MAX_CTE_DEPTH + 1);
  assert.ok(ok.steps.every((s) => s.plan !== null));
  const deep = analyzeSql(chain(1200), schema);
  assert.ok(deep.steps.slice(0, MAX_CTE_DEPTH).every((s) => s.plan !== null));
  const refused = deep.steps[MAX_CTE_DEPTH];
  assert.equal(refused.error?.kind, 'too_deep');
  assert.equal(refused.step.name, `c${MAX_CTE_DEPTH + 1}`);
  assert.equal(deep.steps.at(-1)!.error?.kind, 'too_deep');
  const indep = `WITH ${Array.from({ length: 5000 }, (_, i) => `c${i + 1} AS (SELECT a FROM t WHERE a > ${i})`).join(', ')} SELECT * FROM c5000`;
  const many = analyzeSql(indep, schema);
  assert.equal(many.steps.length, 5001);
  assert.ok(many.steps.every((s) => s.plan !== null && s.error === null));
  // A syntax error in step 3 of 5: the two before it plan, it and every later step carry the error at its place.
  const broken = analyzeSql('WITH a AS (SELECT a FROM t), b AS (SELECT a FROM a), c AS (SELECT a FROM b WHERE), d AS (SELECT a FROM c) SELECT * FROM d', schema);
  assert.deepEqual(broken.steps.map((s) => (s.plan ? 'plan' : s.error!.kind)), ['plan', 'plan', 'syntax', 'syntax', 'syntax']);
  assert.equal(broken.steps[2].error!.token, ')');
});
