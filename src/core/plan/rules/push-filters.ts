// Pushes filter conjuncts down to the operators they touch (Calcite's
// FILTER_PROJECT_TRANSPOSE, FILTER_INTO_JOIN, JOIN_CONDITION_PUSH,
// FILTER_AGGREGATE_TRANSPOSE, FILTER_MERGE): after this rule a predicate on one
// table sits right above that table's scan, wherever the query wrote it.
// Each predicate keeps the source range it came from, for highlighting.

import type { Range } from '../../sql/ast.ts';
import type { FieldId, RelNode, Rex } from '../rel.ts';
import { inputsOf } from '../rel.ts';
import { andOf, conjuncts, isTrue, substitute } from '../rex.ts';
import { idsOf, mapRex, mapSubqueries, refsOf, subset, withInputs } from '../walk.ts';

interface Pred {
  rex: Rex;
  range?: Range;
}

export function pushFilters(root: RelNode): RelNode {
  const out = push(root, []);
  // The output row keeps its names (a re-created Filter takes its input's field names).
  const sameIds = out.fields.length === root.fields.length && out.fields.every((f, i) => f.id === root.fields[i].id);
  return sameIds && out.fields.some((f, i) => f.name !== root.fields[i].name) ? ({ ...out, fields: root.fields } as RelNode) : out;
}

const preds = (r: Rex | null, range?: Range): Pred[] => conjuncts(r).map((rex) => ({ rex, range }));

function push(rel: RelNode, above: Pred[]): RelNode {
  switch (rel.op) {
    case 'Filter':
      return push(rel.input, [...above, ...preds(rel.condition, rel.range)]);
    case 'Project': {
      const computed = new Map<FieldId, Rex>();
      rel.exprs.forEach((e, i) => {
        if (!(e.k === 'ref' && e.id === rel.fields[i].id)) computed.set(rel.fields[i].id, e);
      });
      const below = above.map((p) => ({ ...p, rex: substitute(p.rex, computed) }));
      return settle({ ...rel, input: push(rel.input, below) }, []);
    }
    case 'Sort':
      return settle({ ...rel, input: push(rel.input, above) }, []);
    case 'Aggregate': {
      const keys = new Set(rel.groupKeys.map((k) => k.id));
      const down = above.filter((p) => rel.groupKeys.length > 0 && subset(refsOf(p.rex), keys));
      return settle({ ...rel, input: push(rel.input, down) }, above.filter((p) => !down.includes(p)));
    }
    case 'Join':
      return pushIntoJoin(rel, above);
    default:
      return settle(withInputs(rel, inputsOf(rel).map((i) => push(i, []))), above);
  }
}

function pushIntoJoin(j: Extract<RelNode, { op: 'Join' }>, above: Pred[]): RelNode {
  const leftIds = idsOf(j.left);
  const rightIds = idsOf(j.right);
  const toLeft: Pred[] = [];
  const toRight: Pred[] = [];
  const onJoin: Pred[] = [];
  const stay: Pred[] = [];
  const side = (p: Pred) => {
    const r = refsOf(p.rex);
    return subset(r, leftIds) ? 'left' : subset(r, rightIds) ? 'right' : 'both';
  };
  // Predicates from above the join: only an inner join lets them through to either side.
  for (const p of above) {
    const s = side(p);
    if (j.joinType === 'inner') (s === 'left' ? toLeft : s === 'right' ? toRight : onJoin).push(p);
    else if (s === 'left' && j.joinType !== 'right' && j.joinType !== 'full') toLeft.push(p);
    else stay.push(p);
  }
  // The join's own condition: a one-sided conjunct filters that side when the join type allows it.
  for (const c of preds(j.condition, j.range)) {
    const s = side(c);
    if (j.joinType === 'inner') (s === 'left' ? toLeft : s === 'right' ? toRight : onJoin).push(c);
    else if ((j.joinType === 'left' || j.joinType === 'semi' || j.joinType === 'anti') && s === 'right') toRight.push(c);
    else if (j.joinType === 'semi' && s === 'left') toLeft.push(c);
    else onJoin.push(c);
  }
  const joined: RelNode = { ...j, left: push(j.left, toLeft), right: push(j.right, toRight), condition: andOf(onJoin.map((p) => p.rex)) };
  return settle(joined, stay);
}

/** Places the predicates that could go no lower in a Filter above `rel`. */
function settle(rel: RelNode, here: Pred[]): RelNode {
  const kept = here.filter((p) => !isTrue(p.rex));
  // Plans nested in subquery expressions get the same treatment.
  const inner = mapRex(rel, (x) => mapSubqueries(x, pushFilters));
  const cond = andOf(kept.map((p) => mapSubqueries(p.rex, pushFilters)));
  if (!cond) return inner;
  const ranges = kept.map((p) => p.range).filter((r): r is Range => r !== undefined);
  const range = ranges.length ? { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) } : undefined;
  return { op: 'Filter', input: inner, condition: cond, fields: inner.fields, range };
}
