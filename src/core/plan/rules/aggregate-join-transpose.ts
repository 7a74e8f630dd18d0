// Grouping by one side's key after a join is aggregating the other side
// before it (Calcite's AggregateJoinTransposeRule, for the case where it is
// exact without splitting calls):
//
//   Aggregate(G; calls over R) ← Join(L, R, L.k = R.f)
//   ⇒ Join(L, Aggregate(f; calls) ← R, L.k = R.f)
//
// when G contains a unique key of L (one group per L row), every other group
// key is a column of L or a column of R the condition equates with one of L,
// the calls read only R, and the condition is equalities between L and R
// columns only. Each L row then meets exactly the R rows grouped under its
// key, so the groups and their aggregates are the same; L rows without a
// match disappear in both forms. This is how `SELECT s.name FROM student s
// JOIN has_pet p ON s.id = p.stuid GROUP BY s.id, s.name HAVING COUNT(*) > 1`
// and `... WHERE id IN (SELECT stuid FROM has_pet GROUP BY stuid HAVING
// COUNT(*) > 1)` meet (the rest is filter push-down and join-to-semi-join).
// Without calls it is a DISTINCT: `SELECT DISTINCT s.id, s.name FROM s JOIN p
// ON s.id = p.sid` becomes a join with the distinct `p.sid` values, that is a
// semi join: `... WHERE s.id IN (SELECT sid FROM p)`.

import type { FieldId, FieldIds, RelNode, RexRef } from '../rel.ts';
import { conjuncts, ref } from '../rex.ts';
import { equiPairs, PlanFacts } from '../keys.ts';
import type { Schema } from '../schema.ts';
import { contains, refsOf, transformUp } from '../walk.ts';

type Agg = Extract<RelNode, { op: 'Aggregate' }>;
type JoinRel = Extract<RelNode, { op: 'Join' }>;

export function aggregateJoinTranspose(root: RelNode, _ids: FieldIds, schema: Schema): RelNode {
  if (!contains(root, (r) => r.op === 'Aggregate' && r.groupKeys.length > 0)) return root;
  const facts = new PlanFacts(root, schema);
  return transformUp(root, (rel) => (rel.op === 'Aggregate' ? transpose(rel, facts) ?? rel : rel));
}

function transpose(agg: Agg, facts: PlanFacts): RelNode | undefined {
  if (agg.groupKeys.length === 0) return undefined;
  let input = agg.input;
  // Pass-through projections keep field ids: look through them.
  while (input.op === 'Project' && input.exprs.every((e, i) => e.k === 'ref' && e.id === input.fields[i].id)) input = input.input;
  if (input.op !== 'Join' || input.joinType !== 'inner' || !input.condition) return undefined;
  const j: JoinRel = input;
  const conds = conjuncts(j.condition);
  for (const [l, r] of [[j.left, j.right], [j.right, j.left]] as const) {
    const lIds = new Set(l.fields.map((f) => f.id));
    const rIds = new Set(r.fields.map((f) => f.id));
    const pairs = equiPairs(j.condition, lIds, rIds);
    if (pairs.length !== conds.length) return undefined; // only L = R equalities
    const equated = new Map<FieldId, FieldId>(pairs.map(([a, b]) => [b, a]));
    // Group keys: columns of L, or columns of R equated with one of L.
    if (!agg.groupKeys.every((k) => lIds.has(k.id) || equated.has(k.id))) continue;
    const lKeys = agg.groupKeys.map((k) => (lIds.has(k.id) ? k.id : equated.get(k.id)!));
    if (!facts.isUnique(l, lKeys)) continue;
    // Calls read R only.
    if (!agg.calls.every((c) => !c.filter && c.operands.every((o) => [...refsOf(o)].every((id) => rIds.has(id))))) continue;
    const rKeys: RexRef[] = [];
    for (const [, b] of pairs) if (!rKeys.some((k) => k.id === b)) rKeys.push(ref(b));
    const rFields = rKeys.map((k) => r.fields.find((f) => f.id === k.id)!);
    const rAgg: Agg = { op: 'Aggregate', input: r, groupKeys: rKeys, calls: agg.calls, fields: [...rFields, ...agg.calls.map((c) => c.field)], range: agg.range };
    const joined: JoinRel = l === j.left
      ? { ...j, left: l, right: rAgg, fields: [...l.fields, ...rAgg.fields] }
      : { ...j, left: rAgg, right: l, fields: [...rAgg.fields, ...l.fields] };
    // The aggregate's output row (keys, then calls), in its order.
    return { op: 'Project', input: joined, exprs: agg.fields.map((f) => ref(f.id)), fields: agg.fields, range: agg.range };
  }
  return undefined;
}
