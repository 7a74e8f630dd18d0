// Test-suite execution accuracy (Zhong et al. 2020): a prediction is correct
// only if it agrees with gold on every variant database of its schema
// (spider_dev_test_suite/<db_id>/*.sqlite). Agreement per variant is EX in
// layout A (spec execution-rewards.md §3.2), not the original suite's
// column-permutation/bag comparison.
//
// NOTE for the lead: `sameResultLayoutA` and the cell keys below duplicate what
// src/core/rewards/metrics.ts / values.ts compute (EX of layout A); they live here
// so this module did not block on that one. Dedupe when both are settled.

import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResultCache } from './cache.ts';
import type { ExecPool } from './pool.ts';
import type { Cell, ExecError, ExecResult } from './protocol.ts';

export interface VariantOutcome {
  db: string;
  /** EX (layout A) on this variant: 1 = agrees with gold. */
  ex: 0 | 1;
  goldError: ExecError | null;
  predError: ExecError | null;
}

export interface TestSuiteVerdict {
  correct: boolean;
  variants: VariantOutcome[];
}

export interface TestSuiteOptions {
  /** Gold results are looked up here first (and stored). */
  cache?: ResultCache;
  /** Per-query timeout override. */
  timeoutMs?: number;
}

/** The variant databases of one schema folder, sorted by file name. */
export function variantDatabases(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sqlite'))
    .sort()
    .map((f) => resolve(join(dir, f)));
}

export async function testSuiteExecutionAccuracy(
  pool: ExecPool,
  gold: string,
  pred: string,
  variants: readonly string[],
  options: TestSuiteOptions = {},
): Promise<TestSuiteVerdict> {
  if (variants.length === 0) throw new RangeError('test-suite accuracy needs at least one variant database');
  const t = options.timeoutMs;
  const goldQueries = variants.map((db) => ({ db, sql: gold, ...(t ? { timeoutMs: t } : {}) }));
  const predQueries = variants.map((db) => ({ db, sql: pred, ...(t ? { timeoutMs: t } : {}) }));
  // Both sides are submitted together so the workers share all of it.
  const [golds, preds] = await Promise.all([
    options.cache ? options.cache.runMany(pool, goldQueries) : pool.runMany(goldQueries),
    pool.runMany(predQueries),
  ]);
  const outcomes = variants.map((db, i) => ({
    db,
    ex: exLayoutA(golds[i], preds[i]),
    goldError: golds[i].error,
    predError: preds[i].error,
  }));
  return { correct: outcomes.every((o) => o.ex === 1), variants: outcomes };
}

/** EX of layout A with its error rules: gold failed → 1 iff the prediction failed too; prediction failed → 0. */
export function exLayoutA(gold: ExecResult, pred: ExecResult): 0 | 1 {
  if (gold.error) return pred.error ? 1 : 0;
  if (pred.error) return 0;
  return sameResultLayoutA(gold.rows, pred.rows) ? 1 : 0;
}

/**
 * Layout-A EX on two successful results: equal row counts and equal SETS of
 * within-row-sorted rows (multiplicities beyond the row count are not checked,
 * spec V07; both empty → equal).
 */
export function sameResultLayoutA(goldRows: readonly (readonly Cell[])[], predRows: readonly (readonly Cell[])[]): boolean {
  if (goldRows.length !== predRows.length) return false;
  const g = new Set(goldRows.map(rowKey));
  const p = new Set(predRows.map(rowKey));
  if (g.size !== p.size) return false;
  for (const k of g) if (!p.has(k)) return false;
  return true;
}

// ---- Python value semantics (spec §2) -------------------------------------------

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Equal keys ⇔ Python `==`: int and float meet exactly, text ≠ number, blob ≠ text, NULL == NULL. */
function cellKey(c: Cell): string {
  if (c === null) return 'N';
  if (typeof c === 'number') {
    if (Number.isSafeInteger(c)) return 'n' + String(c); // also maps -0 to "0"
    // Integral doubles beyond 2^53 print their exact digits, so 1e20 meets the INTEGER 10**20.
    return 'n' + (Number.isInteger(c) ? BigInt(c).toString() : String(c));
  }
  if (typeof c === 'bigint') return 'n' + c.toString();
  if (typeof c === 'string') return 's' + c;
  let hex = 'b';
  for (let i = 0; i < c.length; i++) hex += HEX[c[i]];
  return hex;
}

interface Sortable {
  rank: number;
  num: number;
  str: string;
  key: string;
}

/** NL2SQLEvaluator's sort_key: NULL → (0, ''), number → (1, float(v)), else (2, str(v)). */
function sortable(c: Cell): Sortable {
  const key = cellKey(c);
  if (c === null) return { rank: 0, num: 0, str: '', key };
  if (typeof c === 'number' || typeof c === 'bigint') return { rank: 1, num: Number(c), str: '', key };
  if (typeof c === 'string') return { rank: 2, num: 0, str: c, key };
  return { rank: 2, num: 0, str: pyBytesRepr(c), key };
}

function compareSortable(a: Sortable, b: Sortable): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === 1) return a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
  return a.rank === 2 ? compareCodePoints(a.str, b.str) : 0;
}

/** A row's key after the within-row canonical (stable) sort. */
function rowKey(row: readonly Cell[]): string {
  const items = row.map(sortable);
  items.sort(compareSortable); // Array.prototype.sort is stable, like Python's sorted()
  return JSON.stringify(items.map((x) => x.key));
}

/** Python's string order is by code point; JS `<` compares UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) sort above U+E000–U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Python `str(bytes)`, e.g. b'ab\x00', which is what the within-row sort compares for BLOBs. */
function pyBytesRepr(bytes: Uint8Array): string {
  let single = false;
  let double = false;
  for (const b of bytes) {
    if (b === 0x27) single = true;
    else if (b === 0x22) double = true;
  }
  const q = single && !double ? '"' : "'";
  let out = 'b' + q;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === q || b === 0x5c) out += '\\' + ch;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + HEX[b];
    else out += ch;
  }
  return out + q;
}
