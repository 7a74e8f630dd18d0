// Pushes filter conjuncts down to the operators they touch (Calcite's
// FILTER_PROJECT_TRANSPOSE, FILTER_INTO_JOIN, JOIN_CONDITION_PUSH,
// FILTER_AGGREGATE_TRANSPOSE, FILTER_MERGE): after this rule a predicate on one
// table sits right above that table's scan, wherever the query wrote it.

import type { FieldId, RelNode, Rex } from '../rel.ts';
import { andOf, conjuncts, isTrue, substitute } from '../rex.ts';
import { idsOf, mapRex, mapSubqueries, refsOf, subset, withInputs } from '../walk.ts';
import { inputsOf } from '../rel.ts';

export function pushFilters(root: RelNode): RelNode {
  return push(root, []);
}

function push(rel: RelNode, preds: Rex[]): RelNode {
  switch (rel.op) {
    case 'Filter':
      return push(rel.input, [...preds, ...conjuncts(rel.condition)]);
    case 'Project': {
      const computed = new Map<FieldId, Rex>();
      rel.exprs.forEach((e, i) => {
        if (!(e.k === 'ref' && e.id === rel.fields[i].id)) computed.set(rel.fields[i].id, e);
      });
      const below = preds.map((p) => substitute(p, computed));
      return settle({ ...rel, input: push(rel.input, below) }, []);
    }
    case 'Sort':
      return settle({ ...rel, input: push(rel.input, preds) }, []);
    case 'Aggregate': {
      const keys = new Set(rel.groupKeys.map((k) => k.id));
      const down = preds.filter((p) => rel.groupKeys.length > 0 && subset(refsOf(p), keys));
      const up = preds.filter((p) => !down.includes(p));
      return settle({ ...rel, input: push(rel.input, down) }, up);
    }
    case 'Join':
      return pushIntoJoin(rel, preds);
    default:
      return settle(withInputs(rel, inputsOf(rel).map((i) => push(i, []))), preds);
  }
}

function pushIntoJoin(j: Extract<RelNode, { op: 'Join' }>, preds: Rex[]): RelNode {
  const leftIds = idsOf(j.left);
  const rightIds = idsOf(j.right);
  const toLeft: Rex[] = [];
  const toRight: Rex[] = [];
  const onJoin: Rex[] = [];
  const above: Rex[] = [];
  const side = (p: Rex) => {
    const r = refsOf(p);
    return subset(r, leftIds) ? 'left' : subset(r, rightIds) ? 'right' : 'both';
  };
  // Predicates from above the join.
  for (const p of preds) {
    const s = side(p);
    if (j.joinType === 'inner') (s === 'left' ? toLeft : s === 'right' ? toRight : onJoin).push(p);
    else if (s === 'left' && j.joinType !== 'right' && j.joinType !== 'full') toLeft.push(p);
    else above.push(p);
  }
  // The join's own condition.
  for (const c of conjuncts(j.condition)) {
    const s = side(c);
    if (j.joinType === 'inner') (s === 'left' ? toLeft : s === 'right' ? toRight : onJoin).push(c);
    else if ((j.joinType === 'left' || j.joinType === 'semi' || j.joinType === 'anti') && s === 'right') toRight.push(c);
    else if (j.joinType === 'semi' && s === 'left') toLeft.push(c);
    else onJoin.push(c);
  }
  const joined: RelNode = { ...j, left: push(j.left, toLeft), right: push(j.right, toRight), condition: andOf(onJoin) };
  return settle(joined, above);
}

/** Places the predicates that could go no lower in a Filter above `rel`. */
function settle(rel: RelNode, preds: Rex[]): RelNode {
  const kept = preds.filter((p) => !isTrue(p));
  // Plans nested in subquery expressions get the same treatment.
  const inner = mapRex(rel, (x) => mapSubqueries(x, pushFilters));
  const cond = andOf(kept.map((p) => mapSubqueries(p, pushFilters)));
  return cond ? { op: 'Filter', input: inner, condition: cond, fields: inner.fields } : inner;
}
