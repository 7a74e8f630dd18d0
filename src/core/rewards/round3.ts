// Python `round(x, 3)` for floats (spec execution-rewards.md §3.5): correctly
// rounded from the exact binary64 value, exact ties to even. Math.round(x*1000)/1000
// is wrong at near-ties (3/80 → 0.038 instead of 0.037) and at exact ties (1/16).

/**
 * Python `round(x, 3)`. `toFixed` is exact in ECMAScript; it only differs from
 * Python at exact ties, which it rounds away from zero instead of to even.
 */
export function round3(x: number): number {
  if (!Number.isFinite(x)) return x;
  const ax = Math.abs(x);
  // Every double ≥ 2^52 is an integer already (and toFixed switches to exponent form at 1e21).
  if (ax >= 2 ** 52) return x;
  // 30 decimals resolve any double in range from a 3-decimal tie: a non-tie double lies
  // at least ~1e-23 away from the nearest (2k+1)/2000.
  const s = ax.toFixed(30);
  const dot = s.indexOf('.');
  const tail = s.slice(dot + 4);
  if (tail[0] === '5' && /^50*$/.test(tail)) {
    const third = s.charCodeAt(dot + 3) - 48;
    if (third % 2 === 0) {
      // Exact tie with an even last digit: truncate (round half to even).
      const r = Number(s.slice(0, dot + 4));
      return x < 0 ? -r : r;
    }
  }
  const r = Number(ax.toFixed(3));
  return x < 0 || Object.is(x, -0) ? -r : r;
}
