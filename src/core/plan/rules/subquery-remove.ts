// IN / EXISTS subqueries in a WHERE conjunction become semi joins, NOT IN /
// NOT EXISTS anti joins, and uncorrelated scalar subqueries single-value
// joins (Calcite's SubQueryRemoveRule). Correlation predicates are pulled out
// of the subquery into the join condition. What cannot be decorrelated stays
// a subquery expression, which the matching tree still shows.

import type { FieldIds } from '../rel.ts';
import type { Field, FieldId, RelNode, Rex, RexSubquery } from '../rel.ts';
import { andOf, call, conjuncts, ref } from '../rex.ts';
import { freeRefs, hasSubquery, idsOf, producedIds, refsOf, subset, transformUp } from '../walk.ts';

export function removeSubqueries(root: RelNode, ids: FieldIds): RelNode {
  if (!hasSubquery(root)) return root;
  return transformUp(root, (rel) => {
    if (rel.op === 'Filter') return filterSubqueries(rel.input, conjuncts(rel.condition), ids, rel.range);
    if (rel.op === 'Project') return projectSubqueries(rel, ids);
    return rel;
  });
}

function filterSubqueries(input: RelNode, preds: Rex[], ids: FieldIds, range: RelNode['range']): RelNode {
  let rel = input;
  const kept: Rex[] = [];
  for (const p of preds) {
    const negated = p.k === 'call' && p.op === 'NOT' && p.operands[0].k === 'subquery';
    const sq = (negated ? (p as { operands: Rex[] }).operands[0] : p) as Rex;
    if (sq.k === 'subquery' && sq.type !== 'scalar') {
      const joined = semiJoin(rel, sq, negated);
      if (joined) {
        rel = joined;
        continue;
      }
    }
    const replaced = replaceScalars(p, rel, ids, 'inner');
    rel = replaced.rel;
    kept.push(replaced.rex);
  }
  const cond = andOf(kept);
  return cond ? { op: 'Filter', input: rel, condition: cond, fields: input.fields, range } : withFields(rel, input.fields);
}

function projectSubqueries(p: Extract<RelNode, { op: 'Project' }>, ids: FieldIds): RelNode {
  let rel = p.input;
  let changed = false;
  const exprs = p.exprs.map((e) => {
    const r = replaceScalars(e, rel, ids, 'left');
    if (r.rel !== rel) changed = true;
    rel = r.rel;
    return r.rex;
  });
  return changed ? { ...p, input: rel, exprs } : p;
}

/** A Filter/Project above a join that added columns keeps the original output. */
function withFields(rel: RelNode, fields: Field[]): RelNode {
  if (rel.fields.length === fields.length && rel.fields.every((f, i) => f.id === fields[i].id)) return rel;
  return { op: 'Project', input: rel, exprs: fields.map((f) => ref(f.id)), fields };
}

function semiJoin(left: RelNode, sq: RexSubquery, anti: boolean): RelNode | undefined {
  const outer = idsOf(left);
  // What an EXISTS subquery selects is irrelevant: only whether a row exists.
  let body = sq.rel;
  if (sq.type === 'exists') while (body.op === 'Project' || (body.op === 'Aggregate' && body.calls.length === 0 && body.groupKeys.length > 0)) body = body.input;
  const pulled = pullCorrelated(body, outer);
  if (!pulled) return undefined;
  const conds = [...pulled.preds];
  if (sq.type === 'in') {
    if (sq.operands.length !== pulled.rel.fields.length) return undefined;
    sq.operands.forEach((o, i) => conds.push(call('EQUALS', [o, ref(pulled.rel.fields[i].id)])));
  }
  if (!subset(new Set(conds.flatMap((c) => [...refsOf(c)])), new Set([...outer, ...pulled.produced]))) return undefined;
  return { op: 'Join', joinType: anti ? 'anti' : 'semi', left, right: pulled.rel, condition: andOf(conds), fields: left.fields };
}

/**
 * Removes the conjuncts that refer to the outer query from the top filters of
 * `rel` (through projections). Returns undefined when correlation remains
 * deeper (under an aggregate, say), where it cannot be pulled out.
 */
function pullCorrelated(rel: RelNode, outer: Set<FieldId>): { rel: RelNode; preds: Rex[]; produced: Set<FieldId> } | undefined {
  const free = freeRefs(rel);
  if (free.size === 0) return { rel, preds: [], produced: new Set(rel.fields.map((f) => f.id)) };
  if (!subset(free, outer)) return undefined;
  const preds: Rex[] = [];
  const pull = (r: RelNode): RelNode => {
    if (r.op === 'Project') {
      const input = pull(r.input);
      // The pulled predicates may need inner columns the projection dropped: keep them visible.
      const need = new Set<FieldId>();
      preds.forEach((p) => refsOf(p).forEach((id) => !outer.has(id) && need.add(id)));
      const extra = input.fields.filter((f) => need.has(f.id) && !r.fields.some((g) => g.id === f.id));
      return { ...r, input, exprs: [...r.exprs, ...extra.map((f) => ref(f.id))], fields: [...r.fields, ...extra] };
    }
    if (r.op === 'Filter') {
      const local: Rex[] = [];
      for (const c of conjuncts(r.condition)) {
        if ([...refsOf(c)].some((id) => outer.has(id))) preds.push(c);
        else local.push(c);
      }
      const input = pull(r.input);
      const cond = andOf(local);
      return cond ? { ...r, input, condition: cond } : input;
    }
    return r;
  };
  const out = pull(rel);
  if (freeRefs(out).size > 0) return undefined;
  // Pulled predicates may name any column inside the subquery (projections were widened for them).
  return { rel: out, preds, produced: producedIds(out) };
}


/** Replaces uncorrelated scalar subqueries by a reference to a joined single-value input. */
function replaceScalars(x: Rex, input: RelNode, ids: FieldIds, joinType: 'inner' | 'left'): { rex: Rex; rel: RelNode } {
  let rel = input;
  const visit = (r: Rex): Rex => {
    if (r.k === 'subquery') {
      if (r.type === 'scalar' && r.rel.fields.length === 1 && freeRefs(r.rel).size === 0) {
        const single = singleValue(r.rel, ids);
        rel = { op: 'Join', joinType, left: rel, right: single, condition: null, fields: [...rel.fields, ...single.fields] };
        return ref(single.fields[0].id);
      }
      return r;
    }
    if (r.k === 'call') {
      const ops = r.operands.map(visit);
      return ops.every((o, i) => o === r.operands[i]) ? r : { ...r, operands: ops };
    }
    return r;
  };
  const rex = visit(x);
  return { rex, rel };
}

/** A global aggregate returns exactly one row; anything else is wrapped in SINGLE_VALUE. */
function singleValue(rel: RelNode, ids: FieldIds): RelNode {
  let r = rel;
  while (r.op === 'Project') r = r.input;
  if (r.op === 'Aggregate' && r.groupKeys.length === 0) return rel;
  const field = ids.fresh(rel.fields[0].name);
  return {
    op: 'Aggregate',
    input: rel,
    groupKeys: [],
    calls: [{ kind: 'SINGLE_VALUE', distinct: false, operands: [ref(rel.fields[0].id)], field }],
    fields: [field],
  };
}
