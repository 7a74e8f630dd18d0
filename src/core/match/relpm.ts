// RelPM and AstPM scores of spec structural-rewards.md §2.2: precision, recall
// and F1 of the forest-match mapping. Every node counts 1.

import { forestMatch } from './forest-match.ts';
import type { Anchorable } from './forest-match.ts';
import type { MatchNode } from './tree.ts';

export interface MatchScore {
  precision: number;
  recall: number;
  f1: number;
  /** |mapping| */
  matched: number;
  gold_nodes: number;
  pred_nodes: number;
  /** (gold preorder index, pred preorder index), sorted by gold index. */
  pairs: Array<[number, number]>;
}

export function scoreMatch(gold: MatchNode, pred: MatchNode, anchorable: Anchorable): MatchScore {
  const r = forestMatch(gold, pred, anchorable);
  const m = r.pairs.length;
  const precision = m / r.predNodes;
  const recall = m / r.goldNodes;
  const f1 = m === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, matched: m, gold_nodes: r.goldNodes, pred_nodes: r.predNodes, pairs: r.pairs };
}

/** RelPM: R1 trees, forest anchoring over OP nodes (both subtrees under a mismatched join still count). */
export function relpm(goldTree: MatchNode, predTree: MatchNode): MatchScore {
  return scoreMatch(goldTree, predTree, 'op');
}

/** AstPM: AST trees (see ast-tree.ts), anchored at the roots only. */
export function astpm(goldTree: MatchNode, predTree: MatchNode): MatchScore {
  return scoreMatch(goldTree, predTree, 'root');
}
