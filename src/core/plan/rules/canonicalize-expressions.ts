// Applies the expression normalization of ../rex.ts (one comparison
// direction, flattened and ordered AND/OR, NOT pushed inward, constants
// folded, commutative operands ordered by what they mean) to every operator.

import type { RelNode } from '../rel.ts';
import { canonicalize } from '../rex.ts';
import { computeLineage } from '../lineage.ts';
import { mapRex, mapSubqueries, transformUp } from '../walk.ts';
import type { FieldId } from '../rel.ts';

export function canonicalizeExpressions(root: RelNode): RelNode {
  const lineage = computeLineage(root);
  const name = (id: FieldId) => lineage.get(id) ?? `$${id}`;
  return transformUp(root, (rel) => {
    const r = mapRex(rel, (x) => canonicalize(x, name));
    // Drop filters that folded to TRUE.
    if (r.op === 'Filter' && r.condition.k === 'lit' && r.condition.type === 'bool' && r.condition.value === 'TRUE') return r.input;
    if (r.op === 'Join' && r.condition?.k === 'lit' && r.condition.type === 'bool' && r.condition.value === 'TRUE') return { ...r, condition: null };
    return r;
  });
}

export { mapSubqueries };
