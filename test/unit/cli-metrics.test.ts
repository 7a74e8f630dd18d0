// `steplens metrics` through the CLI entry point (main with captured output),
// plus one run of the built launcher when dist/cli.cjs exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { REPO_ROOT } from '../helpers/data.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false });
  return { code, stdout, stderr };
}

const KEYS = ['cell_precision', 'cell_recall', 'tuple_cardinality', 'tuple_constraint', 'tuple_order', 'qa', 'f1', 'ex', 'bird_ex'];

test('--json prints every metric (V05: extra column)', async () => {
  const r = await run('metrics', '--gold-rows', '[["Ann"], ["Dee"], ["Eve"]]', '--pred-rows', '[["Ann", 30], ["Dee", 41], ["Eve", 25]]', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), KEYS);
  assert.deepEqual(out, { cell_precision: 0.5, cell_recall: 1, tuple_cardinality: 1, tuple_constraint: 0, tuple_order: 0.5, qa: 0.833, f1: 2 * 0.5 / 1.5, ex: 0, bird_ex: 0 });
});

test('REAL 32.0 equals INTEGER 32; text "32" does not (V10, V11)', async () => {
  const eq = JSON.parse((await run('metrics', '--gold-rows', '[[32.0]]', '--pred-rows', '[[32]]', '--json')).stdout);
  assert.equal(eq.qa, 1);
  assert.equal(eq.bird_ex, 1);
  const text = JSON.parse((await run('metrics', '--gold-rows', '[[32.0]]', '--pred-rows', '[["32"]]', '--json')).stdout);
  assert.equal(text.qa, 0.333);
  assert.equal(text.cell_precision, 0);
});

test('big integers stay exact and blobs compare by bytes', async () => {
  const big = JSON.parse((await run('metrics', '--gold-rows', '[[9007199254740993]]', '--pred-rows', '[[9007199254740992.0]]', '--json')).stdout);
  assert.equal(big.bird_ex, 0);
  const blob = JSON.parse((await run('metrics', '--gold-rows', '[[{"blob": "00ff"}]]', '--pred-rows', '[[{"blob": "00FF"}], ["00ff"]]', '--json')).stdout);
  assert.equal(blob.cell_precision, 0.5);
  assert.equal(blob.cell_recall, 1);
});

test('errors: ERROR and --gold-error follow the evaluator rules (V16, V26)', async () => {
  const predErr = JSON.parse((await run('metrics', '--gold-rows', '[["Ann"]]', '--pred-rows', 'ERROR', '--json')).stdout);
  assert.ok(KEYS.every((k) => predErr[k] === 0));
  const both = JSON.parse((await run('metrics', '--gold-error', '--pred-rows', 'ERROR', '--json')).stdout);
  assert.deepEqual([both.qa, both.ex, both.bird_ex], [0, 1, 1]);
  const both2 = JSON.parse((await run('metrics', '--gold-rows', 'ERROR', '--pred-error', '--json')).stdout);
  assert.deepEqual(both2, both);
});

test('without --json a readable table', async () => {
  const r = await run('metrics', '--gold-rows', '[[1], [2]]', '--pred-rows', '[[2], [1]]');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^cell precision\s+1$/m);
  assert.match(r.stdout, /^QA \(cp_cr_tc\)\s+1$/m);
  assert.match(r.stdout, /^tuple order\s+0$/m);
  assert.match(r.stdout, /^BIRD EX\s+1$/m);
});

test('@file reads the rows from a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-metrics-'));
  try {
    const file = join(dir, 'gold.json');
    writeFileSync(file, '[[1], [2], [3]]');
    const r = await run('metrics', '--gold-rows', `@${file}`, '--pred-rows', '[[1]]', '--json');
    assert.equal(JSON.parse(r.stdout).tuple_cardinality, 0.333);
    const missing = await run('metrics', '--gold-rows', `@${join(dir, 'nope.json')}`, '--pred-rows', '[]');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^steplens: --gold-rows: cannot read .*nope\.json: ENOENT\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one line on stderr naming the option, non-zero exit', async () => {
  const bad = await run('metrics', '--gold-rows', '[[1]]', '--pred-rows', '[[1,]]');
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^steplens: --pred-rows: not JSON rows or ERROR: unexpected "\]" at position 4\n$/);
  const cell = await run('metrics', '--gold-rows', '[[true]]', '--pred-rows', '[]');
  assert.equal(cell.code, 1);
  assert.match(cell.stderr, /^steplens: --gold-rows: row 0, cell 0: a cell must be/);
  const missing = await run('metrics', '--pred-rows', '[]');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing --gold-rows/);
  const both = await run('metrics', '--gold-error', '--gold-rows', '[]', '--pred-rows', '[]');
  assert.equal(both.code, 2);
  assert.equal(both.stderr.split('\n').length, 2);
});

const CLI = join(REPO_ROOT, 'dist', 'cli.cjs');

test('the built launcher runs the command', { skip: existsSync(CLI) ? false : 'dist/cli.cjs not built (npm run build)' }, () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'steplens.cjs'), 'metrics', '--gold-rows', '[[1]]', '--pred-rows', '[[1.0]]', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).ex, 1);
});
