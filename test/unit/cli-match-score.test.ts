// `steplens match` and `steplens score --structural-only` through the CLI
// entry point: the JSON contract, the text report, bad input lines, usage
// errors as one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { SPIDER_DIR, spiderDb } from '../helpers/spider.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false });
  return { code, stdout, stderr };
}

const DB = spiderDb('concert_singer');
const GOLD = 'SELECT name FROM singer WHERE age > 30';

test('match --json prints the contract', async () => {
  const r = await run('match', '--gold', GOLD, '--pred', 'WITH o AS (SELECT name FROM singer WHERE age >= 30) SELECT name FROM o', '--db', DB, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const k of ['relpm', 'astpm', 'steprtm', 'matches', 'errors']) assert.ok(k in out, k);
  assert.deepEqual(Object.keys(out.relpm), ['precision', 'recall', 'f1']);
  assert.deepEqual(Object.keys(out.astpm), ['precision', 'recall', 'f1']);
  assert.ok(['steps', 'total', 'outcome'].every((k) => k in out.steprtm));
  assert.deepEqual(Object.keys(out.steprtm.steps[0]), ['name', 'start', 'end', 'credit_offset', 'reward', 'new_matches', 'gold_nodes', 'error']);
  assert.equal(out.relpm.f1, 0.625); // spec §2.3 V2: `>=` instead of `>` loses the comparison and its operands
  assert.equal(out.steprtm.steps[0].name, 'o');
  assert.equal(out.matches.length, 5);
});

test('match with --schema tables.json --db-id, and the readable text report', async () => {
  const r = await run('match', '--gold', GOLD, '--pred', 'SELECT name, age FROM singer WHERE age > 30', '--schema', join(SPIDER_DIR, 'tables.json'), '--db-id', 'concert_singer');
  assert.equal(r.code, 0, r.stderr);
  // One output column more: the output columns do not pair (a different width), everything else does.
  assert.match(r.stdout, /^RelPM\s+P 0\.7778\s+R 0\.8750\s+F1 0\.8235$/m);
  assert.match(r.stdout, /^AstPM\s+P 0\.8333\s+R 1\.0000\s+F1 0\.9091$/m);
  assert.match(r.stdout, /^StepRTM total 0\.8750\s+outcome 0\.8235 \(relpm_f1\)$/m);
  assert.match(r.stdout, /^gold tree \(8 nodes/m);
  assert.match(r.stdout, /^\*\s+0 Project\s+-> 0$/m);
  assert.match(r.stdout, /^ \s+1\s+col:singer\.name$/m);
  assert.match(r.stdout, /^predicted tree \(9 nodes\):$/m);
  assert.match(r.stdout, /^ \s+\d+\s+col:singer\.age$/m);
});

test('match reports a bad prediction in its JSON and a bad option as one line', async () => {
  const bad = await run('match', '--gold', GOLD, '--pred', 'SELECT nme FROM singer', '--db', DB, '--json');
  assert.equal(bad.code, 0);
  const out = JSON.parse(bad.stdout);
  assert.equal(out.steprtm.outcome, -0.6);
  assert.deepEqual(out.errors.map((e: { kind: string; start: number; column: number }) => [e.kind, e.start, e.column]), [['unknown_column', 7, 8]]);
  const usage = await run('match', '--gold', GOLD, '--db', DB);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr, 'steplens: missing --pred\n');
  const nodb = await run('match', '--gold', GOLD, '--pred', GOLD, '--db', '/nonexistent.sqlite');
  assert.equal(nodb.code, 1);
  assert.equal(nodb.stderr.trim().split('\n').length, 1);
});

test('score --structural-only: one output record per input record, bad lines with their reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-score-'));
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, [
      JSON.stringify({ id: 'a', db_id: 'concert_singer', gold_sql: GOLD, pred_sql: GOLD }),
      '{not json',
      '',
      JSON.stringify({ id: 'c', db_id: 'nosuch', gold_sql: GOLD, pred_sql: GOLD }),
      JSON.stringify({ db_id: 'concert_singer', query: GOLD, pred_sql: 'SELECT name FROM singer' }),
      JSON.stringify({ id: 'e', db_id: 'concert_singer', SQL: GOLD }),
    ].join('\n') + '\n');
    const out = join(dir, 'out.jsonl');
    const r = await run('score', input, '--structural-only', '--db-root', SPIDER_DIR, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /5 records from 1 file: 3 scored, 2 bad, 0 executed/);
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(recs.map((x) => [x.line, x.id ?? null]), [[1, 'a'], [2, null], [4, 'c'], [5, null], [6, 'e']]);
    assert.equal(recs[0].relpm.f1, 1);
    assert.equal(recs[0].steprtm.total, 1);
    assert.equal(recs[0].execution, null);
    assert.equal(recs[0].reward.name, 'relpm_f1');
    assert.match(recs[1].errors[0].message, /^in\.jsonl line 2: malformed JSON/);
    assert.equal(recs[2].errors[0].message, `unknown db_id "nosuch" (no ${join(SPIDER_DIR, 'nosuch', 'nosuch.sqlite')})`);
    assert.ok(recs[3].relpm.f1 < 1 && recs[3].relpm.recall < 1);
    assert.match(recs[4].errors[0].message, /^in\.jsonl line 6: missing field/);
    // The same records against tables.json, written to stdout.
    const viaJson = await run('score', input, '--structural-only', '--schema', join(SPIDER_DIR, 'tables.json'));
    assert.equal(viaJson.code, 0, viaJson.stderr);
    const lines = viaJson.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 5);
    assert.equal(lines[0].relpm.f1, 1);
    assert.match(lines[2].errors[0].message, /unknown db_id "nosuch" \(not in /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score usage errors', async () => {
  const noSchema = await run('score', 'x.jsonl', '--structural-only');
  assert.equal(noSchema.code, 2);
  assert.match(noSchema.stderr, /--db-root <dir> \(databases\) and\/or --schema/);
  const missing = await run('score', '/nonexistent/in.jsonl', '--structural-only', '--db-root', SPIDER_DIR);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^steplens: .*\/nonexistent\/in\.jsonl/);
});
