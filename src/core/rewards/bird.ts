// BIRD's execution metrics as BIRD's own scripts compute them.
//   BIRD EX (DAMO-ConvAI bird/llm/src/evaluation.py): 1 iff set(pred rows) == set(gold rows);
//     any error or timeout on either side is 0 (StepLens' `bird_ex`, NL2SQLEvaluator's
//     BirdEXEvaluator, gives 1 when both fail; that is the only difference).
//   Soft-F1 (bird-bench/mini_dev evaluation/evaluation_f1.py, calculate_f1_score): rows
//     deduplicated in first-occurrence order and paired by position; per pair, the share of
//     the gold row's columns matched / only in the prediction / only in gold (membership,
//     not position); unpaired rows count fully; F1 of the sums. Both empty → 1; any error → 0.

import type { Cell } from '../exec/protocol.ts';
import type { QueryOutcome } from './metrics.ts';
// Python equality of cells (1 == 1.0), as the official Spider code and BIRD's scripts compare them.
import { eqKey } from '../exec/official.ts';


function keyRows(rows: readonly (readonly Cell[])[]): string[][] {
  return rows.map((r) => r.map(eqKey));
}

const rowKey = (r: readonly string[]) => r.map((k) => k.length + ':' + k).join('');

/** Rows without duplicates, first occurrence kept (`list(dict.fromkeys(rows))`). */
function dedupe(rows: string[][]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const r of rows) {
    const k = rowKey(r);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}

/** calculate_f1_score(predicted, ground_truth) on two successful results. */
export function softF1FromRows(predRows: readonly (readonly Cell[])[], goldRows: readonly (readonly Cell[])[]): number {
  if (predRows.length === 0 && goldRows.length === 0) return 1.0;
  const predicted = dedupe(keyRows(predRows));
  const truth = dedupe(keyRows(goldRows));
  // The three lists are summed left to right, as Python's sum() does, so the float is the same.
  const match: number[] = [];
  const predOnly: number[] = [];
  const truthOnly: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    const gt = truth[i];
    if (i >= predicted.length) {
      match.push(0);
      truthOnly.push(1);
      continue;
    }
    const pr = predicted[i];
    const total = gt.length;
    const gtSet = new Set(gt);
    const prSet = new Set(pr);
    let matches = 0;
    let onlyPred = 0;
    let onlyTruth = 0;
    for (const v of pr) {
      if (gtSet.has(v)) matches++;
      else onlyPred++;
    }
    for (const v of gt) if (!prSet.has(v)) onlyTruth++;
    match.push(matches / total);
    predOnly.push(onlyPred / total);
    truthOnly.push(onlyTruth / total);
  }
  for (let i = 0; i < predicted.length - truth.length; i++) {
    match.push(0);
    predOnly.push(1);
    truthOnly.push(0);
  }
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const tp = sum(match);
  const fp = sum(predOnly);
  const fn = sum(truthOnly);
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Soft-F1 of one record: 0 when either query failed (the script's `except` branch). */
export function birdSoftF1(gold: QueryOutcome, pred: QueryOutcome): number {
  if (!gold.ok || !pred.ok) return 0;
  return softF1FromRows(pred.rows, gold.rows);
}

/** BIRD EX as evaluation.py computes it: set equality of the rows, any failure 0. */
export function birdExOfficial(gold: QueryOutcome, pred: QueryOutcome): 0 | 1 {
  if (!gold.ok || !pred.ok) return 0;
  const g = new Set(keyRows(gold.rows).map(rowKey));
  const p = new Set(keyRows(pred.rows).map(rowKey));
  if (g.size !== p.size) return 0;
  for (const k of g) if (!p.has(k)) return 0;
  return 1;
}
