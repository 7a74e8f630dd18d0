// EXCEPT and INTERSECT as joins (Calcite's MINUS_TO_ANTI_JOIN /
// INTERSECT_TO_SEMI_JOIN family): `A EXCEPT B` is the distinct rows of A
// with no equal row in B, `A INTERSECT B` those with one. Set operations
// compare NULLs as equal, so a column pair is matched with IS NOT DISTINCT
// FROM, or with `=` when either column can never be NULL (then the two agree).
// After this rule `SELECT id FROM t EXCEPT SELECT t_id FROM u` and
// `SELECT id FROM t WHERE id NOT IN (SELECT t_id FROM u)` differ only by the
// DISTINCT, which simplify-aggregates removes when `id` is a key.

import type { FieldId, FieldIds, RelNode, Rex } from '../rel.ts';
import { andOf, call, ref, substitute } from '../rex.ts';
import { PlanFacts } from '../keys.ts';
import type { Schema } from '../schema.ts';
import { mapRex, transformUp } from '../walk.ts';

export function setOpsToJoins(root: RelNode, _ids: FieldIds, schema: Schema): RelNode {
  const facts = new PlanFacts(root, schema);
  const renamed = new Map<FieldId, FieldId>();
  const out = transformUp(root, (rel) => {
    if ((rel.op !== 'Minus' && rel.op !== 'Intersect') || rel.all || rel.inputs.length !== 2) return rel;
    const [left, right] = rel.inputs;
    const ln = facts.nonNull(left);
    const rn = facts.nonNull(right);
    const conds: Rex[] = left.fields.map((l, i) => {
      const r = right.fields[i];
      return call(ln.has(l.id) || rn.has(r.id) ? 'EQUALS' : 'IS_NOT_DISTINCT_FROM', [ref(l.id), ref(r.id)]);
    });
    const join: RelNode = { op: 'Join', joinType: rel.op === 'Minus' ? 'anti' : 'semi', left, right, condition: andOf(conds), fields: left.fields, range: rel.range };
    rel.fields.forEach((f, i) => renamed.set(f.id, left.fields[i].id));
    return {
      op: 'Aggregate',
      input: join,
      groupKeys: left.fields.map((f) => ref(f.id)),
      calls: [],
      fields: left.fields.map((f, i) => ({ id: f.id, name: rel.fields[i].name })),
      range: rel.range,
    };
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
