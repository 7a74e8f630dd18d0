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
import { scoreRecord, type ScoreContext } from './score/score-record.ts';
import type { InputRecord, ScoredRecord } from './score/types.ts';

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
  try {
    analysis = analyzeSql(sql, schema);
  } catch (caught) {
    return internalError(sql, caught);
  }
  const goldSide = gold !== null ? goldSideOf(gold, schema) : NO_GOLD;
  const { score } = scoreStructuralWithTrees({ gold_sql: goldSide.sql, pred_sql: sql }, schema, { gold: goldSide });
  const withGold = gold !== null && goldSide.tree !== undefined;
  const rtm = score.steprtm.steps;
  const steps: InspectedStep[] = analysis.steps.map((s, k) => {
    const plan: Plan | null = s.plan;
    const r = rtm[k];
    return {
      name: s.step.name,
      start: s.step.start,
      end: s.step.end,
      nameStart: s.step.nameStart,
      nameEnd: s.step.nameEnd,
      sql: s.step.sql,
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

/** The full report object of one record, exactly what `steplens score` writes for it. */
export function inspectRecord(ctx: ScoreContext, record: InputRecord): Promise<ScoredRecord> {
  return scoreRecord(ctx, record);
}
