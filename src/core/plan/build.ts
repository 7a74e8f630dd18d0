// SQL syntax tree → logical plan (Calcite's SqlToRelConverter, for SQLite).
// Resolves every name against the schema (unknown tables and columns are
// errors that point at the name), expands `*`, inlines CTEs, derived tables
// and views, and turns aggregates, windows, DISTINCT, ORDER BY and LIMIT into
// operators. Subqueries stay as expressions here; the subquery-removal rule
// turns them into joins.

import type * as A from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { parseSelect } from '../sql/parse.ts';
import {
  FieldIds,
  type AggCall,
  type Field,
  type FieldId,
  type RelNode,
  type Rex,
  type RexRef,
  type SortKey,
  type WindowCall,
} from './rel.ts';
import { call, canonicalNumber, digest, FALSE, lit, NULL, ref, TRUE } from './rex.ts';
import { findTable, type Schema } from './schema.ts';

export const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'total', 'group_concat', 'string_agg', 'json_group_array', 'json_group_object', 'jsonb_group_array', 'jsonb_group_object']);
const WINDOW_ONLY = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']);
const ROWID_NAMES = new Set(['rowid', 'oid', '_rowid_']);
const TABLE_FUNCTION_COLUMNS: Record<string, string[]> = {
  json_each: ['key', 'value', 'type', 'atom', 'id', 'parent', 'fullkey', 'path', 'json', 'root'],
  json_tree: ['key', 'value', 'type', 'atom', 'id', 'parent', 'fullkey', 'path', 'json', 'root'],
  generate_series: ['value', 'start', 'stop', 'step'],
  pragma_table_info: ['cid', 'name', 'type', 'notnull', 'dflt_value', 'pk'],
};

const BINARY_KIND: Record<string, string> = {
  '*': 'TIMES', '/': 'DIVIDE', '%': 'MOD', '+': 'PLUS', '-': 'MINUS',
  '<': 'LESS_THAN', '<=': 'LESS_THAN_OR_EQUAL', '>': 'GREATER_THAN', '>=': 'GREATER_THAN_OR_EQUAL',
  '=': 'EQUALS', '!=': 'NOT_EQUALS', AND: 'AND', OR: 'OR',
  '||': 'FN:||', '->': 'FN:->', '->>': 'FN:->>', '<<': 'FN:<<', '>>': 'FN:>>', '&': 'FN:&', '|': 'FN:|',
};
const FUNCTION_ALIASES: Record<string, string> = { ifnull: 'COALESCE', substring: 'SUBSTR', string_agg: 'GROUP_CONCAT', char_length: 'LENGTH' };

// ------------------------------------------------------------------- scopes

interface ScopeEntry {
  /** Lower-cased alias, or table name when there is none; '' for an unaliased subquery. */
  alias: string;
  fields: Field[];
  /** Set for base tables: lets `rowid` be added on demand. */
  scan?: { fields: Field[]; columns: Set<string> };
}

interface Scope {
  entries: ScopeEntry[];
  /** USING / NATURAL join columns: an unqualified name resolves to the left side's field. */
  coalesced: Map<string, Field>;
  parent?: Scope;
}

interface CteFrame {
  /** The WITH clause's names, shared by every frame built from the same list of CTEs. */
  names: CteNames;
  /** Definitions `names` holds at an index below this are in scope. */
  inScope: number;
  /** Definitions looked up so far (they carry per-frame planning state). */
  defs: Map<string, CteDef>;
  with: A.WithClause;
  parent?: CteFrame;
}

/** Lower-cased CTE name → its indices in the WITH clause, ascending (SQLite refuses duplicates; the last one wins here). */
type CteNames = Map<string, number[]>;

interface CteDef {
  cte: A.CommonTableExpr;
  /** The frame the CTE was defined in (a CTE sees earlier CTEs and, when recursive, itself). */
  frame: CteFrame;
  recursive: boolean;
  /** Output column names while a recursive CTE is being planned (its self-reference becomes a scan). */
  selfColumns?: string[];
  /** Guards against views or CTEs that refer to each other in a cycle. */
  expanding?: boolean;
}

/** A join's ON condition, converted once the whole FROM clause is in scope. */
interface PendingOn {
  join: Extract<RelNode, { op: 'Join' }>;
  on: A.Expr;
}

/** Expression conversion context: where names resolve and what hooks replace. */
interface ExprCtx {
  scope: Scope;
  frame: CteFrame | undefined;
  /** Called before converting any node; returns a replacement (aggregates, group keys, windows). */
  hook?: (e: A.Expr) => Rex | undefined;
  /** Result-column aliases usable as a fallback for unqualified names (WHERE, GROUP BY, HAVING). */
  aliases?: Map<string, A.Expr>;
  /** Clause name for error messages. */
  clause: string;
}

/** Builds the logical plan of a parsed SELECT. `sql` is the text the AST ranges point into. */
export function buildPlan(stmt: A.SelectStmt, schema: Schema, sql: string): RelNode {
  return buildPlanWithIds(stmt, schema, sql).rel;
}

/** Also returns the id allocator, which normalization rules use to add fields. */
export function buildPlanWithIds(stmt: A.SelectStmt, schema: Schema, sql: string): { rel: RelNode; ids: FieldIds } {
  const b = new Builder(schema, sql);
  return { rel: b.select(stmt, undefined, undefined), ids: b.ids };
}

class Builder {
  readonly ids = new FieldIds();
  private readonly viewsExpanding = new Set<string>();
  private readonly schema: Schema;
  private readonly sql: string;

  constructor(schema: Schema, sql: string) {
    this.schema = schema;
    this.sql = sql;
  }

  private error(kind: 'unknown_table' | 'unknown_column' | 'ambiguous_column' | 'unsupported' | 'semantic', detail: string, range: A.Range): SqlError {
    return new SqlError(detail, this.sql, range.start, range.end, kind);
  }

  // ------------------------------------------------------------- statements

  select(stmt: A.SelectStmt, frame: CteFrame | undefined, outer: Scope | undefined): RelNode {
    const inner = stmt.with ? this.withFrame(stmt.with, frame) : frame;
    if (stmt.body.kind === 'core') {
      return this.core(stmt.body, inner, outer, stmt.orderBy, stmt.limit, stmt);
    }
    let rel = this.setExpr(stmt.body, inner, outer);
    if (stmt.orderBy?.length) {
      const keys = stmt.orderBy.map((o) => this.compoundSortKey(o, rel));
      rel = { op: 'Sort', input: rel, keys, fields: rel.fields, range: stmt };
    }
    return this.limit(rel, stmt.limit, inner, outer);
  }

  // A frame costs nothing per definition: planning each of 5,000 steps from
  // one WITH clause would otherwise build 12.5 million map entries.
  private withFrame(w: A.WithClause, parent: CteFrame | undefined): CteFrame {
    return { names: cteNames(w.ctes), inScope: Math.min(w.inScope ?? w.ctes.length, w.ctes.length), defs: new Map(), parent, with: w };
  }

  private limit(rel: RelNode, limit: A.LimitClause | undefined, frame: CteFrame | undefined, outer: Scope | undefined): RelNode {
    if (!limit) return rel;
    const ctx: ExprCtx = { scope: { entries: [], coalesced: new Map(), parent: outer }, frame, clause: 'LIMIT' };
    const fetch = this.expr(limit.count, ctx);
    const offset = limit.offset ? this.expr(limit.offset, ctx) : undefined;
    return { op: 'Limit', input: rel, fetch, offset, fields: rel.fields, range: limit };
  }

  /** ORDER BY of a compound select: output column ordinals or names. */
  private compoundSortKey(o: A.OrderItem, rel: RelNode): SortKey {
    const e = o.expr;
    let field: Field | undefined;
    if (e.kind === 'literal' && e.type === 'number') field = rel.fields[Number(e.value) - 1];
    else if (e.kind === 'column') field = rel.fields.find((f) => f.name.toLowerCase() === e.column.name.toLowerCase());
    if (!field) throw this.error('semantic', 'ORDER BY term of a compound SELECT does not match any result column', e);
    return { expr: ref(field.id), desc: o.desc, nulls: o.nulls };
  }

  private setExpr(body: A.SetExpr, frame: CteFrame | undefined, outer: Scope | undefined): RelNode {
    switch (body.kind) {
      case 'core':
        return this.core(body, frame, outer, undefined, undefined, body);
      case 'values':
        return this.values(body, frame, outer);
      case 'compound': {
        const left = this.setExpr(body.left, frame, outer);
        const right = this.setExpr(body.right, frame, outer);
        if (left.fields.length !== right.fields.length) {
          throw this.error('semantic', `SELECTs to the left and right of ${body.op} do not have the same number of result columns`, body);
        }
        const op = body.op.startsWith('UNION') ? 'Union' : body.op === 'INTERSECT' ? 'Intersect' : 'Minus';
        const fields = left.fields.map((f) => this.ids.fresh(f.name));
        const all = body.op === 'UNION ALL';
        // A chain of the same UNION is one n-ary node, as Calcite's LogicalUnion (UnionMergeRule): a 500-term
        // UNION ALL stays one level deep instead of 500 (every output line must stay readable by any JSON parser).
        // INTERSECT and EXCEPT stay binary: set-ops-to-joins rewrites the two-input forms.
        const inputs = op === 'Union' && left.op === 'Union' && left.all === all && body.left.kind === 'compound' ? [...left.inputs, right] : [left, right];
        return { op, all, inputs, fields, range: body };
      }
    }
  }

  private values(v: A.ValuesClause, frame: CteFrame | undefined, outer: Scope | undefined): RelNode {
    const ctx: ExprCtx = { scope: { entries: [], coalesced: new Map(), parent: outer }, frame, clause: 'VALUES' };
    const tuples = v.rows.map((row) => row.map((e) => this.expr(e, ctx)));
    const width = tuples[0]?.length ?? 0;
    if (tuples.some((t) => t.length !== width)) throw this.error('semantic', 'all VALUES must have the same number of terms', v);
    const fields = Array.from({ length: width }, (_, i) => this.ids.fresh(`column${i + 1}`));
    return { op: 'Values', tuples, fields, range: v };
  }

  // ------------------------------------------------------------- SELECT core

  private core(
    core: A.SelectCore,
    frame: CteFrame | undefined,
    outer: Scope | undefined,
    orderBy: A.OrderItem[] | undefined,
    limit: A.LimitClause | undefined,
    range: A.Range,
  ): RelNode {
    let rel: RelNode;
    let scope: Scope;
    if (core.from) {
      const pendingOn: PendingOn[] = [];
      const from = this.from(core.from, frame, outer, pendingOn);
      rel = from.rel;
      scope = from.scope;
      // SQLite resolves ON terms like WHERE terms: against every table of the FROM clause.
      for (const p of pendingOn) {
        const on = this.expr(p.on, { scope, frame, clause: 'ON' });
        p.join.condition = p.join.condition ? call('AND', [p.join.condition, on]) : on;
      }
    } else {
      rel = { op: 'Values', tuples: [[]], fields: [] };
      scope = { entries: [], coalesced: new Map(), parent: outer };
    }

    // Result columns with `*` expanded.
    const items: { expr: A.Expr | null; field?: Field; name: string; range: A.Range }[] = [];
    for (const col of core.columns) {
      if (col.kind === 'star') {
        const entries = col.table ? scope.entries.filter((e) => e.alias === col.table!.name.toLowerCase()) : scope.entries;
        if (col.table && entries.length === 0) throw this.error('unknown_table', `no such table: ${col.table.name}`, col.table);
        if (!core.from) throw this.error('semantic', 'no tables specified', col);
        for (const e of entries) {
          for (const f of e.fields) {
            // USING/NATURAL columns appear once under `*`.
            if (!col.table && scope.coalesced.has(f.name.toLowerCase()) && scope.coalesced.get(f.name.toLowerCase()) !== f) continue;
            items.push({ expr: null, field: f, name: f.name, range: col });
          }
        }
      } else {
        items.push({ expr: col.expr, name: col.alias?.name ?? exprName(col.expr, this.sql), range: col });
      }
    }
    const aliases = new Map<string, A.Expr>();
    for (const c of core.columns) if (c.kind === 'expr' && c.alias) aliases.set(c.alias.name.toLowerCase(), c.expr);

    const base: ExprCtx = { scope, frame, aliases, clause: 'WHERE' };
    if (core.where) {
      const cond = this.expr(core.where, base);
      rel = { op: 'Filter', input: rel, condition: cond, fields: rel.fields, range: core.where };
    }

    // Aggregation.
    const aggregating = Boolean(core.groupBy?.length) || core.columns.some((c) => c.kind === 'expr' && containsAggregate(c.expr))
      || (core.having !== undefined) || (orderBy ?? []).some((o) => containsAggregate(o.expr));
    let post: ExprCtx = { ...base, clause: 'SELECT' };
    let finishAggregate: (() => void) | undefined;
    if (aggregating) {
      const agg = this.aggregation(core, rel, base, aliases);
      post = agg.ctx;
      finishAggregate = () => {
        rel = agg.build();
      };
    }

    // Windows: registered while converting expressions, built after aggregation.
    const windowCalls: WindowCall[] = [];
    const postHook = post.hook;
    const windowCtx: ExprCtx = {
      ...post,
      hook: (e) => {
        if (e.kind === 'function' && e.over) return this.windowCall(e, post, windowCalls);
        return postHook?.(e);
      },
    };

    const having = core.having ? this.expr(core.having, { ...windowCtx, clause: 'HAVING' }) : undefined;
    const exprs: Rex[] = items.map((it) => (it.expr ? this.expr(it.expr, windowCtx) : ref(it.field!.id)));
    // ORDER BY may name result aliases, ordinals, or any expression over the FROM scope.
    const sortKeys: { key: SortKey; outputIndex: number }[] = [];
    const hidden: Rex[] = [];
    for (const o of orderBy ?? []) {
      const idx = this.orderTarget(o.expr, items, aliases);
      if (idx >= 0) {
        sortKeys.push({ key: { expr: exprs[idx], desc: o.desc, nulls: o.nulls }, outputIndex: idx });
        continue;
      }
      const rex = this.expr(o.expr, { ...windowCtx, clause: 'ORDER BY' });
      const d = digest(rex, String);
      const same = exprs.findIndex((x) => digest(x, String) === d);
      if (same >= 0) sortKeys.push({ key: { expr: rex, desc: o.desc, nulls: o.nulls }, outputIndex: same });
      else {
        hidden.push(rex);
        sortKeys.push({ key: { expr: rex, desc: o.desc, nulls: o.nulls }, outputIndex: items.length + hidden.length - 1 });
      }
    }

    finishAggregate?.();
    if (having) rel = { op: 'Filter', input: rel, condition: having, fields: rel.fields, range: core.having };
    if (windowCalls.length) rel = { op: 'Window', input: rel, calls: windowCalls, fields: [...rel.fields, ...windowCalls.map((c) => c.field)] };

    const allExprs = [...exprs, ...hidden];
    const fields = allExprs.map((e, i) => {
      const name = i < items.length ? items[i].name : `$hidden${i - items.length}`;
      return e.k === 'ref' ? { id: e.id, name } : this.ids.fresh(name);
    });
    rel = { op: 'Project', input: rel, exprs: allExprs, fields, range: core };

    if (core.distinct) {
      const keys = fields.map((f) => ref(f.id));
      rel = { op: 'Aggregate', input: rel, groupKeys: keys, calls: [], fields: fields.map((f) => ({ ...f })), range: core };
    }
    if (sortKeys.length) {
      const keys = sortKeys.map((s) => ({ ...s.key, expr: ref(fields[s.outputIndex].id) }));
      rel = { op: 'Sort', input: rel, keys, fields: rel.fields, range: orderBy ? spanOf(orderBy) : range };
    }
    rel = this.limit(rel, limit, frame, outer);
    if (hidden.length) {
      const visible = rel.fields.slice(0, items.length);
      rel = { op: 'Project', input: rel, exprs: visible.map((f) => ref(f.id)), fields: visible, range: core };
    }
    return rel;
  }

  /** Index of the result column an ORDER BY term names (alias or ordinal), or -1. */
  private orderTarget(e: A.Expr, items: { expr: A.Expr | null; name: string }[], aliases: Map<string, A.Expr>): number {
    if (e.kind === 'literal' && e.type === 'number' && /^\d+$/.test(e.value)) {
      const k = Number(e.value);
      if (k < 1 || k > items.length) throw this.error('semantic', `ORDER BY term out of range - should be between 1 and ${items.length}`, e);
      return k - 1;
    }
    if (e.kind === 'column' && !e.table) {
      const name = e.column.name.toLowerCase();
      if (aliases.has(name)) return items.findIndex((it) => it.expr === aliases.get(name));
    }
    return -1;
  }

  // ------------------------------------------------------------ aggregation

  private aggregation(core: A.SelectCore, input: RelNode, base: ExprCtx, aliases: Map<string, A.Expr>) {
    // Group keys: converted over the FROM scope; ordinals and aliases allowed, as in SQLite.
    const keyExprs: Rex[] = [];
    for (const g of core.groupBy ?? []) {
      let e: A.Expr = g;
      if (g.kind === 'literal' && g.type === 'number' && /^\d+$/.test(g.value)) {
        const col = core.columns[Number(g.value) - 1];
        if (!col || col.kind !== 'expr') throw this.error('semantic', `GROUP BY term out of range - should be between 1 and ${core.columns.length}`, g);
        e = col.expr;
      }
      keyExprs.push(this.expr(e, { ...base, clause: 'GROUP BY', aliases }));
    }
    const keyDigests = keyExprs.map((k) => digest(k, String));
    // Computed keys and operands are evaluated by a Project below the Aggregate.
    const preExprs: Rex[] = [];
    const preFields: Field[] = [];
    const preRef = (e: Rex): RexRef => {
      if (e.k === 'ref') return e;
      const d = digest(e, String);
      const i = preExprs.findIndex((x) => digest(x, String) === d);
      if (i >= 0) return ref(preFields[i].id);
      const f = this.ids.fresh(`$f${preFields.length}`);
      preExprs.push(e);
      preFields.push(f);
      return ref(f.id);
    };
    const groupKeys = keyExprs.map(preRef);
    const calls: AggCall[] = [];
    const callDigests: string[] = [];
    const register = (kind: string, distinct: boolean, operands: Rex[], filter: Rex | undefined, name: string): RexRef => {
      const d = `${kind}|${distinct}|${operands.map((o) => digest(o, String)).join(',')}|${filter ? digest(filter, String) : ''}`;
      const i = callDigests.indexOf(d);
      if (i >= 0) return ref(calls[i].field.id);
      const field = this.ids.fresh(name);
      calls.push({ kind, distinct, operands: operands.map(preRef), filter: filter ? preRef(filter) : undefined, field });
      callDigests.push(d);
      return ref(field.id);
    };
    const anyValues = new Map<FieldId, RexRef>();

    const hook = (e: A.Expr): Rex | undefined => {
      if (e.kind === 'function' && !e.over && isAggregateCall(e)) {
        const inner: ExprCtx = { ...base, clause: 'aggregate' };
        const operands = e.star ? [] : e.args.map((a) => this.expr(a, inner));
        const filter = e.filter ? this.expr(e.filter, inner) : undefined;
        const kind = FUNCTION_ALIASES[e.name] ?? e.name.toUpperCase();
        return register(kind, e.distinct, operands, filter, this.sql.slice(e.start, e.end));
      }
      if (e.kind === 'literal' || e.kind === 'subquery' || e.kind === 'exists' || e.kind === 'param') return undefined;
      if (e.kind === 'function' && e.over) return undefined;
      if (containsAggregate(e) && e.kind !== 'column') return undefined; // convert children
      // A whole expression equal to a group key refers to the key.
      let rex: Rex;
      try {
        rex = this.expr(e, { ...base, clause: 'SELECT', aliases: undefined });
      } catch (err) {
        if (e.kind !== 'column') return undefined;
        // HAVING and ORDER BY may name a result alias (`HAVING cnt > 1`).
        const aliased = !e.table ? aliases.get(e.column.name.toLowerCase()) : undefined;
        if (aliased && aliased !== e) return this.expr(aliased, { ...ctx, aliases: undefined });
        throw err;
      }
      const k = keyDigests.indexOf(digest(rex, String));
      if (k >= 0) return groupKeys[k];
      if (rex.k === 'ref') {
        // SQLite allows bare columns in aggregate queries; they keep their identity.
        if (!inputHas(input, rex.id)) return rex; // outer (correlated) reference
        let r = anyValues.get(rex.id);
        if (!r) {
          r = register('ANY_VALUE', false, [rex], undefined, this.sql.slice(e.start, e.end));
          anyValues.set(rex.id, r);
        }
        return r;
      }
      if (rex.k === 'lit') return rex;
      return undefined; // convert children one by one
    };
    const ctx: ExprCtx = { ...base, hook, clause: 'SELECT' };
    const build = (): RelNode => {
      let below = input;
      if (preExprs.length) {
        const passthrough = input.fields.map((f) => ref(f.id));
        below = { op: 'Project', input, exprs: [...passthrough, ...preExprs], fields: [...input.fields, ...preFields] };
      }
      const fields = [...groupKeys.map((k) => fieldOf(below, k.id)), ...calls.map((c) => c.field)];
      return { op: 'Aggregate', input: below, groupKeys, calls, fields, range: core.groupBy ? spanOf(core.groupBy) : undefined };
    };
    return { ctx, build };
  }

  private windowCall(e: A.FunctionCall, ctx: ExprCtx, calls: WindowCall[]): RexRef {
    const over = e.over!;
    const inner: ExprCtx = { ...ctx, clause: 'window' };
    const operands = e.star ? [] : e.args.map((a) => this.expr(a, inner));
    const partitionBy = (over.partitionBy ?? []).map((p) => this.expr(p, inner));
    const orderBy = (over.orderBy ?? []).map((o) => ({ expr: this.expr(o.expr, inner), desc: o.desc, nulls: o.nulls }));
    const field = this.ids.fresh(this.sql.slice(e.start, e.end));
    calls.push({ kind: e.name.toUpperCase(), distinct: e.distinct, operands, partitionBy, orderBy, frame: over.frame, field });
    return ref(field.id);
  }

  // -------------------------------------------------------------------- FROM

  private from(item: A.FromItem, frame: CteFrame | undefined, outer: Scope | undefined, pendingOn: PendingOn[]): { rel: RelNode; scope: Scope } {
    switch (item.kind) {
      case 'table':
        return this.tableRef(item, frame, outer);
      case 'subquery': {
        const rel = this.select(item.query, frame, outer);
        const alias = item.alias?.name.toLowerCase() ?? '';
        return { rel, scope: { entries: [{ alias, fields: rel.fields }], coalesced: new Map(), parent: outer } };
      }
      case 'function': {
        const name = item.name.name.toLowerCase();
        const columns = TABLE_FUNCTION_COLUMNS[name];
        if (!columns) throw this.error('unsupported', `table-valued function ${item.name.name} is not supported`, item.name);
        const ctx: ExprCtx = { scope: { entries: [], coalesced: new Map(), parent: outer }, frame, clause: 'FROM' };
        const args = item.args.map((a) => this.expr(a, ctx));
        const fields = columns.map((c) => this.ids.fresh(c));
        const rel: RelNode = { op: 'Scan', table: `${name}(${args.map((a) => digest(a, String)).join(', ')})`, fields, range: item };
        return { rel, scope: { entries: [{ alias: item.alias?.name.toLowerCase() ?? name, fields }], coalesced: new Map(), parent: outer } };
      }
      case 'join':
        return this.join(item, frame, outer, pendingOn);
    }
  }

  private join(j: A.JoinRef, frame: CteFrame | undefined, outer: Scope | undefined, pendingOn: PendingOn[]) {
    const left = this.from(j.left, frame, outer, pendingOn);
    const right = this.from(j.right, frame, outer, pendingOn);
    const scope: Scope = {
      entries: [...left.scope.entries, ...right.scope.entries],
      coalesced: new Map([...left.scope.coalesced, ...right.scope.coalesced]),
      parent: outer,
    };
    const joinType = j.join === 'comma' || j.join === 'cross' ? 'inner' : j.join;
    let condition: Rex | null = null;
    let names: string[] = [];
    if (j.natural) {
      const rightNames = new Set(right.rel.fields.map((f) => f.name.toLowerCase()));
      names = [...new Set(left.rel.fields.map((f) => f.name.toLowerCase()))].filter((n) => rightNames.has(n));
    } else if (j.using) {
      names = j.using.map((u) => u.name.toLowerCase());
    }
    if (names.length) {
      const eqs = names.map((n) => {
        const l = left.scope.coalesced.get(n) ?? left.rel.fields.find((f) => f.name.toLowerCase() === n);
        const r = right.rel.fields.find((f) => f.name.toLowerCase() === n);
        if (!l || !r) throw this.error('unknown_column', `cannot join using column ${n} - column not present in both tables`, j);
        scope.coalesced.set(n, l);
        return call('EQUALS', [ref(l.id), ref(r.id)]);
      });
      condition = eqs.length === 1 ? eqs[0] : call('AND', eqs);
    }
    const rel: Extract<RelNode, { op: 'Join' }> = { op: 'Join', joinType, left: left.rel, right: right.rel, condition, fields: [...left.rel.fields, ...right.rel.fields], range: j };
    if (j.on) pendingOn.push({ join: rel, on: j.on });
    return { rel, scope };
  }

  private tableRef(t: A.TableRef, frame: CteFrame | undefined, outer: Scope | undefined): { rel: RelNode; scope: Scope } {
    const key = t.name.name.toLowerCase();
    const alias = (t.alias?.name ?? t.name.name).toLowerCase();
    const wrap = (rel: RelNode, fields: Field[], scan?: ScopeEntry['scan']) => ({
      rel,
      scope: { entries: [{ alias, fields, scan }], coalesced: new Map(), parent: outer },
    });
    const cte = t.schema ? undefined : lookupCte(frame, key);
    if (cte) {
      if (cte.selfColumns) {
        // A recursive CTE's reference to itself: the working table.
        const fields = cte.selfColumns.map((c) => this.ids.fresh(c));
        return wrap({ op: 'Scan', table: `cte:${key}`, fields, range: t }, fields);
      }
      if (cte.expanding) throw this.error('semantic', `circular reference: ${t.name.name}`, t.name);
      const rel = this.cteBody(cte, outer);
      return wrap(rel, rel.fields);
    }
    const table = findTable(this.schema, t.name.name);
    if (!table) throw this.error('unknown_table', `no such table: ${t.schema ? t.schema.name + '.' : ''}${t.name.name}`, t.name);
    if (table.kind === 'view' && table.viewSql) {
      if (this.viewsExpanding.has(key)) throw this.error('semantic', `view ${t.name.name} is circularly defined`, t.name);
      this.viewsExpanding.add(key);
      try {
        const rel = this.select(parseView(table.viewSql, table.name), undefined, undefined);
        return wrap(rel, rel.fields);
      } finally {
        this.viewsExpanding.delete(key);
      }
    }
    const fields = table.columns.map((c) => this.ids.fresh(c.name));
    const rel: RelNode = { op: 'Scan', table: table.name.toLowerCase(), fields, range: t };
    return wrap(rel, fields, { fields, columns: new Set(table.columns.map((c) => c.name.toLowerCase())) });
  }

  private cteBody(def: CteDef, outer: Scope | undefined): RelNode {
    const { cte } = def;
    def.expanding = true;
    try {
      let rel: RelNode;
      if (def.recursive) {
        def.selfColumns = cte.columns?.map((c) => c.name) ?? this.anchorColumns(cte.query, def.frame);
        try {
          rel = this.select(cte.query, def.frame, outer);
        } finally {
          def.selfColumns = undefined;
        }
      } else {
        rel = this.select(cte.query, def.frame, outer);
      }
      if (cte.columns) {
        if (cte.columns.length !== rel.fields.length) {
          throw this.error('semantic', `table ${cte.name.name} has ${rel.fields.length} values for ${cte.columns.length} columns`, cte.name);
        }
        const names = cte.columns.map((c) => c.name);
        rel = { ...rel, fields: rel.fields.map((f, i) => ({ id: f.id, name: names[i] })) } as RelNode;
      }
      return rel;
    } finally {
      def.expanding = false;
    }
  }

  /** Column names of a recursive CTE without a column list: those of its first (non-recursive) SELECT. */
  private anchorColumns(q: A.SelectStmt, frame: CteFrame): string[] {
    let body: A.SetExpr = q.body;
    while (body.kind === 'compound') body = body.left;
    const anchor: A.SelectStmt = { kind: 'select', body, start: body.start, end: body.end, with: q.with };
    return this.select(anchor, frame, undefined).fields.map((f) => f.name);
  }

  // ------------------------------------------------------------- expressions

  expr(e: A.Expr, ctx: ExprCtx): Rex {
    const hooked = ctx.hook?.(e);
    if (hooked) return hooked;
    const sub = (x: A.Expr) => this.expr(x, ctx);
    switch (e.kind) {
      case 'literal':
        return literal(e);
      case 'column':
        return this.column(e, ctx);
      case 'star':
        throw this.error('semantic', '"*" is not allowed here', e);
      case 'param':
        return call('DYNAMIC_PARAM', [], e.text);
      case 'unary': {
        const kind = e.op === '-' ? 'MINUS_PREFIX' : e.op === '+' ? 'PLUS_PREFIX' : e.op === 'NOT' ? 'NOT' : 'FN:~';
        return call(kind, [sub(e.operand)]);
      }
      case 'binary': {
        if (e.op === 'IS' || e.op === 'IS NOT') {
          const isNot = e.op === 'IS NOT';
          if (e.right.kind === 'literal' && e.right.type === 'null') return call(isNot ? 'IS_NOT_NULL' : 'IS_NULL', [sub(e.left)]);
          return call(isNot ? 'IS_DISTINCT_FROM' : 'IS_NOT_DISTINCT_FROM', [sub(e.left), sub(e.right)]);
        }
        return call(BINARY_KIND[e.op], [sub(e.left), sub(e.right)]);
      }
      case 'like': {
        const operands = [sub(e.left), sub(e.right)];
        if (e.escape) operands.push(sub(e.escape));
        const r = call(e.op, operands);
        return e.not ? call('NOT', [r]) : r;
      }
      case 'between': {
        const x = sub(e.expr);
        const r = call('AND', [call('LESS_THAN_OR_EQUAL', [sub(e.low), x]), call('LESS_THAN_OR_EQUAL', [x, sub(e.high)])]);
        return e.not ? call('NOT', [r]) : r;
      }
      case 'in': {
        const tested = e.expr.kind === 'row' ? e.expr.items.map(sub) : [sub(e.expr)];
        let r: Rex;
        if (e.list) {
          if (e.list.length === 0) return e.not ? TRUE : FALSE;
          r = call('IN', [tested.length === 1 ? tested[0] : call('ROW', tested), ...e.list.map(sub)]);
        } else {
          const q: A.SelectStmt = e.query ?? tableAsQuery(e.table!);
          r = { k: 'subquery', type: 'in', operands: tested, rel: this.select(q, ctx.frame, ctx.scope) };
        }
        return e.not ? call('NOT', [r]) : r;
      }
      case 'exists': {
        const r: Rex = { k: 'subquery', type: 'exists', operands: [], rel: this.select(e.query, ctx.frame, ctx.scope) };
        return e.not ? call('NOT', [r]) : r;
      }
      case 'subquery': {
        const rel = this.select(e.query, ctx.frame, ctx.scope);
        return { k: 'subquery', type: 'scalar', operands: [], rel };
      }
      case 'nulltest':
        return call(e.not ? 'IS_NOT_NULL' : 'IS_NULL', [sub(e.expr)]);
      case 'case': {
        // Calcite's form: CASE(when1, then1, ..., else); `CASE x WHEN v` becomes `WHEN x = v`.
        const operand = e.operand ? sub(e.operand) : undefined;
        const ops: Rex[] = [];
        for (const w of e.whens) {
          const when = sub(w.when);
          ops.push(operand ? call('EQUALS', [operand, when]) : when, sub(w.then));
        }
        ops.push(e.else ? sub(e.else) : NULL);
        return call('CASE', ops);
      }
      case 'cast':
        return call('CAST', [sub(e.expr)], e.type);
      case 'collate':
        return call('COLLATE', [sub(e.expr)], e.collation.toUpperCase());
      case 'function':
        return this.functionCall(e, ctx);
      case 'row':
        return call('ROW', e.items.map(sub));
    }
  }

  private functionCall(e: A.FunctionCall, ctx: ExprCtx): Rex {
    if (e.over) throw this.error('semantic', `misuse of window function ${e.name}()`, e.nameRange);
    if (isAggregateCall(e)) throw this.error('semantic', `misuse of aggregate function ${e.name}() in ${ctx.clause}`, e.nameRange);
    if (WINDOW_ONLY.has(e.name)) throw this.error('semantic', `misuse of window function ${e.name}()`, e.nameRange);
    const name = FUNCTION_ALIASES[e.name] ?? e.name.toUpperCase();
    return call(`FN:${name}`, e.args.map((a) => this.expr(a, ctx)));
  }

  private column(e: A.ColumnRef, ctx: ExprCtx): Rex {
    const name = e.column.name.toLowerCase();
    const table = e.table?.name.toLowerCase();
    for (let scope: Scope | undefined = ctx.scope; scope; scope = scope.parent) {
      if (table !== undefined) {
        const entries = scope.entries.filter((en) => en.alias === table);
        for (const en of entries) {
          const f = fieldIn(en, name, this.ids);
          if (f) return ref(f.id);
        }
        if (entries.length) throw this.error('unknown_column', `no such column: ${e.table!.name}.${e.column.name}`, e);
        continue;
      }
      const co = scope.coalesced.get(name);
      if (co) return ref(co.id);
      const hits: Field[] = [];
      for (const en of scope.entries) {
        const f = en.fields.find((x) => x.name.toLowerCase() === name);
        if (f) hits.push(f);
      }
      if (hits.length > 1) throw this.error('ambiguous_column', `ambiguous column name: ${e.column.name}`, e);
      if (hits.length === 1) return ref(hits[0].id);
      // Result-column aliases (SQLite resolves them in WHERE, GROUP BY and HAVING too).
      if (scope === ctx.scope && ctx.aliases?.has(name)) {
        const aliased = ctx.aliases.get(name)!;
        return this.expr(aliased, { ...ctx, aliases: undefined });
      }
      if (ROWID_NAMES.has(name)) {
        const en = scope.entries.find((x) => x.scan);
        if (en && scope.entries.filter((x) => x.scan).length === 1) return ref(fieldIn(en, name, this.ids)!.id);
      }
    }
    if (table !== undefined && !this.anyEntry(ctx.scope, table)) {
      throw this.error('unknown_column', `no such column: ${e.table!.name}.${e.column.name}`, e);
    }
    // SQLite reads a double-quoted name that is not a column as a string.
    if (e.column.quoted && !table && this.sql[e.column.start] === '"') return lit('string', e.column.name);
    throw this.error('unknown_column', `no such column: ${table ? e.table!.name + '.' : ''}${e.column.name}`, e);
  }

  private anyEntry(scope: Scope | undefined, alias: string): boolean {
    for (let s = scope; s; s = s.parent) if (s.entries.some((e) => e.alias === alias)) return true;
    return false;
  }
}

// ------------------------------------------------------------------ helpers

function fieldIn(en: ScopeEntry, name: string, ids: FieldIds): Field | undefined {
  const f = en.fields.find((x) => x.name.toLowerCase() === name);
  if (f) return f;
  if (en.scan && ROWID_NAMES.has(name) && !en.scan.columns.has(name)) {
    // rowid is a hidden column of every ordinary table: add it on first use.
    let rowid = en.scan.fields.find((x) => x.name === 'rowid');
    if (!rowid) {
      rowid = ids.fresh('rowid');
      en.scan.fields.push(rowid);
    }
    return rowid;
  }
  return undefined;
}

function fieldOf(rel: RelNode, id: FieldId): Field {
  return rel.fields.find((f) => f.id === id) ?? { id, name: `$${id}` };
}

function inputHas(rel: RelNode, id: FieldId): boolean {
  return rel.fields.some((f) => f.id === id);
}

function lookupCte(frame: CteFrame | undefined, name: string): CteDef | undefined {
  for (let f = frame; f; f = f.parent) {
    let d = f.defs.get(name);
    if (d) return d;
    const at = f.names.get(name);
    if (!at) continue;
    let i = at.length - 1;
    while (i >= 0 && at[i] >= f.inScope) i--;
    if (i < 0) continue;
    const cte = f.with.ctes[at[i]];
    d = { cte, frame: f, recursive: f.with.recursive && refersToName(cte.query, name) };
    f.defs.set(name, d);
    return d;
  }
  return undefined;
}

const cteNamesMemo = new WeakMap<A.CommonTableExpr[], CteNames>();
function cteNames(ctes: A.CommonTableExpr[]): CteNames {
  let m = cteNamesMemo.get(ctes);
  if (!m) {
    m = new Map();
    ctes.forEach((c, i) => {
      const key = c.name.name.toLowerCase();
      const at = m!.get(key);
      if (at) at.push(i);
      else m!.set(key, [i]);
    });
    cteNamesMemo.set(ctes, m);
  }
  return m;
}

function literal(e: A.Literal): Rex {
  switch (e.type) {
    case 'number': {
      const n = canonicalNumber(e.value);
      return n.isReal ? { k: 'lit', type: 'number', value: n.value, isReal: true } : lit('number', n.value);
    }
    case 'string':
      return lit('string', e.value);
    case 'blob':
      return lit('blob', e.value.toUpperCase());
    case 'null':
      return NULL;
    case 'bool':
      return lit('bool', e.value.toUpperCase());
    case 'current':
      return lit('current', e.value.toUpperCase());
  }
}

export function isAggregateCall(e: A.FunctionCall): boolean {
  if (e.over || !AGGREGATES.has(e.name)) return false;
  // min(a, b) and max(a, b) are scalar functions in SQLite.
  if ((e.name === 'min' || e.name === 'max') && e.args.length !== 1) return false;
  return true;
}

/** True when the expression has an aggregate call outside any subquery. */
export function containsAggregate(e: A.Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === 'function' && isAggregateCall(x)) found = true;
    return !found && x.kind !== 'subquery' && x.kind !== 'exists' && !(x.kind === 'in' && x.query);
  });
  return found;
}

/** Pre-order walk of an expression's own nodes; `visit` returns false to skip children. */
function walkExpr(e: A.Expr, visit: (x: A.Expr) => boolean): void {
  if (!visit(e)) return;
  const kids: (A.Expr | undefined)[] = [];
  switch (e.kind) {
    case 'unary':
      kids.push(e.operand);
      break;
    case 'binary':
    case 'like':
      kids.push(e.left, e.right, e.kind === 'like' ? e.escape : undefined);
      break;
    case 'between':
      kids.push(e.expr, e.low, e.high);
      break;
    case 'in':
      kids.push(e.expr, ...(e.list ?? []));
      break;
    case 'nulltest':
    case 'cast':
    case 'collate':
      kids.push(e.expr);
      break;
    case 'case':
      kids.push(e.operand, ...e.whens.flatMap((w) => [w.when, w.then]), e.else);
      break;
    case 'function':
      kids.push(...e.args, e.filter);
      break;
    case 'row':
      kids.push(...e.items);
      break;
  }
  for (const k of kids) if (k) walkExpr(k, visit);
}

/** Does a query mention `name` as a table anywhere (for WITH RECURSIVE)? */
function refersToName(q: A.SelectStmt, name: string): boolean {
  let found = false;
  const visitFrom = (f: A.FromItem | undefined): void => {
    if (!f || found) return;
    if (f.kind === 'table' && f.name.name.toLowerCase() === name) found = true;
    else if (f.kind === 'join') {
      visitFrom(f.left);
      visitFrom(f.right);
    } else if (f.kind === 'subquery') visitQuery(f.query);
  };
  const visitExpr = (e: A.Expr | undefined) => {
    if (!e) return;
    walkExpr(e, (x) => {
      if (x.kind === 'subquery' || x.kind === 'exists') visitQuery(x.query);
      if (x.kind === 'in' && x.query) visitQuery(x.query);
      return !found;
    });
  };
  const visitSet = (b: A.SetExpr): void => {
    if (b.kind === 'compound') {
      visitSet(b.left);
      visitSet(b.right);
    } else if (b.kind === 'core') {
      visitFrom(b.from);
      visitExpr(b.where);
      b.columns.forEach((c) => c.kind === 'expr' && visitExpr(c.expr));
    }
  };
  const visitQuery = (s: A.SelectStmt) => {
    s.with?.ctes.slice(0, s.with.inScope).forEach((c) => visitQuery(c.query));
    visitSet(s.body);
  };
  visitQuery(q);
  return found;
}

function tableAsQuery(t: A.Ident): A.SelectStmt {
  const core: A.SelectCore = {
    kind: 'core', distinct: false, start: t.start, end: t.end,
    columns: [{ kind: 'star', start: t.start, end: t.end }],
    from: { kind: 'table', name: t, start: t.start, end: t.end },
  };
  return { kind: 'select', body: core, start: t.start, end: t.end };
}

function parseView(sql: string, name: string): A.SelectStmt {
  // The stored text is `CREATE VIEW name AS SELECT ...`; keep the SELECT.
  const m = /\bAS\b\s*([\s\S]*)$/i.exec(sql);
  const body = m && /^\s*(SELECT|WITH|VALUES)\b/i.test(sql) === false ? m[1] : sql;
  try {
    return parseSelect(body);
  } catch (err) {
    throw new Error(`cannot read view ${name}: ${(err as Error).message}`);
  }
}

/** Display name of a result column without alias: the column name, or the expression text (as SQLite does). */
function exprName(e: A.Expr, sql: string): string {
  if (e.kind === 'column') return e.column.name;
  return sql.slice(e.start, e.end);
}

function spanOf(list: A.Range[]): A.Range {
  return { start: list[0].start, end: list[list.length - 1].end };
}
