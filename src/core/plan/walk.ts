// Plan traversal helpers shared by the normalization rules.

import { inputsOf, type FieldId, type RelNode, type Rex } from './rel.ts';
import { collectRefs } from './rex.ts';

/** Returns a copy of `rel` with its inputs replaced (same order as inputsOf). */
export function withInputs(rel: RelNode, inputs: RelNode[]): RelNode {
  switch (rel.op) {
    case 'Scan':
    case 'Values':
      return rel;
    case 'Join':
    case 'Correlate':
      return inputs[0] === rel.left && inputs[1] === rel.right ? rel : { ...rel, left: inputs[0], right: inputs[1] };
    case 'Union':
    case 'Intersect':
    case 'Minus':
      return inputs.every((x, i) => x === rel.inputs[i]) ? rel : { ...rel, inputs };
    default:
      return inputs[0] === rel.input ? rel : { ...rel, input: inputs[0] };
  }
}

/** Applies `f` bottom-up to every operator, including plans nested in subquery expressions. */
export function transformUp(rel: RelNode, f: (r: RelNode) => RelNode): RelNode {
  const ins = inputsOf(rel);
  const next = ins.map((i) => transformUp(i, f));
  let r = withInputs(rel, next);
  r = mapRex(r, (x) => mapSubqueries(x, (s) => transformUp(s, f)));
  return f(r);
}

/** Rewrites every expression held directly by an operator; returns `rel` itself when nothing changed. */
export function mapRex(rel: RelNode, f: (x: Rex) => Rex): RelNode {
  let changed = false;
  const g = (x: Rex) => {
    const y = f(x);
    if (y !== x) changed = true;
    return y;
  };
  let out: RelNode;
  switch (rel.op) {
    case 'Project':
      out = { ...rel, exprs: rel.exprs.map(g) };
      break;
    case 'Filter':
      out = { ...rel, condition: g(rel.condition) };
      break;
    case 'Join':
      out = rel.condition ? { ...rel, condition: g(rel.condition) } : rel;
      break;
    case 'Aggregate':
      out = { ...rel, calls: rel.calls.map((c) => ({ ...c, operands: c.operands.map(g), filter: c.filter && g(c.filter) })) };
      break;
    case 'Window':
      out = { ...rel, calls: rel.calls.map((c) => ({ ...c, operands: c.operands.map(g), partitionBy: c.partitionBy.map(g), orderBy: c.orderBy.map((k) => ({ ...k, expr: g(k.expr) })) })) };
      break;
    case 'Sort':
      out = { ...rel, keys: rel.keys.map((k) => ({ ...k, expr: g(k.expr) })) };
      break;
    case 'Limit':
      out = { ...rel, fetch: rel.fetch && g(rel.fetch), offset: rel.offset && g(rel.offset) };
      break;
    case 'Values':
      out = { ...rel, tuples: rel.tuples.map((t) => t.map(g)) };
      break;
    default:
      return rel;
  }
  return changed ? out : rel;
}

/** Rewrites the plans nested in subquery expressions. */
export function mapSubqueries(x: Rex, f: (rel: RelNode) => RelNode): Rex {
  switch (x.k) {
    case 'call': {
      const ops = x.operands.map((o) => mapSubqueries(o, f));
      return ops.every((o, i) => o === x.operands[i]) ? x : { ...x, operands: ops };
    }
    case 'subquery':
      return { ...x, operands: x.operands.map((o) => mapSubqueries(o, f)), rel: f(x.rel) };
    default:
      return x;
  }
}

/** Every expression an operator holds directly. */
export function rexOf(rel: RelNode): Rex[] {
  switch (rel.op) {
    case 'Project':
      return rel.exprs;
    case 'Filter':
      return [rel.condition];
    case 'Join':
      return rel.condition ? [rel.condition] : [];
    case 'Aggregate':
      return rel.calls.flatMap((c) => (c.filter ? [...c.operands, c.filter] : c.operands));
    case 'Window':
      return rel.calls.flatMap((c) => [...c.operands, ...c.partitionBy, ...c.orderBy.map((k) => k.expr)]);
    case 'Sort':
      return rel.keys.map((k) => k.expr);
    case 'Limit':
      return [rel.fetch, rel.offset].filter((x): x is Rex => x !== undefined);
    case 'Values':
      return rel.tuples.flat();
    default:
      return [];
  }
}

/** Field ids produced anywhere inside `rel`. */
export function producedIds(rel: RelNode, out: Set<FieldId> = new Set()): Set<FieldId> {
  for (const f of rel.fields) out.add(f.id);
  if (rel.op === 'Aggregate') rel.calls.forEach((c) => out.add(c.field.id));
  if (rel.op === 'Window') rel.calls.forEach((c) => out.add(c.field.id));
  for (const i of inputsOf(rel)) producedIds(i, out);
  return out;
}

/** Field ids `rel` refers to but does not produce: its correlation with an outer query. */
export function freeRefs(rel: RelNode): Set<FieldId> {
  const used = new Set<FieldId>();
  const visit = (r: RelNode) => {
    for (const x of rexOf(r)) collectRefs(x, used, freeRefs);
    inputsOf(r).forEach(visit);
  };
  visit(rel);
  const produced = producedIds(rel);
  for (const id of [...used]) if (produced.has(id)) used.delete(id);
  return used;
}

/** Field ids referred to by an expression, including a nested subquery's correlation. */
export function refsOf(x: Rex): Set<FieldId> {
  return collectRefs(x, new Set(), freeRefs);
}

export function subset(a: Set<FieldId>, b: Set<FieldId>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export function idsOf(rel: RelNode): Set<FieldId> {
  return new Set(rel.fields.map((f) => f.id));
}

/**
 * Whether an operator's inputs must keep their field order: inputs of set
 * operations always, and the input of an operator that outputs its input's
 * row unchanged (Filter, Sort, Limit, semi/anti Join) when that operator's own
 * order matters.
 */
export function outputDefining(rel: RelNode, positional: boolean): boolean {
  if (rel.op === 'Union' || rel.op === 'Intersect' || rel.op === 'Minus') return true;
  // A semi or anti join outputs its left input's row unchanged.
  const filterJoin = rel.op === 'Join' && (rel.joinType === 'semi' || rel.joinType === 'anti');
  return positional && (rel.op === 'Filter' || rel.op === 'Sort' || rel.op === 'Limit' || filterJoin);
}

/** Whether any expression of the plan (at any depth) is a subquery. */
export function hasSubquery(rel: RelNode): boolean {
  const inRex = (x: Rex): boolean => x.k === 'subquery' || (x.k === 'call' && x.operands.some(inRex));
  return rexOf(rel).some(inRex) || inputsOf(rel).some(hasSubquery);
}

/** Whether some operator of the plan (including plans nested in subquery expressions) satisfies `test`. */
export function contains(rel: RelNode, test: (r: RelNode) => boolean): boolean {
  if (test(rel)) return true;
  switch (rel.op) {
    case 'Scan':
    case 'Values':
      break;
    case 'Join':
    case 'Correlate':
      if (contains(rel.left, test) || contains(rel.right, test)) return true;
      break;
    case 'Union':
    case 'Intersect':
    case 'Minus':
      for (const i of rel.inputs) if (contains(i, test)) return true;
      break;
    default:
      if (contains(rel.input, test)) return true;
  }
  // Plans nested in expressions: only Project, Filter and Join conditions hold subqueries in practice, but look everywhere.
  if (rel.op === 'Scan') return false;
  const inRex = (x: Rex): boolean => (x.k === 'subquery' ? contains(x.rel, test) || x.operands.some(inRex) : x.k === 'call' ? x.operands.some(inRex) : false);
  return rexOf(rel).some(inRex);
}
