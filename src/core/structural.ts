// Execution-free structural scores of one (gold, prediction) pair: RelPM on
// the normalized plan trees, AstPM on the parse trees, StepRTM over the
// prediction's CTE steps, the node mapping (both sides, for highlighting) and
// every error with its position. `steplens match` prints this for one pair,
// `steplens score --structural-only` once per record; both are thin wrappers.

import { analyzeSql, type QueryAnalysis, type StepAnalysis } from './analyze.ts';
import { matchTreeOf, planAst } from './plan/index.ts';
import { parseSelect } from './sql/parse.ts';
import type { Schema } from './plan/schema.ts';
import { positionAt, SqlError, stackOverflowAsSqlError } from './sql/errors.ts';
import { astTreeOfSql, moSqlJson } from './match/ast-from-sql.ts';
import { astTree } from './match/ast-tree.ts';
import { astpm, relpm, type MatchScore } from './match/relpm.ts';
import { stepRtm, tokenRewards, relpmOutcomeScorer, type OutcomeScorer, type StepError, type StepInput, type TokenReward, type TreeResult } from './match/steprtm.ts';
import { preorder, type MatchNode } from './match/tree.ts';

export interface StructuralRecord {
  gold_sql: string;
  pred_sql: string;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

export interface StructuralStep {
  /** CTE name, or null for the main query. */
  name: string | null;
  /** Range of the step in the predicted SQL. */
  start: number;
  end: number;
  /** Where RL credits the step's reward: the CTE's closing `)`, the main query's last character. */
  credit_offset: number;
  reward: number;
  /** Gold preorder indices this step matched first. */
  new_matches: number[];
  gold_nodes: number;
  /** The step's own error, or the earlier step's error that zeroes it. */
  error: StepError | null;
}

export interface MatchEnd {
  /** Preorder index in that side's R1 tree. */
  node: number;
  label: string;
  /** Plan node id (plan JSON `id`) of an operator node. */
  plan_id?: number;
  /** Source range of an operator node, in that side's SQL. */
  range?: { start: number; end: number };
}

export interface MatchPair {
  gold: MatchEnd;
  pred: MatchEnd;
}

export interface StructuralError {
  side: 'gold' | 'pred';
  /** CTE name of the failing step, null for the main query or the whole text. */
  step: string | null;
  kind: string;
  message: string;
  /** Offsets, line and column in that side's SQL text. */
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface StructuralScore {
  /** RelPM of the full queries; null when the gold query cannot be planned; zeros when the prediction cannot. */
  relpm: Prf | null;
  /** AstPM of the parse trees; null when the gold does not parse; zeros when the prediction does not. */
  astpm: Prf | null;
  steprtm: {
    steps: StructuralStep[];
    /** Σ R_k = |∪ M_k| / |V*|. */
    total: number;
    /** R_out: −1 syntax error, −0.6 no tree, otherwise the outcome scorer (RelPM F1); null without a gold tree. */
    outcome: number | null;
    outcome_scorer: string;
    /** Per-token reward layout (spec §3.2 item 8, without the KL term). */
    token_rewards: TokenReward[];
  };
  /** Gold node ↔ predicted node mapping of RelPM, sorted by gold node. */
  matches: MatchPair[];
  errors: StructuralError[];
  /** Node counts of the two R1 trees (0 when missing). */
  gold_nodes: number;
  pred_nodes: number;
}

export interface StructuralOptions {
  /** Outcome scorer of StepRTM; default RelPM F1 (GMNScore needs weights we do not have). */
  scorer?: OutcomeScorer;
}

const ZERO: Prf = { precision: 0, recall: 0, f1: 0 };
const prf = (m: MatchScore): Prf => ({ precision: m.precision, recall: m.recall, f1: m.f1 });

/** Scores one pair. Never throws for bad SQL: problems are reported in `errors`. */
export function scoreStructural(record: StructuralRecord, schema: Schema, options: StructuralOptions = {}): StructuralScore {
  return scoreStructuralWithTrees(record, schema, options).score;
}

/**
 * The gold query's side of a structural comparison: its R1 plan tree and
 * parse tree, or the error. Computed once per distinct gold query and reused
 * for every prediction scored against it (a dataset has many predictions per
 * gold; Spider's 15 systems share 564 distinct gold queries).
 */
export interface GoldSide {
  sql: string;
  tree?: MatchNode;
  ast?: MatchNode;
  result: TreeResult;
  error?: StructuralError;
}

export function prepareGold(gold: string, schema: Schema): GoldSide {
  // The parse tree serves AstPM even when planning fails (an unknown column, say).
  let goldAst: MatchNode | undefined;
  try {
    const ast = parseSelect(gold);
    goldAst = astTree(moSqlJson(ast));
    const tree = matchTreeOf(planAst(ast, gold, schema));
    return { sql: gold, tree, ast: goldAst, result: { tree } };
  } catch (err) {
    const e = asSqlError(err, gold);
    return { sql: gold, ast: goldAst, result: { error: stepError(e, e.start) }, error: errorOf('gold', null, e, gold, e.start, e.end) };
  }
}

/** {@link scoreStructural} plus the two R1 trees the mapping indexes into (for display). */
export function scoreStructuralWithTrees(
  record: StructuralRecord,
  schema: Schema,
  options: StructuralOptions & { gold?: GoldSide; analysis?: QueryAnalysis } = {},
): { score: StructuralScore; goldTree?: MatchNode; predTree?: MatchNode } {
  const errors: StructuralError[] = [];
  const pred = record.pred_sql;

  // Gold: one tree for the whole query (CTE steps are inlined by the planner).
  const goldSide = options.gold && options.gold.sql === record.gold_sql ? options.gold : prepareGold(record.gold_sql, schema);
  const { tree: goldTree, ast: goldAst, result: goldResult } = goldSide;
  if (goldSide.error) errors.push(goldSide.error);

  // Prediction: its steps, each planned on its own.
  // The caller's analysis of the same text (the editor shows it too), else our own.
  const analysis = options.analysis?.sql === pred ? options.analysis : analyzeSql(pred, schema);
  const steps: StepInput[] = [];
  if (analysis.error) {
    const e = analysis.error;
    errors.push(errorOf('pred', null, e, pred, e.start, e.end));
    steps.push({ name: 'main', start: 0, end: pred.length, credit_offset: Math.max(0, pred.length - 1), result: { error: stepError(e, e.start) } });
  } else {
    // Step errors are relative to the statement text (the main step's SQL, from WITH on).
    const mainSql = analysis.steps[analysis.steps.length - 1].step.sql;
    const found = pred.indexOf(mainSql);
    const statementStart = found >= 0 ? found : analysis.steps[0].step.start;
    const reported = new Set(errors.filter((x) => x.side === 'pred').map((x) => `${x.start}:${x.kind}`));
    analysis.steps.forEach((s, k) => {
      let result: TreeResult;
      // A CTE step's columns are an intermediate result, not the query's output.
      if (s.plan) result = { tree: matchTreeOf(s.plan, { output: k === analysis.steps.length - 1 }) };
      else {
        const e = s.error!;
        const at = statementStart + e.start;
        const end = statementStart + e.end;
        // A failing CTE fails every later step too: report it once.
        const key = `${at}:${e.kind}`;
        if (!reported.has(key)) {
          reported.add(key);
          errors.push(errorOf('pred', s.step.name, e, pred, at, end));
        }
        result = { error: stepError(e, at) };
      }
      steps.push({ name: s.step.name ?? 'main', start: s.step.start, end: s.step.end, credit_offset: s.step.creditOffset, result });
    });
  }
  const last = steps[steps.length - 1].result;
  const predTree = 'tree' in last && !steps.some((s) => 'error' in s.result) ? last.tree : undefined;

  // RelPM below re-matches the full query's trees: forestMatch answers that repeat from its last call.
  const rtm = stepRtm(goldResult, steps, options.scorer ?? relpmOutcomeScorer);

  let relpmScore: Prf | null = null;
  const matches: MatchPair[] = [];
  if (goldTree) {
    if (predTree) {
      const m = relpm(goldTree, predTree);
      relpmScore = prf(m);
      const g = preorder(goldTree);
      const p = preorder(predTree);
      for (const [gi, pi] of m.pairs) matches.push({ gold: end(g[gi], gi), pred: end(p[pi], pi) });
    } else relpmScore = ZERO;
  }

  let astpmScore: Prf | null = null;
  if (goldAst) {
    // The main step's plan holds the whole statement's syntax tree; parse again only when planning failed.
    const mainPlan = analysis.error ? null : analysis.steps[analysis.steps.length - 1].plan;
    try {
      astpmScore = prf(astpm(goldAst, mainPlan ? astTree(moSqlJson(mainPlan.ast)) : astTreeOfSql(pred)));
    } catch {
      astpmScore = ZERO;
    }
  }

  const score: StructuralScore = {
    relpm: relpmScore,
    astpm: astpmScore,
    steprtm: {
      steps: rtm.steps.map((s, k) => ({
        name: analysis.error ? null : (analysis.steps[k]?.step.name ?? null),
        start: s.start,
        end: s.end,
        credit_offset: s.credit_offset,
        reward: s.reward,
        new_matches: s.new_matches,
        gold_nodes: s.gold_nodes,
        error: s.error,
      })),
      total: rtm.total,
      outcome: rtm.outcome,
      outcome_scorer: rtm.outcome_scorer,
      token_rewards: tokenRewards(rtm),
    },
    matches,
    errors,
    gold_nodes: goldTree ? preorder(goldTree).length : 0,
    pred_nodes: predTree ? preorder(predTree).length : 0,
  };
  return { score, goldTree, predTree };
}

function end(n: MatchNode, index: number): MatchEnd {
  const out: MatchEnd = { node: index, label: n.label };
  if (n.planId !== undefined) out.plan_id = n.planId;
  if (n.range) out.range = n.range;
  return out;
}

function asSqlError(caught: unknown, sql: string): SqlError {
  const err = stackOverflowAsSqlError(caught, sql);
  if (err instanceof SqlError) return err;
  // Not a SqlError (a planner limitation): still one line, located at the start.
  return new SqlError((err as Error).message ?? String(err), sql, 0, 0, 'unsupported');
}

function stepError(e: SqlError, offset: number): StepError {
  return { kind: e.kind === 'syntax' ? 'syntax' : 'plan', message: `${describe(e)} at offset ${offset}`, offset };
}

/** `no such column: x`, `syntax error: ... near "tok"`. */
function describe(e: SqlError): string {
  return e.kind === 'syntax' || !e.detail.includes(e.token) ? `${e.detail}${e.token ? ` near "${e.token}"` : ' at end of input'}` : e.detail;
}

function errorOf(side: 'gold' | 'pred', step: string | null, e: SqlError, text: string, start: number, endAt: number): StructuralError {
  const pos = positionAt(text, start);
  return { side, step, kind: e.kind, message: describe(e), start, end: endAt, line: pos.line, column: pos.column };
}
