// Layout-A execution metrics of NL2SQLEvaluator 1.3.4 as Think2SQL trains with
// them (spec execution-rewards.md §3.1–§3.2): QATCH cell precision/recall, tuple
// cardinality/constraint/order, cp_cr_tc (QA), F1, EX and BIRD EX. Linear-time:
// every set/bag is a hash map keyed by canonical cell and row keys.

import { ratioToNumber } from './exact.ts';
import { round3 } from './round3.ts';
import { cellKey, rowKey, sortedRowKey, type Cell, type Row } from './values.ts';

/** One side's execution result: the rows, or an execution error (ExecutorError). */
export type QueryOutcome = { ok: true; rows: readonly Row[] } | { ok: false; error?: string };

/** The JSON contract (snake_case, as NL2SQLEvaluator names them). */
export interface ExecutionMetrics {
  cell_precision: number;
  cell_recall: number;
  tuple_cardinality: number;
  tuple_constraint: number;
  tuple_order: number;
  /** QATCH "cp_cr_tc" = reward `QATCH`. */
  qa: number;
  f1: number;
  /** Layout-A EXEvaluator = reward `EX_EX`. */
  ex: number;
  /** BirdEXEvaluator = reward `EX`. */
  bird_ex: number;
}

export const METRIC_NAMES = [
  'cell_precision',
  'cell_recall',
  'tuple_cardinality',
  'tuple_constraint',
  'tuple_order',
  'qa',
  'f1',
  'ex',
  'bird_ex',
] as const satisfies readonly (keyof ExecutionMetrics)[];

export function rowsOk(rows: readonly Row[]): QueryOutcome {
  return { ok: true, rows };
}

export function failed(error?: string): QueryOutcome {
  return { ok: false, error };
}

/** A result table with its within-row-sorted row keys and distinct cells. */
interface SortedTable {
  /** Sorted-row key of each row, in row order. */
  keys: string[];
  /** Bag of sorted rows: key → count, in first-occurrence order. */
  bag: Map<string, number>;
  /** Distinct cells (cells(X) of the spec). */
  cells: Set<string>;
}

function prepare(rows: readonly Row[]): SortedTable {
  const keys: string[] = new Array(rows.length);
  const bag = new Map<string, number>();
  const cells = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    for (const c of row) cells.add(cellKey(c));
    const k = sortedRowKey(row);
    keys[i] = k;
    bag.set(k, (bag.get(k) ?? 0) + 1);
  }
  return { keys, bag, cells };
}

/**
 * QATCH tuple order (layout A): Spearman's ρ between the first-occurrence orders
 * of the distinct rows common to both sides, rounded, then mapped to [0, 1].
 */
function tupleOrder(gold: SortedTable, pred: SortedTable): number {
  // G′: distinct gold rows present in P, first-occurrence order (the bag keeps that order).
  const position = new Map<string, number>();
  for (const k of gold.bag.keys()) if (pred.bag.has(k)) position.set(k, position.size);
  let rho = 0;
  const n0 = position.size;
  if (n0 > 0) {
    let d = 0n;
    let dn = 0;
    let i = 0;
    // P′: distinct predicted rows present in G, first-occurrence order.
    for (const k of pred.bag.keys()) {
      const p = position.get(k);
      if (p === undefined) continue;
      const diff = i - p;
      dn += diff * diff;
      // Flush before the running sum could leave the exact integer range.
      if (dn > 2 ** 52) {
        d += BigInt(dn);
        dn = 0;
      }
      i++;
    }
    d += BigInt(dn);
    const n = BigInt(Math.max(n0, 2));
    rho = 1 - ratioToNumber(6n * d, n * (n * n - 1n));
  }
  // numpy normalize([-1, r, 1]) = (r - (-1)) / (1 - (-1)).
  return (round3(rho) + 1) / 2;
}

/** QATCH metrics on two non-empty results (guards already applied). */
function qatchFormulas(gold: SortedTable, pred: SortedTable): Omit<ExecutionMetrics, 'ex' | 'bird_ex'> {
  let common = 0;
  for (const c of pred.cells) if (gold.cells.has(c)) common++;
  const cp = pred.cells.size > 0 ? round3(common / pred.cells.size) : 0;
  const cr = gold.cells.size > 0 ? round3(common / gold.cells.size) : 0;
  const g = gold.keys.length;
  const p = pred.keys.length;
  const tc = p >= g ? round3(g / p) : round3(p / g);
  let kept = 0;
  for (const [k, count] of gold.bag) if ((pred.bag.get(k) ?? 0) === count) kept++;
  const tcons = round3(kept / gold.bag.size);
  const f1 = cp + cr === 0 ? 0 : (2 * (cp * cr)) / (cp + cr);
  return {
    cell_precision: cp,
    cell_recall: cr,
    tuple_cardinality: tc,
    tuple_constraint: tcons,
    tuple_order: tupleOrder(gold, pred),
    // Left to right in binary64, from the already rounded parts.
    qa: round3((cp + cr + tc) / 3),
    f1,
  };
}

function constantQatch(v: number): Omit<ExecutionMetrics, 'ex' | 'bird_ex'> {
  return { cell_precision: v, cell_recall: v, tuple_cardinality: v, tuple_constraint: v, tuple_order: v, qa: v, f1: v };
}

function sameKeySet(a: Iterable<string>, aSize: number, b: { has(k: string): boolean; size: number }): boolean {
  if (aSize !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/** BirdEXEvaluator: set equality of the raw rows (column order matters, duplicates do not). */
export function birdExecutionAccuracy(gold: QueryOutcome, pred: QueryOutcome): number {
  if (!gold.ok) return pred.ok ? 0 : 1;
  if (!pred.ok) return 0;
  const g = new Set(gold.rows.map(rowKey));
  const p = new Set(pred.rows.map(rowKey));
  return sameKeySet(g, g.size, p) ? 1 : 0;
}

/** EXEvaluator (layout A): equal row counts and equal sets of within-row-sorted rows. */
export function executionAccuracy(gold: QueryOutcome, pred: QueryOutcome): number {
  if (!gold.ok) return pred.ok ? 0 : 1;
  if (!pred.ok) return 0;
  if (gold.rows.length !== pred.rows.length) return 0;
  if (gold.rows.length === 0) return 1;
  const g = new Set(gold.rows.map(sortedRowKey));
  const p = new Set(pred.rows.map(sortedRowKey));
  return sameKeySet(g, g.size, p) ? 1 : 0;
}

/** Every layout-A metric of one gold/prediction pair, with the guards of §3.1. */
export function computeMetrics(gold: QueryOutcome, pred: QueryOutcome): ExecutionMetrics {
  const bird_ex = birdExecutionAccuracy(gold, pred);
  let qatch: Omit<ExecutionMetrics, 'ex' | 'bird_ex'>;
  let ex: number;
  if (!gold.ok || !pred.ok) {
    qatch = constantQatch(0);
    ex = executionAccuracy(gold, pred);
  } else if (gold.rows.length === 0 || pred.rows.length === 0) {
    const both = gold.rows.length === pred.rows.length ? 1 : 0;
    qatch = constantQatch(both);
    ex = both;
  } else {
    const g = prepare(gold.rows);
    const p = prepare(pred.rows);
    qatch = qatchFormulas(g, p);
    ex = g.keys.length === p.keys.length && sameKeySet(g.bag.keys(), g.bag.size, p.bag) ? 1 : 0;
  }
  return { ...qatch, ex, bird_ex };
}

/** Convenience for callers holding plain rows (both executed). */
export function computeMetricsFromRows(gold: readonly Row[], pred: readonly Row[]): ExecutionMetrics {
  return computeMetrics(rowsOk(gold), rowsOk(pred));
}

export type { Cell, Row };
