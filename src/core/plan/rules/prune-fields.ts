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
import { mapRex, mapSubqueries, refsOf, subset } from '../walk.ts';
import { computeLineage } from '../lineage.ts';
import { relDigest } from '../digest.ts';

export function pruneFields(root: RelNode, _ids: FieldIds, schema: Schema): RelNode {
  const facts = new PlanFacts(root, schema);
  let lineage: Map<FieldId, string> | undefined;
  const name = (id: FieldId) => (lineage ??= computeLineage(root)).get(id) ?? `$${id}`;
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
        if (input === rel.input && exprs.length === rel.exprs.length) return subqueries(rel);
        return subqueries({ ...rel, input, exprs, fields });
      }
      case 'Filter': {
        const anti = leftJoinIsNull(rel, required, facts);
        if (anti) return visit(anti, required, positional);
        const input = visit(rel.input, union(required, [rel.condition]), positional);
        return subqueries(input === rel.input ? rel : { ...rel, input, fields: named(input.fields, rel.fields) });
      }
      case 'Sort': {
        const input = visit(rel.input, union(required, rel.keys.map((k) => k.expr)), positional);
        return subqueries(input === rel.input ? rel : { ...rel, input, fields: named(input.fields, rel.fields) });
      }
      case 'Limit': {
        const input = visit(rel.input, required, positional);
        return subqueries(input === rel.input ? rel : { ...rel, input, fields: named(input.fields, rel.fields) });
      }
      case 'Window': {
        const own = new Set(rel.calls.map((c) => c.field.id));
        const need = union(new Set([...required].filter((id) => !own.has(id))), rel.calls.flatMap((c) => [...c.operands, ...c.partitionBy, ...c.orderBy.map((k) => k.expr)]));
        const input = visit(rel.input, need, positional);
        return subqueries(input === rel.input ? rel : { ...rel, input, fields: named([...input.fields, ...rel.calls.map((c) => c.field)], rel.fields) });
      }
      case 'Aggregate': {
        let calls = positional ? rel.calls : rel.calls.filter((c) => required.has(c.field.id));
        if (calls.length === 0 && rel.groupKeys.length === 0) calls = rel.calls; // a global aggregate still returns its one row
        const need = union(new Set(), [...rel.groupKeys, ...calls.flatMap((c) => [...c.operands, c.filter])]);
        const input = visit(rel.input, need, false);
        if (input === rel.input && calls.length === rel.calls.length) return subqueries(rel);
        // Output fields keep their names (the SELECT list's, when a Project above was merged away).
        const n = rel.groupKeys.length;
        const fields = rel.fields.filter((_, i) => i < n || calls.includes(rel.calls[i - n]));
        return subqueries({ ...rel, input, calls, fields });
      }
      case 'Join': {
        let j = rel;
        if (!positional && j.joinType === 'inner') {
          const rebuilt = innerJoinsToSemi(j, required, facts, name);
          if (rebuilt) return visit(rebuilt, required, positional);
        }
        if (!positional && j.joinType === 'left') {
          const pairs = equiPairs(j.condition, all(j.left), all(j.right));
          const rightIds = all(j.right);
          if (![...required].some((id) => rightIds.has(id)) && pairs.length > 0 && facts.isUnique(j.right, pairs.map((p) => p[1]))) return visit(j.left, required, false);
        }
        const need = union(required, [j.condition]);
        // A semi/anti join's output is its left input's row.
        const left = visit(j.left, need, positional && (j.joinType === 'semi' || j.joinType === 'anti'));
        const right = visit(j.right, need, false);
        if (j === rel && left === rel.left && right === rel.right) return subqueries(rel);
        const fields = j.joinType === 'semi' || j.joinType === 'anti' ? left.fields : [...left.fields, ...right.fields];
        return subqueries({ ...j, left, right, fields });
      }
      case 'Correlate': {
        const left = visit(rel.left, all(rel.left), true);
        const right = visit(rel.right, all(rel.right), true);
        return left === rel.left && right === rel.right ? rel : { ...rel, left, right };
      }
      case 'Union':
      case 'Intersect':
      case 'Minus':
      {
        const inputs = rel.inputs.map((i) => visit(i, all(i), true));
        return inputs.every((x, i) => x === rel.inputs[i]) ? rel : { ...rel, inputs };
      }
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

type JoinRel = Extract<RelNode, { op: 'Join' }>;

/**
 * The inputs of a tree of inner joins that only filter: an input none of
 * whose columns are read above the join tree, whose conditions reach one
 * other input only, and that is unique on the columns those conditions
 * equate (each row of the rest matches it at most once) becomes a semi join
 * on that other input's side. Looking at the whole tree makes the result
 * independent of the order the query wrote the joins in. Returns undefined
 * when no input qualifies.
 */
function innerJoinsToSemi(j: JoinRel, required: Set<FieldId>, facts: PlanFacts, name: (id: FieldId) => string): RelNode | undefined {
  const inputs: RelNode[] = [];
  const conds: Rex[] = [];
  const flatten = (r: RelNode) => {
    if (r.op === 'Join' && r.joinType === 'inner') {
      flatten(r.left);
      flatten(r.right);
      conds.push(...conjuncts(r.condition));
    } else inputs.push(r);
  };
  flatten(j);
  if (inputs.length < 2) return undefined;
  const idsOf = (r: RelNode) => new Set(r.fields.map((f) => f.id));
  const order = inputs.map((r) => ({ r, key: relDigest(r, name) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((x) => x.r);
  let rest = [...inputs];
  let pending = [...conds];
  const semis: { rel: RelNode; conds: Rex[] }[] = [];
  for (const x of order) {
    if (rest.length < 2) break;
    const xIds = idsOf(x);
    if ([...required].some((id) => xIds.has(id))) continue;
    const mine = pending.filter((c) => [...refsOf(c)].some((id) => xIds.has(id)));
    const outer = new Set(mine.flatMap((c) => [...refsOf(c)]).filter((id) => !xIds.has(id)));
    const others = rest.filter((r) => r !== x);
    const target = others.find((r) => subset(outer, idsOf(r)));
    if (!target || outer.size === 0) continue;
    const pairs = equiPairs(andOf(mine), idsOf(target), xIds);
    if (pairs.length === 0 || !facts.isUnique(x, pairs.map((p) => p[1]))) continue;
    rest = others;
    pending = pending.filter((c) => !mine.includes(c));
    semis.push({ rel: x, conds: mine });
  }
  if (semis.length === 0) return undefined;
  // The remaining inputs, joined left-deep in their written order, each condition at the lowest join that sees its columns.
  let acc = rest[0];
  for (const next of rest.slice(1)) {
    const visible = new Set([...acc.fields, ...next.fields].map((f) => f.id));
    const here = pending.filter((c) => subset(refsOf(c), visible));
    pending = pending.filter((c) => !here.includes(c));
    acc = { op: 'Join', joinType: 'inner', left: acc, right: next, condition: andOf(here), fields: [...acc.fields, ...next.fields] };
  }
  if (pending.length) acc = { op: 'Filter', input: acc, condition: andOf(pending)!, fields: acc.fields };
  for (const s of semis) acc = { op: 'Join', joinType: 'semi', left: acc, right: s.rel, condition: andOf(s.conds), fields: acc.fields };
  return acc;
}

/** `fields` with the names `before` gave the same ids (output names survive a rebuilt operator). */
function named(fields: RelNode['fields'], before: RelNode['fields']): RelNode['fields'] {
  if (fields.length === before.length && fields.every((f, i) => f === before[i])) return before;
  const byId = new Map(before.map((f) => [f.id, f]));
  return fields.map((f) => byId.get(f.id) ?? f);
}
