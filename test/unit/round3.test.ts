// round3 against an independent exact reference: the double's exact binary value
// as a BigInt rational, rounded half to even at 3 decimals (Python round(x, 3)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { round3 } from '../../src/core/rewards/round3.ts';

/** x = mantissa · 2^exponent exactly (finite x). */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return { mantissa: sign * mantissa, exponent };
}

/** Round-half-even of x·1000 computed exactly, then the nearest double to q/1000. */
function referenceRound3(x: number): number {
  const { mantissa, exponent } = decompose(x);
  const negative = mantissa < 0n;
  const m = negative ? -mantissa : mantissa;
  let num = m * 1000n;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  let q = num / den;
  const twiceRem = 2n * (num - q * den);
  if (twiceRem > den || (twiceRem === den && q % 2n === 1n)) q += 1n;
  // q and 1000 are exact doubles here, so the division is the correctly rounded q/1000.
  const r = Number(q) / 1000;
  return negative ? -r : r;
}

test('round3 equals the exact reference on every a/b with 0 ≤ a ≤ b ≤ 400', () => {
  let checked = 0;
  let ties = 0;
  for (let b = 1; b <= 400; b++) {
    for (let a = 0; a <= b; a++) {
      const x = a / b;
      const expected = referenceRound3(x);
      if (round3(x) !== expected) assert.fail(`round3(${a}/${b}) = ${round3(x)}, exact reference ${expected}`);
      if ((x * 16) % 2 === 1) ties++;
      checked++;
    }
  }
  // b = 0 is skipped (0/0), so the pairs number Σ_{b=1..400} (b + 1) = 80,600.
  assert.equal(checked, 80_600);
  assert.ok(ties > 0, 'the range contains exact ties at odd multiples of 1/16');
});

test('named cases (values from CPython 3.11 round())', () => {
  const cases: [number, number][] = [
    [0.0625, 0.062],
    [0.1875, 0.188],
    [0.3125, 0.312],
    [0.4375, 0.438],
    [0.6875, 0.688],
    [0.9375, 0.938],
    [2.0625, 2.062],
    [-0.0625, -0.062],
    [3 / 80, 0.037],
    [1 / 16, 0.062],
    [5 / 8, 0.625],
    [0.0005, 0.001],
    [1.0005, 1.0],
    [123.4565, 123.457],
    [1e300, 1e300],
    [2 ** 52 + 1, 2 ** 52 + 1],
  ];
  for (const [x, want] of cases) assert.equal(round3(x), want, `round3(${x})`);
  // The naive recipes the spec warns about really differ here.
  assert.equal(Math.round(0.0625 * 1000) / 1000, 0.063);
  assert.equal(Math.round((3 / 80) * 1000) / 1000, 0.038);
});

test('signs, zeros and non-finite values', () => {
  assert.ok(Object.is(round3(-0.0004), -0));
  assert.ok(Object.is(round3(-0), -0));
  assert.ok(Object.is(round3(0), 0));
  assert.equal(round3(Infinity), Infinity);
  assert.equal(round3(-Infinity), -Infinity);
  assert.ok(Number.isNaN(round3(NaN)));
});

test('random doubles in [-2, 2] and near ties agree with the reference', () => {
  let seed = 0x9e3779b9;
  const next = () => {
    // xorshift32: deterministic, no dependency on Math.random.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < 20_000; i++) {
    const x = (next() - 0.5) * 4;
    assert.equal(round3(x), referenceRound3(x), `round3(${x})`);
    // Neighbours of the 3-decimal half-way points.
    const k = Math.floor(next() * 2000);
    const tie = (2 * k + 1) / 2000;
    for (const y of [tie, nextUp(tie), nextDown(tie)]) assert.equal(round3(y), referenceRound3(y), `round3(${y})`);
  }
});

function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

function nextDown(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}
