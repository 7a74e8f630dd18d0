// The registry rewards beyond the §5.2 columns (§4.4, §4.6), the TRL weighted
// sum (§4.5), the group-level length penalty and scoreCompletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRowsJson } from '../../src/core/rewards/cell-json.ts';
import { ratioToNumber, sqrtRatioToNumber, isqrt } from '../../src/core/rewards/exact.ts';
import type { QueryOutcome } from '../../src/core/rewards/metrics.ts';
import {
  applyDynamicLengthPenalty,
  computeRewards,
  GROUP_REWARDS,
  REWARD_SPECS,
  REWARDS,
  type RewardInput,
} from '../../src/core/rewards/registry.ts';
import { scoreCompletion, sqlToExecute } from '../../src/core/rewards/score.ts';
import {
  DEFAULT_WEIGHTS,
  parseWeights,
  weightedReward,
  weightedSum64,
  weightedSumFloat32,
} from '../../src/core/rewards/weighted.ts';

const rows = (json: string): QueryOutcome => ({ ok: true, rows: parseRowsJson(json) });
const ERROR: QueryOutcome = { ok: false, error: 'no such column' };
const ROME = rows('[["Ann"], ["Dee"], ["Eve"]]');
const ANN = rows('[["Ann"]]');
const X = rows('[["x"]]');
const THINK = (sql: string) => `<think>\nreasoning\n</think>\n<answer>\n${sql}\n</answer>`;
const REASONING = (sql: string) => `<reasoning>\nabc\n</reasoning>\n<answer>\n${sql}\n</answer>`;

function input(completion: string, gold: QueryOutcome, pred: QueryOutcome): RewardInput {
  return { completion, gold, pred };
}

test('the registry has every key of §4.1 that is computable without a model', () => {
  assert.deepEqual(
    REWARD_SPECS.map((s) => s.key),
    [
      'EX', 'EX_EX', 'QATCH', 'format', 'format_think',
      'qatch_small_update', 'qatch_small_update_with_fm', 'qatch_small_update_fm_with_buckets',
      'ex_small_update', 'ex_small_update_with_fm', 'arctic_sql', 'arctic_sql_EX', 'SQL-R1', 'SQL-R1-EX',
      'tag_count', 'multi_tag_format', 'penalty_no_format', 'table_recall', 'column_recall',
    ],
  );
  assert.deepEqual(Object.keys(GROUP_REWARDS), ['qatch_complex', 'ex_complex']);
});

test('qatch_small_update_fm_with_buckets maps QA into 0.1 / 0.5 / 0.8 / 0.9 under the format gate', () => {
  const f = REWARDS.qatch_small_update_fm_with_buckets;
  // QA 0.555 (V25), 0.111 (V22), 0 (V14), 0.833 (V05), 1.
  assert.equal(f(input(THINK('q'), ROME, ANN)), 0.8);
  assert.equal(f(input(THINK('q'), ROME, X)), 0.5);
  assert.equal(f(input(THINK('q'), rows('[]'), ANN)), 0.1);
  assert.equal(f(input(THINK('q'), ROME, rows('[["Ann", 30], ["Dee", 41], ["Eve", 25]]'))), 0.9);
  assert.equal(f(input('no format', ROME, ROME)), 1);
  assert.equal(f(input('no format', ROME, ANN)), 0);
  assert.equal(f(input(THINK('q'), ROME, ERROR)), 0);
});

test('ex_small_update has no format gate: 0.1 for any executable miss', () => {
  assert.equal(REWARDS.ex_small_update(input('SELECT 1', ROME, ANN)), 0.1);
  assert.equal(REWARDS.ex_small_update_with_fm(input('SELECT 1', ROME, ANN)), 0);
  assert.equal(REWARDS.ex_small_update(input('SELECT 1', ROME, ROME)), 1);
  assert.equal(REWARDS.ex_small_update(input('SELECT 1', ERROR, ROME)), 0);
});

test('arctic_sql: 1 if correct, 0.1 if executable with <reasoning> and <answer>, else 0', () => {
  assert.equal(REWARDS.arctic_sql(input(REASONING('SELECT 1'), ROME, ROME)), 1);
  assert.equal(REWARDS.arctic_sql(input(REASONING('SELECT 1'), ROME, ANN)), 0.1);
  assert.equal(REWARDS.arctic_sql(input(THINK('SELECT 1'), ROME, ANN)), 0);
  assert.equal(REWARDS.arctic_sql(input(REASONING('SELECT 1'), ROME, ERROR)), 0);
  assert.equal(REWARDS.arctic_sql(input(REASONING('SELECT 1'), ERROR, ERROR)), 0);
  // Permuted columns (V04): BIRD EX 0, layout-A EX 1.
  const gold = rows('[["Ann", 30], ["Bob", 25]]');
  const pred = rows('[[30, "Ann"], [25, "Bob"]]');
  assert.equal(REWARDS.arctic_sql(input(REASONING('q'), gold, pred)), 0.1);
  assert.equal(REWARDS.arctic_sql_EX(input(REASONING('q'), gold, pred)), 1);
});

test('SQL-R1: format ±1, execution ±2, result ±3 and the length bonus', () => {
  const good = REASONING('SELECT 1');
  // think "abc" (3) + answer "SELECT 1" (8) code points; the SQL fills the whole answer.
  assert.equal(REWARDS['SQL-R1'](input(good, ANN, ANN)), 1 + 2 + 3 + (((3 + 8) / 2048) * 0.5 + 8 / 8));
  assert.equal(REWARDS['SQL-R1'](input(good, ROME, ANN)), 1 + 2 - 3);
  assert.equal(REWARDS['SQL-R1'](input(good, ROME, ERROR)), 1 - 2);
  assert.equal(REWARDS['SQL-R1'](input(good, ERROR, ERROR)), 1 - 2);
  assert.equal(REWARDS['SQL-R1'](input(THINK('SELECT 1'), ANN, ANN)), -1);
  assert.equal(REWARDS['SQL-R1'](input(good + good, ANN, ANN)), -1);
  // Over 2048 code points the length part is capped at 0.5; astral characters count once.
  const long = `<reasoning>\n${'\u{1F600}'.repeat(3000)}\n</reasoning>\n<answer>\n\`\`\`sql\nSELECT 1\n\`\`\`\n</answer>`;
  assert.equal(REWARDS['SQL-R1'](input(long, ANN, ANN)), 1 + 2 + 3 + (0.5 + 8 / 19));
  const short = `<reasoning>\n${'\u{1F600}'.repeat(1000)}\n</reasoning>\n<answer>\nSELECT 1\n</answer>`;
  assert.equal(REWARDS['SQL-R1'](input(short, ANN, ANN)), 1 + 2 + 3 + (((1000 + 8) / 2048) * 0.5 + 1));
  // SQL-R1-EX scores with layout-A EX.
  const gold = rows('[["Ann", 30]]');
  const pred = rows('[[30, "Ann"]]');
  assert.equal(REWARDS['SQL-R1'](input(good, gold, pred)), 0);
  assert.ok(REWARDS['SQL-R1-EX'](input(good, gold, pred)) > 7);
});

test('penalty_no_format: -1 unless the <reasoning> format passes', () => {
  assert.equal(REWARDS.penalty_no_format(input(REASONING('SELECT 1'), ANN, ANN)), 0);
  assert.equal(REWARDS.penalty_no_format(input(THINK('SELECT 1'), ANN, ANN)), -1);
});

test('table_recall / column_recall: names lower-cased, trimmed, quotes removed', () => {
  const text = '<tables>\n`People`, "ORDERS" , misc\n</tables>\n<columns>\npeople.Name, `people.age`\n</columns>';
  const base = input(text, ANN, ANN);
  assert.equal(REWARDS.table_recall({ ...base, goldTables: ['people', ' Orders', 'items'] }), 2 / 3);
  assert.equal(REWARDS.column_recall({ ...base, goldColumns: ['people.name', 'people.age'] }), 1);
  assert.equal(REWARDS.table_recall({ ...base, goldTables: [] }), 0);
  assert.equal(REWARDS.table_recall({ ...input('<tables>people</tables>', ANN, ANN), goldTables: ['people'] }), 0);
  // Without gold names they are left out of computeRewards rather than reported as 0.
  assert.equal('table_recall' in computeRewards(base), false);
  assert.equal(computeRewards({ ...base, goldTables: ['people'] }).table_recall, 1);
});

test('apply_dynamic_len_penalty matches the reference (values from running the Python function)', () => {
  const completions = ['a'.repeat(100), 'b'.repeat(120), 'c'.repeat(300), 'd'.repeat(90), 'e'.repeat(1000),
    'x'.repeat(10), 'y'.repeat(11), 'z'.repeat(30), 'w'.repeat(12), '\u{1F600}'.repeat(40), 'q'.repeat(5)];
  const scores = [1.0, 0.867, 1.0, 0.3, 0.6, 1.0, 0.7, 1.0, 0.0, 0.2, 1.0];
  assert.deepEqual(applyDynamicLengthPenalty(completions, scores, 5),
    [1.0, 0.867, 1.0, 0.3, 0.4534296708030776, 1.0, 0.7, 0.8846436537759051, 0.0, 0.0, 1.0]);
  const c2 = ['a'.repeat(10), 'b'.repeat(11), 'c'.repeat(30), '\u{1F600}'.repeat(25)];
  assert.deepEqual(applyDynamicLengthPenalty(c2, [1.0, 0.9, 0.75, 0.6], 4), [1.0, 0.9, 0.6403648434594592, 0.5401990055233414]);
  assert.throws(() => applyDynamicLengthPenalty(['a'], [1, 2], 1), RangeError);
});

test('complex rewards score each completion, then penalise long ones within a prompt group', () => {
  const group = [
    input('SELECT name FROM people', ROME, ROME),
    input(`SELECT name FROM people -- ${'x'.repeat(40)}`, ROME, ROME),
    input(`SELECT name FROM people -- ${'x'.repeat(400)}`, ROME, ROME),
    input('SELEC', ROME, ERROR),
  ];
  const qa = GROUP_REWARDS.qatch_complex(group, 4);
  assert.equal(qa[0], 1);
  assert.equal(qa[3], 0);
  assert.ok(qa[2] < qa[1] && qa[1] <= 1);
  assert.deepEqual(
    qa,
    applyDynamicLengthPenalty(group.map((g) => g.completion), [1, 1, 1, 0], 4),
  );
  assert.deepEqual(GROUP_REWARDS.ex_complex(group, 4), qa);
});

test('exact ratios and square roots are correctly rounded', () => {
  assert.equal(ratioToNumber(1n, 3n), 1 / 3);
  assert.equal(ratioToNumber(10n ** 30n, 3n * 10n ** 29n), 10 / 3);
  assert.equal(ratioToNumber(2n ** 80n + 1n, 2n ** 80n), 1);
  assert.equal(ratioToNumber(6n * 10n ** 20n, 7n * 10n ** 20n), 6 / 7);
  assert.equal(sqrtRatioToNumber(2n, 1n), Math.SQRT2);
  assert.equal(sqrtRatioToNumber(1n, 2n), Math.SQRT1_2);
  assert.equal(sqrtRatioToNumber(0n, 5n), 0);
  // statistics.stdev([10, 11, 30]) in CPython 3.11.
  assert.equal(sqrtRatioToNumber(3n * (100n + 121n + 900n) - 51n * 51n, 3n * 2n), 11.269427669584644);
  assert.equal(isqrt(10n ** 40n), 10n ** 20n);
  assert.equal(isqrt(10n ** 40n - 1n), 10n ** 20n - 1n);
});

test('TRL weighted sum: float32 at every step, missing rewards skipped', () => {
  assert.equal(weightedSumFloat32([0.833, 1], [0.95, 0.05]), 0.8413500189781189);
  assert.equal(weightedSum64([0.833, 1], [0.95, 0.05]), 0.8413499999999999);
  assert.equal(weightedSumFloat32([0.1], [1]), Math.fround(0.1));
  assert.equal(weightedSumFloat32([null, 1], [0.95, 0.05]), Math.fround(Math.fround(0.05) * 1));
  assert.equal(weightedSumFloat32([NaN, NaN], [1, 1]), 0);
  assert.throws(() => weightedSumFloat32([1], [1, 2]), RangeError);
  assert.deepEqual(DEFAULT_WEIGHTS, [{ key: 'QATCH', weight: 0.95 }, { key: 'format_think', weight: 0.05 }]);
  assert.deepEqual(parseWeights('QATCH=0.9, format=0.1'), [{ key: 'QATCH', weight: 0.9 }, { key: 'format', weight: 0.1 }]);
  assert.throws(() => parseWeights('QATCH'), RangeError);
  assert.equal(weightedReward({ QATCH: 0.833, format_think: 1 }), 0.8413500189781189);
  assert.throws(() => weightedReward({ QATCH: 1 }), /format_think/);
});

test('scoreCompletion: bare SQL, custom weights and the SQL offsets', () => {
  const bare = scoreCompletion({ predSql: '  SELECT name FROM people; ', gold: ROME, pred: ROME });
  assert.equal(bare.sql, 'SELECT name FROM people;');
  assert.equal(bare.format_think, 0);
  assert.equal(bare.qatch_small_update_with_fm, 1);
  assert.equal(bare.weighted, Math.fround(0.95));
  assert.equal(sqlToExecute({ predSql: '```sql\nSELECT 1\n```' }), 'SELECT 1');

  const completion = THINK('SELECT name FROM people WHERE id = 1');
  const s = scoreCompletion({ completion, gold: ROME, pred: ANN, weights: [{ key: 'qatch_small_update_with_fm', weight: 1 }] });
  assert.equal(completion.slice(s.sql_start, s.sql_end), s.sql);
  assert.equal(s.weighted, Math.fround(0.555));
  assert.equal(s.rewards.QATCH, 0.555);
  assert.equal(s.rewards['SQL-R1'], -1);
  assert.equal(s.tag_count, 1);
  assert.throws(() => scoreCompletion({ gold: ROME, pred: ROME }), TypeError);
});
