// Row-expression helpers: constructors, traversal, substitution, digests and
// the expression-level normalization (flatten AND/OR, one comparison
// direction, NOT pushed inward, constants folded, commutative operands ordered).

import type { Affinity } from './keys.ts';
import { COMMUTATIVE, type FieldId, type RelNode, type Rex, type RexCall, type RexLiteral, type RexRef } from './rel.ts';

export const ref = (id: FieldId): RexRef => ({ k: 'ref', id });
export const lit = (type: RexLiteral['type'], value: string): RexLiteral => ({ k: 'lit', type, value });
export const call = (op: string, operands: Rex[], detail?: string): RexCall =>
  detail === undefined ? { k: 'call', op, operands } : { k: 'call', op, operands, detail };
export const TRUE = lit('bool', 'TRUE');
export const FALSE = lit('bool', 'FALSE');
export const NULL = lit('null', 'NULL');

export const isTrue = (r: Rex | null | undefined) => r == null || (r.k === 'lit' && r.type === 'bool' && r.value === 'TRUE');

/** Canonical JS text of a SQLite number literal (`3.0` → `3`, `0x1F` → `31`, `1_000` → `1000`). */
export function canonicalNumber(text: string): { value: string; isReal: boolean } {
  const clean = text.replace(/_/g, '');
  if (/^0x/i.test(clean)) return { value: BigInt(clean).toString(), isReal: false };
  const isReal = /[.eE]/.test(clean);
  if (!isReal) {
    const big = BigInt(clean);
    return { value: big.toString(), isReal: false };
  }
  return { value: String(Number(clean)), isReal: true };
}

export function conjuncts(r: Rex | null | undefined): Rex[] {
  if (r == null || isTrue(r)) return [];
  if (r.k === 'call' && r.op === 'AND') return r.operands.flatMap(conjuncts);
  return [r];
}

export function andOf(list: Rex[]): Rex | null {
  if (list.length === 0) return null;
  return list.length === 1 ? list[0] : call('AND', list);
}

/** Adds every field id the expression refers to (including free references of nested subquery plans). */
export function collectRefs(r: Rex, out: Set<FieldId>, freeRefsOfRel?: (rel: RelNode) => Set<FieldId>): Set<FieldId> {
  switch (r.k) {
    case 'ref':
      out.add(r.id);
      break;
    case 'call':
      for (const o of r.operands) collectRefs(o, out, freeRefsOfRel);
      break;
    case 'subquery':
      for (const o of r.operands) collectRefs(o, out, freeRefsOfRel);
      if (freeRefsOfRel) for (const id of freeRefsOfRel(r.rel)) out.add(id);
      break;
  }
  return out;
}

/** Replaces references by expressions; subquery plans are rewritten by `inRel` when given. */
export function substitute(r: Rex, map: Map<FieldId, Rex>, inRel?: (rel: RelNode) => RelNode): Rex {
  switch (r.k) {
    case 'ref':
      return map.get(r.id) ?? r;
    case 'lit':
      return r;
    case 'call': {
      const ops = r.operands.map((o) => substitute(o, map, inRel));
      return ops.every((o, i) => o === r.operands[i]) ? r : { ...r, operands: ops };
    }
    case 'subquery':
      return { ...r, operands: r.operands.map((o) => substitute(o, map, inRel)), rel: inRel ? inRel(r.rel) : r.rel };
  }
}

export function literalText(l: RexLiteral): string {
  switch (l.type) {
    case 'string':
      return `'${l.value.replace(/'/g, "''")}'`;
    case 'blob':
      return `X'${l.value}'`;
    default:
      return l.value;
  }
}

/**
 * Text of an expression with references replaced by `name(id)`: the lineage
 * identity when given `lineage`, `$id` otherwise. Used for canonical ordering
 * and for the identity of computed columns (`AVG(city.population)`).
 */
export function digest(r: Rex, name: (id: FieldId) => string): string {
  switch (r.k) {
    case 'ref':
      return name(r.id);
    case 'lit':
      return literalText(r);
    case 'call':
      return `${r.op}(${r.operands.map((o) => digest(o, name)).join(', ')})`;
    case 'subquery':
      return `${r.type.toUpperCase()}_QUERY(${r.operands.map((o) => digest(o, name)).join(', ')})`;
  }
}

// ------------------------------------------------------------- normalization

const NEGATED: Record<string, string> = {
  EQUALS: 'NOT_EQUALS',
  NOT_EQUALS: 'EQUALS',
  IS_NULL: 'IS_NOT_NULL',
  IS_NOT_NULL: 'IS_NULL',
  IS_DISTINCT_FROM: 'IS_NOT_DISTINCT_FROM',
  IS_NOT_DISTINCT_FROM: 'IS_DISTINCT_FROM',
};

/** Affinity of a base-table column field (undefined for computed values): lets literals take the type SQLite compares them as. */
export type AffinityOf = (id: FieldId) => Affinity | undefined;

/**
 * Normalizes an expression bottom-up. `name` gives each field's lineage so
 * that operand order depends on what columns mean, not on field ids.
 * Every rewrite is exact under SQL's three-valued logic and SQLite's
 * comparison rules (see docs/structural-rewards.md, "Normalization").
 */
export function canonicalize(r: Rex, name: (id: FieldId) => string, affinity?: AffinityOf): Rex {
  if (r.k !== 'call') return r.k === 'subquery' ? { ...r, operands: r.operands.map((o) => canonicalize(o, name, affinity)) } : r;
  let ops = r.operands.map((o) => canonicalize(o, name, affinity));
  let op = r.op;

  // One comparison direction.
  if (op === 'GREATER_THAN' || op === 'GREATER_THAN_OR_EQUAL') {
    op = op === 'GREATER_THAN' ? 'LESS_THAN' : 'LESS_THAN_OR_EQUAL';
    ops = [ops[1], ops[0]];
  }
  if (op === 'NOT') return negate(ops[0], name, affinity);
  if (op === 'AND' || op === 'OR') return canonicalBool(op, ops, name, affinity);
  if (affinity && COMPARISONS.has(op)) ops = applyAffinity(op, ops, affinity);

  const folded = fold(op, ops);
  if (folded) return folded;

  if (COMMUTATIVE.has(op)) ops = sortByDigest(ops, name);
  if (op === 'IN' && ops.length > 1) {
    const list = dedupe(sortByDigest(ops.slice(1), name), name);
    // x IN (v) is x = v
    if (list.length === 1) return canonicalize(call('EQUALS', [ops[0], list[0]]), name, affinity);
    ops = [ops[0], ...list];
  }
  return { ...r, op, operands: ops };
}

const COMPARISONS = new Set(['EQUALS', 'NOT_EQUALS', 'LESS_THAN', 'LESS_THAN_OR_EQUAL', 'IN', 'IS_DISTINCT_FROM', 'IS_NOT_DISTINCT_FROM']);
const WELL_FORMED_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * SQLite compares a column of INTEGER, REAL or NUMERIC affinity with a
 * literal of no affinity by first applying NUMERIC affinity to the literal:
 * `year > '2010'` is `year > 2010`. A column of TEXT affinity applies TEXT
 * affinity instead: `code = 12` is `code = '12'`. The literal is rewritten to
 * the value SQLite actually compares.
 */
function applyAffinity(op: string, ops: Rex[], affinity: AffinityOf): Rex[] {
  const convert = (col: Rex, x: Rex): Rex => {
    if (col.k !== 'ref' || x.k !== 'lit') return x;
    const a = affinity(col.id);
    if ((a === 'INTEGER' || a === 'REAL' || a === 'NUMERIC') && x.type === 'string' && WELL_FORMED_NUMBER.test(x.value)) {
      const n = Number(x.value);
      if (!Number.isFinite(n)) return x;
      // NUMERIC affinity stores an integral value as an integer; comparisons treat 3 and 3.0 alike.
      if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return lit('number', String(n));
      return { k: 'lit', type: 'number', value: String(n), isReal: true };
    }
    if (a === 'TEXT' && x.type === 'number' && !x.isReal) return lit('string', x.value);
    return x;
  };
  if (op === 'IN') return [ops[0], ...ops.slice(1).map((x) => convert(ops[0], x))];
  if (ops.length !== 2) return ops;
  return [convert(ops[1], ops[0]), convert(ops[0], ops[1])];
}

function negate(x: Rex, name: (id: FieldId) => string, affinity?: AffinityOf): Rex {
  if (x.k === 'lit' && x.type === 'bool') return x.value === 'TRUE' ? FALSE : TRUE;
  if (x.k === 'call') {
    if (x.op === 'NOT') return x.operands[0];
    if (x.op === 'AND' || x.op === 'OR') {
      // De Morgan holds in three-valued logic.
      return canonicalBool(x.op === 'AND' ? 'OR' : 'AND', x.operands.map((o) => negate(o, name, affinity)), name, affinity);
    }
    if (x.op === 'LESS_THAN') return canonicalize(call('LESS_THAN_OR_EQUAL', [x.operands[1], x.operands[0]]), name, affinity);
    if (x.op === 'LESS_THAN_OR_EQUAL') return canonicalize(call('LESS_THAN', [x.operands[1], x.operands[0]]), name, affinity);
    const neg = NEGATED[x.op];
    if (neg) return canonicalize({ ...x, op: neg }, name, affinity);
  }
  return call('NOT', [x]);
}

function canonicalBool(op: 'AND' | 'OR', ops: Rex[], name: (id: FieldId) => string, affinity?: AffinityOf): Rex {
  const flat: Rex[] = [];
  for (const o of ops) {
    if (o.k === 'call' && o.op === op) flat.push(...o.operands);
    else flat.push(o);
  }
  const absorbing = op === 'AND' ? 'FALSE' : 'TRUE';
  const neutral = op === 'AND' ? 'TRUE' : 'FALSE';
  let kept: Rex[] = [];
  for (const o of flat) {
    if (o.k === 'lit' && o.type === 'bool') {
      if (o.value === absorbing) return lit('bool', absorbing);
      if (o.value === neutral) continue;
    }
    kept.push(o);
  }
  if (op === 'OR') kept = mergeIntoIn(kept, name, affinity);
  const list = dedupe(sortByDigest(kept, name), name);
  if (list.length === 0) return lit('bool', neutral);
  return list.length === 1 ? list[0] : call(op, list);
}

/**
 * `x = a OR x = b OR x IN (c, d)` with literal candidates is `x IN (a, b, c, d)`:
 * SQLite defines an IN list as that disjunction of equalities (same
 * affinity rules, same NULL result when nothing matches and a side is NULL).
 */
function mergeIntoIn(ops: Rex[], name: (id: FieldId) => string, affinity?: AffinityOf): Rex[] {
  const groups = new Map<string, { tested: Rex; values: Rex[] }>();
  const tested = (o: Rex): { x: Rex; values: Rex[] } | undefined => {
    if (o.k !== 'call') return undefined;
    if (o.op === 'EQUALS' && o.operands.length === 2) {
      const [a, b] = o.operands;
      if (a.k === 'lit' && b.k !== 'lit') return { x: b, values: [a] };
      if (b.k === 'lit' && a.k !== 'lit') return { x: a, values: [b] };
    }
    if (o.op === 'IN' && o.operands.length > 1 && o.operands.slice(1).every((v) => v.k === 'lit')) return { x: o.operands[0], values: o.operands.slice(1) };
    return undefined;
  };
  const rest: (Rex | string)[] = [];
  for (const o of ops) {
    const t = tested(o);
    if (!t) {
      rest.push(o);
      continue;
    }
    const key = digest(t.x, name);
    const g = groups.get(key);
    if (g) g.values.push(...t.values);
    else {
      groups.set(key, { tested: t.x, values: [...t.values] });
      rest.push(key);
    }
  }
  return rest.map((o) => {
    if (typeof o !== 'string') return o;
    const g = groups.get(o)!;
    return canonicalize(call('IN', [g.tested, ...g.values]), name, affinity);
  });
}

function sortByDigest(ops: Rex[], name: (id: FieldId) => string): Rex[] {
  const keyed = ops.map((o) => [digest(o, name), o] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map((k) => k[1]);
}

function dedupe(ops: Rex[], name: (id: FieldId) => string): Rex[] {
  const seen = new Set<string>();
  return ops.filter((o) => {
    const d = digest(o, name);
    if (seen.has(d)) return false;
    seen.add(d);
    return true;
  });
}

// -------------------------------------------------------- constant folding

interface Num {
  real: boolean;
  n: number;
  big?: bigint;
}

function asNum(r: Rex): Num | undefined {
  if (r.k !== 'lit' || r.type !== 'number') return undefined;
  const real = r.isReal === true;
  if (real) return { real, n: Number(r.value) };
  const big = BigInt(r.value);
  return { real, n: Number(big), big };
}

function numLit(v: Num): RexLiteral {
  if (!v.real && v.big !== undefined) return { k: 'lit', type: 'number', value: v.big.toString() };
  return { k: 'lit', type: 'number', value: String(v.n), isReal: true };
}

/** Folds arithmetic and comparisons over number literals with SQLite's integer/real rules. */
function fold(op: string, ops: Rex[]): Rex | undefined {
  if (op === 'MINUS_PREFIX') {
    const a = asNum(ops[0]);
    if (!a) return undefined;
    return a.real ? numLit({ real: true, n: -a.n }) : numLit({ real: false, n: -a.n, big: -(a.big as bigint) });
  }
  if (op === 'PLUS_PREFIX') return ops[0];
  if (ops.length !== 2) return undefined;
  const a = asNum(ops[0]);
  const b = asNum(ops[1]);
  if (!a || !b) return undefined;
  const ints = !a.real && !b.real;
  const LIMIT = 2n ** 63n;
  const intResult = (x: bigint): Rex | undefined => (x >= LIMIT || x < -LIMIT ? undefined : numLit({ real: false, n: Number(x), big: x }));
  switch (op) {
    case 'PLUS':
      return ints ? intResult(a.big! + b.big!) : numLit({ real: true, n: a.n + b.n });
    case 'MINUS':
      return ints ? intResult(a.big! - b.big!) : numLit({ real: true, n: a.n - b.n });
    case 'TIMES':
      return ints ? intResult(a.big! * b.big!) : numLit({ real: true, n: a.n * b.n });
    case 'DIVIDE':
      if (b.n === 0) return NULL;
      return ints ? intResult(a.big! / b.big!) : numLit({ real: true, n: a.n / b.n });
    case 'EQUALS':
      return a.n === b.n ? TRUE : FALSE;
    case 'NOT_EQUALS':
      return a.n !== b.n ? TRUE : FALSE;
    case 'LESS_THAN':
      return a.n < b.n ? TRUE : FALSE;
    case 'LESS_THAN_OR_EQUAL':
      return a.n <= b.n ? TRUE : FALSE;
  }
  return undefined;
}
