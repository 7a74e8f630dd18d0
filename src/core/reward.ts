// Execute a prediction (or a completion's SQL) and its gold on one database,
// then compute every execution metric and reward, with the reasoning trace.
// `steplens reward`, `steplens score` and the extension share this.

import { outcomeOf, type ExecPool, type ExecResult } from './exec/index.ts';
import { scoreCompletion, sqlToExecute, type CompletionScore } from './rewards/score.ts';
import type { RewardWeight } from './rewards/weighted.ts';
import { traceCompletion, type Trace } from './trace/index.ts';

export interface RewardRequest {
  db: string;
  gold: string;
  /** A bare predicted SQL, or ... */
  pred?: string;
  /** ... a whole model completion (`<think>...</think><answer>...</answer>`, fenced SQL). */
  completion?: string;
  timeoutMs?: number;
  weights?: readonly RewardWeight[];
}

export interface RewardReport {
  score: CompletionScore;
  gold: ExecResult;
  pred: ExecResult;
  /** Present for completions: think segments, CTE steps and their links. */
  trace: Trace | null;
}

export async function rewardSample(pool: ExecPool, req: RewardRequest): Promise<RewardReport> {
  const input = { completion: req.completion, predSql: req.pred };
  const sql = sqlToExecute(input);
  const [gold, pred] = await pool.runMany([
    { db: req.db, sql: req.gold, timeoutMs: req.timeoutMs },
    { db: req.db, sql, timeoutMs: req.timeoutMs },
  ]);
  const score = scoreCompletion({ ...input, gold: outcomeOf(gold), pred: outcomeOf(pred), weights: req.weights });
  return { score, gold, pred, trace: req.completion !== undefined ? traceCompletion(req.completion) : null };
}
