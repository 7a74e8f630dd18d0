// Correctly rounded conversions of exact integer ratios to binary64, as Python
// does for int / int, float(Fraction) and statistics.stdev (3.11+). Used where
// the operands can leave the 2^53 range of exact doubles.

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** a / b (a ≥ 0, b > 0), correctly rounded to nearest, ties to even. */
export function ratioToNumber(a: bigint, b: bigint): number {
  if (a <= SAFE && b <= SAFE) return Number(a) / Number(b);
  // Quotient with > 64 significant bits plus a sticky bit (round to odd): the single
  // rounding in Number() is then the correct rounding of the exact ratio.
  const shift = Math.max(0, 66 + bitLength(b) - bitLength(a));
  const num = a << BigInt(shift);
  let q = num / b;
  if (q * b !== num) q |= 1n;
  return Number(q) * 2 ** -shift;
}

/** floor(sqrt(n)) for n ≥ 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  if (x === 0n) x = 1n;
  // Newton's iteration from the float estimate, then fix the last unit.
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** sqrt(num / den) (num ≥ 0, den > 0), correctly rounded (Python `_float_sqrt_of_frac`). */
export function sqrtRatioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  // Scale by 4^k so the integer root has ~70 bits; a sticky bit marks an inexact root.
  const k = Math.max(0, 70 - Math.floor((bitLength(num) - bitLength(den)) / 2));
  const scaledNum = num << BigInt(2 * k);
  const q = scaledNum / den;
  let r = isqrt(q);
  if (q * den !== scaledNum || r * r !== q) r |= 1n;
  return Number(r) * 2 ** -k;
}
