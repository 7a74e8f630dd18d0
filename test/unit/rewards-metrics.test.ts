// Spec execution-rewards.md §5.1/§5.2: every SQL vector (V01–V28), every column.
// Inputs are the spec's result rows (§5.1) and completions built with the spec's
// FMT / NOFMT wrappers; the expected values are the spec's table (§5.2), pasted
// verbatim below and parsed, so the data stays a faithful transcription.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRowsJson } from '../../src/core/rewards/cell-json.ts';
import { computeMetrics, type QueryOutcome } from '../../src/core/rewards/metrics.ts';
import { REWARDS } from '../../src/core/rewards/registry.ts';
import { scoreCompletion } from '../../src/core/rewards/score.ts';
import { weightedSum64 } from '../../src/core/rewards/weighted.ts';
import { extractSql } from '../../src/core/trace/completion.ts';
import { FMT, INPUTS, NOFMT, expectedTable } from '../fixtures/spec-vectors.ts';

function outcome(json: string): QueryOutcome {
  return json === 'ERROR' ? { ok: false } : { ok: true, rows: parseRowsJson(json) };
}

const expected = expectedTable();

test('the expected table covers V01–V28', () => {
  assert.deepEqual([...expected.keys()], INPUTS.map((v) => v.id));
  assert.equal(INPUTS.length, 28);
});

for (const v of INPUTS) {
  test(`${v.id}: every layout-A metric and reward matches the reference`, () => {
    const completion = 'completion' in v.pred ? v.pred.completion : (v.pred.wrapper === 'FMT' ? FMT : NOFMT)(v.pred.sql);
    if (!('completion' in v.pred)) assert.equal(extractSql(completion), v.pred.sql, 'the executed SQL is the wrapped SQL');
    const gold = outcome(v.gold);
    const pred = outcome(v.predRows);
    const m = computeMetrics(gold, pred);
    const s = scoreCompletion({ completion, gold, pred });
    const actual: Record<string, number> = {
      CP: m.cell_precision,
      CR: m.cell_recall,
      TC: m.tuple_cardinality,
      TCons: m.tuple_constraint,
      TOrd: m.tuple_order,
      QA: m.qa,
      BIRD: m.bird_ex,
      EX: m.ex,
      SU: s.qatch_small_update,
      'SU+FM': s.qatch_small_update_with_fm,
      'EX-SU+FM': s.ex_small_update_with_fm,
      FT: s.format_think,
      W64: weightedSum64([m.qa, s.format_think], [0.95, 0.05]),
      W32: s.weighted,
    };
    assert.deepEqual(actual, expected.get(v.id));
    // The registry keys name the same numbers (§4.1).
    const input = { completion, gold, pred };
    assert.equal(REWARDS.QATCH(input), m.qa);
    assert.equal(REWARDS.EX(input), m.bird_ex);
    assert.equal(REWARDS.EX_EX(input), m.ex);
    assert.equal(REWARDS.format_think(input), s.format_think);
    assert.equal(REWARDS.qatch_small_update_with_fm(input), s.qatch_small_update_with_fm);
    assert.deepEqual(s.metrics, m);
  });
}

test('V05 weighted sum: float32 bits 0x3F5762B7 (§4.5)', () => {
  const gold = outcome('[["Ann"], ["Dee"], ["Eve"]]');
  const pred = outcome('[["Ann", 30], ["Dee", 41], ["Eve", 25]]');
  const { weighted } = scoreCompletion({ completion: FMT("SELECT name, age FROM people WHERE city = 'Rome'"), gold, pred });
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, weighted);
  assert.equal(view.getUint32(0), 0x3f5762b7);
  assert.equal(Math.fround(weighted), weighted);
});

test('3 of 80 rows recalled rounds to 0.037, not 0.038 (§3.5)', () => {
  const gold = outcome(JSON.stringify(Array.from({ length: 80 }, (_, i) => [i])));
  const pred = outcome('[[0], [1], [2]]');
  const m = computeMetrics(gold, pred);
  assert.equal(m.cell_recall, 0.037);
  assert.equal(m.tuple_cardinality, 0.037);
  assert.equal(m.cell_precision, 1);
});
