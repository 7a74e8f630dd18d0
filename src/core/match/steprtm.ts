// StepRTM aggregation of spec structural-rewards.md §3.2 items 4-8 [R]: per-step
// rewards over CTE steps with union semantics, plus the outcome reward.
// Splitting the response into steps and building the trees is the caller's job
// (sql/ and plan/); this file works on trees and errors only.

import { forestMatch } from './forest-match.ts';
import { relpm } from './relpm.ts';
import { countNodes } from './tree.ts';
import type { MatchNode } from './tree.ts';

export interface StepError {
  /** `syntax`: the SQL does not parse; `plan`: it parses but no tree can be built (unknown column, WITH RECURSIVE, …). */
  kind: 'syntax' | 'plan';
  message: string;
  offset?: number;
}

export type TreeResult = { tree: MatchNode } | { error: StepError };

export interface StepInput {
  name: string;
  /** Character range of the step in the response text. */
  start: number;
  end: number;
  /** Where the step's reward is credited: a CTE's closing `)`, the main query's last token. */
  credit_offset: number;
  result: TreeResult;
}

/** Outcome reward of a buildable full query; swap in a learned scorer (GMNScore) here. */
export interface OutcomeScorer {
  readonly name: string;
  score(gold: MatchNode, pred: MatchNode): number;
}

/** Default outcome scorer: RelPM F1 of the full query (the execution-free stand-in of §4). */
export const relpmOutcomeScorer: OutcomeScorer = {
  name: 'relpm_f1',
  score: (gold, pred) => relpm(gold, pred).f1,
};

/** R_out on a syntax error of the full query (§3.2 item 7). */
export const SYNTAX_ERROR_OUTCOME = -1;
/** R_out when the full query parses but its tree cannot be built. */
export const PLAN_ERROR_OUTCOME = -0.6;

/**
 * GMNScore outcome mapping of §3.2 item 7 / §3.4 [P]: `max(0, s + 1)` for the
 * FuncEvalGMN similarity `s = −d` (d = squared Euclidean distance of the graph
 * embeddings in the released code), so d ≤ 1 earns 1 − d and d ≥ 1 earns 0.
 */
export function gmnOutcome(sGmn: number): number {
  return Math.max(0, sGmn + 1);
}

/** An {@link OutcomeScorer} from a GMN-style similarity `s(gold, pred) = −d`, mapped by {@link gmnOutcome}. */
export function gmnScorer(similarity: (gold: MatchNode, pred: MatchNode) => number, name = 'gmn'): OutcomeScorer {
  return { name, score: (gold, pred) => gmnOutcome(similarity(gold, pred)) };
}

/** R_out for a full-query result: −1 syntax error, −0.6 unbuildable, else the scorer. */
export function outcomeReward(gold: MatchNode, full: TreeResult, scorer: OutcomeScorer = relpmOutcomeScorer): number {
  if ('error' in full) return full.error.kind === 'syntax' ? SYNTAX_ERROR_OUTCOME : PLAN_ERROR_OUTCOME;
  return scorer.score(gold, full.tree);
}

export interface StepReward {
  name: string;
  start: number;
  end: number;
  credit_offset: number;
  /** R_k = |M_k \ (M_1 ∪ … ∪ M_{k−1})| / |V*|; 0 for an errored step. */
  reward: number;
  /** Gold preorder indices first matched by this step. */
  new_matches: number[];
  /** M_k: every gold preorder index this step's tree matched. */
  matched: number[];
  gold_nodes: number;
  /** The step's own error, or the earlier step error that zeroes it. */
  error: StepError | null;
  /** Index of the step the error belongs to (itself or an earlier one); null without error. */
  error_step: number | null;
}

export interface StepRtmResult {
  steps: StepReward[];
  /** Σ R_k = |∪ M_k| / |V*| ≤ 1. */
  total: number;
  /** R_out of the full query; null when the gold tree could not be built. */
  outcome: number | null;
  /** Name of the scorer behind a non-error outcome. */
  outcome_scorer: string;
  gold_error: StepError | null;
}

/**
 * StepRTM: match each step's tree independently against the full gold tree with
 * forest matching over OP nodes, and credit each gold node to the first step
 * that matches it. An error in step j zeroes every step ≥ j (step k contains
 * every earlier CTE), whatever the caller passed for those steps.
 */
export function stepRtm(gold: MatchNode | TreeResult, steps: readonly StepInput[], scorer: OutcomeScorer = relpmOutcomeScorer): StepRtmResult {
  if (steps.length === 0) throw new RangeError('stepRtm: no steps');
  const goldResult: TreeResult = 'label' in gold ? { tree: gold } : gold;
  const goldTree = 'tree' in goldResult ? goldResult.tree : undefined;
  const goldNodes = goldTree ? countNodes(goldTree) : 0;
  const credited = new Uint8Array(goldNodes);
  let unionCount = 0;
  let firstError: { error: StepError; step: number } | null = null;
  let anySyntax = false;

  const out: StepReward[] = [];
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k];
    const own = 'error' in s.result ? s.result.error : null;
    if (own) {
      anySyntax ||= own.kind === 'syntax';
      firstError ??= { error: own, step: k };
    }
    const base = { name: s.name, start: s.start, end: s.end, credit_offset: s.credit_offset, gold_nodes: goldNodes };
    if (firstError || !goldTree || !('tree' in s.result)) {
      out.push({ ...base, reward: 0, new_matches: [], matched: [], error: firstError?.error ?? null, error_step: firstError?.step ?? null });
      continue;
    }
    const matched = forestMatch(goldTree, s.result.tree, 'op').pairs.map(([g]) => g);
    const fresh = matched.filter((g) => credited[g] === 0);
    for (const g of fresh) credited[g] = 1;
    unionCount += fresh.length;
    out.push({ ...base, reward: fresh.length / goldNodes, new_matches: fresh, matched, error: null, error_step: null });
  }

  let outcome: number | null = null;
  if (goldTree) {
    const last = steps[steps.length - 1].result;
    // The full query contains every CTE: any syntax error anywhere is a syntax error of the whole.
    const full: TreeResult = firstError ? { error: { ...firstError.error, kind: anySyntax ? 'syntax' : 'plan' } } : last;
    outcome = outcomeReward(goldTree, full, scorer);
  }
  return {
    steps: out,
    total: goldNodes === 0 ? 0 : unionCount / goldNodes,
    outcome,
    outcome_scorer: scorer.name,
    gold_error: 'error' in goldResult ? goldResult.error : null,
  };
}

export interface TokenReward {
  /** Character offset in the response; the token containing it receives `value`. */
  offset: number;
  value: number;
}

/**
 * Per-token reward layout of §3.2 item 8, without the KL term: R_k at step k's
 * credit offset for k < K, and R_K + R_out at the last step's credit offset
 * (the last token). λ_step = 1. The RL trainer maps offsets to tokens, sums
 * entries landing on one token and subtracts β·KL per token itself. With no
 * outcome (gold unbuildable) only the step rewards are laid out.
 */
export function tokenRewards(result: StepRtmResult): TokenReward[] {
  const n = result.steps.length;
  return result.steps.map((s, k) => ({
    offset: s.credit_offset,
    value: k === n - 1 ? s.reward + (result.outcome ?? 0) : s.reward,
  }));
}
