// Puts the inputs of every tree of inner joins in a canonical order (Calcite's
// JOIN_TO_MULTI_JOIN + a deterministic MULTI_JOIN_OPTIMIZE): the inputs are
// sorted by a digest of what they compute, then joined left-deep (taking next
// the first input that a condition connects, so no needless cross joins),
// each condition placed at the lowest join that sees all its columns. `a JOIN b
// JOIN c` and `c JOIN a JOIN b` give the same tree.

import type { FieldId, RelNode, Rex } from '../rel.ts';
import { inputsOf } from '../rel.ts';
import { andOf, conjuncts, ref } from '../rex.ts';
import { computeLineage } from '../lineage.ts';
import { relDigest } from '../digest.ts';
import { mapRex, mapSubqueries, outputDefining, refsOf, subset, withInputs } from '../walk.ts';

export function reorderJoins(root: RelNode): RelNode {
  // Lineage is only needed when there is a join tree to order.
  let lineage: Map<FieldId, string> | undefined;
  const name = (id: FieldId) => (lineage ??= computeLineage(root)).get(id) ?? `$${id}`;
  const visit = (rel: RelNode, positional: boolean): RelNode => {
    if (rel.op === 'Join' && rel.joinType === 'inner') {
      const inputs: RelNode[] = [];
      const conds: Rex[] = [];
      flatten(rel, inputs, conds);
      const ordered = inputs
        .map((i) => visit(i, false))
        .map((i) => ({ rel: i, key: relDigest(i, name) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((x) => x.rel);
      let acc = ordered[0];
      let pending = conds;
      const rest = ordered.slice(1);
      while (rest.length) {
        // The first input (in digest order) that a condition connects to what is joined so far: no needless cross joins.
        const accIds = new Set(acc.fields.map((f) => f.id));
        let k = rest.findIndex((r) => {
          const ids = new Set([...accIds, ...r.fields.map((f) => f.id)]);
          return pending.some((c) => {
            const refs = refsOf(c);
            return subset(refs, ids) && [...refs].some((id) => accIds.has(id)) && r.fields.some((f) => refs.has(f.id));
          });
        });
        if (k < 0) k = 0;
        const next = rest.splice(k, 1)[0];
        const visible = new Set([...acc.fields, ...next.fields].map((f) => f.id));
        const here = pending.filter((c) => subset(refsOf(c), visible));
        pending = pending.filter((c) => !here.includes(c));
        acc = { op: 'Join', joinType: 'inner', left: acc, right: next, condition: andOf(here), fields: [...acc.fields, ...next.fields] };
      }
      if (pending.length) acc = { op: 'Filter', input: acc, condition: andOf(pending)!, fields: acc.fields };
      const sameOrder = acc.fields.length === rel.fields.length && acc.fields.every((f, i) => f.id === rel.fields[i].id);
      if (positional && !sameOrder) {
        // The query's output columns keep their order.
        return { op: 'Project', input: acc, exprs: rel.fields.map((f) => ref(f.id)), fields: rel.fields };
      }
      return acc;
    }
    const childPositional = outputDefining(rel, positional);
    const r = withInputs(rel, inputsOf(rel).map((i) => visit(i, childPositional)));
    return mapRex(r, (x) => mapSubqueries(x, reorderJoins));
  };
  return visit(root, true);
}

function flatten(rel: RelNode, inputs: RelNode[], conds: Rex[]): void {
  if (rel.op === 'Join' && rel.joinType === 'inner') {
    flatten(rel.left, inputs, conds);
    flatten(rel.right, inputs, conds);
    conds.push(...conjuncts(rel.condition));
  } else {
    inputs.push(rel);
  }
}
