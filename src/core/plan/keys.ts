// What the schema and the plan say about a plan's fields, for the
// normalization rules that need more than syntax: where a field comes from
// (base table column, its declared type and SQLite affinity), which fields
// are never NULL, and which field sets are unique keys (no two rows agree on
// them, NULLs counting as equal, as in DISTINCT and GROUP BY).
//
// Sources of the facts:
// - declared PRIMARY KEY columns are unique together and NOT NULL (the SQL
//   standard's meaning; SQLite only enforces NOT NULL for INTEGER PRIMARY KEY
//   because of a legacy bug, and schemas do not rely on it);
//   declared NOT NULL columns are non-null; `rowid` is unique and non-null;
// - a strict predicate (comparison, LIKE, IN, IS NOT NULL) on a column that a
//   Filter or an inner join keeps makes that column non-null above it;
// - GROUP BY keys are a unique key of the aggregate's output; a global
//   aggregate, or LIMIT 1, returns at most one row (the empty key);
// - a join keeps the unique keys of one side when every row of that side
//   matches at most one row of the other (the other side is unique on the
//   columns the condition equates).

import { inputsOf, type FieldId, type RelNode, type Rex } from './rel.ts';
import { conjuncts } from './rex.ts';
import { rexOf } from './walk.ts';
import { findTable, type ColumnSchema, type Schema, type TableSchema } from './schema.ts';

export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** SQLite's column affinity of a declared type (https://sqlite.org/datatype3.html §3.1). */
export function affinityOf(declared: string): Affinity {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t === '' || t.includes('BLOB')) return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

export const isNumericAffinity = (a: Affinity | undefined) => a === 'INTEGER' || a === 'REAL' || a === 'NUMERIC';

export interface ColumnOrigin {
  table: TableSchema;
  /** undefined for rowid */
  column?: ColumnSchema;
}

/** Operators that make NULL operands fail the predicate (so a row that passes has them non-null). */
const STRICT = new Set(['EQUALS', 'NOT_EQUALS', 'LESS_THAN', 'LESS_THAN_OR_EQUAL', 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL', 'LIKE', 'GLOB', 'IS_NOT_NULL', 'IN']);
/** Operators that are NULL when an operand is NULL: strictness looks through them. */
const NULL_PROPAGATING = new Set(['PLUS', 'MINUS', 'TIMES', 'DIVIDE', 'MOD', 'CAST', 'MINUS_PREFIX', 'PLUS_PREFIX']);

/** Field ids that a TRUE result of the predicate proves non-null. */
export function strictRefs(cond: Rex | null | undefined, out: Set<FieldId> = new Set()): Set<FieldId> {
  const operand = (x: Rex) => {
    if (x.k === 'ref') out.add(x.id);
    else if (x.k === 'call' && NULL_PROPAGATING.has(x.op)) x.operands.forEach(operand);
  };
  for (const c of conjuncts(cond)) {
    if (c.k !== 'call' || !STRICT.has(c.op)) continue;
    // IN: only the tested value; a NULL candidate does not make it fail.
    (c.op === 'IN' ? c.operands.slice(0, 1) : c.operands).forEach(operand);
  }
  return out;
}

/** Pairs (left field, right field) that a join condition equates directly. */
export function equiPairs(cond: Rex | null, leftIds: Set<FieldId>, rightIds: Set<FieldId>): [FieldId, FieldId][] {
  const out: [FieldId, FieldId][] = [];
  for (const c of conjuncts(cond)) {
    if (c.k !== 'call' || c.op !== 'EQUALS' || c.operands.length !== 2) continue;
    const [a, b] = c.operands;
    if (a.k !== 'ref' || b.k !== 'ref') continue;
    if (leftIds.has(a.id) && rightIds.has(b.id)) out.push([a.id, b.id]);
    else if (leftIds.has(b.id) && rightIds.has(a.id)) out.push([b.id, a.id]);
  }
  return out;
}

/** Schema-derived facts about the fields of one plan. Memoized per operator. */
export class PlanFacts {
  private originMap: Map<FieldId, ColumnOrigin> | undefined;
  private readonly keyMemo = new WeakMap<RelNode, FieldId[][]>();
  private readonly nullMemo = new WeakMap<RelNode, Set<FieldId>>();
  private readonly schema: Schema;
  private readonly root: RelNode;

  constructor(root: RelNode, schema: Schema) {
    this.schema = schema;
    this.root = root;
  }

  /** Base-table columns by field id, collected on first use. */
  private get origins(): Map<FieldId, ColumnOrigin> {
    if (!this.originMap) {
      this.originMap = new Map();
      this.collect(this.root);
    }
    return this.originMap;
  }

  private collect(rel: RelNode): void {
    if (rel.op === 'Scan') {
      const t = findTable(this.schema, rel.table);
      if (t) {
        const byName = columnIndex(t);
        for (const f of rel.fields) {
          const col = byName.get(f.name.toLowerCase());
          if (col || f.name === 'rowid') this.originMap!.set(f.id, { table: t, column: col });
        }
      }
    }
    for (const i of inputsOf(rel)) this.collect(i);
    const visitRex = (x: Rex) => {
      if (x.k === 'subquery') {
        this.collect(x.rel);
        x.operands.forEach(visitRex);
      } else if (x.k === 'call') x.operands.forEach(visitRex);
    };
    rexOf(rel).forEach(visitRex);
  }

  origin(id: FieldId): ColumnOrigin | undefined {
    return this.origins.get(id);
  }

  /** Affinity of a base-table column field; undefined for computed fields. */
  affinity(id: FieldId): Affinity | undefined {
    const o = this.origins.get(id);
    if (!o) return undefined;
    return o.column ? affinityOf(o.column.type) : 'INTEGER';
  }

  /** Fields of `rel` that are never NULL. */
  nonNull(rel: RelNode): Set<FieldId> {
    let s = this.nullMemo.get(rel);
    if (!s) {
      s = this.computeNonNull(rel);
      this.nullMemo.set(rel, s);
    }
    return s;
  }

  /** Unique keys of `rel` (each a set of its field ids; `[]` = at most one row). */
  uniqueKeys(rel: RelNode): FieldId[][] {
    let k = this.keyMemo.get(rel);
    if (!k) {
      k = this.computeKeys(rel);
      this.keyMemo.set(rel, k);
    }
    return k;
  }

  /** Whether some unique key of `rel` lies within `ids`. */
  isUnique(rel: RelNode, ids: Iterable<FieldId>): boolean {
    const set = new Set(ids);
    return this.uniqueKeys(rel).some((key) => key.every((id) => set.has(id)));
  }

  private computeNonNull(rel: RelNode): Set<FieldId> {
    const out = new Set<FieldId>();
    const keepOwn = (ids: Iterable<FieldId>) => {
      const own = new Set(rel.fields.map((f) => f.id));
      for (const id of ids) if (own.has(id)) out.add(id);
    };
    switch (rel.op) {
      case 'Scan': {
        for (const f of rel.fields) {
          const o = this.origins.get(f.id);
          if (o && (!o.column || o.column.primaryKey || o.column.notNull)) out.add(f.id);
        }
        break;
      }
      case 'Filter':
        keepOwn([...this.nonNull(rel.input), ...strictRefs(rel.condition)]);
        break;
      case 'Project': {
        const inNN = this.nonNull(rel.input);
        rel.exprs.forEach((e, i) => {
          if ((e.k === 'ref' && inNN.has(e.id)) || (e.k === 'lit' && e.type !== 'null')) out.add(rel.fields[i].id);
        });
        break;
      }
      case 'Join': {
        const l = this.nonNull(rel.left);
        if (rel.joinType === 'inner') keepOwn([...l, ...this.nonNull(rel.right), ...strictRefs(rel.condition)]);
        else if (rel.joinType === 'semi') keepOwn([...l, ...strictRefs(rel.condition)]);
        else if (rel.joinType === 'left' || rel.joinType === 'anti') keepOwn(l);
        else if (rel.joinType === 'right') keepOwn(this.nonNull(rel.right));
        break;
      }
      case 'Correlate':
        keepOwn(this.nonNull(rel.left));
        break;
      case 'Aggregate': {
        const inNN = this.nonNull(rel.input);
        for (const k of rel.groupKeys) if (inNN.has(k.id)) out.add(k.id);
        for (const c of rel.calls) if (c.kind === 'COUNT') out.add(c.field.id);
        break;
      }
      case 'Sort':
      case 'Limit':
      case 'Window':
        keepOwn(this.nonNull(rel.input));
        break;
      case 'Union':
      case 'Intersect':
      case 'Minus': {
        const sets = rel.inputs.map((i) => this.nonNull(i));
        rel.fields.forEach((f, i) => {
          if (rel.op === 'Union' ? rel.inputs.every((inp, k) => sets[k].has(inp.fields[i].id)) : sets[0].has(rel.inputs[0].fields[i].id)) out.add(f.id);
        });
        break;
      }
      case 'Values':
        rel.fields.forEach((f, i) => {
          if (rel.tuples.every((t) => t[i]?.k === 'lit' && (t[i] as { type: string }).type !== 'null')) out.add(f.id);
        });
        break;
    }
    return out;
  }

  private computeKeys(rel: RelNode): FieldId[][] {
    switch (rel.op) {
      case 'Scan': {
        const keys: FieldId[][] = [];
        const t = findTable(this.schema, rel.table);
        if (t && !t.primaryKeyUncertain) {
          const pk = t.columns.filter((c) => c.primaryKey).map((c) => c.name.toLowerCase());
          const ids = pk.map((n) => rel.fields.find((f) => f.name.toLowerCase() === n)?.id);
          if (pk.length > 0 && ids.every((x) => x !== undefined)) keys.push(ids as FieldId[]);
        }
        const rowid = rel.fields.find((f) => f.name === 'rowid' && this.origins.get(f.id)?.column === undefined);
        if (rowid) keys.push([rowid.id]);
        return keys;
      }
      case 'Filter':
      case 'Sort':
      case 'Window':
        return this.uniqueKeys(rel.input);
      case 'Limit': {
        const one = rel.fetch?.k === 'lit' && rel.fetch.type === 'number' && Number(rel.fetch.value) <= 1 && !rel.offset;
        return one ? [[]] : this.uniqueKeys(rel.input);
      }
      case 'Project': {
        const passed = new Set<FieldId>();
        rel.exprs.forEach((e, i) => {
          if (e.k === 'ref' && e.id === rel.fields[i].id) passed.add(e.id);
        });
        return this.uniqueKeys(rel.input).filter((k) => k.every((id) => passed.has(id)));
      }
      case 'Aggregate': {
        if (rel.groupKeys.length === 0) return [[]];
        const group = rel.groupKeys.map((k) => k.id);
        const gs = new Set(group);
        const narrower = this.uniqueKeys(rel.input).filter((k) => k.every((id) => gs.has(id)));
        return [group, ...narrower];
      }
      case 'Join': {
        const leftKeys = this.uniqueKeys(rel.left);
        if (rel.joinType === 'semi' || rel.joinType === 'anti') return leftKeys;
        const rightKeys = this.uniqueKeys(rel.right);
        const pairs = equiPairs(rel.condition, new Set(rel.left.fields.map((f) => f.id)), new Set(rel.right.fields.map((f) => f.id)));
        const keys: FieldId[][] = [];
        // Each left row matches at most one right row: left keys survive (also through a left join).
        if ((rel.joinType === 'inner' || rel.joinType === 'left') && this.isUnique(rel.right, pairs.map((p) => p[1]))) keys.push(...leftKeys);
        if (rel.joinType === 'inner' && this.isUnique(rel.left, pairs.map((p) => p[0]))) keys.push(...rightKeys);
        for (const l of leftKeys) for (const r of rightKeys) keys.push([...l, ...r]);
        return keys;
      }
      case 'Union':
        return rel.all ? [] : [rel.fields.map((f) => f.id)];
      case 'Intersect':
      case 'Minus':
        return [rel.fields.map((f) => f.id)];
      case 'Values':
        return rel.tuples.length <= 1 ? [[]] : [];
      default:
        return [];
    }
  }
}


const COLUMN_INDEX = new WeakMap<TableSchema, Map<string, ColumnSchema>>();

/** A table's columns by lower-cased name (first declaration wins), cached per schema object. */
function columnIndex(t: TableSchema): Map<string, ColumnSchema> {
  let m = COLUMN_INDEX.get(t);
  if (!m) {
    m = new Map();
    for (const c of t.columns) if (!m.has(c.name.toLowerCase())) m.set(c.name.toLowerCase(), c);
    COLUMN_INDEX.set(t, m);
  }
  return m;
}
