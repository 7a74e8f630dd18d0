// Applies the expression normalization of ../rex.ts (one comparison
// direction, flattened and ordered AND/OR, NOT pushed inward, equalities on
// one value merged into IN, constants folded, literals compared with a column
// given the type SQLite compares them as, commutative operands ordered by
// what they mean) to every operator.

import type { FieldIds, RelNode } from '../rel.ts';
import { canonicalize } from '../rex.ts';
import { computeLineage } from '../lineage.ts';
import { mapRex, transformUp } from '../walk.ts';
import type { FieldId } from '../rel.ts';
import { PlanFacts } from '../keys.ts';
import type { Schema } from '../schema.ts';

export function canonicalizeExpressions(root: RelNode, _ids?: FieldIds, schema?: Schema): RelNode {
  const lineage = computeLineage(root);
  const name = (id: FieldId) => lineage.get(id) ?? `$${id}`;
  const facts = schema ? new PlanFacts(root, schema) : undefined;
  const affinity = facts ? (id: FieldId) => facts.affinity(id) : undefined;
  return transformUp(root, (rel) => {
    const r = mapRex(rel, (x) => canonicalize(x, name, affinity));
    // Drop filters that folded to TRUE.
    if (r.op === 'Filter' && r.condition.k === 'lit' && r.condition.type === 'bool' && r.condition.value === 'TRUE') return r.input;
    if (r.op === 'Join' && r.condition?.k === 'lit' && r.condition.type === 'bool' && r.condition.value === 'TRUE') return { ...r, condition: null };
    return r;
  });
}
