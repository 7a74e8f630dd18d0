// Scores one input record completely: structural scores (RelPM, AstPM,
// StepRTM) on the main thread, gold and prediction executed in the worker
// pool (gold and identical predictions served from caches), every execution
// metric and reward, test-suite EX when asked, the reasoning trace of a
// completion, and the headline reward. Problems become `errors` entries; this
// never throws for bad data.

import { outcomeOf, testSuiteExecutionAccuracy, type ExecPool, type ExecResult, type ResultCache } from '../exec/index.ts';
import { ResultPairMemo } from '../exec/result-pair-memo.ts';
import { computeMetrics, type ExecutionMetrics } from '../rewards/metrics.ts';
import { scoreCompletion } from '../rewards/score.ts';
import type { RewardWeight } from '../rewards/weighted.ts';
import type { Schema } from '../plan/schema.ts';
import { extractSqlWithOffset, formatReward, tagCountReward } from '../trace/completion.ts';
import { traceCompletion } from '../trace/index.ts';
import { headlineValue } from './headline.ts';
import { definePlanFields, EMPTY_PLAN_FIELDS_JSON, setPlanFieldsJson } from './plan-fields.ts';
import { StructuralCache, type StructuralResult } from './structural-cache.ts';
import {
  PREVIEW_ROWS,
  SCORE_SCHEMA,
  type BadRecord,
  type ExecutionScores,
  type FormatScores,
  type InputRecord,
  type JsonCell,
  type ReasoningTrace,
  type RecordError,
  type ResultPreview,
  type ScoredRecord,
  type TestSuiteScore,
} from './types.ts';

/**
 * Where a record's database lives: a schema always; a file to execute on when
 * there is one; the test-suite variants when a suite was asked for (empty: the
 * suite has none for this database).
 */
export type DatabaseLookup = { schema: Schema; dbPath: string | null; testSuite: readonly string[] | null } | { error: string };

export interface ScoreContext {
  database(dbId: string): DatabaseLookup;
  /** Null: structural scores only. */
  pool: ExecPool | null;
  goldCache?: ResultCache;
  /** Identical predictions (many systems agree) run once. */
  predCache?: ResultCache;
  /** Structural scores of repeated (database, gold, prediction) triples computed once. */
  structuralCache?: StructuralCache;
  timeoutMs?: number;
  weights?: readonly RewardWeight[];
  /** Headline reward name (see headline.ts). */
  reward: string;
}

const nowMs = (): number => performance.now();

/** Test-suite variants run together before checking for a disagreement. */
const TEST_SUITE_CHUNK = 8;

export async function scoreRecord(ctx: ScoreContext, r: InputRecord): Promise<ScoredRecord> {
  const t0 = nowMs();
  const errors: RecordError[] = [];
  const completion = r.completion;
  const extracted = completion !== undefined ? extractSqlWithOffset(completion) : null;
  const predSql = extracted ? extracted.sql : r.pred_sql!;

  const span: [number, number] | undefined = extracted ? [extracted.start, extracted.end] : undefined;
  const out = emptyRecord(r, ctx.reward, errors, { gold_sql: r.gold_sql, pred_sql: predSql, completion, sql_span: span });

  const db = ctx.database(r.db_id);
  if ('error' in db) {
    errors.push({ stage: 'database', kind: 'unknown_db', message: db.error });
    out.format = formatScores(completion ?? r.pred_sql ?? '');
    out.timing.total_ms = round2(nowMs() - t0);
    return out;
  }

  // Start execution first so that it overlaps with parsing and planning.
  const execution = ctx.pool && db.dbPath ? execute(ctx, ctx.pool, db.dbPath, r.gold_sql, predSql) : null;
  const suite = ctx.pool && db.testSuite && db.testSuite.length > 0 ? runTestSuite(ctx, ctx.pool, db.testSuite, r.gold_sql, predSql) : null;
  if (ctx.pool && !db.dbPath) errors.push({ stage: 'database', kind: 'no_database', message: `no database file for "${r.db_id}": execution rewards not computed` });
  if (ctx.pool && db.testSuite && db.testSuite.length === 0) errors.push({ stage: 'test_suite', kind: 'no_suite', message: `no test-suite databases for "${r.db_id}"` });

  const ts = nowMs();
  const structural = await (ctx.structuralCache ?? new StructuralCache(1)).scoreAsync(r.db_id, db.schema, r.gold_sql, predSql);
  applyStructural(out, structural.score, extracted ? extracted.start : 0);
  setPlanFieldsJson(out, structural.planFieldsJson);
  if (completion !== undefined) out.trace = reasoningTrace(completion);
  out.timing.structural_ms = round2(nowMs() - ts);

  if (execution) {
    const { gold, pred, elapsed } = await execution;
    const goldOutcome = outcomeOf(gold);
    const predOutcome = outcomeOf(pred);
    const metrics = metricsMemo.get(gold, pred, () => computeMetrics(goldOutcome, predOutcome));
    const score = scoreCompletion({ completion, predSql: r.pred_sql, gold: goldOutcome, pred: predOutcome, weights: ctx.weights, metrics });
    const scores: ExecutionScores = {
      metrics: score.metrics,
      format_think: score.format_think,
      format_reasoning: score.format_reasoning,
      tag_count: score.tag_count,
      weighted: score.weighted,
      rewards: score.rewards,
      gold: preview(gold),
      pred: preview(pred),
    };
    out.execution = scores;
    out.format = { format_think: score.format_think, format_reasoning: score.format_reasoning, tag_count: score.tag_count };
    out.timing.execution_ms = round2(elapsed);
    if (gold.error) errors.push({ stage: 'execution', side: 'gold', kind: gold.error.kind, message: gold.error.message });
    if (pred.error) errors.push({ stage: 'execution', side: 'pred', kind: pred.error.kind, message: pred.error.message });
  }
  if (!out.format) out.format = formatScores(completion ?? r.pred_sql ?? '');
  if (suite) {
    const { score, elapsed, error } = await suite;
    out.test_suite = score;
    out.timing.test_suite_ms = round2(elapsed);
    if (error) errors.push({ stage: 'test_suite', side: 'gold', kind: 'gold_failed', message: error });
  }
  out.reward.value = headlineValue(ctx.reward, out);
  out.timing.total_ms = round2(nowMs() - t0);
  return out;
}

/** The output record of an input entry that could not be read. */
export function badRecordOutput(b: BadRecord, reward: string): ScoredRecord {
  const out = emptyRecord(b, reward, [{ stage: 'input', kind: b.kind, message: b.message, line: b.line }]);
  out.status = 'bad_record';
  return out;
}

/** A record with nothing scored yet: every score null or empty, fields in schema order (`matches` and `plans`, lazy, last). */
export function emptyRecord(
  at: { source: string; index: number; line: number; id: string | number | null; db_id: string | null; question?: string; evidence?: string },
  reward: string,
  errors: RecordError[] = [],
  sql: { gold_sql: string | null; pred_sql: string | null; completion?: string; sql_span?: [number, number] } = { gold_sql: null, pred_sql: null },
): ScoredRecord {
  const out: Omit<ScoredRecord, 'matches' | 'plans'> = {
    schema: SCORE_SCHEMA,
    source: at.source,
    index: at.index,
    line: at.line,
    id: at.id,
    db_id: at.db_id,
    ...(at.question !== undefined ? { question: at.question } : {}),
    ...(at.evidence !== undefined ? { evidence: at.evidence } : {}),
    status: 'scored',
    gold_sql: sql.gold_sql,
    pred_sql: sql.pred_sql,
    ...(sql.completion !== undefined ? { completion: sql.completion, sql_span: sql.sql_span } : {}),
    reward: { name: reward, value: null },
    format: null,
    execution: null,
    test_suite: null,
    relpm: null,
    astpm: null,
    steprtm: null,
    trace: null,
    errors,
    timing: { total_ms: 0, structural_ms: 0, execution_ms: 0, test_suite_ms: 0 },
  };
  definePlanFields(out, EMPTY_PLAN_FIELDS_JSON);
  return out as ScoredRecord;
}

async function execute(ctx: ScoreContext, pool: ExecPool, db: string, gold: string, pred: string): Promise<{ gold: ExecResult; pred: ExecResult; elapsed: number }> {
  const t = nowMs();
  const timeoutMs = ctx.timeoutMs;
  const g = { db, sql: gold, ...(timeoutMs ? { timeoutMs } : {}) };
  const p = { db, sql: pred, ...(timeoutMs ? { timeoutMs } : {}) };
  const [goldResult, predResult] = await Promise.all([
    ctx.goldCache ? ctx.goldCache.run(pool, g) : pool.run(g),
    ctx.predCache ? ctx.predCache.run(pool, p) : pool.run(p),
  ]);
  return { gold: goldResult, pred: predResult, elapsed: nowMs() - t };
}

async function runTestSuite(
  ctx: ScoreContext,
  pool: ExecPool,
  variants: readonly string[],
  gold: string,
  pred: string,
): Promise<{ score: TestSuiteScore | null; elapsed: number; error: string | null }> {
  const t = nowMs();
  // Stop at the first disagreeing variant, as the original evaluation does: a wrong prediction costs a chunk, not the suite.
  const verdict = await testSuiteExecutionAccuracy(pool, gold, pred, variants, {
    cache: ctx.goldCache,
    predCache: ctx.predCache,
    timeoutMs: ctx.timeoutMs,
    stopAfterChunk: TEST_SUITE_CHUNK,
  });
  // A gold query that fails on a variant makes the suite say nothing about the prediction there; keep the verdict (it is the suite's rule) but say so.
  const goldFailed = verdict.variants.filter((v) => v.goldError).length;
  const failedOn = verdict.variants.filter((v) => v.ex === 0).map((v) => v.db.slice(v.db.lastIndexOf('/') + 1));
  return {
    score: { correct: verdict.correct, variants: variants.length, checked: verdict.variants.length, failed_on: failedOn.slice(0, 10) },
    elapsed: nowMs() - t,
    error: goldFailed ? `gold fails on ${goldFailed} of the ${verdict.variants.length} test-suite databases checked` : null,
  };
}

/** The format rewards of a response that was not executed (scoreCompletion computes them otherwise). */
function formatScores(response: string): FormatScores {
  return { format_think: formatReward(response, 'think'), format_reasoning: formatReward(response, 'reasoning'), tag_count: tagCountReward(response) };
}

function applyStructural(out: ScoredRecord, s: StructuralResult['score'], responseBase: number): void {
  out.relpm = s.relpm;
  out.astpm = s.astpm;
  out.steprtm = {
    ...s.steprtm,
    token_rewards: s.steprtm.token_rewards.map((t) => ({ offset: t.offset + responseBase, value: t.value })),
  };
  for (const e of s.errors) {
    out.errors.push({ stage: 'structural', side: e.side, kind: e.kind, message: e.message, start: e.start, end: e.end, line: e.line, column: e.column, step: e.step });
  }
}

function reasoningTrace(completion: string): ReasoningTrace {
  const t = traceCompletion(completion);
  return {
    blocks: t.parts.thinks.map((b) => [b.contentStart, b.contentEnd]),
    segments: t.segments.map((s) => ({ start: s.start, end: s.end, kind: s.kind, label: s.label })),
    links: t.links.map((l) => ({ step: l.step, segments: l.segments.map((s) => ({ segment: s.segment, terms: s.terms })) })),
  };
}

export function preview(r: ExecResult): ResultPreview {
  const n = Math.min(r.rows.length, PREVIEW_ROWS);
  const rows = new Array<JsonCell[]>(n);
  for (let i = 0; i < n; i++) rows[i] = r.rows[i].map(jsonCell);
  return {
    columns: r.columns,
    rows,
    row_count: r.rows.length,
    truncated: r.truncated,
    elapsed_ms: round2(r.elapsed_ms),
    error: r.error ? { kind: r.error.kind, message: r.error.message } : null,
  };
}

const MAX_BLOB_PREVIEW = 64;

function jsonCell(c: ExecResult['rows'][number][number]): JsonCell {
  if (c instanceof Uint8Array) return { blob: Buffer.from(c.subarray(0, MAX_BLOB_PREVIEW)).toString('hex'), bytes: c.length };
  if (typeof c === 'number' && !Number.isFinite(c)) return String(c); // JSON has no NaN/Infinity
  return c;
}

// The metrics depend on the two results only.
const metricsMemo = new ResultPairMemo<ExecutionMetrics>();

const round2 = (x: number): number => Math.round(x * 100) / 100;
