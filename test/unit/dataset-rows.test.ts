import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectMapping, inputRecordFromLine, isBadLine, rowFromLine, type BadLine, type DatasetRow } from '../../src/core/dataset/rows.ts';
import { inputItemFromJsonLine } from '../../src/core/score/input.ts';
import { readScoreInput } from '../../src/core/score/input.ts';
import type { ScoredRecord } from '../../src/core/score/types.ts';
import { DEMO, scoreDemo } from '../helpers/dataset-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-dataset-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const row = (r: DatasetRow | BadLine): DatasetRow => {
  assert.ok(!isBadLine(r), `expected a row, got ${JSON.stringify(r)}`);
  return r as DatasetRow;
};
const badLine = (r: DatasetRow | BadLine): BadLine => {
  assert.ok(isBadLine(r), `expected a bad line, got ${JSON.stringify(r)}`);
  return r as BadLine;
};

describe('detectMapping', () => {
  test('a plain dataset: the field each role uses, from the candidates of steplens score', () => {
    const m = detectMapping([{ question_id: 3, database: 'x', SQL: 'SELECT 1', response: '<think>..</think> SELECT 1', NLQ: 'q?' }, 'not an object', { question_id: 4, database: 'x', SQL: 'SELECT 2', response: 'SELECT 2' }]);
    assert.deepEqual(m, { kind: 'dataset', fields: { gold: 'SQL', completion: 'response', db: 'database', id: 'question_id', question: 'NLQ' } });
  });
  test('explicit fields win; prediction and completion both named when samples have both', () => {
    const m = detectMapping([{ id: 1, db_id: 'a', query: 'S', pred_sql: 'P', completion: 'C' }], { db: 'db_id', question: 'text' });
    assert.deepEqual(m.fields, { gold: 'query', pred: 'pred_sql', completion: 'completion', db: 'db_id', id: 'id', question: 'text' });
  });
  test('a scored output is recognised by its schema', () => {
    assert.equal(detectMapping([{ schema: 'steplens.score/2', id: 1 }, { schema: 'steplens.score/2' }]).kind, 'scored');
  });
});

describe('rowFromLine / inputRecordFromLine on the demo dataset', () => {
  const lines = readFileSync(DEMO, 'utf8').trimEnd().split('\n');
  const samples = lines.map((l) => JSON.parse(l));
  const { kind, fields } = detectMapping(samples);

  test('every demo record reads exactly as steplens score reads it', () => {
    assert.equal(kind, 'dataset');
    const items = readScoreInput(DEMO);
    assert.equal(items.length, lines.length);
    for (let i = 0; i < lines.length; i++) {
      const rec = inputRecordFromLine(lines[i], i + 1, fields, 'demo.jsonl');
      const item = items[i];
      assert.ok('record' in item);
      assert.deepEqual(rec, item.record, `line ${i + 1}`);
      // Without a mapping too (the scorer's own auto-detection).
      assert.deepEqual(inputItemFromJsonLine(lines[i], i + 1, i, 'demo.jsonl'), item);
      const r = row(rowFromLine(lines[i], i + 1, kind, fields, 'demo.jsonl'));
      assert.equal(r.id, item.record.id);
      assert.equal(r.db_id, item.record.db_id);
      assert.equal(r.has_completion, item.record.completion !== undefined);
      assert.equal(r.status, null);
      assert.equal(r.headline, null);
    }
  });

  test('malformed lines are bad lines naming file and line; records the scorer cannot read stay rows', () => {
    const b = badLine(rowFromLine('{"id": 1, "db_id": ', 7, kind, fields, 'train.jsonl'));
    assert.equal(b.kind, 'malformed_json');
    assert.match(b.message, /^train\.jsonl line 7: malformed JSON \(/);
    assert.equal(badLine(rowFromLine('[1,2]', 8, kind, fields, 'train.jsonl')).kind, 'not_an_object');
    assert.equal(badLine(rowFromLine('   ', 9, kind, fields, 'train.jsonl')).kind, 'blank');
    const noDb = { id: 'x1', question: 'How many?', gold_sql: 'SELECT 1', pred_sql: 'SELECT 1' };
    const r = row(rowFromLine(JSON.stringify(noDb), 10, kind, fields, 'train.jsonl'));
    assert.equal(r.status, 'bad_record');
    assert.equal(r.error_class, 'input/missing_field');
    assert.equal(r.question, 'How many?');
    const why = inputRecordFromLine(JSON.stringify(noDb), 10, fields, 'train.jsonl');
    assert.ok(isBadLine(why));
    assert.match((why as BadLine).message, /^train\.jsonl line 10: missing field "db_id"/);
  });

  test('a BOM on line 1 and a CRLF line are fine', () => {
    const r = row(rowFromLine('\ufeff' + lines[0] + '\r', 1, kind, fields, 'demo.jsonl'));
    assert.equal(r.id, samples[0].id);
    const rec = inputRecordFromLine('\ufeff' + lines[0], 1, fields, 'demo.jsonl');
    assert.ok(!isBadLine(rec));
  });

  test('questions are truncated for the list', () => {
    const long = { id: 1, db_id: 'a', gold_sql: 'S', pred_sql: 'P', question: 'q'.repeat(1000) };
    const r = row(rowFromLine(JSON.stringify(long), 1, 'dataset', fields, 't.jsonl'));
    assert.ok(r.question!.length <= 300);
  });
});

describe('rowFromLine on a real steplens score output', () => {
  const out = scoreDemo(join(dir, 'scored.jsonl'));
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  const recs = lines.map((l) => JSON.parse(l) as ScoredRecord);

  test('rewards as written, nothing recomputed', () => {
    const m = detectMapping(recs.slice(0, 20));
    assert.equal(m.kind, 'scored');
    for (let i = 0; i < lines.length; i++) {
      const r = row(rowFromLine(lines[i], i + 1, 'scored', m.fields, 'scored.jsonl'));
      const s = recs[i];
      assert.equal(r.id, s.id);
      assert.equal(r.headline, s.reward.value);
      assert.equal(r.ex, s.execution ? s.execution.metrics.ex : null);
      assert.equal(r.step_rtm, s.steprtm ? s.steprtm.total : null);
      assert.equal(r.status, s.status);
      assert.equal(r.error_class, s.errors.length ? (s.errors[0].side ? `${s.errors[0].stage}/${s.errors[0].side}/${s.errors[0].kind}` : `${s.errors[0].stage}/${s.errors[0].kind}`) : null);
      assert.equal(r.has_completion, typeof s.completion === 'string');
    }
    // The demo has EX 0 and 1, records without a database (no EX) and completions.
    const rows = lines.map((l, i) => row(rowFromLine(l, i + 1, 'scored', m.fields, 's')));
    assert.ok(rows.some((r) => r.ex === 0) && rows.some((r) => r.ex === 1) && rows.some((r) => r.ex === null));
    assert.ok(rows.some((r) => r.has_completion));
    assert.ok(rows.some((r) => r.error_class === 'database/no_database'));
  });

  test('the fast path (parsing stops before matches and plans) equals a whole parse', () => {
    for (let i = 0; i < lines.length; i++) {
      const whole = JSON.parse(lines[i]);
      // Without matches/plans, and with a key order the fast path does not expect: parsed whole.
      const reordered = JSON.stringify({ id: whole.id, ...whole, matches: undefined, plans: undefined });
      assert.deepEqual(rowFromLine(reordered, i + 1, 'scored', {}, 's'), rowFromLine(lines[i], i + 1, 'scored', {}, 's'));
    }
  });

  test('a plain line in a scored output is a bad line', () => {
    assert.equal(badLine(rowFromLine('{"id": 1}', 3, 'scored', {}, 'scored.jsonl')).kind, 'not_scored');
  });
});
