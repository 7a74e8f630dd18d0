// Relational operators (Calcite's RelNode) and row expressions (RexNode).
//
// Column references are by field id, not by position: every value a plan
// produces has a plan-unique id, and operators that pass a value through keep
// its id. That makes the normalization rules (filter push-down, project
// merging, join reordering) simple substitutions instead of index shuffles.
// Positional `$n` references are computed only when printing Calcite's text.

import type { Range } from '../sql/ast.ts';

export type FieldId = number;

export interface Field {
  id: FieldId;
  /** Output name as written (alias or column name), for display. */
  name: string;
}

// ------------------------------------------------------------ row expressions

export type Rex = RexRef | RexLiteral | RexCall | RexSubquery;

export interface RexRef {
  k: 'ref';
  id: FieldId;
}

export interface RexLiteral {
  k: 'lit';
  type: 'number' | 'string' | 'null' | 'bool' | 'blob' | 'current';
  /** Canonical text: numbers in JS canonical form (`3.0` → `3`), strings verbatim. */
  value: string;
  /** A number written as a REAL (`1.0`, `1e3`): SQLite's arithmetic differs for it. */
  isReal?: boolean;
}

export interface RexCall {
  k: 'call';
  /** Calcite SqlKind (EQUALS, LESS_THAN, AND, CASE, CAST, ...), or `FN:<NAME>` for other functions. */
  op: string;
  operands: Rex[];
  /** CAST target type, COLLATE name, window frame, etc.; never part of matching. */
  detail?: string;
}

/** A subquery that normalization could not turn into a join. */
export interface RexSubquery {
  k: 'subquery';
  type: 'scalar' | 'in' | 'exists';
  /** For IN: the tested expressions (one per subquery column). */
  operands: Rex[];
  rel: RelNode;
}

export const COMMUTATIVE = new Set(['AND', 'OR', 'EQUALS', 'NOT_EQUALS', 'PLUS', 'TIMES', 'IS_NOT_DISTINCT_FROM', 'IS_DISTINCT_FROM']);

// ------------------------------------------------------------------ operators

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

export interface AggCall {
  /** COUNT, SUM, AVG, MIN, MAX, TOTAL, GROUP_CONCAT, SINGLE_VALUE, ANY_VALUE, ... */
  kind: string;
  distinct: boolean;
  operands: Rex[];
  filter?: Rex;
  field: Field;
}

export interface WindowCall {
  kind: string;
  distinct: boolean;
  operands: Rex[];
  partitionBy: Rex[];
  orderBy: SortKey[];
  frame?: string;
  field: Field;
}

export interface SortKey {
  expr: Rex;
  desc: boolean;
  nulls?: 'FIRST' | 'LAST';
}

interface RelBase {
  /** Output fields, in order. */
  fields: Field[];
  /** Source range of the SQL this operator came from. */
  range?: Range;
}

export interface Scan extends RelBase {
  op: 'Scan';
  /** Lower-cased table name (or `cte:<name>` for a recursive CTE's self-reference). */
  table: string;
}

export interface Project extends RelBase {
  op: 'Project';
  input: RelNode;
  /** One per output field. */
  exprs: Rex[];
}

export interface Filter extends RelBase {
  op: 'Filter';
  input: RelNode;
  condition: Rex;
}

export interface Join extends RelBase {
  op: 'Join';
  joinType: JoinType;
  left: RelNode;
  right: RelNode;
  /** null means TRUE (a cross join). */
  condition: Rex | null;
}

/** A correlated subquery that could not be decorrelated: `right` refers to fields of `left`. */
export interface Correlate extends RelBase {
  op: 'Correlate';
  joinType: 'inner' | 'left' | 'semi' | 'anti';
  left: RelNode;
  right: RelNode;
}

export interface Aggregate extends RelBase {
  op: 'Aggregate';
  input: RelNode;
  /** Group keys are references to input fields; outputs are the keys then the calls. */
  groupKeys: RexRef[];
  calls: AggCall[];
}

export interface Window extends RelBase {
  op: 'Window';
  input: RelNode;
  calls: WindowCall[];
}

export interface Sort extends RelBase {
  op: 'Sort';
  input: RelNode;
  keys: SortKey[];
}

export interface Limit extends RelBase {
  op: 'Limit';
  input: RelNode;
  fetch?: Rex;
  offset?: Rex;
}

export interface SetOp extends RelBase {
  op: 'Union' | 'Intersect' | 'Minus';
  all: boolean;
  inputs: RelNode[];
}

export interface Values extends RelBase {
  op: 'Values';
  tuples: Rex[][];
}

export type RelNode = Scan | Project | Filter | Join | Correlate | Aggregate | Window | Sort | Limit | SetOp | Values;

/** The inputs of an operator, in order. */
export function inputsOf(rel: RelNode): RelNode[] {
  switch (rel.op) {
    case 'Scan':
    case 'Values':
      return [];
    case 'Join':
    case 'Correlate':
      return [rel.left, rel.right];
    case 'Union':
    case 'Intersect':
    case 'Minus':
      return rel.inputs;
    default:
      return [rel.input];
  }
}

/** Fields visible to an operator's expressions: the concatenation of its inputs' fields. */
export function inputFields(rel: RelNode): Field[] {
  const ins = inputsOf(rel);
  return ins.length === 1 ? ins[0].fields : ins.flatMap((i) => i.fields);
}

/** Allocates plan-unique field ids. One per plan build. */
export class FieldIds {
  private next = 1;
  fresh(name: string): Field {
    return { id: this.next++, name };
  }
}
