// One call that scores a completion (or a bare predicted SQL) against executed
// gold and prediction results: the metrics, the headline rewards, every
// registry reward and the TRL-weighted sum. Execution itself happens elsewhere.

import { extractSqlWithOffset, formatReward, tagCountReward, type CompletionParts } from '../trace/completion.ts';
import { computeMetrics, type ExecutionMetrics, type QueryOutcome } from './metrics.ts';
import { computeRewards } from './registry.ts';
import { DEFAULT_WEIGHTS, weightedReward, type RewardWeight } from './weighted.ts';

export interface ScoreInput {
  /** The model's whole answer. When absent, `predSql` is treated as the completion. */
  completion?: string;
  /** A bare predicted SQL (used when there is no completion). */
  predSql?: string;
  gold: QueryOutcome;
  /** Execution of `sql` (see `sqlToExecute`). */
  pred: QueryOutcome;
  /** Defaults to 0.95·QATCH + 0.05·format_think. */
  weights?: readonly RewardWeight[];
  goldTables?: readonly string[];
  goldColumns?: readonly string[];
  /** computeMetrics(gold, pred), when the caller already has it (it depends on the two results only). */
  metrics?: ExecutionMetrics;
  /** parseCompletion(completion), when the caller already has it: the SQL and format rewards are taken from it. */
  parts?: Pick<CompletionParts, 'sql' | 'format_think' | 'format_reasoning' | 'tag_count'>;
}

export interface CompletionScore {
  /** The SQL Think2SQL executes for this completion. */
  sql: string;
  /** Offsets of `sql` in the completion text ([start, end)). */
  sql_start: number;
  sql_end: number;
  metrics: ExecutionMetrics;
  format_think: number;
  format_reasoning: number;
  tag_count: number;
  qatch_small_update: number;
  qatch_small_update_with_fm: number;
  ex_small_update_with_fm: number;
  /** TRL float32 weighted sum of `weights` over `rewards`. */
  weighted: number;
  /** Every per-completion registry reward (table/column recall only with gold names). */
  rewards: Record<string, number>;
}

function completionText(input: Pick<ScoreInput, 'completion' | 'predSql'>): string {
  const text = input.completion ?? input.predSql;
  if (text === undefined) throw new TypeError('scoreCompletion needs a completion or a predSql');
  return text;
}

/** The SQL to execute for a completion (NL2SQLEvaluator `extract_sql_or_same`). */
export function sqlToExecute(input: Pick<ScoreInput, 'completion' | 'predSql'>): string {
  return extractSqlWithOffset(completionText(input)).sql;
}

export function scoreCompletion(input: ScoreInput): CompletionScore {
  const text = completionText(input);
  const parts = input.completion !== undefined ? input.parts : undefined;
  const extracted = parts ? parts.sql : extractSqlWithOffset(text);
  const metrics = input.metrics ?? computeMetrics(input.gold, input.pred);
  const rewards = computeRewards({
    completion: text,
    gold: input.gold,
    pred: input.pred,
    metrics,
    goldTables: input.goldTables,
    goldColumns: input.goldColumns,
  });
  return {
    sql: extracted.sql,
    sql_start: extracted.start,
    sql_end: extracted.end,
    metrics,
    format_think: parts ? parts.format_think : formatReward(text, 'think'),
    format_reasoning: parts ? parts.format_reasoning : formatReward(text, 'reasoning'),
    tag_count: parts ? parts.tag_count : tagCountReward(text),
    qatch_small_update: rewards.qatch_small_update,
    qatch_small_update_with_fm: rewards.qatch_small_update_with_fm,
    ex_small_update_with_fm: rewards.ex_small_update_with_fm,
    weighted: weightedReward(rewards, input.weights ?? DEFAULT_WEIGHTS),
    rewards,
  };
}
