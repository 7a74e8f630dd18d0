// Random result tables (seeded): computeMetrics agrees with a naive quadratic
// transcription of the Python evaluators, and the invariants of §2–§3 hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics, type ExecutionMetrics, type QueryOutcome } from '../../src/core/rewards/metrics.ts';
import { round3 } from '../../src/core/rewards/round3.ts';
import { pyBytesRepr, sortRow, type Cell } from '../../src/core/rewards/values.ts';

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const blob = (...bytes: number[]) => new Uint8Array(bytes);
// Cells whose sort keys tie only when they are Python-equal: within-row order is then canonical.
const TIE_FREE: Cell[] = [null, 0, 1, 2, 2.0, -0, 1.5, 0.1, 2n ** 60n, 'a', 'b', 'A', '1', '\u{1F600}', '\uE000', blob(0x61), blob(0x27), blob()];
// Adds unequal cells with equal sort keys: text "b'a'" vs blob b'a', 2^53+1 vs 2^53.
const FULL: Cell[] = [...TIE_FREE, "b'a'", 2n ** 53n + 1n, 2 ** 53];

function randomTable(rand: () => number, pool: Cell[], width: number): Cell[][] {
  const n = Math.floor(rand() * 7);
  return Array.from({ length: n }, () => Array.from({ length: width }, () => pool[Math.floor(rand() * pool.length)]));
}

function shuffle<T>(rand: () => number, xs: readonly T[]): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ---- Naive reference, written from the Python code (no hashing, no keys) ----

function pyEq(a: Cell, b: Cell): boolean {
  if (a === null || b === null) return a === b;
  const numA = typeof a === 'number' || typeof a === 'bigint';
  const numB = typeof b === 'number' || typeof b === 'bigint';
  if (numA && numB) {
    if (typeof a === 'number' && typeof b === 'number') return a === b;
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    const [n, big] = typeof a === 'number' ? [a, b as bigint] : [b as number, a as bigint];
    return Number.isInteger(n) && BigInt(n) === big;
  }
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}

const rowEq = (a: readonly Cell[], b: readonly Cell[]) => a.length === b.length && a.every((c, i) => pyEq(c, b[i]));

function codePointCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function pySortKeyLess(a: Cell, b: Cell): boolean {
  const key = (c: Cell): [number, number | string] =>
    c === null ? [0, ''] : typeof c === 'number' || typeof c === 'bigint' ? [1, Number(c)] : [2, typeof c === 'string' ? c : pyBytesRepr(c)];
  const [ra, va] = key(a);
  const [rb, vb] = key(b);
  if (ra !== rb) return ra < rb;
  if (ra === 1) return (va as number) < (vb as number);
  if (ra === 2) return codePointCompare(va as string, vb as string) < 0;
  return false;
}

/** Stable insertion sort by the Python sort key. */
function pySorted(row: readonly Cell[]): Cell[] {
  const out: Cell[] = [];
  for (const c of row) {
    let i = out.length;
    while (i > 0 && pySortKeyLess(c, out[i - 1])) i--;
    out.splice(i, 0, c);
  }
  return out;
}

function distinct<T>(xs: readonly T[], eq: (a: T, b: T) => boolean): T[] {
  const out: T[] = [];
  for (const x of xs) if (!out.some((y) => eq(x, y))) out.push(x);
  return out;
}

function naiveMetrics(gold: QueryOutcome, pred: QueryOutcome): ExecutionMetrics {
  const both = (v: number) => ({ cell_precision: v, cell_recall: v, tuple_cardinality: v, tuple_constraint: v, tuple_order: v, qa: v, f1: v });
  const errEx = !gold.ok ? (pred.ok ? 0 : 1) : 0;
  if (!gold.ok || !pred.ok) return { ...both(0), ex: errEx, bird_ex: errEx };
  const G = gold.rows.map(pySorted);
  const P = pred.rows.map(pySorted);
  const setEq = (a: (readonly Cell[])[], b: (readonly Cell[])[]) =>
    a.every((r) => b.some((s) => rowEq(r, s))) && b.every((r) => a.some((s) => rowEq(r, s)));
  const bird_ex = setEq(gold.rows as Cell[][], pred.rows as Cell[][]) ? 1 : 0;
  if (G.length === 0 && P.length === 0) return { ...both(1), ex: 1, bird_ex };
  const ex = G.length === P.length && setEq(G, P) ? 1 : 0;
  if (G.length === 0 || P.length === 0) return { ...both(0), ex, bird_ex };
  const cellsG = distinct(G.flat(), pyEq);
  const cellsP = distinct(P.flat(), pyEq);
  const inter = cellsG.filter((c) => cellsP.some((d) => pyEq(c, d))).length;
  const cp = cellsP.length > 0 ? round3(inter / cellsP.length) : 0;
  const cr = cellsG.length > 0 ? round3(inter / cellsG.length) : 0;
  const tc = P.length >= G.length ? round3(G.length / P.length) : round3(P.length / G.length);
  const count = (X: Cell[][], r: Cell[]) => X.filter((s) => rowEq(r, s)).length;
  const distinctG = distinct(G, rowEq);
  const tcons = round3(distinctG.filter((g) => count(P, g) === count(G, g)).length / distinctG.length);
  const newPred = distinct(P.filter((r) => G.some((g) => rowEq(r, g))), rowEq);
  const newTarget = distinct(G.filter((r) => P.some((p) => rowEq(r, p))), rowEq);
  let rho = 0;
  if (newTarget.length > 0) {
    let d = 0;
    newPred.forEach((r, i) => {
      const rank = newTarget.findIndex((t) => rowEq(t, r));
      d += (i - rank) ** 2;
    });
    const n = newTarget.length > 1 ? newTarget.length : 2;
    rho = 1 - (6 * d) / (n * (n ** 2 - 1));
  }
  return {
    cell_precision: cp,
    cell_recall: cr,
    tuple_cardinality: tc,
    tuple_constraint: tcons,
    tuple_order: (round3(rho) + 1) / 2,
    qa: round3((cp + cr + tc) / 3),
    f1: cp + cr === 0 ? 0 : (2 * (cp * cr)) / (cp + cr),
    ex,
    bird_ex,
  };
}

// ---- Tests ----

function randomOutcome(rand: () => number, pool: Cell[], width: number): QueryOutcome {
  return rand() < 0.08 ? { ok: false } : { ok: true, rows: randomTable(rand, pool, width) };
}

test('computeMetrics equals the naive Python transcription on 4,000 random pairs', () => {
  const rand = mulberry32(20260126);
  for (let i = 0; i < 4000; i++) {
    const width = 1 + Math.floor(rand() * 3);
    const small = FULL.slice(0, 4 + Math.floor(rand() * (FULL.length - 4)));
    const gold = randomOutcome(rand, small, width);
    // Half the time the prediction is a perturbed copy of the gold, so matches are common.
    const pred: QueryOutcome =
      gold.ok && rand() < 0.5
        ? { ok: true, rows: shuffle(rand, gold.rows).slice(0, gold.rows.length + 1 - Math.floor(rand() * 3)).map((r) => shuffle(rand, r)) }
        : randomOutcome(rand, small, rand() < 0.8 ? width : width + 1);
    assert.deepEqual(computeMetrics(gold, pred), naiveMetrics(gold, pred), JSON.stringify({ i, gold, pred }, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
});

test('invariants: ranges, EX ⇒ QA, symmetry, row and column permutations', () => {
  const rand = mulberry32(7);
  for (let i = 0; i < 3000; i++) {
    const width = 1 + Math.floor(rand() * 3);
    const gRows = randomTable(rand, TIE_FREE, width);
    const pRows = rand() < 0.5 ? shuffle(rand, gRows).map((r) => shuffle(rand, r)) : randomTable(rand, TIE_FREE, width);
    const gold: QueryOutcome = { ok: true, rows: gRows };
    const pred: QueryOutcome = { ok: true, rows: pRows };
    const m = computeMetrics(gold, pred);
    for (const [k, v] of Object.entries(m)) assert.ok(v >= 0 && v <= 1, `${k} = ${v}`);
    if (m.ex === 1) assert.deepEqual([m.cell_precision, m.cell_recall, m.tuple_cardinality, m.qa], [1, 1, 1, 1]);
    if (m.bird_ex === 1 && gRows.length > 0) assert.deepEqual([m.cell_precision, m.cell_recall], [1, 1]);

    // Swapping sides swaps precision and recall; cardinality, order, QA, F1, EX, BIRD EX are symmetric.
    const s = computeMetrics(pred, gold);
    assert.deepEqual(
      [s.cell_precision, s.cell_recall, s.tuple_cardinality, s.tuple_order, s.qa, s.f1, s.ex, s.bird_ex],
      [m.cell_recall, m.cell_precision, m.tuple_cardinality, m.tuple_order, m.qa, m.f1, m.ex, m.bird_ex],
    );

    // Permuting rows changes nothing but tuple order.
    const rowPerm = computeMetrics({ ok: true, rows: shuffle(rand, gRows) }, { ok: true, rows: shuffle(rand, pRows) });
    assert.deepEqual({ ...rowPerm, tuple_order: 0 }, { ...m, tuple_order: 0 });

    // Permuting cells within each row independently changes nothing but BIRD EX.
    const colPerm = computeMetrics({ ok: true, rows: gRows.map((r) => shuffle(rand, r)) }, { ok: true, rows: pRows.map((r) => shuffle(rand, r)) });
    assert.deepEqual({ ...colPerm, bird_ex: 0 }, { ...m, bird_ex: 0 });

    // A non-empty result scores 1 on everything against itself.
    if (gRows.length > 0) assert.ok(Object.values(computeMetrics(gold, gold)).every((v) => v === 1));
  }
});

test('within-row sort: numbers by value, then text by code point; NULL first; stable', () => {
  const row: Cell[] = ['\uE000', 'b', '\u{1F600}', 2, null, blob(0x61), 1.5, -0, 'a'];
  // Python str(b"a") is "b'a'", which sorts right after 'b'; U+E000 precedes astral characters.
  assert.deepEqual(sortRow(row), [null, -0, 1.5, 2, 'a', 'b', blob(0x61), '\uE000', '\u{1F600}']);
  // A tie between unequal cells keeps the input order.
  assert.deepEqual(sortRow(["b'a'", blob(0x61)]), ["b'a'", blob(0x61)]);
  assert.deepEqual(sortRow([blob(0x61), "b'a'"]), [blob(0x61), "b'a'"]);
});

test('a 100,000-row pair is scored in linear time', () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => [i, `name ${i % 997}`, i % 3 === 0 ? null : i / 7]);
  const reversed = rows.slice().reverse();
  const t0 = performance.now();
  const m = computeMetrics({ ok: true, rows }, { ok: true, rows: reversed });
  const ms = performance.now() - t0;
  assert.equal(m.ex, 1);
  assert.equal(m.tuple_order, 0);
  // A quadratic pass would take minutes here.
  assert.ok(ms < 10_000, `took ${ms} ms`);
});
