// Canonical printer for the SQL AST: every operator application is wrapped in
// parentheses, keywords are upper-cased and spacing is fixed, so two trees
// print the same text exactly when they have the same structure. The output
// is valid SQLite and means the same as the input, which tests use to check
// operator precedence against SQLite itself.

import type { Expr, FromItem, Ident, OrderItem, ResultColumn, SelectStmt, SetExpr, WindowSpec } from './ast.ts';

export function printSelect(s: SelectStmt): string {
  let out = '';
  if (s.with) {
    out += s.with.recursive ? 'WITH RECURSIVE ' : 'WITH ';
    out += s.with.ctes
      .map((c) => {
        const cols = c.columns ? `(${c.columns.map(printIdent).join(', ')})` : '';
        const mat = c.materialized ? ` ${c.materialized}` : '';
        return `${printIdent(c.name)}${cols} AS${mat} (${printSelect(c.query)})`;
      })
      .join(', ');
    out += ' ';
  }
  out += printSetExpr(s.body);
  if (s.orderBy) out += ` ORDER BY ${printOrderItems(s.orderBy)}`;
  if (s.limit) {
    out += ` LIMIT ${printExpr(s.limit.count)}`;
    if (s.limit.offset) out += ` OFFSET ${printExpr(s.limit.offset)}`;
  }
  return out;
}

function printSetExpr(b: SetExpr): string {
  switch (b.kind) {
    case 'compound':
      return `${printSetExpr(b.left)} ${b.op} ${printSetExpr(b.right)}`;
    case 'values':
      return `VALUES ${b.rows.map((r) => `(${r.map(printExpr).join(', ')})`).join(', ')}`;
    case 'core': {
      let out = b.distinct ? 'SELECT DISTINCT ' : 'SELECT ';
      out += b.columns.map(printResultColumn).join(', ');
      if (b.from) out += ` FROM ${printFrom(b.from)}`;
      if (b.where) out += ` WHERE ${printExpr(b.where)}`;
      if (b.groupBy) out += ` GROUP BY ${b.groupBy.map(printExpr).join(', ')}`;
      if (b.having) out += ` HAVING ${printExpr(b.having)}`;
      if (b.windows) out += ` WINDOW ${b.windows.map((w) => `${printIdent(w.name)} AS ${printWindow(w.spec)}`).join(', ')}`;
      return out;
    }
  }
}

function printResultColumn(c: ResultColumn): string {
  if (c.kind === 'star') return c.table ? `${printIdent(c.table)}.*` : '*';
  return c.alias ? `${printExpr(c.expr)} AS ${printIdent(c.alias)}` : printExpr(c.expr);
}

export function printFrom(f: FromItem): string {
  const alias = f.alias ? ` AS ${printIdent(f.alias)}` : '';
  switch (f.kind) {
    case 'table': {
      let out = (f.schema ? `${printIdent(f.schema)}.` : '') + printIdent(f.name) + alias;
      if (f.indexedBy) out += ` INDEXED BY ${printIdent(f.indexedBy)}`;
      if (f.notIndexed) out += ' NOT INDEXED';
      return out;
    }
    case 'subquery':
      return `(${printSelect(f.query)})${alias}`;
    case 'function':
      return `${printIdent(f.name)}(${f.args.map(printExpr).join(', ')})${alias}`;
    case 'join': {
      // Left-deep chains need no parentheses; a join on the right (or an aliased group) does.
      const right = f.right.kind === 'join' && !f.right.alias ? `(${printFrom(f.right)})` : printFrom(f.right);
      let out = printFrom(f.left);
      if (f.join === 'comma') out += `, ${right}`;
      else out += ` ${f.natural ? 'NATURAL ' : ''}${f.join.toUpperCase()} JOIN ${right}`;
      if (f.on) out += ` ON ${printExpr(f.on)}`;
      if (f.using) out += ` USING (${f.using.map(printIdent).join(', ')})`;
      return f.alias ? `(${out})${alias}` : out;
    }
  }
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      switch (e.type) {
        case 'string':
          return `'${e.value.replaceAll("'", "''")}'`;
        case 'blob':
          return `X'${e.value}'`;
        default:
          return e.value;
      }
    case 'column':
      return (e.schema ? `${printIdent(e.schema)}.` : '') + (e.table ? `${printIdent(e.table)}.` : '') + printIdent(e.column);
    case 'star':
      return e.table ? `${printIdent(e.table)}.*` : '*';
    case 'param':
      return e.text;
    case 'unary':
      return e.op === 'NOT' ? `(NOT ${printExpr(e.operand)})` : `(${e.op}${printExpr(e.operand)})`;
    case 'binary':
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case 'like':
      return `(${printExpr(e.left)} ${e.not ? 'NOT ' : ''}${e.op} ${printExpr(e.right)}${e.escape ? ` ESCAPE ${printExpr(e.escape)}` : ''})`;
    case 'between':
      return `(${printExpr(e.expr)} ${e.not ? 'NOT ' : ''}BETWEEN ${printExpr(e.low)} AND ${printExpr(e.high)})`;
    case 'in': {
      let rhs: string;
      if (e.query) rhs = `(${printSelect(e.query)})`;
      else if (e.table) {
        rhs = (e.tableSchema ? `${printIdent(e.tableSchema)}.` : '') + printIdent(e.table);
        if (e.tableArgs) rhs += `(${e.tableArgs.map(printExpr).join(', ')})`;
      } else rhs = `(${(e.list ?? []).map(printExpr).join(', ')})`;
      return `(${printExpr(e.expr)} ${e.not ? 'NOT ' : ''}IN ${rhs})`;
    }
    case 'exists':
      return `(${e.not ? 'NOT ' : ''}EXISTS (${printSelect(e.query)}))`;
    case 'subquery':
      return `(${printSelect(e.query)})`;
    case 'nulltest':
      return `(${printExpr(e.expr)} IS ${e.not ? 'NOT ' : ''}NULL)`;
    case 'case': {
      let out = 'CASE';
      if (e.operand) out += ` ${printExpr(e.operand)}`;
      for (const w of e.whens) out += ` WHEN ${printExpr(w.when)} THEN ${printExpr(w.then)}`;
      if (e.else) out += ` ELSE ${printExpr(e.else)}`;
      return out + ' END';
    }
    case 'cast':
      return `CAST(${printExpr(e.expr)} AS ${e.type})`;
    case 'collate':
      return `(${printExpr(e.expr)} COLLATE ${printName(e.collation)})`;
    case 'function': {
      let args: string;
      if (e.star) args = '*';
      else {
        args = (e.distinct ? 'DISTINCT ' : '') + e.args.map(printExpr).join(', ');
        if (e.orderBy) args += `${e.args.length ? ' ' : ''}ORDER BY ${printOrderItems(e.orderBy)}`;
      }
      let out = `${printName(e.name)}(${args})`;
      if (e.filter) out += ` FILTER (WHERE ${printExpr(e.filter)})`;
      if (e.over) out += ` OVER ${e.over.bare ? printName(e.over.base!) : printWindow(e.over)}`;
      return out;
    }
    case 'row':
      return `(${e.items.map(printExpr).join(', ')})`;
  }
}

function printWindow(w: WindowSpec): string {
  const parts: string[] = [];
  if (w.base) parts.push(printName(w.base));
  if (w.partitionBy) parts.push(`PARTITION BY ${w.partitionBy.map(printExpr).join(', ')}`);
  if (w.orderBy) parts.push(`ORDER BY ${printOrderItems(w.orderBy)}`);
  if (w.frame) parts.push(w.frame);
  return `(${parts.join(' ')})`;
}

function printOrderItems(items: OrderItem[]): string {
  return items
    .map((o) => {
      let out = printExpr(o.expr);
      if (o.collate) out += ` COLLATE ${printName(o.collate)}`;
      if (o.desc) out += ' DESC';
      if (o.nulls) out += ` NULLS ${o.nulls}`;
      return out;
    })
    .join(', ');
}

const BARE = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Identifiers keep their original quoting; bare ones stay bare. */
export function printIdent(id: Ident): string {
  if (!id.quoted) return id.name;
  switch (id.quote) {
    case '`':
      return '`' + id.name.replaceAll('`', '``') + '`';
    case '[':
      return `[${id.name}]`;
    case "'":
      return `'${id.name.replaceAll("'", "''")}'`;
    default:
      return `"${id.name.replaceAll('"', '""')}"`;
  }
}

/** A name with no quoting information (function, collation, window base): quote only when needed. */
function printName(name: string): string {
  return BARE.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
