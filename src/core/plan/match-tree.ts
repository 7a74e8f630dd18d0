// Plan → matching tree ("R1" tree, spec structural-rewards.md §1.4): operator
// nodes with attribute subtrees, expressions as trees, columns as lineage
// leaves, and slots that say which children may pair with which. Output
// columns carry their query's width in their slot (see below).

import type { MatchNode } from '../match/tree.ts';
import { COMMUTATIVE, inputsOf, type FieldId, type RelNode, type Rex } from './rel.ts';
import type { Lineage } from './lineage.ts';

const ORDERED_INPUTS = new Set(['left', 'right', 'semi', 'anti']);

export interface MatchTreeOptions {
  /**
   * Treat the plan's output as a query result (default true): leave out a top
   * Project that only reorders columns and put the output columns in slot
   * `o<width>`. Off for an intermediate CTE step, whose columns are not the
   * query's output.
   */
  output?: boolean;
}

/** `ids` maps each operator to its plan node id (preorder), for highlighting. */
export function toMatchTree(root: RelNode, lineage: Lineage, ids?: Map<RelNode, number>, options: MatchTreeOptions = {}): MatchNode {
  const col = (id: FieldId): MatchNode => leaf(`col:${lineage.get(id) ?? '$' + id}`, '');
  const rex = (x: Rex, slot: string): MatchNode => {
    switch (x.k) {
      case 'ref':
        return { ...col(x.id), slot };
      case 'lit':
        return leaf(`lit:${x.value}`, slot);
      case 'call': {
        if (x.op === 'IN') {
          return node(x.op, slot, [rex(x.operands[0], 'a0'), ...x.operands.slice(1).map((o) => rex(o, 'list'))]);
        }
        const unordered = COMMUTATIVE.has(x.op);
        return node(x.op, slot, x.operands.map((o, i) => rex(o, unordered ? '' : `a${i}`)));
      }
      case 'subquery':
        return node(`${x.type.toUpperCase()}_QUERY`, slot, [...x.operands.map((o, i) => rex(o, `a${i}`)), rel(x.rel, 'in')]);
    }
  };
  // The query's output row: result equivalence compares the columns as a
  // set of a given width, in any order (as Spider's evaluation does). So a
  // top Project that only reorders its input's columns is left out, and the
  // operator that defines the output columns gives their expressions the slot
  // `o<width>`: output columns only pair with output columns of a query of
  // the same width. Set operations: each input's defining operator.
  const skip = new Set<RelNode>();
  const outputOps = new Set<RelNode>();
  const outSlot = `o${root.fields.length}`;
  const findOutput = (start: RelNode, top: boolean) => {
    let r: RelNode = start;
    for (;;) {
      if (r.op === 'Sort' || r.op === 'Limit' || r.op === 'Filter') r = r.input;
      else if (top && r.op === 'Project' && isPermutation(r)) {
        skip.add(r);
        r = r.input;
      } else break;
    }
    if (r.op === 'Union' || r.op === 'Intersect' || r.op === 'Minus') r.inputs.forEach((i) => findOutput(i, false));
    else outputOps.add(r);
  };
  if (options.output !== false) findOutput(root, true);
  const rel = (r0: RelNode, slot: string): MatchNode => {
    let r = r0;
    while (r.op === 'Project' && skip.has(r)) r = r.input;
    const attrSlot = outputOps.has(r) ? outSlot : 'attr';
    const attrs: MatchNode[] = [];
    let label: string = r.op;
    let inputSlots: string[] | undefined;
    switch (r.op) {
      case 'Scan':
        attrs.push(leaf(`table:${r.table}`, 'attr'));
        break;
      case 'Project':
        attrs.push(...r.exprs.map((e) => rex(e, attrSlot)));
        break;
      case 'Filter':
        attrs.push(rex(r.condition, 'attr'));
        break;
      case 'Join':
        label = `Join:${r.joinType}`;
        if (r.condition) attrs.push(rex(r.condition, 'attr'));
        if (ORDERED_INPUTS.has(r.joinType)) inputSlots = ['in0', 'in1'];
        break;
      case 'Correlate':
        label = `Correlate:${r.joinType}`;
        inputSlots = ['in0', 'in1'];
        break;
      case 'Aggregate':
        attrs.push(node('group', attrSlot, r.groupKeys.map((k) => col(k.id))));
        for (const c of r.calls) {
          attrs.push(node(`agg:${c.kind}${c.distinct ? ':DISTINCT' : ''}`, attrSlot, c.operands.map((o, i) => rex(o, `a${i}`))));
        }
        break;
      case 'Window':
        for (const c of r.calls) {
          const parts: MatchNode[] = c.operands.map((o, i) => rex(o, `a${i}`));
          if (c.partitionBy.length) parts.push(node('partition', 'p', c.partitionBy.map((p) => rex(p, ''))));
          if (c.orderBy.length) parts.push(node('order', 'o', c.orderBy.map((k, i) => node(`key:${k.desc ? 'DESC' : 'ASC'}`, `k${i}`, [rex(k.expr, 'a0')]))));
          attrs.push(node(`win:${c.kind}`, 'attr', parts));
        }
        break;
      case 'Sort':
        r.keys.forEach((k, i) => attrs.push(node(`key:${k.desc ? 'DESC' : 'ASC'}`, `k${i}`, [rex(k.expr, 'a0')])));
        break;
      case 'Limit':
        if (r.fetch) attrs.push(leaf(`fetch:${litText(r.fetch)}`, 'attr'));
        if (r.offset) attrs.push(leaf(`offset:${litText(r.offset)}`, 'attr'));
        break;
      case 'Union':
      case 'Intersect':
      case 'Minus':
        label = `${r.op}:${r.all ? 'ALL' : 'DISTINCT'}`;
        if (r.op === 'Minus') inputSlots = r.inputs.map((_, i) => `in${i}`);
        break;
      case 'Values':
        attrs.push(...r.tuples.map((t) => node('tuple', 'attr', t.map((x, i) => rex(x, `a${i}`)))));
        break;
    }
    const kids = inputsOf(r).map((i, k) => rel(i, inputSlots ? inputSlots[k] : 'in'));
    const n: MatchNode = { label, slot, op: true, children: [...attrs, ...kids] };
    if (r.range) n.range = { start: r.range.start, end: r.range.end };
    const id = ids?.get(r);
    if (id !== undefined) n.planId = id;
    return n;
  };
  return rel(root, '');
}

/** A Project that only reorders all of its input's columns. */
function isPermutation(p: Extract<RelNode, { op: 'Project' }>): boolean {
  const ins = p.input.fields;
  if (p.exprs.length !== ins.length) return false;
  const seen = new Set<FieldId>();
  for (const e of p.exprs) {
    if (e.k !== 'ref' || seen.has(e.id) || !ins.some((f) => f.id === e.id)) return false;
    seen.add(e.id);
  }
  return true;
}

function leaf(label: string, slot: string): MatchNode {
  return { label, slot, op: false, children: [] };
}

function node(label: string, slot: string, children: MatchNode[]): MatchNode {
  return { label, slot, op: false, children };
}

function litText(x: Rex): string {
  return x.k === 'lit' ? x.value : 'expr';
}
