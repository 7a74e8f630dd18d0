// Aggregate simplifications that hold whatever the data, given the schema's
// keys (Calcite's AGGREGATE_REMOVE, AggregateReduceFunctionsRule-style call
// rewrites; see ../keys.ts for where keys and non-null facts come from):
// - COUNT(x) is COUNT(*) when x is never NULL (a non-null literal, a primary
//   key or NOT NULL column, a column a strict predicate below has tested);
// - COUNT(DISTINCT x) is COUNT(*) when x is non-null and unique within each
//   group (the group keys and x contain a unique key of the input); MIN/MAX(DISTINCT x) are MIN/MAX(x), and SUM/AVG/COUNT
//   (DISTINCT x) drop DISTINCT when x is unique;
// - DISTINCT / GROUP BY without aggregate calls whose keys contain a unique
//   key of the input changes nothing and is removed;
// - HAVING COUNT(*) >= 1 (or > 0) is always true for a grouped aggregate;
// - an aggregate whose calls ignore duplicates (DISTINCT calls, MIN, MAX)
//   over a DISTINCT / GROUP BY without calls that keeps every column it reads
//   does not need that inner DISTINCT.

import type { AggCall, FieldIds, RelNode, Rex } from '../rel.ts';
import { andOf, conjuncts, ref } from '../rex.ts';
import { PlanFacts } from '../keys.ts';
import type { Schema } from '../schema.ts';
import { contains, transformUp } from '../walk.ts';

export function simplifyAggregates(root: RelNode, _ids: FieldIds, schema: Schema): RelNode {
  if (!contains(root, (r) => r.op === 'Aggregate')) return root;
  const facts = new PlanFacts(root, schema);
  return transformUp(root, (rel) => {
    if (rel.op === 'Aggregate') return simplifyAggregate(dropInnerDistinct(rel), facts);
    if (rel.op === 'Filter' && rel.input.op === 'Aggregate' && rel.input.groupKeys.length > 0) {
      const counts = new Set(rel.input.calls.filter((c) => c.kind === 'COUNT' && !c.filter && c.operands.length === 0).map((c) => c.field.id));
      const all = conjuncts(rel.condition);
      const kept = all.filter((c) => !alwaysTrueCount(c, counts));
      if (kept.length === all.length) return rel;
      const cond = andOf(kept);
      return cond ? { ...rel, condition: cond } : rel.input;
    }
    return rel;
  });
}

const DUPLICATE_INSENSITIVE = (c: AggCall) => c.distinct || c.kind === 'MIN' || c.kind === 'MAX';

function dropInnerDistinct(agg: Extract<RelNode, { op: 'Aggregate' }>): Extract<RelNode, { op: 'Aggregate' }> {
  const inner = agg.input;
  if (inner.op !== 'Aggregate' || inner.calls.length > 0 || inner.groupKeys.length === 0) return agg;
  if (!agg.calls.every((c) => DUPLICATE_INSENSITIVE(c) && !c.filter)) return agg;
  return { ...agg, input: inner.input };
}

function simplifyAggregate(agg: Extract<RelNode, { op: 'Aggregate' }>, facts: PlanFacts): RelNode {
  const input = agg.input;
  const nonNull = facts.nonNull(input);
  // Within a group the keys are constant: x is unique in each group when keys + x are unique.
  const uniqueOn = (x: Rex) => x.k === 'ref' && facts.isUnique(input, [x.id, ...agg.groupKeys.map((k) => k.id)]);
  const calls = agg.calls.map((c): AggCall => {
    if (c.filter) return c;
    const x = c.operands[0];
    if (c.kind === 'COUNT' && c.operands.length === 1) {
      const notNull = (x.k === 'lit' && x.type !== 'null') || (x.k === 'ref' && nonNull.has(x.id));
      if (notNull && (!c.distinct || (x.k === 'ref' && uniqueOn(x)))) return { ...c, operands: [], distinct: false };
    }
    if (c.distinct && c.operands.length === 1) {
      if (c.kind === 'MIN' || c.kind === 'MAX') return { ...c, distinct: false };
      if ((c.kind === 'SUM' || c.kind === 'AVG' || c.kind === 'COUNT' || c.kind === 'TOTAL') && uniqueOn(x)) return { ...c, distinct: false };
    }
    return c;
  });
  const changed = calls.some((c, i) => c !== agg.calls[i]);
  const r = changed ? { ...agg, calls } : agg;
  // DISTINCT over rows that are already distinct on the keys.
  if (r.calls.length === 0 && r.groupKeys.length > 0 && facts.isUnique(input, r.groupKeys.map((k) => k.id))) {
    return { op: 'Project', input, exprs: r.groupKeys.map((k) => ref(k.id)), fields: r.fields, range: r.range };
  }
  return r;
}

/** `COUNT(*) >= 1` / `COUNT(*) > 0` (canonical: `1 <= c`, `0 < c`). */
function alwaysTrueCount(c: Rex, counts: Set<number>): boolean {
  if (c.k !== 'call' || c.operands.length !== 2) return false;
  const [a, b] = c.operands;
  const isCount = (x: Rex) => x.k === 'ref' && counts.has(x.id);
  const num = (x: Rex) => (x.k === 'lit' && x.type === 'number' ? Number(x.value) : NaN);
  switch (c.op) {
    case 'LESS_THAN_OR_EQUAL':
      return isCount(b) && num(a) <= 1;
    case 'LESS_THAN':
      return isCount(b) && num(a) < 1;
    case 'GREATER_THAN_OR_EQUAL':
      return isCount(a) && num(b) <= 1;
    case 'GREATER_THAN':
      return isCount(a) && num(b) < 1;
  }
  return false;
}
