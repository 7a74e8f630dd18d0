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
import { basename } from 'node:path';
import { outcomeOf, type ExecPool, type ExecResult } from './exec/index.ts';
import { officialTexts, type OfficialTexts } from './exec/official.ts';
import { compareOnDatabase, officialSuiteDatabases, plugStages, plugValueVerdict, runTexts, type OfficialRunVerdict } from './exec/official-run.ts';
import { birdSoftF1 } from './rewards/bird.ts';
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
  // The texts the official Spider evaluator runs (DISTINCT removed, ...): when they are the record's
  // own, Spider EX reuses the execution's results; otherwise it runs them as well, at the same time.
  const texts = ctx.pool ? officialTexts(r.gold_sql, predSql, ctx.official) : null;
  const ownTexts = texts !== null && texts.gold === r.gold_sql && texts.pred === predSql && !texts.predUnparsable && !texts.goldUnparsable;
  const spiderRun = ctx.pool && db.dbPath && texts && !ownTexts ? runTexts(ctx.pool, texts, [db.dbPath], officialOptions(ctx)) : null;
  // The prediction's own verdict on its database; with plug_value, the candidates after it (spider).
  const spiderOwn = !ctx.pool || !db.dbPath || !texts ? null : spiderRun ?? spiderFromExecution(ctx.pool, texts, db.dbPath, execution!, ctx.timeoutMs);
  const spider = spiderOwn && texts?.plug ? spiderOwn.then((v) => plugValueVerdict(ctx.pool!, texts, [[db.dbPath!]], officialOptions(ctx), v)) : spiderOwn;
  const suite = ctx.pool && texts && db.testSuite && db.testSuite.length > 0 ? runTestSuite(ctx, ctx.pool, db.dbPath, db.testSuite, texts, spiderOwn, spider) : null;
  // Awaited below unless an earlier await throws; then the record's error says why, not an unhandled rejection.
  spiderOwn?.catch(() => {});
  spider?.catch(() => {});
  suite?.catch(() => {});
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
    const spiderVerdict = await spider!;
    // On the record's own texts the execution has reported its errors already (but not those of plug_value's candidates).
    if (spiderRun || (spider !== spiderOwn && spiderVerdict !== (await spiderOwn!))) reportOfficialErrors(errors, spiderVerdict, 'execution', 'Spider EX', !gold.error);
    const scores: ExecutionScores = {
      metrics: { ...score.metrics, spider_ex: spiderVerdict.correct, bird_soft_f1: birdSoftF1(goldOutcome, predOutcome) },
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
    const { score, elapsed, verdict } = await suite;
    out.test_suite = score;
    out.timing.test_suite_ms = round2(elapsed);
    reportOfficialErrors(errors, verdict, 'test_suite', 'test-suite EX', true);
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

const officialOptions = (ctx: ScoreContext) => ({ ...ctx.official, cache: ctx.goldCache, predCache: ctx.predCache, verdicts: ctx.verdictCache, timeoutMs: ctx.timeoutMs });

/** Spider EX from the record's own execution, when the official texts are the record's own. */
async function spiderFromExecution(pool: ExecPool, texts: OfficialTexts, db: string, execution: Promise<{ gold: ExecResult; pred: ExecResult }>, timeoutMs?: number): Promise<OfficialRunVerdict> {
  const { gold, pred } = await execution;
  return { ...((await compareOnDatabase(pool, texts, db, gold, pred, timeoutMs)) ?? { correct: 1 as const }), databases: 1 };
}

/**
 * The official test-suite EX: the record's database, then every variant (a copy of it
 * once), stopping after the chunk of the first failure. The record's database is the
 * first, and its verdict is Spider EX's: a prediction wrong there is wrong for the
 * suite (as the official loop stops there), and only a right one goes on to the variants.
 */
async function runTestSuite(
  ctx: ScoreContext,
  pool: ExecPool,
  ownDb: string | null,
  variants: readonly string[],
  texts: OfficialTexts,
  spider: Promise<OfficialRunVerdict> | null,
  spiderPlugged: Promise<OfficialRunVerdict> | null,
): Promise<{ score: TestSuiteScore; elapsed: number; verdict: OfficialRunVerdict }> {
  const t = nowMs();
  const databases = ownDb ? officialSuiteDatabases(ownDb, variants) : [...variants];
  const options = { ...officialOptions(ctx), chunk: TEST_SUITE_CHUNK };
  const first = ownDb && spider ? await spider : null;
  let verdict: OfficialRunVerdict;
  if (!first || first.infrastructure || first.transient) verdict = await runTexts(pool, texts, databases, options);
  else if (first.correct !== 1) verdict = { ...first, databases: 1 };
  else if (databases.length === 1) verdict = first;
  else {
    const rest = await runTexts(pool, texts, databases.slice(1), options);
    verdict = { ...rest, databases: rest.databases + 1 };
  }
  if (texts.plug) {
    // No candidate right on the record's database (Spider EX with plug_value 0): none passes the suite.
    const own = ownDb && spiderPlugged ? await spiderPlugged : null;
    if (!(own && own.correct === 0 && verdict.correct === 0)) verdict = await plugValueVerdict(pool, texts, ownDb ? plugStages(databases) : [databases], options, verdict);
  }
  return {
    score: {
      correct: verdict.correct === null ? null : verdict.correct === 1,
      variants: databases.length - (ownDb ? 1 : 0),
      checked: verdict.databases,
      failed_on: verdict.failedOn ? [basename(verdict.failedOn)] : [],
    },
    elapsed: nowMs() - t,
    verdict,
  };
}

/**
 * Why an official verdict is null: a locked or unreadable database (an infrastructure
 * error, so the record is not scored), or gold failing where the official script would
 * stop (`reportGold` false: the execution already reported gold's own failure).
 */
function reportOfficialErrors(errors: RecordError[], v: Omit<OfficialRunVerdict, 'databases'>, stage: 'execution' | 'test_suite', metric: string, reportGold: boolean): void {
  if (v.infrastructure) {
    const { side, db, error } = v.infrastructure;
    errors.push({ stage, side, kind: error.kind, message: `${metric} on ${basename(db)}: ${error.message}` });
  } else if (v.plugValueError) {
    errors.push({ stage, ...(v.plugValueError.kind === 'plug_value_failed' ? { side: 'gold' as const } : {}), kind: v.plugValueError.kind, message: `${metric}: ${v.plugValueError.message}` });
  } else if (v.goldError && reportGold) {
    errors.push({ stage, side: 'gold', kind: 'gold_failed', message: `${metric}: the gold query as the official evaluator runs it fails on ${basename(v.goldErrorDb!)} (${v.goldError.kind}: ${v.goldError.message}); the official script stops there` });
  }
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

