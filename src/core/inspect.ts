// The one place a single statement (or a model completion) is inspected
// against its context: the language server, the panel and `steplens score`
// all come through here, so the editor and the CLI can never disagree.
//
// - inspectStatement(): what the editor needs on every keystroke, execution
//   free: the CTE steps with their ranges, output columns and plans, every
//   error at its position, and (with a gold query) StepRTM per step and RelPM,
//   exactly as `steplens match` computes them.
// - inspectRecord(): the full per-record report object `steplens score`
//   writes (docs/score-output.md), execution included.

import { analyzeSql, type QueryAnalysis } from './analyze.ts';
import { planExplain, type Plan } from './plan/index.ts';
import type { Schema } from './plan/schema.ts';
import { parseSelect } from './sql/parse.ts';
import { splitSteps } from './sql/steps.ts';
import { SqlError, stackOverflowAsSqlError } from './sql/errors.ts';
import { prepareGold, scoreStructuralWithTrees, type GoldSide, type Prf, type StructuralError } from './structural.ts';
import { outcomeOf, testSuiteExecutionAccuracy, type ExecPool, type ExecResult } from './exec/index.ts';
import { ResultPairMemo } from './exec/result-pair-memo.ts';
import { computeMetrics, type ExecutionMetrics } from './rewards/metrics.ts';
import { scoreCompletion } from './rewards/score.ts';
import { parseCompletion, type CompletionParts } from './trace/completion.ts';
import { traceCompletion } from './trace/index.ts';
import { headlineValue } from './score/headline.ts';
import { applyInfrastructureStatus } from './score/infra.ts';
import { setPlanFieldsJson } from './score/plan-fields.ts';
import { StructuralCache, type StructuralResult } from './score/structural-cache.ts';
import { emptyRecord, formatScores, preview, round2, type ScoreContext } from './score/score-record.ts';
import type { ExecutionScores, FormatScores, InputRecord, ReasoningTrace, RecordError, ScoredRecord, TestSuiteScore } from './score/types.ts';

export interface InspectedStep {
  /** CTE name, null for the main query. */
  name: string | null;
  /** Offsets in the statement's SQL. */
  start: number;
  end: number;
  nameStart: number | null;
  nameEnd: number | null;
  /** Runnable SQL of the step (`WITH … SELECT * FROM name`; the statement itself for the main query). */
  sql: string;
  /** Output column names, when the step plans. */
  columns: string[] | null;
  /** Calcite-style plan text, when the step plans (computed on first use). */
  explain: () => string | null;
  /** StepRTM of the step against the gold query (null without one). */
  reward: number | null;
  /** Gold nodes this step matched first, and the gold tree's size. */
  newMatches: number | null;
  goldNodes: number | null;
  /** The step's own planning error or the one of an earlier step that zeroes it. */
  failed: boolean;
}

export interface InspectedStatement {
  steps: InspectedStep[];
  /** Every problem of the predicted SQL, offsets in the statement (side 'pred'), plus the gold query's (side 'gold', offsets in the gold). */
  errors: StructuralError[];
  relpm: Prf | null;
  astpm: Prf | null;
  /** Σ StepRTM, null without a gold query. */
  steprtmTotal: number | null;
  goldNodes: number;
}

/** The gold side of "no gold query": no tree, so StepRTM and RelPM stay unset and only the prediction's errors are reported. */
const NO_GOLD: GoldSide = { sql: '', result: { error: { kind: 'plan', message: 'no gold query' } } };

/** Gold sides are reused for every prediction against them; a small memo per schema is enough for an editor. */
const goldMemo = new WeakMap<Schema, Map<string, GoldSide>>();
export function goldSideOf(gold: string, schema: Schema): GoldSide {
  let bySql = goldMemo.get(schema);
  if (!bySql) goldMemo.set(schema, (bySql = new Map()));
  let side = bySql.get(gold);
  if (!side) {
    side = prepareGold(gold, schema);
    if (bySql.size >= 256) bySql.delete(bySql.keys().next().value!);
    bySql.set(gold, side);
  }
  return side;
}

/**
 * Inspects one statement. Without a schema only syntax is checked (no
 * database is known, so no name can be resolved). Never throws for bad SQL.
 */
export function inspectStatement(sql: string, schema: Schema | null, gold: string | null): InspectedStatement {
  if (!schema) return syntaxOnly(sql);
  let analysis: QueryAnalysis;
  let score: ReturnType<typeof scoreStructuralWithTrees>['score'];
  const goldSide = gold !== null ? goldSideOf(gold, schema) : NO_GOLD;
  try {
    analysis = analyzeSql(sql, schema);
    score = scoreStructuralWithTrees({ gold_sql: goldSide.sql, pred_sql: sql }, schema, { gold: goldSide, analysis }).score;
  } catch (caught) {
    return internalError(sql, caught);
  }
  const withGold = gold !== null && goldSide.tree !== undefined;
  const rtm = score.steprtm.steps;
  const steps: InspectedStep[] = analysis.steps.map((s, k) => {
    const plan: Plan | null = s.plan;
    const r = rtm[k];
    const step = s.step;
    return {
      name: step.name,
      start: step.start,
      end: step.end,
      nameStart: step.nameStart,
      nameEnd: step.nameEnd,
      // Built on first use, as Step.sql is: each step's text holds every earlier definition.
      get sql() {
        return step.sql;
      },
      columns: plan ? plan.rel.fields.map((f) => f.name) : null,
      explain: memo(() => (plan ? planExplain(plan) : null)),
      reward: withGold && r ? r.reward : null,
      newMatches: withGold && r ? r.new_matches.length : null,
      goldNodes: withGold && r ? r.gold_nodes : null,
      failed: r ? r.error !== null : s.error !== null,
    };
  });
  return {
    steps,
    errors: score.errors,
    relpm: withGold ? score.relpm : null,
    astpm: gold !== null ? score.astpm : null,
    steprtmTotal: withGold ? score.steprtm.total : null,
    goldNodes: score.gold_nodes,
  };
}

/** No database: the steps and their syntax errors. */
function syntaxOnly(sql: string): InspectedStatement {
  const errors: StructuralError[] = [];
  let steps: InspectedStep[] = [];
  try {
    steps = splitSteps(sql).steps.map((s) => ({
      name: s.name,
      start: s.start,
      end: s.end,
      nameStart: s.nameStart,
      nameEnd: s.nameEnd,
      sql: s.sql,
      columns: null,
      explain: () => null,
      reward: null,
      newMatches: null,
      goldNodes: null,
      failed: false,
    }));
    parseSelect(sql);
  } catch (caught) {
    const err = stackOverflowAsSqlError(caught, sql);
    if (!(err instanceof SqlError)) return internalError(sql, err);
    errors.push({ side: 'pred', step: null, kind: err.kind, message: err.detail, start: err.start, end: err.end, line: err.line, column: err.column });
  }
  return { steps, errors, relpm: null, astpm: null, steprtmTotal: null, goldNodes: 0 };
}

/** A failure of the analysis itself (a bug, not the SQL's fault) is still one error of the statement. */
function internalError(sql: string, caught: unknown): InspectedStatement {
  const message = `internal error while analyzing: ${(caught as Error)?.message ?? String(caught)}`;
  return { steps: [], errors: [{ side: 'pred', step: null, kind: 'internal', message, start: 0, end: Math.min(sql.length, 1), line: 1, column: 1 }], relpm: null, astpm: null, steprtmTotal: null, goldNodes: 0 };
}

function memo<T>(f: () => T): () => T {
  let done = false;
  let v: T;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v;
  };
}

// ---------------------------------------------------------------- one record

const nowMs = (): number => performance.now();

/** Test-suite variants run together before checking for a disagreement. */
const TEST_SUITE_CHUNK = 8;

/**
 * The full report object of one record, exactly what `steplens score` writes
 * for it (docs/score-output.md). A completion is parsed once: its SQL, blocks
 * and format rewards serve the execution rewards and the reasoning trace.
 * Never throws for bad data: problems become `errors` entries.
 */
export async function inspectRecord(ctx: ScoreContext, r: InputRecord): Promise<ScoredRecord> {
  const t0 = nowMs();
  const errors: RecordError[] = [];
  const completion = r.completion;
  const parts = completion !== undefined ? parseCompletion(completion) : null;
  const extracted = parts ? parts.sql : null;
  const predSql = extracted ? extracted.sql : r.pred_sql!;

  const span: [number, number] | undefined = extracted ? [extracted.start, extracted.end] : undefined;
  const out = emptyRecord(r, ctx.reward, errors, { gold_sql: r.gold_sql, pred_sql: predSql, completion, sql_span: span });

  const db = ctx.database(r.db_id);
  if ('error' in db) {
    errors.push({ stage: 'database', kind: db.kind ?? 'unknown_db', message: db.error });
    out.format = parts ? formatOf(parts) : formatScores(r.pred_sql ?? '');
    applyInfrastructureStatus(out);
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
  if (completion !== undefined) out.trace = reasoningTrace(completion, parts!);
  out.timing.structural_ms = round2(nowMs() - ts);

  if (execution) {
    const { gold, pred, elapsed } = await execution;
    const goldOutcome = outcomeOf(gold);
    const predOutcome = outcomeOf(pred);
    const metrics = metricsMemo.get(gold, pred, () => computeMetrics(goldOutcome, predOutcome));
    const score = scoreCompletion({ completion, predSql: r.pred_sql, gold: goldOutcome, pred: predOutcome, weights: ctx.weights, metrics, parts: parts ?? undefined });
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
  if (!out.format) out.format = parts ? formatOf(parts) : formatScores(r.pred_sql ?? '');
  if (suite) {
    const { score, elapsed, error } = await suite;
    out.test_suite = score;
    out.timing.test_suite_ms = round2(elapsed);
    if (error) errors.push({ stage: 'test_suite', side: 'gold', kind: 'gold_failed', message: error });
  }
  out.reward.value = headlineValue(ctx.reward, out);
  applyInfrastructureStatus(out); // a locked, unreadable or vanished database: not scored (score/infra.ts)
  out.timing.total_ms = round2(nowMs() - t0);
  return out;
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

const formatOf = (p: CompletionParts): FormatScores => ({ format_think: p.format_think, format_reasoning: p.format_reasoning, tag_count: p.tag_count });

function reasoningTrace(completion: string, parts: CompletionParts): ReasoningTrace {
  const t = traceCompletion(completion, parts);
  return {
    blocks: t.parts.thinks.map((b) => [b.contentStart, b.contentEnd]),
    segments: t.segments.map((s) => ({ start: s.start, end: s.end, kind: s.kind, label: s.label })),
    links: t.links.map((l) => ({ step: l.step, segments: l.segments.map((s) => ({ segment: s.segment, terms: s.terms })) })),
  };
}


// The metrics depend on the two results only.
const metricsMemo = new ResultPairMemo<ExecutionMetrics>();

