// The panel's row differences (src/core/score/row-diff.ts): bags of cells, unmatched rows paired in order
// with their differing columns, counts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffRows, rowKey, rowsFound } from '../../src/core/score/row-diff.ts';

describe('row-diff', () => {
  it('a row is its bag of cells: column order is no difference, types are', () => {
    assert.equal(rowKey([1, 'a']), rowKey(['a', 1]));
    assert.notEqual(rowKey([1]), rowKey(['1']));
    assert.notEqual(rowKey([null]), rowKey(['N']));
    assert.equal(rowKey([{ blob: 'ff', bytes: 1 }]), rowKey([{ blob: 'ff', bytes: 1 }]));
  });

  it('bag semantics: a row of the other side answers one row only', () => {
    assert.deepEqual(rowsFound([[1], [1], [2]], [[1], [3]]), [true, false, false]);
    assert.deepEqual(rowsFound([], [[1]]), []);
  });

  it('unmatched rows pair in order; a pair sharing a cell is changed, with the columns that differ', () => {
    const gold = [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']];
    const pred = [[1, 'a'], [2, 'x'], [9, 'z'], [4, 'd'], [4, 'd']];
    const d = diffRows(gold, pred, 2, 2);
    assert.deepEqual(d.gold.marks, [null, 'changed', 'only', null]);
    assert.deepEqual(d.pred.marks, [null, 'changed', 'only', null, 'only']);
    assert.deepEqual(d.gold.diffs, [null, [1], null, null]);
    assert.deepEqual(d.pred.diffs[1], [1]);
    assert.deepEqual([d.onlyGold, d.onlyPred, d.changed], [1, 2, 1]);
  });

  it('results of different widths have no changed pairs, only rows on one side', () => {
    const d = diffRows([[1, 2]], [[1]], 2, 1);
    assert.deepEqual([d.gold.marks, d.pred.marks], [['only'], ['only']]);
    assert.deepEqual([d.onlyGold, d.onlyPred, d.changed], [1, 1, 0]);
  });

  it('equal results: no marks', () => {
    const d = diffRows([[1], [2]], [[2], [1]], 1, 1);
    assert.deepEqual([d.gold.marks, d.pred.marks, d.onlyGold + d.onlyPred + d.changed], [[null, null], [null, null], 0]);
  });
});
