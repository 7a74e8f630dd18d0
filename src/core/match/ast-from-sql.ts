// Our SQLite syntax tree (../sql/ast.ts) → a mo-sql-parsing-like JSON value,
// the AST form FuncEvalGMN's AstPM works on (spec structural-rewards.md §2.1,
// §2.5). The result is written as JSON text with number literals exactly as
// the SQL wrote them, so `astTreeFromJson` can reproduce Python's
// `str(3000)` / `str(3000.0)` leaves.
//
// The shape follows mo-sql-parsing (version 9+):
//   {"select": {"value": e, "name": alias} | [...], "select_distinct": ...,
//    "from": "t" | {"value": "t", "name": "a"} | [first, {"join": ..., "on": ...}, ...],
//    "where": e, "groupby": {"value": e} | [...], "having": e,
//    "orderby": {"value": e, "sort": "desc"} | [...], "limit": n, "offset": n,
//    "with": {"name": n, "value": q} | [...]}
//   set operations: {"union" | "union_all" | "intersect" | "except": [q1, q2], "orderby", "limit"}
//   expressions: column "t.c", {"literal": "text"}, numbers, {"eq": [a, b]}, {"neq"},
//   {"gt"}, {"gte"}, {"lt"}, {"lte"}, {"and": [...]}, {"or": [...]}, {"not": e},
//   {"add"}, {"sub"}, {"mul"}, {"div"}, {"mod"}, {"concat"}, {"neg": e},
//   {"missing": e} (IS NULL), {"exists": e} (IS NOT NULL or EXISTS (query)),
//   {"like"}, {"not_like"}, {"between": [e, lo, hi]}, {"not_between"},
//   {"in": [e, list]}, {"nin": [e, list]} (a list of strings as {"literal": [...]}),
//   {"count": "*"}, {"max": e}, {"count": e, "distinct": true}, {"f": [args]},
//   {"case": [{"when": c, "then": v}, ..., else]}, {"cast": [e, {"real": {}}]}, {"null": {}}.
//
// Where we could not know what mo-sql-parsing does, or our AST cannot tell
// (JOIN vs INNER JOIN, an explicit ASC), we chose one form [ours]:
// identifiers are lower-cased (SQL names are case-insensitive; the spec's
// examples show lower-case names), aliases keep their case, `INNER JOIN` is
// written "join", `LEFT OUTER JOIN` "left join", and ASC is never written.

import type * as A from '../sql/ast.ts';
import { parseSelect } from '../sql/parse.ts';
import { astTree, RawNumber } from './ast-tree.ts';
import type { MatchNode } from './tree.ts';


export type MoJson = string | number | boolean | null | RawNumber | MoJson[] | { [key: string]: MoJson };
type MoObject = { [key: string]: MoJson };

const BINARY: Record<string, string> = {
  '=': 'eq', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte',
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '||': 'concat',
  AND: 'and', OR: 'or', '&': 'binary_and', '|': 'binary_or', '<<': 'left_shift', '>>': 'right_shift',
  '->': 'json_get', '->>': 'json_get_text',
};
/** Operators mo-sql-parsing flattens into one operand list. */
const FLATTENED = new Set(['and', 'or', 'add', 'mul', 'concat']);

/** The mo-sql-parsing-like JSON value of a parsed statement. */
export function moSqlJson(stmt: A.SelectStmt): MoJson {
  return new Converter().statement(stmt);
}

/** The same as JSON text, number literals written as in the SQL. */
export function moSqlJsonText(stmt: A.SelectStmt): string {
  return stringify(moSqlJson(stmt));
}

/** AstPM's input tree for a SQL text (spec §2.2 AST → tree rule). Throws SqlError on a syntax error. */
export function astTreeOfSql(sql: string): MatchNode {
  return astTree(moSqlJson(parseSelect(sql)));
}


export function stringify(v: MoJson): string {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringify).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${stringify(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

/** mo-sql-parsing writes one item as itself and several as a list. */
const one = (list: MoJson[]): MoJson => (list.length === 1 ? list[0] : list);

class Converter {
  statement(s: A.SelectStmt): MoJson {
    const out: MoObject = {};
    if (s.with) out.with = one(s.with.ctes.map((c) => ({ name: c.name.name, value: this.statement(c.query) })));
    const body = this.setExpr(s.body);
    Object.assign(out, body);
    if (s.orderBy?.length) out.orderby = one(s.orderBy.map((o) => this.orderItem(o)));
    if (s.limit) {
      out.limit = this.expr(s.limit.count);
      if (s.limit.offset) out.offset = this.expr(s.limit.offset);
    }
    return out;
  }

  private setExpr(b: A.SetExpr): MoObject {
    switch (b.kind) {
      case 'core':
        return this.core(b);
      case 'values':
        return { values: b.rows.map((r) => one(r.map((e) => this.expr(e)))) };
      case 'compound': {
        const key = b.op === 'UNION ALL' ? 'union_all' : b.op.toLowerCase();
        // A chain of the same operator is one list, as mo-sql-parsing writes it.
        const left = this.setExpr(b.left);
        const leftItems = Object.keys(left).length === 1 && Array.isArray(left[key]) ? (left[key] as MoJson[]) : [left];
        return { [key]: [...leftItems, this.setExpr(b.right)] };
      }
    }
  }

  private core(c: A.SelectCore): MoObject {
    const out: MoObject = {};
    const columns = one(c.columns.map((col) => this.resultColumn(col)));
    out[c.distinct ? 'select_distinct' : 'select'] = columns;
    if (c.from) out.from = one(this.fromList(c.from));
    if (c.where) out.where = this.expr(c.where);
    if (c.groupBy?.length) out.groupby = one(c.groupBy.map((g) => ({ value: this.expr(g) })));
    if (c.having) out.having = this.expr(c.having);
    return out;
  }

  private resultColumn(col: A.ResultColumn): MoJson {
    if (col.kind === 'star') return col.table ? { value: `${lower(col.table)}.*` } : { all_columns: {} };
    const item: MoObject = { value: this.expr(col.expr) };
    if (col.alias) item.name = col.alias.name;
    return item;
  }

  private orderItem(o: A.OrderItem): MoJson {
    const item: MoObject = { value: this.expr(o.expr) };
    if (o.desc) item.sort = 'desc';
    return item;
  }

  /** FROM as mo-sql-parsing's list: the first source, then one object per join. */
  private fromList(f: A.FromItem): MoJson[] {
    if (f.kind !== 'join' || f.alias) return [this.source(f)];
    const items = this.fromList(f.left);
    const right = this.source(f.right);
    if (f.join === 'comma') {
      items.push(right);
      return items;
    }
    const key = `${f.natural ? 'natural ' : ''}${f.join === 'inner' ? '' : f.join + ' '}join`;
    const j: MoObject = { [key]: right };
    if (f.on) j.on = this.expr(f.on);
    if (f.using) j.using = one(f.using.map(lower));
    items.push(j);
    return items;
  }

  private source(f: A.FromItem): MoJson {
    switch (f.kind) {
      case 'table': {
        const name = f.schema ? `${lower(f.schema)}.${lower(f.name)}` : lower(f.name);
        return f.alias ? { value: name, name: f.alias.name } : name;
      }
      case 'subquery': {
        const q = this.statement(f.query);
        return f.alias ? { value: q, name: f.alias.name } : { value: q };
      }
      case 'function': {
        const call = { [f.name.name.toLowerCase()]: one(f.args.map((a) => this.expr(a))) };
        return f.alias ? { value: call, name: f.alias.name } : { value: call };
      }
      case 'join': {
        // An aliased join group: SQLite reads it as a derived table.
        const inner: MoObject = { select: { all_columns: {} }, from: one(this.fromList({ ...f, alias: undefined })) };
        return f.alias ? { value: inner, name: f.alias.name } : { value: inner };
      }
    }
  }

  expr(e: A.Expr): MoJson {
    switch (e.kind) {
      case 'literal':
        return literal(e);
      case 'column': {
        const parts = [e.schema, e.table, e.column].filter((x): x is A.Ident => x !== undefined).map(lower);
        return parts.join('.');
      }
      case 'star':
        return '*';
      case 'param':
        return { param: e.text };
      case 'unary': {
        if (e.op === '-' && e.operand.kind === 'literal' && e.operand.type === 'number') return new RawNumber('-' + numberText(e.operand.value));
        if (e.op === '+') return this.expr(e.operand);
        return { [e.op === 'NOT' ? 'not' : e.op === '-' ? 'neg' : 'binary_not']: this.expr(e.operand) };
      }
      case 'binary': {
        if (e.op === 'IS' || e.op === 'IS NOT') {
          if (e.right.kind === 'literal' && e.right.type === 'null') return { [e.op === 'IS' ? 'missing' : 'exists']: this.expr(e.left) };
          return { [e.op === 'IS' ? 'eq' : 'neq']: [this.expr(e.left), this.expr(e.right)] };
        }
        const op = BINARY[e.op];
        const operands = FLATTENED.has(op) ? [...this.flatten(e.left, e.op), ...this.flatten(e.right, e.op)] : [this.expr(e.left), this.expr(e.right)];
        return { [op]: operands };
      }
      case 'like': {
        const op = e.op.toLowerCase();
        const args = [this.expr(e.left), this.expr(e.right)];
        const out: MoObject = { [e.not ? `not_${op}` : op]: args };
        if (e.escape) out.escape = this.expr(e.escape);
        return out;
      }
      case 'between':
        return { [e.not ? 'not_between' : 'between']: [this.expr(e.expr), this.expr(e.low), this.expr(e.high)] };
      case 'in': {
        const tested = this.expr(e.expr);
        let candidates: MoJson;
        if (e.list) {
          const strings = e.list.every((x) => x.kind === 'literal' && x.type === 'string');
          candidates = strings && e.list.length > 1
            ? { literal: e.list.map((x) => (x as A.Literal).value) }
            : one(e.list.map((x) => this.expr(x)));
        } else if (e.query) candidates = this.statement(e.query);
        else candidates = lower(e.table!);
        return { [e.not ? 'nin' : 'in']: [tested, candidates] };
      }
      case 'exists': {
        const q = { exists: this.statement(e.query) };
        return e.not ? { not: q } : q;
      }
      case 'subquery':
        return this.statement(e.query);
      case 'nulltest':
        return { [e.not ? 'exists' : 'missing']: this.expr(e.expr) };
      case 'case': {
        const parts: MoJson[] = e.whens.map((w) => ({
          when: e.operand ? { eq: [this.expr(e.operand), this.expr(w.when)] } : this.expr(w.when),
          then: this.expr(w.then),
        }));
        if (e.else) parts.push(this.expr(e.else));
        return { case: one(parts) };
      }
      case 'cast': {
        const type = e.type.toLowerCase().replace(/\(.*$/, '').trim();
        return { cast: [this.expr(e.expr), { [type]: {} }] };
      }
      case 'collate':
        return { collate: [this.expr(e.expr), e.collation.toLowerCase()] };
      case 'function': {
        const name = e.name.toLowerCase();
        const args: MoJson = e.star ? '*' : e.args.length === 0 ? {} : one(e.args.map((a) => this.expr(a)));
        const out: MoObject = { [name]: args };
        if (e.distinct) out.distinct = true;
        if (e.filter) out.filter = this.expr(e.filter);
        if (e.over) {
          const over: MoObject = {};
          if (e.over.partitionBy?.length) over.partitionby = one(e.over.partitionBy.map((p) => this.expr(p)));
          if (e.over.orderBy?.length) over.orderby = one(e.over.orderBy.map((o) => this.orderItem(o)));
          return { value: out, over };
        }
        return out;
      }
      case 'row':
        return e.items.map((x) => this.expr(x));
    }
  }

  /** Operands of a chain of one associative operator, in order. */
  private flatten(e: A.Expr, op: A.BinaryOp): MoJson[] {
    if (e.kind === 'binary' && e.op === op && !e.parens) return [...this.flatten(e.left, op), ...this.flatten(e.right, op)];
    return [this.expr(e)];
  }
}

function lower(id: A.Ident): string {
  return id.name.toLowerCase();
}

/** A SQLite number literal as valid JSON number text that keeps int vs float (`5.` → `5.0`, `.5` → `0.5`, `0x1F` → `31`). */
export function numberText(text: string): string {
  const t = text.replace(/_/g, '');
  if (/^0x/i.test(t)) return BigInt(t).toString();
  if (/^\d+$/.test(t)) return BigInt(t).toString();
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m) return t;
  const int = m[1] === '' ? '0' : m[1].replace(/^0+(?=\d)/, '');
  const frac = m[2] === undefined ? undefined : m[2] === '' ? '0' : m[2];
  return `${int}${frac !== undefined ? '.' + frac : ''}${m[3] !== undefined ? 'e' + m[3] : ''}`;
}

function literal(e: A.Literal): MoJson {
  switch (e.type) {
    case 'number':
      return new RawNumber(numberText(e.value));
    case 'string':
      return { literal: e.value };
    case 'blob':
      return { hex: e.value };
    case 'null':
      return { null: {} };
    case 'bool':
      return e.value.toUpperCase() === 'TRUE';
    case 'current':
      return { [e.value.toLowerCase()]: {} };
  }
}
