// Mann-Whitney AUC with ties counted 0.5, checked against the pairwise definition.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rocAuc } from '../../src/core/match/auc.ts';
import { makeRng } from '../helpers/random-tree.ts';

function pairwiseAuc(scores: number[], labels: number[]): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      sum += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      n++;
    }
  }
  return sum / n;
}

test('hand-checked values', () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  assert.equal(rocAuc([1, 2, 3], [0, 1, 1]), 1);
  assert.equal(rocAuc([1, 2, 3], [1, 0, 0]), 0);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
  assert.equal(rocAuc([0.2, 0.5, 0.5], [0, 1, 0]), 0.75); // one win, one tie
  assert.equal(rocAuc([0.3, 0.9], [true, false]), 0);
});

test('equals the pairwise definition on random data with many ties', () => {
  const rng = makeRng(3);
  for (let t = 0; t < 200; t++) {
    const n = 2 + Math.floor(rng() * 60);
    const scores = Array.from({ length: n }, () => Math.floor(rng() * 6) / 5);
    const labels = Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0));
    if (!labels.includes(1) || !labels.includes(0)) continue;
    assert.ok(Math.abs(rocAuc(scores, labels) - pairwiseAuc(scores, labels)) < 1e-12);
  }
});

test('one class only gives NaN; length mismatch throws', () => {
  assert.ok(Number.isNaN(rocAuc([1, 2], [1, 1])));
  assert.throws(() => rocAuc([1], [1, 0]), RangeError);
});
