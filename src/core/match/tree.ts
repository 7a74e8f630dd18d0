// The labelled tree that structural matching works on: the "R1" tree of
// shared spec structural-rewards.md §1.4 for plans, or an AST tree (§2.2).
// The planner produces these; the matcher (RelPM, AstPM, StepRTM) consumes them.

export interface MatchNode {
  /** e.g. `Project`, `Join:inner`, `LESS_THAN`, `col:emp.salary`, `lit:1000`, `table:emp` */
  label: string;
  /**
   * Children can only be paired when their slots are equal. `''` is an
   * unordered position; `in` unordered operator inputs; `in0`/`in1`, `a0`/`a1`,
   * `k0` positional; `attr` an operator's attribute subtree; `list` IN candidates.
   */
  slot: string;
  /** Operator nodes are the anchors of forest matching (RelPM). */
  op: boolean;
  children: MatchNode[];
  /** Where in the SQL text this node came from, for highlighting. */
  range?: { start: number; end: number };
  /** Id of the plan node this match node stands for (plan JSON `id`), if any. */
  planId?: number;
}

export function countNodes(t: MatchNode): number {
  let n = 1;
  for (const c of t.children) n += countNodes(c);
  return n;
}

/** Preorder list of the nodes; index = preorder id used in match results. */
export function preorder(t: MatchNode): MatchNode[] {
  const out: MatchNode[] = [];
  const walk = (n: MatchNode) => {
    out.push(n);
    for (const c of n.children) walk(c);
  };
  walk(t);
  return out;
}

/** Indented text form used by tests and the CLI: `[slot]` shown when positional. */
export function formatTree(t: MatchNode, indent = 0): string {
  const positional = /^(in\d+|a\d+|k\d+)$/.test(t.slot);
  const line = '  '.repeat(indent) + t.label + (positional ? `  [${t.slot}]` : '');
  return [line, ...t.children.map((c) => formatTree(c, indent + 1))].join('\n');
}
