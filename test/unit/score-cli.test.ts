// `steplens score` end to end: every input shape in one file, bad records kept
// in place with their reason, execution + structural rewards per record, the
// summary; and the crash story: a kill or Ctrl-C leaves whole lines, and
// --resume completes the file to exactly what a clean run writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { ScoreSummary, ScoredRecord } from '../../src/core/score/types.ts';
import { REPO_ROOT } from '../helpers/data.ts';
import { SPIDER_DIR } from '../helpers/spider.ts';

const CLI = join(REPO_ROOT, 'bin', 'steplens.cjs');
const DEMO_TABLES = join(REPO_ROOT, 'data', 'demo', 'tables.json');

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false });
  return { code, stdout, stderr };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-score-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const readJsonl = (path: string): ScoredRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const GOLD = 'SELECT name FROM singer WHERE age > 30';
const THINK = '<think>\n1. The singer table has name and age.\n2. Keep singers older than 30.\n</think>\n<answer>\n```sql\nWITH older AS (SELECT name, age FROM singer WHERE age > 30)\nSELECT name FROM older\n```\n</answer>';

const MIXED = [
  { id: 'right', db_id: 'concert_singer', question: 'Singers over 30?', gold_sql: GOLD, pred_sql: 'SELECT Name FROM singer WHERE Age > 30' },
  { id: 'wrong', db_id: 'concert_singer', query: GOLD, prediction: 'SELECT name FROM singer WHERE age >= 30' },
  'this is not json',
  { id: 'think', db_id: 'concert_singer', SQL: GOLD, completion: THINK },
  { id: 'chat', db_id: 'concert_singer', gold_sql: GOLD, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '```sql\nSELECT nme FROM singer\n```' }] },
  { id: 'nodb', db_id: 'no_such_db', gold_sql: GOLD, pred_sql: GOLD },
  { id: 'nogold', db_id: 'concert_singer', pred_sql: GOLD },
  { id: 'bird', db_id: 'debit_card_specializing', gold_sql: 'SELECT COUNT(*) FROM customers', pred_sql: 'SELECT COUNT(CustomerID) FROM customers' },
]
  .map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))
  .join('\n');

test('score: every record scored or reported in input order, with execution and structural rewards', () =>
  withTempDir(async (dir) => {
  const input = join(dir, 'mixed.jsonl');
  writeFileSync(input, MIXED + '\n');
  const out = join(dir, 'out.jsonl');
  const summaryPath = join(dir, 'summary.json');
  const r = await run('score', input, '--db-root', SPIDER_DIR, '--schema', DEMO_TABLES, '--jobs', '1', '--out', out, '--summary-json', summaryPath);
  assert.equal(r.code, 0, r.stderr);
  const recs = readJsonl(out);
  assert.deepEqual(recs.map((x) => [x.line, x.status]), [[1, 'scored'], [2, 'scored'], [3, 'bad_record'], [4, 'scored'], [5, 'scored'], [6, 'scored'], [7, 'bad_record'], [8, 'scored']]);
  const [right, wrong, bad, think, chat, nodb, nogold, bird] = recs;
  assert.ok(recs.every((x) => x.schema === 'steplens.score/2' && x.source === 'mixed.jsonl'));

  assert.equal(right.execution!.metrics.ex, 1);
  assert.equal(right.relpm!.f1, 1);
  assert.equal(right.reward.name, 'qatch_small_update_with_fm');
  assert.equal(right.reward.value, 1); // perfect: 1 even without the format gate
  assert.deepEqual(right.execution!.gold.columns, ['Name']);

  // No singer is exactly 30: EX cannot see the wrong comparison, RelPM can.
  assert.equal(wrong.execution!.metrics.ex, 1);
  assert.ok(wrong.relpm!.f1 < 1);
  assert.equal(wrong.gold_sql, GOLD); // from Spider's `query`

  assert.equal(bad.errors[0].stage, 'input');
  assert.match(bad.errors[0].message, /mixed\.jsonl line 3: malformed JSON/);

  // A completion: the SQL comes out of <answer>/fence, steps are CTEs, offsets point into the completion.
  assert.equal(think.completion, THINK);
  assert.match(think.pred_sql!, /^WITH older AS/);
  const [s0, s1] = think.sql_span!;
  assert.equal(THINK.slice(s0, s1), think.pred_sql);
  assert.deepEqual(think.steprtm!.steps.map((s) => s.name), ['older', null]);
  assert.equal(think.steprtm!.total, 1);
  assert.equal(think.execution!.format_think, 1);
  assert.deepEqual(think.format, { format_think: 1, format_reasoning: 0, tag_count: 1 });
  assert.equal(think.reward.value, 1);
  assert.equal(THINK[think.steprtm!.token_rewards[0].offset], ')'); // credited at the CTE's closing parenthesis, in completion offsets
  assert.ok(think.trace!.segments.length >= 2);
  assert.ok(think.trace!.links.length > 0);

  // The last assistant message is the completion; its SQL does not plan nor run.
  assert.equal(chat.pred_sql, 'SELECT nme FROM singer');
  assert.deepEqual(chat.errors.map((e) => `${e.stage}/${e.side}/${e.kind}`), ['structural/pred/unknown_column', 'execution/pred/syntax']);
  assert.equal(chat.execution!.metrics.ex, 0);

  assert.deepEqual(nodb.errors.map((e) => e.kind), ['unknown_db']);
  assert.equal(nodb.reward.value, null);
  assert.match(nogold.errors[0].message, /line 7: missing field/);

  // A schema but no database: structural scores and format rewards, no execution, said so.
  assert.equal(bird.execution, null);
  assert.deepEqual(bird.format, { format_think: 0, format_reasoning: 0, tag_count: 0 });
  assert.ok(bird.relpm!.f1 > 0);
  assert.deepEqual(bird.errors.map((e) => e.kind), ['no_database']);

  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as ScoreSummary;
  assert.equal(summary.records, 8);
  assert.equal(summary.distributions.format_think.count, 6); // every scored record, executed or not
  assert.equal(summary.bad_records, 2);
  assert.equal(summary.executed, 4);
  assert.deepEqual(summary.ex, { correct: 3, total: 4, rate: 0.75 });
  assert.equal(summary.error_classes['input/malformed_json'], 1);
  assert.equal(summary.per_database.concert_singer.records, 5); // with the record missing its gold
  assert.equal(summary.per_database.concert_singer.scored, 4);
  assert.match(r.stderr, /layout-A EX 75\.0% \(3\/4\)/);
  assert.match(r.stderr, /wrote 8 records -> /);
  }));

test('score: structural work on a worker thread or on the main thread gives identical records', () =>
  withTempDir(async (dir) => {
    const input = join(dir, 'mixed.jsonl');
    writeFileSync(input, MIXED + '\n');
    const outs: ScoredRecord[][] = [];
    for (const threads of ['0', '2']) {
      const out = join(dir, `out-${threads}.jsonl`);
      const r = await run('score', input, '--db-root', SPIDER_DIR, '--schema', DEMO_TABLES, '--jobs', '1', '--structural-threads', threads, '--out', out, '--quiet');
      assert.equal(r.code, 0, r.stderr);
      outs.push(readJsonl(out).map((x) => ({ ...x, timing: null, execution: null }) as unknown as ScoredRecord));
    }
    assert.equal(outs[0].length, 8);
    assert.deepEqual(outs[1], outs[0]);
  }));

test('score: usage errors are one line', async () => {
  const none = await run('score', 'x.jsonl');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^steplens: give --db-root/);
  const reward = await run('score', 'x.jsonl', '--db-root', SPIDER_DIR, '--reward', 'nope');
  assert.equal(reward.code, 2);
  assert.match(reward.stderr, /unknown --reward "nope"; one of: EX, EX_EX/);
  const structural = await run('score', 'x.jsonl', '--db-root', SPIDER_DIR, '--structural-only', '--reward', 'QATCH');
  assert.match(structural.stderr, /--reward QATCH needs execution/);
  const resume = await run('score', 'x.jsonl', '--db-root', SPIDER_DIR, '--resume');
  assert.match(resume.stderr, /--resume needs --out/);
  const missing = await run('score', '/nonexistent/in.jsonl', '--db-root', SPIDER_DIR);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.split('\n').length, 2);
  assert.match(missing.stderr, /\/nonexistent\/in\.jsonl/);
});

/** A dataset big enough to interrupt: Spider dev-style records over the bundled databases. */
function bigInput(path: string, n: number): void {
  const base = readFileSync(join(REPO_ROOT, 'data', 'demo', 'demo.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.pred_sql && r.source.startsWith('spider'));
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = base[i % base.length];
    // Vary the prediction so the prediction cache does not make later records free.
    lines.push(JSON.stringify({ ...r, id: `r${i}`, pred_sql: `${r.pred_sql} /* ${i} */` }));
    if (i === 7) lines.push('{"broken": '); // a bad record in the middle stays in place
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

const stable = (r: ScoredRecord) => {
  const { timing: _t, execution, ...rest } = r;
  // Elapsed times vary run to run; everything else must be identical.
  if (!execution) return rest;
  const { gold, pred, ...scores } = execution;
  const strip = ({ elapsed_ms: _e, ...p }: typeof gold) => p;
  return { ...rest, execution: { ...scores, gold: strip(gold), pred: strip(pred) } };
};

async function waitForLines(path: string, n: number, child: ReturnType<typeof spawn>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {}
    if (text.split('\n').length > n) return;
    if (child.exitCode !== null) throw new Error('the run finished before it could be interrupted');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no progress');
}

for (const signal of ['SIGKILL', 'SIGINT'] as const) {
  test(`score: ${signal} mid-run leaves whole lines; --resume completes to exactly the clean run`, () =>
    withTempDir(async (dir) => {
    const input = join(dir, 'big.jsonl');
    bigInput(input, 1500);
    const args = [CLI, 'score', input, '--db-root', SPIDER_DIR, '--jobs', '1'];
    const clean = join(dir, 'clean.jsonl');
    const c = spawnSync(process.execPath, [...args, '--out', clean, '--quiet'], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);

    const out = join(dir, 'out.jsonl');
    const child = spawn(process.execPath, [...args, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await waitForLines(out, 200, child);
    child.kill(signal);
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    if (signal === 'SIGINT') {
      assert.equal(code, 130, stderr);
      assert.match(stderr, /interrupted; continue with the same command and --resume/);
    }
    const text = readFileSync(out, 'utf8');
    const partial = text.split('\n').filter(Boolean);
    assert.ok(partial.length < 1501, 'interrupted before the end');
    if (signal === 'SIGINT') assert.ok(text.endsWith('\n'));
    // Every complete line is a record, and they are a prefix of the input order.
    const complete = text.endsWith('\n') ? partial : partial.slice(0, -1);
    complete.forEach((l, i) => assert.equal(JSON.parse(l).index, i));

    const resumed = spawnSync(process.execPath, [...args, '--out', out, '--resume'], { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`\\(${complete.length} already in `));
    const a = readJsonl(clean).map(stable);
    const b = readJsonl(out).map(stable);
    assert.equal(b.length, 1501);
    assert.deepEqual(b, a);
  }));
}
