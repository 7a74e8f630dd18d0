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

interface VectorInput {
  id: string;
  /** Gold rows as JSON (32.0 = REAL, 32 = INTEGER) or ERROR. */
  gold: string;
  predRows: string;
  pred: { sql: string; wrapper: 'FMT' | 'NOFMT' } | { completion: string };
}

// §5.0 completion wrappers.
const FMT = (sql: string) => `<think>\nreasoning\n</think>\n<answer>\n\`\`\`sql\n${sql}\n\`\`\`\n</answer>`;
const NOFMT = (sql: string) => `Here is the query:\n\`\`\`sql\n${sql}\n\`\`\``;

const INPUTS: VectorInput[] = [
  { id: 'V01', gold: '[["Ann"], ["Cid"]]', predRows: '[["Ann"], ["Cid"]]', pred: { sql: 'select NAME from people where age=30', wrapper: 'FMT' } }, // identical result
  { id: 'V02', gold: '[["Ann"], ["Bob"], ["Cid"], ["Dee"], ["Eve"]]', predRows: '[["Eve"], ["Dee"], ["Cid"], ["Bob"], ["Ann"]]', pred: { sql: 'SELECT name FROM people ORDER BY id DESC', wrapper: 'FMT' } }, // reversed row order
  { id: 'V03', gold: '[["Ann"], ["Bob"], ["Cid"], ["Dee"], ["Eve"]]', predRows: '[["Bob"], ["Ann"], ["Cid"], ["Dee"], ["Eve"]]', pred: { sql: 'SELECT name FROM people ORDER BY CASE id WHEN 1 THEN 2 WHEN 2 THEN 1 ELSE id END', wrapper: 'FMT' } }, // swapped adjacent rows
  { id: 'V04', gold: '[["Ann", 30], ["Bob", 25], ["Cid", 30], ["Dee", 41], ["Eve", 25]]', predRows: '[[30, "Ann"], [25, "Bob"], [30, "Cid"], [41, "Dee"], [25, "Eve"]]', pred: { sql: 'SELECT age, name FROM people ORDER BY id', wrapper: 'FMT' } }, // permuted columns
  { id: 'V05', gold: '[["Ann"], ["Dee"], ["Eve"]]', predRows: '[["Ann", 30], ["Dee", 41], ["Eve", 25]]', pred: { sql: "SELECT name, age FROM people WHERE city = 'Rome'", wrapper: 'FMT' } }, // extra column
  { id: 'V06', gold: '[[30], [25], [30], [41], [25]]', predRows: '[[30], [25], [41]]', pred: { sql: 'SELECT DISTINCT age FROM people', wrapper: 'FMT' } }, // missing duplicates (DISTINCT)
  { id: 'V07', gold: '[[30], [25], [30]]', predRows: '[[30], [25], [25]]', pred: { sql: 'SELECT age FROM people WHERE id IN (1,2,5)', wrapper: 'FMT' } }, // same length+set, different multiplicities
  { id: 'V08', gold: '[["Rome"], [null]]', predRows: '[["Rome"]]', pred: { sql: 'SELECT city FROM people WHERE age = 30 AND city IS NOT NULL', wrapper: 'FMT' } }, // NULL dropped
  { id: 'V09', gold: '[[null]]', predRows: '[[null]]', pred: { sql: 'SELECT NULL', wrapper: 'FMT' } }, // NULL equals NULL
  { id: 'V10', gold: '[[32.0]]', predRows: '[[32]]', pred: { sql: 'SELECT 32', wrapper: 'FMT' } }, // int vs float equal
  { id: 'V11', gold: '[[32.0]]', predRows: '[["32"]]', pred: { sql: "SELECT '32'", wrapper: 'FMT' } }, // number vs text
  { id: 'V12', gold: '[[0.30000000000000004]]', predRows: '[[0.3]]', pred: { sql: 'SELECT 0.3', wrapper: 'FMT' } }, // float not rounded
  { id: 'V13', gold: '[]', predRows: '[]', pred: { sql: 'SELECT id, city FROM people WHERE 1 = 0', wrapper: 'FMT' } }, // both empty
  { id: 'V14', gold: '[]', predRows: '[["Dee"]]', pred: { sql: 'SELECT name FROM people WHERE age > 40', wrapper: 'FMT' } }, // gold empty, pred not
  { id: 'V15', gold: '[["Dee"]]', predRows: '[]', pred: { sql: 'SELECT name FROM people WHERE age > 100', wrapper: 'FMT' } }, // gold non-empty, pred empty
  { id: 'V16', gold: '[["Ann"], ["Bob"], ["Cid"], ["Dee"], ["Eve"]]', predRows: 'ERROR', pred: { sql: 'SELEC name FROM people', wrapper: 'FMT' } }, // pred syntax error
  { id: 'V17', gold: '[[5]]', predRows: 'ERROR', pred: { sql: 'DELETE FROM people', wrapper: 'FMT' } }, // pred write statement
  { id: 'V18', gold: '[["Ann"]]', predRows: 'ERROR', pred: { sql: 'SELECT name FROM people WHERE id = 1; SELECT 1', wrapper: 'FMT' } }, // pred two statements
  { id: 'V19', gold: '[["Ann"], ["Dee"], ["Eve"]]', predRows: '[["Ann"], ["Bob"], ["Cid"], ["Dee"], ["Eve"]]', pred: { sql: 'SELECT name FROM people', wrapper: 'FMT' } }, // superset of rows
  { id: 'V20', gold: '[[1, 30], [2, 25]]', predRows: '[[1, 25], [2, 30]]', pred: { sql: 'SELECT id, CASE id WHEN 1 THEN 25 ELSE 30 END FROM people WHERE id IN (1, 2)', wrapper: 'FMT' } }, // cells right, pairing wrong
  { id: 'V21', gold: '[[1], [2], [3], [4], [5], [6], [7], [8], [9], [10], [11], [12], [13], [14], [15], [16]]', predRows: '[[1]]', pred: { sql: 'SELECT n FROM nums WHERE n = 1', wrapper: 'FMT' } }, // rounding tie 1/16
  { id: 'V22', gold: '[["Ann"], ["Dee"], ["Eve"]]', predRows: '[["x"]]', pred: { sql: "SELECT 'x'", wrapper: 'FMT' } }, // weak but executable
  { id: 'V23', gold: '[["Ann"], ["Dee"], ["Eve"]]', predRows: '[["Ann"]]', pred: { sql: 'SELECT name FROM people WHERE id = 1', wrapper: 'NOFMT' } }, // weak, no format
  { id: 'V24', gold: '[["Ann"], ["Dee"], ["Eve"]]', predRows: '[["Ann"], ["Dee"], ["Eve"]]', pred: { sql: "SELECT name FROM people WHERE city = 'Rome'", wrapper: 'NOFMT' } }, // exact, no format
  { id: 'V25', gold: '[["Ann"], ["Dee"], ["Eve"]]', predRows: '[["Ann"]]', pred: { sql: 'SELECT name FROM people WHERE id = 1', wrapper: 'FMT' } }, // partial, format ok
  { id: 'V26', gold: 'ERROR', predRows: 'ERROR', pred: { completion: "<think>\nx\n</think>\n<answer>\nSELECT nada FROM people\n</answer>" } }, // gold error + pred error
  { id: 'V27', gold: '[]', predRows: '[]', pred: { completion: "<think>\nx\n</think>\n<answer>\n</answer>" } }, // empty answer vs empty gold
  { id: 'V28', gold: '[["Dee"]]', predRows: '[]', pred: { completion: "<think>\nx\n</think>\n<answer>\n</answer>" } }, // empty answer vs non-empty gold
];

const EXPECTED = `
| id | CP | CR | TC | TCons | TOrd | QA | BIRD | EX | SU | SU+FM | EX-SU+FM | FT | W64 | W32 |
| V01 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V02 | 1 | 1 | 1 | 1 | 0 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V03 | 1 | 1 | 1 | 1 | 0.95 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V04 | 1 | 1 | 1 | 1 | 1 | 1 | 0 | 1 | 1 | 1 | 0.1 | 1 | 1 | 1 |
| V05 | 0.5 | 1 | 1 | 0 | 0.5 | 0.833 | 0 | 0 | 0.833 | 0.833 | 0.1 | 1 | 0.8413499999999999 | 0.8413500189781189 |
| V06 | 1 | 1 | 0.6 | 0.333 | 1 | 0.867 | 1 | 0 | 0.867 | 0.867 | 1 | 1 | 0.87365 | 0.8736500144004822 |
| V07 | 1 | 1 | 1 | 0 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V08 | 1 | 0.5 | 0.5 | 0.5 | 1 | 0.667 | 0 | 0 | 0.667 | 0.667 | 0.1 | 1 | 0.6836500000000001 | 0.683650016784668 |
| V09 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V10 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V11 | 0 | 0 | 1 | 0 | 0.5 | 0.333 | 0 | 0 | 0.333 | 0.333 | 0.1 | 1 | 0.36635 | 0.3663500249385834 |
| V12 | 0 | 0 | 1 | 0 | 0.5 | 0.333 | 0 | 0 | 0.333 | 0.333 | 0.1 | 1 | 0.36635 | 0.3663500249385834 |
| V13 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V14 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0.1 | 0.1 | 0.1 | 1 | 0.05 | 0.05000000074505806 |
| V15 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0.1 | 0.1 | 0.1 | 1 | 0.05 | 0.05000000074505806 |
| V16 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0.05 | 0.05000000074505806 |
| V17 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0.05 | 0.05000000074505806 |
| V18 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0.05 | 0.05000000074505806 |
| V19 | 0.6 | 1 | 0.6 | 1 | 1 | 0.733 | 0 | 0 | 0.733 | 0.733 | 0.1 | 1 | 0.74635 | 0.7463499903678894 |
| V20 | 1 | 1 | 1 | 0 | 0.5 | 1 | 0 | 0 | 1 | 1 | 0.1 | 1 | 1 | 1 |
| V21 | 1 | 0.062 | 0.062 | 0.062 | 1 | 0.375 | 0 | 0 | 0.375 | 0.375 | 0.1 | 1 | 0.40624999999999994 | 0.40625 |
| V22 | 0 | 0 | 0.333 | 0 | 0.5 | 0.111 | 0 | 0 | 0.111 | 0.111 | 0.1 | 1 | 0.15545 | 0.1554500013589859 |
| V23 | 1 | 0.333 | 0.333 | 0.333 | 1 | 0.555 | 0 | 0 | 0.555 | 0 | 0 | 0 | 0.52725 | 0.5272499918937683 |
| V24 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 0 | 0.95 | 0.949999988079071 |
| V25 | 1 | 0.333 | 0.333 | 0.333 | 1 | 0.555 | 0 | 0 | 0.555 | 0.555 | 0.1 | 1 | 0.57725 | 0.5772500038146973 |
| V26 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 1 | 0 | 0 | 0 | 1 | 0.05 | 0.05000000074505806 |
| V27 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |
| V28 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0.1 | 0.1 | 0.1 | 1 | 0.05 | 0.05000000074505806 |
`;

const COLUMNS = ['CP', 'CR', 'TC', 'TCons', 'TOrd', 'QA', 'BIRD', 'EX', 'SU', 'SU+FM', 'EX-SU+FM', 'FT', 'W64', 'W32'];

function expectedTable(): Map<string, Record<string, number>> {
  const lines = EXPECTED.trim().split('\n');
  const header = lines[0].split('|').map((c) => c.trim()).filter(Boolean);
  assert.deepEqual(header, ['id', ...COLUMNS]);
  const out = new Map<string, Record<string, number>>();
  for (const line of lines.slice(1)) {
    const cells = line.split('|').map((c) => c.trim()).filter(Boolean);
    assert.equal(cells.length, header.length, line);
    out.set(cells[0], Object.fromEntries(COLUMNS.map((c, i) => [c, Number(cells[i + 1])])));
  }
  return out;
}

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
