// EXCEPT and INTERSECT over a duplicate-free left input as anti and semi
// joins (Calcite's MINUS_TO_ANTI_JOIN / INTERSECT_TO_SEMI_JOIN family):
// `A EXCEPT B` is the distinct rows of A with no equal row in B, `A INTERSECT
// B` those with one; when A's rows are already distinct (its columns contain
// a unique key), that is exactly `A ANTI/SEMI JOIN B` on all columns. Set
// operations compare NULLs as equal, so a column pair is matched with IS NOT
// DISTINCT FROM, or with `=` when either column can never be NULL (then the
// two agree). After this rule `SELECT id FROM t EXCEPT SELECT t_id FROM u`
// and `SELECT id FROM t WHERE id NOT IN (SELECT t_id FROM u)` (id a key)
// give the same tree. Over other inputs the set operation stays (the
// DISTINCT it implies would otherwise need an extra Aggregate).
//
// First, the inputs of UNION, INTERSECT and EXCEPT (without ALL) are compared
// as sets: a DISTINCT directly under them changes nothing and is dropped.

import type { FieldId, FieldIds, RelNode, Rex } from '../rel.ts';
import { andOf, call, ref, substitute } from '../rex.ts';
import { PlanFacts } from '../keys.ts';
import type { Schema } from '../schema.ts';
import { contains, mapRex, transformUp } from '../walk.ts';

export function setOpsToJoins(root: RelNode, _ids: FieldIds, schema: Schema): RelNode {
  if (!contains(root, (r) => (r.op === 'Union' || r.op === 'Minus' || r.op === 'Intersect') && !r.all)) return root;
  const facts = new PlanFacts(root, schema);
  const renamed = new Map<FieldId, FieldId>();
  const out = transformUp(root, (set) => {
    if ((set.op !== 'Union' && set.op !== 'Minus' && set.op !== 'Intersect') || set.all) return set;
    const stripped = set.inputs.map(stripDistinct);
    const rel = stripped.every((x, i) => x === set.inputs[i]) ? set : { ...set, inputs: stripped };
    if (rel.op === 'Union' || rel.inputs.length !== 2) return rel;
    const [left, right] = rel.inputs;
    if (!facts.isUnique(left, left.fields.map((f) => f.id))) return rel;
    const ln = facts.nonNull(left);
    const rn = facts.nonNull(right);
    const conds: Rex[] = left.fields.map((l, i) => {
      const r = right.fields[i];
      return call(ln.has(l.id) || rn.has(r.id) ? 'EQUALS' : 'IS_NOT_DISTINCT_FROM', [ref(l.id), ref(r.id)]);
    });
    rel.fields.forEach((f, i) => renamed.set(f.id, left.fields[i].id));
    const fields = left.fields.map((f, i) => ({ id: f.id, name: rel.fields[i].name }));
    return { op: 'Join', joinType: rel.op === 'Minus' ? 'anti' : 'semi', left, right, condition: andOf(conds), fields, range: rel.range };
  });
  return renamed.size ? renameFields(out, renamed) : out;
}

/** Replaces field ids everywhere: references and the field lists that pass them on. */
function renameFields(root: RelNode, map: Map<FieldId, FieldId>): RelNode {
  const refMap = new Map<FieldId, Rex>([...map].map(([from, to]) => [from, ref(to)]));
  return transformUp(root, (rel) => {
    let r = mapRex(rel, (x) => substitute(x, refMap));
    if (r.op === 'Aggregate') r = { ...r, groupKeys: r.groupKeys.map((k) => (map.has(k.id) ? ref(map.get(k.id)!) : k)) };
    if (r.fields.some((f) => map.has(f.id))) r = { ...r, fields: r.fields.map((f) => (map.has(f.id) ? { ...f, id: map.get(f.id)! } : f)) } as RelNode;
    return r;
  });
}

/** A DISTINCT (Aggregate without calls) under a set operation, as a projection keeping its column order. */
function stripDistinct(rel: RelNode): RelNode {
  if (rel.op !== 'Aggregate' || rel.calls.length > 0 || rel.groupKeys.length === 0) return rel;
  const sameOrder = rel.groupKeys.length === rel.input.fields.length && rel.groupKeys.every((k, i) => k.id === rel.input.fields[i].id);
  if (sameOrder) return rel.input;
  return { op: 'Project', input: rel.input, exprs: rel.groupKeys.map((k) => ref(k.id)), fields: rel.fields, range: rel.range };
}
