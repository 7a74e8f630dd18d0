// Test-suite execution accuracy (Zhong et al. 2020): a prediction is correct
// only if it agrees with gold on every variant database of its schema
// (spider_dev_test_suite/<db_id>/*.sqlite). Agreement per variant is EX in
// layout A (spec execution-rewards.md §3.2), not the original suite's
// column-permutation/bag comparison.

import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResultCache } from './cache.ts';
import type { ExecPool } from './pool.ts';
import type { Cell, ExecError, ExecResult } from './protocol.ts';
import { ResultPairMemo } from './result-pair-memo.ts';
import { executionAccuracy, type QueryOutcome } from '../rewards/metrics.ts';

export interface VariantOutcome {
  db: string;
  /** EX (layout A) on this variant: 1 = agrees with gold. */
  ex: 0 | 1;
  goldError: ExecError | null;
  predError: ExecError | null;
}

export interface TestSuiteVerdict {
  correct: boolean;
  variants: VariantOutcome[];
}

export interface TestSuiteOptions {
  /** Gold results are looked up here first (and stored). */
  cache?: ResultCache;
  /** Prediction results likewise (systems often agree on a prediction). */
  predCache?: ResultCache;
  /** Per-query timeout override. */
  timeoutMs?: number;
  /**
   * Stop at the first variant the prediction disagrees on, like the original
   * test-suite evaluation (it returns at the first mismatch). Variants are then
   * run in chunks of this many, in order; `variants` lists only those run.
   * 0 (default): run every variant.
   */
  stopAfterChunk?: number;
}

/** The variant databases of one schema folder, sorted by file name. */
export function variantDatabases(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sqlite'))
    .sort()
    .map((f) => resolve(join(dir, f)));
}

export async function testSuiteExecutionAccuracy(
  pool: ExecPool,
  gold: string,
  pred: string,
  variants: readonly string[],
  options: TestSuiteOptions = {},
): Promise<TestSuiteVerdict> {
  if (variants.length === 0) throw new RangeError('test-suite accuracy needs at least one variant database');
  const chunk = options.stopAfterChunk && options.stopAfterChunk > 0 ? options.stopAfterChunk : variants.length;
  const outcomes: VariantOutcome[] = [];
  for (let at = 0; at < variants.length; at += chunk) {
    const part = await compareOn(pool, gold, pred, variants.slice(at, at + chunk), options);
    outcomes.push(...part);
    if (part.some((o) => o.ex === 0)) break;
  }
  return { correct: outcomes.length === variants.length && outcomes.every((o) => o.ex === 1), variants: outcomes };
}

async function compareOn(pool: ExecPool, gold: string, pred: string, variants: readonly string[], options: TestSuiteOptions): Promise<VariantOutcome[]> {
  const t = options.timeoutMs;
  const goldQueries = variants.map((db) => ({ db, sql: gold, ...(t ? { timeoutMs: t } : {}) }));
  const predQueries = variants.map((db) => ({ db, sql: pred, ...(t ? { timeoutMs: t } : {}) }));
  // Both sides are submitted together so the workers share all of it.
  const [golds, preds] = await Promise.all([
    options.cache ? options.cache.runMany(pool, goldQueries) : pool.runMany(goldQueries),
    options.predCache ? options.predCache.runMany(pool, predQueries) : pool.runMany(predQueries),
  ]);
  return variants.map((db, i) => ({
    db,
    ex: exLayoutA(golds[i], preds[i]),
    goldError: golds[i].error,
    predError: preds[i].error,
  }));
}

/** EX of layout A with its error rules: gold failed → 1 iff the prediction failed too; prediction failed → 0. */
export function exLayoutA(gold: ExecResult, pred: ExecResult): 0 | 1 {
  return exMemo.get(gold, pred, () => (executionAccuracy(outcomeOf(gold), outcomeOf(pred)) === 1 ? 1 : 0));
}

const exMemo = new ResultPairMemo<0 | 1>();

/** Layout-A EX on two successful results (spec V07: multiplicities only through the row count). */
export function sameResultLayoutA(goldRows: readonly (readonly Cell[])[], predRows: readonly (readonly Cell[])[]): boolean {
  return executionAccuracy({ ok: true, rows: goldRows }, { ok: true, rows: predRows }) === 1;
}

/** An execution result as the reward metrics see it. */
export function outcomeOf(r: ExecResult): QueryOutcome {
  return r.error ? { ok: false, error: r.error.message } : { ok: true, rows: r.rows };
}
