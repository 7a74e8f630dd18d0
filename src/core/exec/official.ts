// The official Spider execution match (taoyds/test-suite-sql-eval exec_eval.py
// `eval_exec_match` and `result_eq`), reproduced for `spider_ex` (one database)
// and `test_suite.correct` (the record's database plus its test-suite variants).
// Per-record figures of the official code are the fixtures in
// test/fixtures/official/ (scripts/official-metrics/).
//
//   texts    postprocess ('> =' → '>=', '< =', '! ='), DISTINCT removal on both
//            (keep_distinct=False, src/core/sql/distinct.ts), YEAR(CURDATE()) → 2020;
//            the prediction's "value" → "1" (evaluation.py does it while reading).
//   order    rows compared in order iff the (processed) gold text contains `order by`
//            (lower-cased, one space: `ORDER  BY` does not count).
//   results  gold must execute (the official code asserts it; here: an error verdict);
//            a failed prediction is wrong; both empty → right; otherwise equal bags of
//            rows up to one column permutation (result_eq).
//   plug     with plugValue (official --plug_value): after the prediction itself, every
//            way of plugging gold's values into the prediction's value slots
//            (src/core/sql/plug-value.ts) is a candidate; 1 iff one of them passes
//            (official-run.ts plugValueVerdict).

import type { Cell } from './protocol.ts';
import { removeDistinctOfficial } from '../sql/distinct.ts';
import { allPredsForExecution, PlugValueSideError } from '../sql/plug-value.ts';
import { compareCodePoints } from '../rewards/values.ts';
import { tokenize } from '../sql/tokens.ts';

export interface OfficialFlags {
  /** Keep DISTINCT (official --keep_distinct); default false: removed from both queries. */
  keepDistinct?: boolean;
  /** Also try gold's values in the prediction's value slots (official --plug_value); default false. */
  plugValue?: boolean;
}

/**
 * Past this many plug_value candidates a record whose own prediction fails gets no
 * verdict (`plug_value_too_many_candidates`) instead of running them all. On the 15
 * Spider dev systems (14,580 records) the counts are 0 (128 records), 1 (12,236),
 * 2-10 (2,101), 11-100 (101), 101-1,000 (10), 1,001-10,000 (3: at most 4,096) and
 * one 1,048,576 (4 ** 10): docs/decisions.md.
 */
export const PLUG_VALUE_MAX_CANDIDATES = 10_000;

/** plug_value's candidates for one record, or why there are none to run. */
export type PlugValueTexts =
  | {
      ok: true;
      /** len(gold values) ** slots, as the official code counts them (the prediction itself not included). */
      count: bigint;
      /** The candidates as executed (YEAR(CURDATE()) → 2020), without repeats and without the prediction's own text; made on demand. */
      candidates(): Generator<string>;
    }
  /** The official code raises while reading one side's values (sqlparse finds no statement): gold → no verdict, pred → wrong. */
  | { ok: false; side: 'gold' | 'pred'; message: string };

export interface OfficialTexts {
  gold: string;
  pred: string;
  /** Gold text contains `order by`: rows compare in order. */
  orderMatters: boolean;
  /** sqlparse finds no statement in the prediction (the official code raises): wrong. */
  predUnparsable: boolean;
  /** Likewise for gold (the official run would stop): an error verdict. */
  goldUnparsable: boolean;
  /**
   * The two texts are one statement to SQLite: the same tokens, bare words up to ASCII
   * case (keywords and names, which SQLite folds so), everything else exactly. They give
   * the same rows on every database, so the prediction need not run again.
   */
  sameStatement: boolean;
  /** With OfficialFlags.plugValue: the candidates tried after the prediction itself. */
  plug?: PlugValueTexts;
}

/**
 * The texts eval_exec_match works on before executing: postprocess, then (keep_distinct
 * off) remove_distinct on both; "value" → "1" in the prediction as evaluation.py reads it.
 */
export function officialInputs(gold: string, pred: string, flags: OfficialFlags = {}): { gold: string; pred: string; predUnparsable: boolean; goldUnparsable: boolean } {
  let p = postprocess(pred.replaceAll('value', '1'));
  let g = postprocess(gold);
  let predUnparsable = false;
  let goldUnparsable = false;
  if (!flags.keepDistinct) {
    const rp = removeDistinctOfficial(p);
    const rg = removeDistinctOfficial(g);
    p = rp.sql;
    g = rg.sql;
    predUnparsable = rp.noStatement;
    goldUnparsable = rg.noStatement;
  }
  return { gold: g, pred: p, predUnparsable, goldUnparsable };
}

/** The two texts the official evaluator executes, from the record's gold and prediction. */
export function officialTexts(gold: string, pred: string, flags: OfficialFlags = {}): OfficialTexts {
  const { gold: g, pred: p, predUnparsable, goldUnparsable } = officialInputs(gold, pred, flags);
  const orderMatters = g.toLowerCase().includes('order by');
  const gold2 = replaceCurYear(g);
  const pred2 = replaceCurYear(p);
  const sameStatement = !predUnparsable && !goldUnparsable && (gold2 === pred2 || sameTokens(gold2, pred2));
  const texts: OfficialTexts = { gold: gold2, pred: pred2, orderMatters, predUnparsable, goldUnparsable, sameStatement };
  if (flags.plugValue && !predUnparsable && !goldUnparsable) texts.plug = plugValueTexts(g, p, pred2);
  return texts;
}

function plugValueTexts(gold: string, pred: string, ownText: string): PlugValueTexts {
  let found;
  try {
    found = allPredsForExecution(gold, pred);
  } catch (err) {
    if (err instanceof PlugValueSideError) return { ok: false, side: err.side, message: err.message };
    throw err;
  }
  return {
    ok: true,
    count: found.count,
    *candidates() {
      const seen = new Set<string>([ownText]);
      for (const c of found.candidates()) {
        const sql = replaceCurYear(c);
        if (seen.has(sql)) continue;
        seen.add(sql);
        yield sql;
      }
    },
  };
}

/** The texts of one plug_value candidate: gold as before, the candidate as the prediction. */
export function candidateTexts(texts: OfficialTexts, sql: string): OfficialTexts {
  return { gold: texts.gold, pred: sql, orderMatters: texts.orderMatters, predUnparsable: false, goldUnparsable: texts.goldUnparsable, sameStatement: sql === texts.gold || sameTokens(texts.gold, sql) };
}

/**
 * Statements that may answer differently each time they run: neither run once for
 * both sides (a compare job) nor given a remembered verdict (VerdictCache).
 */
export const VOLATILE = /random|changes|last_insert_rowid|'now'|current_(date|time)/i;

/** Past this the shortcut is not tried: its saving is one execution, its cost two token lists. */
const SAME_TOKENS_MAX_CHARS = 16 * 1024;

/** See OfficialTexts.sameStatement. Text that does not tokenize is never the same. */
export function sameTokens(a: string, b: string): boolean {
  if (a.length > SAME_TOKENS_MAX_CHARS || b.length > SAME_TOKENS_MAX_CHARS) return false;
  const ka = statementKey(a);
  return ka !== null && ka === statementKey(b);
}

function statementKey(sql: string): string | null {
  let tokens;
  try {
    tokens = tokenize(sql);
  } catch {
    return null;
  }
  let key = '';
  for (const t of tokens) {
    const text = sql.slice(t.start, t.end);
    // SQLite folds only ASCII letters in names and keywords (sqlite3StrICmp); `Ä` and `ä` are two names.
    key += (t.type === 'word' ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text) + '\u0001';
  }
  return key;
}

function postprocess(q: string): string {
  return q.replaceAll('> =', '>=').replaceAll('< =', '<=').replaceAll('! =', '!=');
}

// exec_eval.replace_cur_year: Python's \s is Unicode whitespace, as JS's.
const CUR_YEAR = /YEAR\s*\(\s*CURDATE\s*\(\s*\)\s*\)\s*/gi;
function replaceCurYear(q: string): string {
  return q.replace(CUR_YEAR, '2020');
}

/** One database's outcome: rows, or the query failed. */
export type OfficialOutcome = { ok: true; rows: readonly (readonly Cell[])[] } | { ok: false };

/**
 * eval_exec_match's loop over the databases: 1 iff the prediction executes and
 * result_eq holds on every one; 'gold_error' when gold fails on one of them
 * (the official script stops there with an AssertionError).
 */
export function officialVerdict(texts: OfficialTexts, perDb: readonly { gold: OfficialOutcome; pred: OfficialOutcome }[]): 0 | 1 | 'gold_error' {
  if (texts.goldUnparsable) return 'gold_error';
  if (texts.predUnparsable) return 0;
  // In order, as the official loop: gold is run (and asserted) first on each database, and
  // the loop stops at the first database where the prediction fails.
  for (const { gold, pred } of perDb) {
    if (!gold.ok) return 'gold_error';
    if (!pred.ok || !resultEq(gold.rows, pred.rows, texts.orderMatters)) return 0;
  }
  return 1;
}

// ---- result_eq

/**
 * Whether unorder_row's order of some row could depend on an integral number
 * being an int or a float ("2<class 'int'>" vs "2.0<class 'float'>"): another
 * cell's printed form starts with the number's (or is a prefix of its float
 * form). Conservative; such results are re-run with exact types.
 */
export function typeAmbiguous(rows: readonly (readonly Cell[])[]): boolean {
  for (const row of rows) {
    if (row.length < 2) continue;
    for (let i = 0; i < row.length; i++) {
      const a = row[i];
      if (typeof a !== 'number' || !Number.isInteger(a)) continue;
      if (Math.abs(a) >= 1e16) return true;
      const sa = String(a);
      const fa = sa + '.0';
      for (let j = 0; j < row.length; j++) {
        if (j === i) continue;
        const b = row[j];
        if (typeof b === 'number' && b === a) continue;
        const sb = printed(b);
        if (sb.startsWith(sa) || fa.startsWith(sb)) return true;
      }
    }
  }
  return false;
}

function printed(c: Cell): string {
  if (c === null) return 'None';
  if (typeof c === 'bigint') return c.toString();
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : pyFloatRepr(c);
  if (typeof c === 'string') return c;
  return pyBytesRepr(c);
}

/**
 * Python equality of a cell as a string key: numbers by value (1 == 1.0; an int
 * past 2^53 compares exactly), text, bytes and None apart.
 */
export function eqKey(c: Cell): string {
  if (c === null) return 'z';
  if (typeof c === 'number') {
    if (Number.isInteger(c) && !Number.isSafeInteger(c)) return 'n' + BigInt(c).toString();
    return 'n' + (Object.is(c, -0) ? '0' : String(c));
  }
  if (typeof c === 'bigint') return 'n' + c.toString();
  if (typeof c === 'string') return 's' + c;
  return 'b' + Buffer.from(c).toString('hex');
}

/**
 * `str(x) + str(type(x))`, the key unorder_row sorts a row's cells by. SQLite's
 * INTEGER and REAL both arrive as JS numbers: an integral number is taken as int
 * (a REAL 2.0 would print "2.0" in Python; see docs/rewards.md).
 */
function pySortKey(c: Cell, exact: boolean): string {
  if (c === null) return "None<class 'NoneType'>";
  if (typeof c === 'bigint') return c.toString() + "<class 'int'>";
  if (typeof c === 'number') {
    if (!exact && Number.isInteger(c)) return (Number.isSafeInteger(c) ? String(c) : BigInt(c).toString()) + "<class 'int'>";
    return pyFloatRepr(c) + "<class 'float'>";
  }
  if (typeof c === 'string') return c + "<class 'str'>";
  return pyBytesRepr(c) + "<class 'bytes'>";
}

/** Python's repr(float): shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [mant, expS] = x.toExponential().split('e');
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let s: string;
  if (exp >= -5 + 1 && exp < 16) {
    if (exp >= 0) {
      const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      s = int + '.' + (frac || '0');
    } else {
      s = '0.' + '0'.repeat(-exp - 1) + digits;
    }
  } else {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    s = m + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  }
  return (neg ? '-' : '') + s;
}

function pyBytesRepr(b: Uint8Array): string {
  let s = '';
  for (const v of b) {
    if (v === 0x5c) s += '\\\\';
    else if (v === 0x27) s += "\\'";
    else if (v === 0x09) s += '\\t';
    else if (v === 0x0a) s += '\\n';
    else if (v === 0x0d) s += '\\r';
    else if (v >= 0x20 && v < 0x7f) s += String.fromCharCode(v);
    else s += '\\x' + v.toString(16).padStart(2, '0');
  }
  return "b'" + s + "'";
}

function rowKey(keys: readonly string[]): string {
  let s = '';
  for (const k of keys) s += k.length + ':' + k;
  return s;
}

/** unorder_row: the row's cells sorted (stably) by str(x)+str(type(x)), as an equality key. */
function unorderedRowKey(row: readonly Cell[], exact: boolean): string {
  const cells = row.map((c) => ({ sort: pySortKey(c, exact), eq: eqKey(c) }));
  cells.sort((a, b) => compareCodePoints(a.sort, b.sort));
  return rowKey(cells.map((c) => c.eq));
}

function quickRej(r1: readonly (readonly Cell[])[], r2: readonly (readonly Cell[])[], orderMatters: boolean, exact: boolean): boolean {
  const s1 = r1.map((r) => unorderedRowKey(r, exact));
  const s2 = r2.map((r) => unorderedRowKey(r, exact));
  if (orderMatters) return s1.every((k, i) => k === s2[i]);
  const a = new Set(s1);
  const b = new Set(s2);
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/**
 * result_eq(result1 = gold, result2 = prediction, order_matters). With
 * `exactTypes`, cells carry Python's types: bigint = int, number = float (a
 * REAL 2.0 sorts as "2.0"); otherwise an integral number is taken as int. Column
 * permutations are searched under the same soundness pruning as
 * get_constraint_permutation (a prediction column whose value is missing from a
 * gold column cannot map onto it), over every row instead of 20 random ones:
 * only impossible permutations are pruned either way, so the answer is the same.
 */
export function resultEq(result1: readonly (readonly Cell[])[], result2: readonly (readonly Cell[])[], orderMatters: boolean, exactTypes = false): boolean {
  if (result1.length === 0 && result2.length === 0) return true;
  if (result1.length !== result2.length) return false;
  const numCols = result1[0].length;
  if (result2[0].length !== numCols) return false;
  // The common case of a right answer: the same rows in the same order. The search below
  // would accept it too (the identity permutation), after building keys for every cell.
  if (sameCells(result1, result2)) return true;
  if (!quickRej(result1, result2, orderMatters, exactTypes)) return false;

  const k1 = result1.map((r) => r.map(eqKey));
  const k2 = result2.map((r) => r.map(eqKey));
  const colSets = Array.from({ length: numCols }, (_, i) => new Set(k1.map((r) => r[i])));
  const allowed: number[][] = [];
  for (let c1 = 0; c1 < numCols; c1++) {
    const ok: number[] = [];
    for (let c2 = 0; c2 < numCols; c2++) if (k2.every((r) => colSets[c1].has(r[c2]))) ok.push(c2);
    if (ok.length === 0) return false;
    allowed.push(ok);
  }
  const gold = orderMatters ? k1.map(rowKey) : null;
  const goldBag = orderMatters ? null : bag(k1.map(rowKey));
  const perm: number[] = new Array(numCols);
  const used = new Array<boolean>(numCols).fill(false);
  const check = (): boolean => {
    const rows = k2.map((r) => rowKey(perm.map((j) => r[j])));
    if (gold) return rows.every((k, i) => k === gold[i]);
    return sameBag(goldBag!, rows);
  };
  const search = (c1: number): boolean => {
    if (c1 === numCols) return check();
    for (const c2 of allowed[c1]) {
      if (used[c2]) continue;
      used[c2] = true;
      perm[c1] = c2;
      const found = search(c1 + 1);
      used[c2] = false;
      if (found) return true;
    }
    return false;
  };
  return search(0);
}

/** Cell for cell the same values of the same JS types (bytes: never, they take the long way). */
function sameCells(r1: readonly (readonly Cell[])[], r2: readonly (readonly Cell[])[]): boolean {
  for (let i = 0; i < r1.length; i++) {
    const a = r1[i];
    const b = r2[i];
    if (a.length !== b.length) return false;
    for (let j = 0; j < a.length; j++) {
      const x = a[j];
      if (x !== b[j] || (typeof x === 'object' && x !== null)) return false;
    }
  }
  return true;
}

function bag(keys: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function sameBag(goldBag: ReadonlyMap<string, number>, rows: readonly string[]): boolean {
  const m = new Map(goldBag);
  for (const k of rows) {
    const n = m.get(k);
    if (!n) return false;
    m.set(k, n - 1);
  }
  return true;
}
