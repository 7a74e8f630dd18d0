// Field trimming and the join simplifications it enables, in one top-down
// pass that knows which fields the operators above actually read (Calcite's
// RelFieldTrimmer, AGGREGATE_PROJECT_MERGE, PROJECT_JOIN_REMOVE,
// JOIN_TO_SEMI_JOIN; see ../keys.ts for unique keys and non-null facts):
// - a Project drops the columns nobody reads (a pass-through Project left
//   with nothing to compute disappears); an Aggregate drops unread calls;
// - an inner join none of whose right-side columns are read above, and whose
//   right side is unique on the columns the condition equates, is a semi join
//   (each left row matches at most once, so the join only filters): this is
//   `x IN (SELECT key ...)` written as a join;
// - a left join none of whose right-side columns are read, with the right
//   side unique on the equated columns, returns its left input unchanged and
//   is removed;
// - `a LEFT JOIN b ON cond WHERE b.c IS NULL`, where b.c cannot be NULL in a
//   matched row (the condition equates it, or it is a key / NOT NULL column),
//   keeps exactly the unmatched rows of a: it is an anti join (NOT EXISTS).
// The query's output columns and the inputs of set operations keep their
// fields and order.

import type { FieldId, FieldIds, RelNode, Rex } from '../rel.ts';
import { andOf, conjuncts } from '../rex.ts';
import { equiPairs, PlanFacts, strictRefs } from '../keys.ts';
import type { Schema } from '../schema.ts';
import { mapRex, mapSubqueries, refsOf } from '../walk.ts';

export function pruneFields(root: RelNode, _ids: FieldIds, schema: Schema): RelNode {
  const facts = new PlanFacts(root, schema);
  const all = (r: RelNode) => new Set(r.fields.map((f) => f.id));
  const union = (a: Set<FieldId>, rex: Iterable<Rex | null | undefined>) => {
    const out = new Set(a);
    for (const x of rex) if (x) for (const id of refsOf(x)) out.add(id);
    return out;
  };
  const subqueries = (rel: RelNode): RelNode => mapRex(rel, (x) => mapSubqueries(x, (s) => visit(s, all(s), true)));

  const visit = (rel: RelNode, required: Set<FieldId>, positional: boolean): RelNode => {
    switch (rel.op) {
      case 'Scan':
      case 'Values':
        return subqueries(rel);
      case 'Project': {
        const keep = rel.exprs.map((_, i) => positional || required.has(rel.fields[i].id));
        const exprs = rel.exprs.filter((_, i) => keep[i]);
        const fields = rel.fields.filter((_, i) => keep[i]);
        const input = visit(rel.input, union(new Set(), exprs), false);
        if (!positional && exprs.every((e, i) => e.k === 'ref' && e.id === fields[i].id)) return input;
        return subqueries({ ...rel, input, exprs, fields });
      }
      case 'Filter': {
        const anti = leftJoinIsNull(rel, required, facts);
        if (anti) return visit(anti, required, positional);
        const input = visit(rel.input, union(required, [rel.condition]), positional);
        return subqueries({ ...rel, input, fields: input.fields });
      }
      case 'Sort': {
        const input = visit(rel.input, union(required, rel.keys.map((k) => k.expr)), positional);
        return subqueries({ ...rel, input, fields: input.fields });
      }
      case 'Limit': {
        const input = visit(rel.input, required, positional);
        return subqueries({ ...rel, input, fields: input.fields });
      }
      case 'Window': {
        const own = new Set(rel.calls.map((c) => c.field.id));
        const need = union(new Set([...required].filter((id) => !own.has(id))), rel.calls.flatMap((c) => [...c.operands, ...c.partitionBy, ...c.orderBy.map((k) => k.expr)]));
        const input = visit(rel.input, need, positional);
        return subqueries({ ...rel, input, fields: [...input.fields, ...rel.calls.map((c) => c.field)] });
      }
      case 'Aggregate': {
        let calls = positional ? rel.calls : rel.calls.filter((c) => required.has(c.field.id));
        if (calls.length === 0 && rel.groupKeys.length === 0) calls = rel.calls; // a global aggregate still returns its one row
        const need = union(new Set(), [...rel.groupKeys, ...calls.flatMap((c) => [...c.operands, c.filter])]);
        const input = visit(rel.input, need, false);
        const keyFields = rel.fields.slice(0, rel.groupKeys.length);
        return subqueries({ ...rel, input, calls, fields: [...keyFields, ...calls.map((c) => c.field)] });
      }
      case 'Join': {
        let j = rel;
        if (!positional && (j.joinType === 'inner' || j.joinType === 'left')) {
          const leftIds = all(j.left);
          const rightIds = all(j.right);
          const pairs = equiPairs(j.condition, leftIds, rightIds);
          const readsRight = [...required].some((id) => rightIds.has(id));
          const readsLeft = [...required].some((id) => leftIds.has(id));
          // Only a real equi-join on a key: a join with a one-row input (a scalar subquery) keeps Calcite's inner form.
          const rightUnique = pairs.length > 0 && facts.isUnique(j.right, pairs.map((p) => p[1]));
          if (j.joinType === 'left' && !readsRight && rightUnique) return visit(j.left, required, false);
          if (j.joinType === 'inner' && !readsRight && rightUnique) {
            j = { ...j, joinType: 'semi', fields: j.left.fields };
          } else if (j.joinType === 'inner' && !readsLeft && pairs.length > 0 && facts.isUnique(j.left, pairs.map((p) => p[0]))) {
            j = { ...j, joinType: 'semi', left: j.right, right: j.left, fields: j.right.fields };
          }
        }
        const need = union(required, [j.condition]);
        const left = visit(j.left, need, false);
        const right = visit(j.right, need, false);
        const fields = j.joinType === 'semi' || j.joinType === 'anti' ? left.fields : [...left.fields, ...right.fields];
        return subqueries({ ...j, left, right, fields });
      }
      case 'Correlate': {
        const left = visit(rel.left, all(rel.left), true);
        const right = visit(rel.right, all(rel.right), true);
        return { ...rel, left, right };
      }
      case 'Union':
      case 'Intersect':
      case 'Minus':
        return { ...rel, inputs: rel.inputs.map((i) => visit(i, all(i), true)) };
    }
  };
  return visit(root, all(root), true);
}

/** `Filter(b.c IS NULL AND rest, a LEFT JOIN b)` → `Filter(rest, a ANTI JOIN b)` when that is exact. */
function leftJoinIsNull(f: Extract<RelNode, { op: 'Filter' }>, required: Set<FieldId>, facts: PlanFacts): RelNode | undefined {
  const j = f.input;
  if (j.op !== 'Join' || j.joinType !== 'left') return undefined;
  const rightIds = new Set(j.right.fields.map((x) => x.id));
  const cannotBeNullWhenMatched = new Set([...strictRefs(j.condition), ...facts.nonNull(j.right)]);
  const preds = conjuncts(f.condition);
  const at = preds.findIndex((p) => p.k === 'call' && p.op === 'IS_NULL' && p.operands[0].k === 'ref' && rightIds.has(p.operands[0].id) && cannotBeNullWhenMatched.has(p.operands[0].id));
  if (at < 0) return undefined;
  const rest = preds.filter((_, i) => i !== at);
  // Nothing else may read the right side: after the anti join its columns are gone (they were all NULL).
  const reads = new Set([...required, ...rest.flatMap((p) => [...refsOf(p)])]);
  if ([...reads].some((id) => rightIds.has(id))) return undefined;
  const anti: RelNode = { ...j, joinType: 'anti', fields: j.left.fields };
  const cond = andOf(rest);
  return cond ? { ...f, input: anti, condition: cond, fields: anti.fields } : anti;
}
