// Think2SQL reward functions (spec execution-rewards.md §4), one per registry
// key of `get_reward_funcs`, on one completion whose SQL has already been run.
// The language-detection and token-repetition penalties are not here: they need
// langdetect's model and the policy's token ids.

import {
  extractSql,
  extractTagContent,
  formatReward,
  multiTagFormatReward,
  pyLen,
  pyStrip,
  sqlR1FormatOk,
  tagCountReward,
} from '../trace/completion.ts';
import { ratioToNumber, sqrtRatioToNumber } from './exact.ts';
import { computeMetrics, type ExecutionMetrics, type QueryOutcome } from './metrics.ts';

/** What every reward sees for one completion. */
export interface RewardInput {
  /** The assistant message text (`completion[0]["content"]`). */
  completion: string;
  /** Execution of the gold SQL. */
  gold: QueryOutcome;
  /** Execution of `extractSql(completion)`. */
  pred: QueryOutcome;
  /** `computeMetrics(gold, pred)`; computed when absent (pass it to score many rewards at once). */
  metrics?: ExecutionMetrics;
  /** Gold table names, for `table_recall`. */
  goldTables?: readonly string[];
  /** Gold column names, for `column_recall`. */
  goldColumns?: readonly string[];
}

export type RewardFn = (input: RewardInput) => number;

/** Which evaluator score a reward wraps: QA (cp_cr_tc), BIRD EX, or layout-A EX. */
type ScoreName = 'qa' | 'bird_ex' | 'ex';

function metricsOf(input: RewardInput): ExecutionMetrics {
  return input.metrics ?? computeMetrics(input.gold, input.pred);
}

function executed(input: RewardInput): boolean {
  return input.gold.ok && input.pred.ok;
}

/** `nl2sql_reward`: the evaluator score with its own error rules. */
function nl2sql(score: ScoreName): RewardFn {
  return (input) => metricsOf(input)[score];
}

/**
 * `reward_small_update` (HEAD): 0 on any execution error; 1 for a perfect score
 * (format not required); else, if the FM gate passes (format_think = 1, or no
 * gate), max-ish(s, 0.1) or the bucketed value; else 0.
 */
function smallUpdate(score: ScoreName, gate: boolean, buckets: boolean): RewardFn {
  return (input) => {
    if (!executed(input)) return 0;
    const s = metricsOf(input)[score];
    if (s === 1) return 1;
    const m = gate ? formatReward(input.completion, 'think') : 1;
    if (m !== 1) return 0;
    if (buckets) return s < 0.1 ? 0.1 : s < 0.5 ? 0.5 : s < 0.8 ? 0.8 : 0.9;
    return s > 0.1 ? s : 0.1;
  };
}

/** `reward_arctic_sql`: 1 if correct, 0.1 if executable and both blocks present, else 0. */
function arcticSql(score: ScoreName): RewardFn {
  return (input) => {
    if (!executed(input)) return 0;
    if (metricsOf(input)[score] > 0) return 1;
    const reasoning = extractTagContent('reasoning', input.completion);
    const answer = extractTagContent('answer', input.completion);
    return reasoning !== null && answer !== null ? 0.1 : 0;
  };
}

const SQL_R1_FORMAT = 1;
const SQL_R1_EXEC = 2;
const SQL_R1_RESULT = 3;
const SQL_R1_LIMIT_LENGTH = 2048;

/**
 * `reward_sql_r1` (ported from SQL-R1): format ±1; with a good format,
 * execution ±2 (0 for the result when either side fails) and result ±3; a
 * correct result adds a length bonus. Lengths are Python code-point lengths.
 */
function sqlR1(score: ScoreName): RewardFn {
  return (input) => {
    const text = input.completion;
    // `x or completion`: an empty extraction falls back to the whole text.
    const think = extractTagContent('reasoning', text) || text;
    const answer = extractTagContent('answer', text) || text;
    const formatOk = sqlR1FormatOk(text, 'reasoning', 'answer');
    const formatScore = formatOk ? SQL_R1_FORMAT : -SQL_R1_FORMAT;
    let execScore = 0;
    let resultScore = 0;
    if (formatOk) {
      if (!executed(input)) {
        execScore = -SQL_R1_EXEC;
      } else {
        execScore = SQL_R1_EXEC;
        resultScore = metricsOf(input)[score] > 0 ? SQL_R1_RESULT : -SQL_R1_RESULT;
      }
    }
    let lengthScore = 0;
    if (resultScore > 0) {
      const posLength = pyLen(think) + pyLen(answer);
      const sqlInAnswer = pyLen(extractSql(text)) / pyLen(answer);
      lengthScore = (posLength <= SQL_R1_LIMIT_LENGTH ? (posLength / SQL_R1_LIMIT_LENGTH) * 0.5 : 0.5) + sqlInAnswer;
    }
    return formatScore + execScore + resultScore + lengthScore;
  };
}

function lowerPy(s: string): string {
  return s.toLowerCase();
}

/** `reward_selected_tables` / `reward_selected_columns`: recall of the listed names. */
function nameRecall(tag: 'tables' | 'columns'): RewardFn {
  return (input) => {
    const listed = extractTagContent(tag, input.completion);
    if (listed === null) return 0;
    const predicted = new Set(
      listed.split(',').map((t) => {
        let name = lowerPy(pyStrip(t)).replaceAll('`', '');
        if (tag === 'tables') name = name.replaceAll('"', '').replaceAll("'", '');
        return name;
      }),
    );
    const gold = new Set((tag === 'tables' ? input.goldTables : input.goldColumns)?.map((t) => lowerPy(pyStrip(t))) ?? []);
    if (gold.size === 0) return 0;
    let hit = 0;
    for (const g of gold) if (predicted.has(g)) hit++;
    return hit / gold.size;
  };
}

export interface RewardSpec {
  key: string;
  /** The Think2SQL function it reproduces. */
  source: string;
  summary: string;
  /** Smallest and largest value. */
  range: readonly [number, number];
  /** Extra input the reward needs; without it the reward is 0 like the reference. */
  needs?: 'goldTables' | 'goldColumns';
  fn: RewardFn;
}

/** Per-completion rewards of `get_reward_funcs`, in registry order. */
export const REWARD_SPECS: readonly RewardSpec[] = Object.freeze([
  { key: 'EX', source: 'nl2sql_reward + BirdEXEvaluator', summary: 'BIRD EX: set equality of raw rows', range: [0, 1], fn: nl2sql('bird_ex') },
  { key: 'EX_EX', source: 'nl2sql_reward + EXEvaluator', summary: 'EX (layout A): equal row counts, equal sets of sorted rows', range: [0, 1], fn: nl2sql('ex') },
  { key: 'QATCH', source: 'nl2sql_reward + QATCHEvaluator(cp_cr_tc)', summary: 'QA = mean of cell precision, cell recall, tuple cardinality', range: [0, 1], fn: nl2sql('qa') },
  { key: 'format', source: 'format_reward(tag=reasoning)', summary: '<reasoning>…</reasoning><answer>…</answer>', range: [0, 1], fn: (i) => formatReward(i.completion, 'reasoning') },
  { key: 'format_think', source: 'format_reward(tag=think)', summary: '<think>…</think><answer>…</answer>', range: [0, 1], fn: (i) => formatReward(i.completion, 'think') },
  { key: 'qatch_small_update', source: 'reward_small_update(QATCH)', summary: 'QA, at least 0.1 when executable', range: [0, 1], fn: smallUpdate('qa', false, false) },
  { key: 'qatch_small_update_with_fm', source: 'reward_small_update(QATCH, FM gate)', summary: 'QA + SU + FM: 1 if perfect, else QA (≥ 0.1) only with format_think', range: [0, 1], fn: smallUpdate('qa', true, false) },
  { key: 'qatch_small_update_fm_with_buckets', source: 'reward_small_update(QATCH, FM gate, buckets)', summary: 'as with_fm, QA bucketed to 0.1/0.5/0.8/0.9', range: [0, 1], fn: smallUpdate('qa', true, true) },
  { key: 'ex_small_update', source: 'reward_small_update(BIRD EX)', summary: '1 if BIRD EX, 0.1 if executable', range: [0, 1], fn: smallUpdate('bird_ex', false, false) },
  { key: 'ex_small_update_with_fm', source: 'reward_small_update(BIRD EX, FM gate)', summary: '1 if BIRD EX, 0.1 if executable with format_think', range: [0, 1], fn: smallUpdate('bird_ex', true, false) },
  { key: 'arctic_sql', source: 'reward_arctic_sql(BIRD EX)', summary: '1 if BIRD EX, 0.1 if executable with <reasoning> and <answer>', range: [0, 1], fn: arcticSql('bird_ex') },
  { key: 'arctic_sql_EX', source: 'reward_arctic_sql(EX)', summary: '1 if EX, 0.1 if executable with <reasoning> and <answer>', range: [0, 1], fn: arcticSql('ex') },
  { key: 'SQL-R1', source: 'reward_sql_r1(BIRD EX)', summary: 'SQL-R1: format ±1, execution ±2, result ±3, length bonus', range: [-1, 7.5], fn: sqlR1('bird_ex') },
  { key: 'SQL-R1-EX', source: 'reward_sql_r1(EX)', summary: 'SQL-R1 with layout-A EX', range: [-1, 7.5], fn: sqlR1('ex') },
  { key: 'tag_count', source: 'tag_count_reward', summary: '0.25 per think/answer marker present exactly once', range: [0, 1], fn: (i) => tagCountReward(i.completion) },
  { key: 'multi_tag_format', source: 'multi_tag_format_reward', summary: 'reasoning, tables, columns, checks, answer blocks', range: [0, 1], fn: (i) => multiTagFormatReward(i.completion) },
  { key: 'penalty_no_format', source: 'penalty_no_format (format_reward, tag=reasoning)', summary: '-1 unless format (reasoning) passes', range: [-1, 0], fn: (i) => (formatReward(i.completion, 'reasoning') === 1 ? 0 : -1) },
  { key: 'table_recall', source: 'reward_selected_tables', summary: 'recall of gold tables listed in <tables>', range: [0, 1], needs: 'goldTables', fn: nameRecall('tables') },
  { key: 'column_recall', source: 'reward_selected_columns', summary: 'recall of gold columns listed in <columns>', range: [0, 1], needs: 'goldColumns', fn: nameRecall('columns') },
] satisfies RewardSpec[]);

export type RewardKey = (typeof REWARD_SPECS)[number]['key'];

/** Registry key → reward function. */
export const REWARDS: Readonly<Record<string, RewardFn>> = Object.freeze(Object.fromEntries(REWARD_SPECS.map((s) => [s.key, s.fn])));

export function rewardKeys(): string[] {
  return REWARD_SPECS.map((s) => s.key);
}

/** Every per-completion reward, sharing one metrics computation. */
export function computeRewards(input: RewardInput): Record<string, number> {
  const shared: RewardInput = { ...input, metrics: metricsOf(input) };
  const out: Record<string, number> = {};
  for (const spec of REWARD_SPECS) {
    if (spec.needs && shared[spec.needs] === undefined) continue;
    out[spec.key] = spec.fn(shared);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Group-level rewards: they see all completions of a prompt at once.

/** Python statistics.mean of ints: the correctly rounded exact mean. */
function meanOfInts(xs: readonly number[]): number {
  let total = 0n;
  for (const x of xs) total += BigInt(x);
  return ratioToNumber(total, BigInt(xs.length));
}

/** Python 3.11+ statistics.stdev of ints: correctly rounded sqrt of the exact sample variance. */
function stdevOfInts(xs: readonly number[]): number {
  const n = BigInt(xs.length);
  let sum = 0n;
  let sq = 0n;
  for (const x of xs) {
    sum += BigInt(x);
    sq += BigInt(x) * BigInt(x);
  }
  // Σ(x − μ)² / (n − 1) = (n Σx² − (Σx)²) / (n (n − 1)), exactly.
  return sqrtRatioToNumber(n * sq - sum * sum, n * (n - 1n));
}

/**
 * `apply_dynamic_len_penalty`: per prompt group of `numGenerations` completions,
 * the lengths (code points) of the completions scoring > 0.5 (at least two) give
 * μ and σ′ = max(stdev, 0.2μ); each positive score with z = (len − μ)/σ′ > 0
 * loses min(0.9, 0.1·z), floored at 0. Trailing completions that do not fill a
 * group are left alone, as in the reference.
 */
export function applyDynamicLengthPenalty(
  completions: readonly string[],
  scores: readonly number[],
  numGenerations: number,
  penaltyStrength = 0.1,
  correctnessThreshold = 0.5,
  minStdFloor = 0.2,
): number[] {
  if (completions.length !== scores.length) throw new RangeError('completions and scores must have the same length');
  if (!Number.isInteger(numGenerations) || numGenerations < 1) throw new RangeError('numGenerations must be a positive integer');
  const out = scores.slice();
  const lengths = completions.map(pyLen);
  const groups = Math.floor(completions.length / numGenerations);
  for (let g = 0; g < groups; g++) {
    const from = g * numGenerations;
    const correct: number[] = [];
    for (let j = from; j < from + numGenerations; j++) if (scores[j] > correctnessThreshold) correct.push(lengths[j]);
    if (correct.length < 2) continue;
    const mean = meanOfInts(correct);
    const std = Math.max(stdevOfInts(correct), mean * minStdFloor);
    // Python raises ZeroDivisionError here (all correct completions empty); we skip the group.
    if (std === 0) continue;
    for (let j = from; j < from + numGenerations; j++) {
      if (!(scores[j] > 0)) continue;
      const z = (lengths[j] - mean) / std;
      if (z > 0) out[j] = Math.max(0, out[j] - Math.min(0.9, z * penaltyStrength));
    }
  }
  return out;
}

export type GroupRewardFn = (inputs: readonly RewardInput[], numGenerations: number) => number[];

/** `complex_reward`: the raw score (0 on any execution error) minus the length penalty. */
function complexReward(score: ScoreName): GroupRewardFn {
  return (inputs, numGenerations) =>
    applyDynamicLengthPenalty(
      inputs.map((i) => i.completion),
      inputs.map((i) => (executed(i) ? metricsOf(i)[score] : 0)),
      numGenerations,
    );
}

/** Group-level rewards: all completions of the batch, grouped by prompt in order. */
export const GROUP_REWARDS: Readonly<Record<'qatch_complex' | 'ex_complex', GroupRewardFn>> = Object.freeze({
  qatch_complex: complexReward('qa'),
  ex_complex: complexReward('bird_ex'),
});
