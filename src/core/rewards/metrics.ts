// Layout-A execution metrics of NL2SQLEvaluator 1.3.4 as Think2SQL trains with
// them (spec execution-rewards.md §3.1–§3.2): QATCH cell precision/recall, tuple
// cardinality/constraint/order, cp_cr_tc (QA), F1, EX and BIRD EX. Linear-time:
// every set/bag is a hash map over interned cell ids and row keys.

import { ratioToNumber } from './exact.ts';
import { round3 } from './round3.ts';
import { CellInterner, type Cell, type Row } from './values.ts';

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

/**
 * A scored record's `execution.metrics`: the layout-A metrics above (what the
 * rewards are computed from, unchanged) plus the benchmarks' official ones.
 */
export interface RecordMetrics extends ExecutionMetrics {
  /** Spider EX as test-suite-sql-eval's eval_exec_match computes it on the record's database; null when gold fails there (the official script stops). */
  spider_ex: number | null;
  /** BIRD mini-dev Soft-F1 (evaluation_f1.py). */
  bird_soft_f1: number;
}

export { METRIC_NAMES, RECORD_METRIC_NAMES, METRIC_INFO } from './metric-names.ts';

export function rowsOk(rows: readonly Row[]): QueryOutcome {
  return { ok: true, rows };
}

export function failed(error?: string): QueryOutcome {
  return { ok: false, error };
}

/** A result table reduced to hashable keys (ids from one CellInterner shared by both sides). */
interface KeyedTable {
  /** Sorted-row key of each row, in row order. */
  keys: string[];
  /** Bag of sorted rows: key → count, in first-occurrence order. */
  bag: Map<string, number>;
  /** Distinct cells (cells(X) of the spec), as ids. */
  cells: Set<number>;
  /** Distinct raw rows (column order kept), for BIRD EX. */
  rawRows: Set<string>;
}

function keyTable(rows: readonly Row[], interner: CellInterner): KeyedTable {
  const keys: string[] = new Array(rows.length);
  const bag = new Map<string, number>();
  const cells = new Set<number>();
  const rawRows = new Set<string>();
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    ids.length = row.length;
    let raw = '';
    for (let j = 0; j < row.length; j++) {
      const id = interner.id(row[j]);
      ids[j] = id;
      cells.add(id);
      raw += j === 0 ? String(id) : ',' + id;
    }
    rawRows.add(raw);
    let k = raw;
    if (row.length > 1) {
      interner.sortIds(ids);
      k = ids.join(',');
    }
    keys[i] = k;
    bag.set(k, (bag.get(k) ?? 0) + 1);
  }
  return { keys, bag, cells, rawRows };
}

/**
 * QATCH tuple order (layout A): Spearman's ρ between the first-occurrence orders
 * of the distinct rows common to both sides, rounded, then mapped to [0, 1].
 */
function tupleOrder(gold: KeyedTable, pred: KeyedTable): number {
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
function qatchFormulas(gold: KeyedTable, pred: KeyedTable): Omit<ExecutionMetrics, 'ex' | 'bird_ex'> {
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

function sameKeys(a: ReadonlyMap<string, unknown> | ReadonlySet<string>, b: ReadonlyMap<string, unknown> | ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

/** Both sides keyed with one interner (ids are only comparable within it). */
function keyBoth(gold: readonly Row[], pred: readonly Row[]): [KeyedTable, KeyedTable] {
  const interner = new CellInterner();
  return [keyTable(gold, interner), keyTable(pred, interner)];
}

/** BirdEXEvaluator: set equality of the raw rows (column order matters, duplicates do not). */
export function birdExecutionAccuracy(gold: QueryOutcome, pred: QueryOutcome): number {
  if (!gold.ok) return pred.ok ? 0 : 1;
  if (!pred.ok) return 0;
  const [g, p] = keyBoth(gold.rows, pred.rows);
  return sameKeys(g.rawRows, p.rawRows) ? 1 : 0;
}

/** EXEvaluator (layout A): equal row counts and equal sets of within-row-sorted rows. */
export function executionAccuracy(gold: QueryOutcome, pred: QueryOutcome): number {
  if (!gold.ok) return pred.ok ? 0 : 1;
  if (!pred.ok) return 0;
  if (gold.rows.length !== pred.rows.length) return 0;
  if (gold.rows.length === 0) return 1;
  // Row for row identical (a right prediction, usually): the sets are equal.
  if (identicalRows(gold.rows, pred.rows)) return 1;
  // Only the sets of sorted-row keys matter here (test-suite EX runs this per variant): key the
  // gold rows, then stop at the first predicted row gold does not have.
  const interner = new CellInterner();
  const goldKeys = new Set<string>();
  const ids: number[] = [];
  for (const row of gold.rows) goldKeys.add(sortedRowKey(row, interner, ids));
  const predKeys = new Set<string>();
  for (const row of pred.rows) {
    const k = sortedRowKey(row, interner, ids);
    if (!goldKeys.has(k)) return 0;
    predKeys.add(k);
  }
  return predKeys.size === goldKeys.size ? 1 : 0;
}

function identicalRows(a: readonly Row[], b: readonly Row[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

function sortedRowKey(row: Row, interner: CellInterner, ids: number[]): string {
  ids.length = row.length;
  for (let j = 0; j < row.length; j++) ids[j] = interner.id(row[j]);
  if (row.length > 1) interner.sortIds(ids);
  return row.length === 1 ? String(ids[0]) : ids.join(',');
}

/** Every layout-A metric of one gold/prediction pair, with the guards of §3.1. */
export function computeMetrics(gold: QueryOutcome, pred: QueryOutcome): ExecutionMetrics {
  if (!gold.ok || !pred.ok) {
    // Error rules: QATCH 0; EX and BIRD EX 1 only when both sides failed.
    const both = !gold.ok && !pred.ok ? 1 : 0;
    return { ...constantQatch(0), ex: both, bird_ex: both };
  }
  const [g, p] = keyBoth(gold.rows, pred.rows);
  const bird_ex = sameKeys(g.rawRows, p.rawRows) ? 1 : 0;
  if (g.keys.length === 0 || p.keys.length === 0) {
    const both = g.keys.length === p.keys.length ? 1 : 0;
    return { ...constantQatch(both), ex: both, bird_ex };
  }
  const ex = g.keys.length === p.keys.length && sameKeys(g.bag, p.bag) ? 1 : 0;
  return { ...qatchFormulas(g, p), ex, bird_ex };
}

/** Convenience for callers holding plain rows (both executed). */
export function computeMetricsFromRows(gold: readonly Row[], pred: readonly Row[]): ExecutionMetrics {
  return computeMetrics(rowsOk(gold), rowsOk(pred));
}

export type { Cell, Row };
