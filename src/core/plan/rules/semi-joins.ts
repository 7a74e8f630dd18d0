// Semi and anti joins in one place, whatever the query wrote (Calcite's
// SEMI_JOIN_JOIN_TRANSPOSE and the DISTINCT removal of SubQueryRemoveRule):
// - a semi/anti join above an inner join whose condition only reads one
//   input of the inner join moves down to that input (it filters that
//   input's rows; the inner join then pairs the survivors as before), so
//   `FROM a JOIN b WHERE b.x IN (...)` and `FROM a JOIN (SELECT ... FROM b
//   WHERE x IN (...))` give the same tree;
// - the right input of a semi/anti join only answers "is there a match", so
//   a DISTINCT / GROUP BY without aggregate calls on top of it changes
//   nothing (`x IN (SELECT DISTINCT y ...)` is `x IN (SELECT y ...)`);
// - semi/anti joins stacked on one input each filter that input's rows on
//   their own, so their order is irrelevant: they are sorted by a digest of
//   what they test;
// - a projection that only drops columns of a semi/anti join's left input
//   goes above the join (it filters rows, the projection picks columns).

import type { FieldId, RelNode } from '../rel.ts';
import { computeLineage } from '../lineage.ts';
import { relDigest } from '../digest.ts';
import { digest } from '../rex.ts';
import { contains, refsOf, subset, transformUp } from '../walk.ts';

type Join = Extract<RelNode, { op: 'Join' }>;

const isFilterJoin = (r: RelNode): boolean => r.op === 'Join' && (r.joinType === 'semi' || r.joinType === 'anti');

export function normalizeSemiJoins(root: RelNode): RelNode {
  if (!contains(root, isFilterJoin)) return root;
  let lineage: Map<FieldId, string> | undefined;
  const name = (id: FieldId) => (lineage ??= computeLineage(root)).get(id) ?? `$${id}`;
  const key = (j: Join) => `${j.joinType}(${j.condition ? digest(j.condition, name) : 'TRUE'})[${relDigest(j.right, name)}]`;
  const pushDown = (j: Join): RelNode => {
    const inner = j.left;
    if (isFilterJoin(inner)) return sortChain(j);
    if (inner.op !== 'Join' || inner.joinType !== 'inner' || !j.condition) return j;
    const refs = refsOf(j.condition);
    const ids = (r: RelNode) => new Set<FieldId>(r.fields.map((f) => f.id));
    const rightIds = ids(j.right);
    const outer = new Set([...refs].filter((id) => !rightIds.has(id)));
    for (const side of ['left', 'right'] as const) {
      const target = inner[side];
      if (outer.size > 0 && subset(outer, ids(target))) {
        const pushed = pushDown({ ...j, left: target, fields: target.fields });
        return { ...inner, [side]: pushed, fields: side === 'left' ? [...pushed.fields, ...inner.right.fields] : [...inner.left.fields, ...pushed.fields] };
      }
    }
    return j;
  };
  const sortChain = (top: Join): RelNode => {
    const chain: Join[] = [];
    let base: RelNode = top;
    while (base.op === 'Join' && isFilterJoin(base)) {
      chain.push(base);
      base = base.left;
    }
    chain.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    let acc = base;
    for (const j of chain) acc = { ...j, left: acc, fields: acc.fields } as Join;
    return acc;
  };
  const projectAbove = (j: Join): RelNode => {
    const p = j.left;
    if (p.op !== 'Project' || !p.exprs.every((e, i) => e.k === 'ref' && e.id === p.fields[i].id)) return pushDown(j);
    return { ...p, input: pushDown({ ...j, left: p.input, fields: p.input.fields }) };
  };
  return transformUp(root, (rel) => (rel.op === 'Join' && isFilterJoin(rel) ? projectAbove(stripDistinct(rel)) : rel));
}

function stripDistinct(j: Join): Join {
  let right = j.right;
  for (;;) {
    if (right.op === 'Aggregate' && right.calls.length === 0 && right.groupKeys.length > 0) right = right.input;
    else if (right.op === 'Project' && right.exprs.every((e, i) => e.k === 'ref' && e.id === right.fields[i].id)) right = right.input;
    else break;
  }
  return right === j.right ? j : { ...j, right };
}
