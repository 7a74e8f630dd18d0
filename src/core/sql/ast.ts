// The SQLite SELECT syntax tree. Every node carries its exact source range
// (`start` inclusive, `end` exclusive, UTF-16 offsets into the parsed text), so
// plans, steps and diagnostics can point back into the editor.

export interface Range {
  start: number;
  end: number;
}

/**
 * Set on an expression or FROM item written inside redundant parentheses,
 * e.g. `(a + b)`: the range of the outermost pair. The node's own start/end
 * exclude them, so a node's range is always exactly its own text.
 */
export interface Parenthesized {
  parens?: Range;
}

export interface Ident extends Range {
  /** The name as written, without quotes. Case is preserved; compare case-insensitively. */
  name: string;
  quoted: boolean;
  /** The quote character when quoted: `"x"`, `` `x` ``, `[x]` or a string `'x'` used as a name. Only `"` lets SQLite fall back to a string literal. */
  quote?: '"' | '`' | '[' | "'";
}

// ---------------------------------------------------------------- statements

export interface SelectStmt extends Range {
  kind: 'select';
  with?: WithClause;
  /** A single SELECT core, a VALUES list, or a left-deep tree of compound operators. */
  body: SetExpr;
  /** ORDER BY and LIMIT apply to the whole compound. */
  orderBy?: OrderItem[];
  limit?: LimitClause;
}

export interface WithClause extends Range {
  recursive: boolean;
  ctes: CommonTableExpr[];
  /**
   * Only the first `inScope` CTEs are defined (all when absent). Step analysis
   * plans step k from the statement's own WITH clause this way, without
   * copying the list of definitions for each step.
   */
  inScope?: number;
}

export interface CommonTableExpr extends Range {
  name: Ident;
  columns?: Ident[];
  materialized?: 'MATERIALIZED' | 'NOT MATERIALIZED';
  query: SelectStmt;
  /** Offset of the `(` that opens the body. */
  openParen: number;
  /** Offset of the `)` that closes the body. */
  closeParen: number;
}

export type SetExpr = SelectCore | ValuesClause | CompoundSelect;

export type CompoundOp = 'UNION' | 'UNION ALL' | 'INTERSECT' | 'EXCEPT';

export interface CompoundSelect extends Range {
  kind: 'compound';
  op: CompoundOp;
  left: SetExpr;
  right: SelectCore | ValuesClause;
}

export interface ValuesClause extends Range {
  kind: 'values';
  rows: Expr[][];
}

export interface SelectCore extends Range {
  kind: 'core';
  distinct: boolean;
  columns: ResultColumn[];
  from?: FromItem;
  where?: Expr;
  groupBy?: Expr[];
  having?: Expr;
  windows?: NamedWindow[];
}

export type ResultColumn =
  | ({ kind: 'expr'; expr: Expr; alias?: Ident } & Range)
  /** `*` or `t.*` */
  | ({ kind: 'star'; table?: Ident } & Range);

export interface OrderItem extends Range {
  expr: Expr;
  desc: boolean;
  nulls?: 'FIRST' | 'LAST';
  collate?: string;
}

export interface LimitClause extends Range {
  count: Expr;
  offset?: Expr;
}

// ---------------------------------------------------------------------- FROM

export type JoinKind = 'inner' | 'left' | 'right' | 'full' | 'cross';

export type FromItem = TableRef | SubqueryRef | TableFunctionRef | JoinRef;

export interface TableRef extends Range, Parenthesized {
  kind: 'table';
  schema?: Ident;
  name: Ident;
  alias?: Ident;
  /** `INDEXED BY name` (a planner hint; no effect on results). */
  indexedBy?: Ident;
  /** `NOT INDEXED` */
  notIndexed?: boolean;
}

export interface SubqueryRef extends Range, Parenthesized {
  kind: 'subquery';
  query: SelectStmt;
  alias?: Ident;
}

/** `json_each(x)` and friends in FROM. */
export interface TableFunctionRef extends Range, Parenthesized {
  kind: 'function';
  name: Ident;
  args: Expr[];
  alias?: Ident;
}

export interface JoinRef extends Range, Parenthesized {
  kind: 'join';
  /** `comma` is `FROM a, b`; `cross` is an explicit CROSS JOIN. Both are inner joins without condition. */
  join: JoinKind | 'comma';
  natural: boolean;
  left: FromItem;
  right: FromItem;
  on?: Expr;
  using?: Ident[];
  /** `(a JOIN b) AS x`: SQLite reads an aliased join group as `(SELECT * FROM a JOIN b) AS x`. */
  alias?: Ident;
}

// --------------------------------------------------------------- expressions

export type Expr =
  | Literal
  | ColumnRef
  | StarExpr
  | Param
  | UnaryExpr
  | BinaryExpr
  | LikeExpr
  | BetweenExpr
  | InExpr
  | ExistsExpr
  | SubqueryExpr
  | NullTestExpr
  | CaseExpr
  | CastExpr
  | CollateExpr
  | FunctionCall
  | RowExpr;

export interface Literal extends Range, Parenthesized {
  kind: 'literal';
  /** `current` is CURRENT_DATE / CURRENT_TIME / CURRENT_TIMESTAMP (value holds which). */
  type: 'number' | 'string' | 'blob' | 'null' | 'bool' | 'current';
  /** number: source text (`1.50`, `0x1F`); string: unescaped text; blob: hex; bool: TRUE/FALSE. */
  value: string;
}

export interface ColumnRef extends Range, Parenthesized {
  kind: 'column';
  schema?: Ident;
  table?: Ident;
  column: Ident;
}

/** `*` as a function argument (`count(*)`) is FunctionCall.star; this is only `t.*`-free `*` inside expressions, which SQLite rejects; kept for error reporting. */
export interface StarExpr extends Range, Parenthesized {
  kind: 'star';
  table?: Ident;
}

export interface Param extends Range, Parenthesized {
  kind: 'param';
  text: string;
}

export interface UnaryExpr extends Range, Parenthesized {
  kind: 'unary';
  op: '-' | '+' | '~' | 'NOT';
  operand: Expr;
}

export type BinaryOp =
  | '||' | '->' | '->>'
  | '*' | '/' | '%' | '+' | '-'
  | '<<' | '>>' | '&' | '|'
  | '<' | '<=' | '>' | '>='
  | '=' | '!=' // `==` is read as `=`, `<>` as `!=`
  | 'IS' | 'IS NOT' // `IS DISTINCT FROM` is read as IS NOT, `IS NOT DISTINCT FROM` as IS
  | 'AND' | 'OR';

export interface BinaryExpr extends Range, Parenthesized {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export interface LikeExpr extends Range, Parenthesized {
  kind: 'like';
  op: 'LIKE' | 'GLOB' | 'REGEXP' | 'MATCH';
  not: boolean;
  left: Expr;
  right: Expr;
  escape?: Expr;
}

export interface BetweenExpr extends Range, Parenthesized {
  kind: 'between';
  not: boolean;
  expr: Expr;
  low: Expr;
  high: Expr;
}

export interface InExpr extends Range, Parenthesized {
  kind: 'in';
  not: boolean;
  expr: Expr;
  /** Exactly one of list / query / table is set. `x IN ()` gives an empty list. */
  list?: Expr[];
  query?: SelectStmt;
  table?: Ident;
  /** `x IN main.t`: the schema of `table`. */
  tableSchema?: Ident;
  /** `x IN json_each(...)`: arguments of a table-valued function named by `table`. */
  tableArgs?: Expr[];
}

export interface ExistsExpr extends Range, Parenthesized {
  kind: 'exists';
  not: boolean;
  query: SelectStmt;
}

/** A scalar subquery `(SELECT ...)`. */
export interface SubqueryExpr extends Range, Parenthesized {
  kind: 'subquery';
  query: SelectStmt;
}

/** `x IS NULL`, `x ISNULL`, `x NOTNULL`, `x NOT NULL`, `x IS NOT NULL`. */
export interface NullTestExpr extends Range, Parenthesized {
  kind: 'nulltest';
  not: boolean;
  expr: Expr;
}

export interface CaseExpr extends Range, Parenthesized {
  kind: 'case';
  operand?: Expr;
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
}

export interface CastExpr extends Range, Parenthesized {
  kind: 'cast';
  expr: Expr;
  /** Type name as written, whitespace-normalized, upper-cased: `INTEGER`, `VARCHAR(10)`. */
  type: string;
}

export interface CollateExpr extends Range, Parenthesized {
  kind: 'collate';
  expr: Expr;
  collation: string;
}

export interface FunctionCall extends Range, Parenthesized {
  kind: 'function';
  /** Lower-cased function name. */
  name: string;
  nameRange: Range;
  distinct: boolean;
  /** `count(*)` */
  star: boolean;
  args: Expr[];
  /** `group_concat(x ORDER BY y)` (SQLite 3.44+). */
  orderBy?: OrderItem[];
  filter?: Expr;
  over?: WindowSpec;
}

export interface WindowSpec extends Range {
  /** `OVER name` or `OVER (name ...)` */
  base?: string;
  /** `OVER name` without parentheses (the spec is exactly the named window). */
  bare?: boolean;
  partitionBy?: Expr[];
  orderBy?: OrderItem[];
  /** The frame clause as written, whitespace-normalized and upper-cased, e.g. `ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`. */
  frame?: string;
}

export interface NamedWindow extends Range {
  name: Ident;
  spec: WindowSpec;
}

/** A row value `(a, b, c)` (also used for a parenthesized list of 2+ expressions). */
export interface RowExpr extends Range, Parenthesized {
  kind: 'row';
  items: Expr[];
}
