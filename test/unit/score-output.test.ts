// The output file of `steplens score`: whole lines only, a torn last line cut
// off by --resume, a foreign file refused; the summary's counts and histograms;
// the progress line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlWriter, readPreviousOutput, recordLine } from '../../src/core/score/output.ts';
import { planFieldsJson, setPlanFieldsJson } from '../../src/core/score/plan-fields.ts';
import { badRecordOutput } from '../../src/core/score/score-record.ts';
import { SummaryBuilder, errorClass } from '../../src/core/score/summary.ts';
import type { ScoredRecord } from '../../src/core/score/types.ts';
import { Progress, formatDuration } from '../../src/cli/progress.ts';
import { sparkline } from '../../src/cli/summary-text.ts';

function record(index: number, over: Partial<ScoredRecord> = {}): ScoredRecord {
  const r = badRecordOutput({ index, line: index + 1, source: 'in.jsonl', id: index, db_id: 'db', kind: 'missing_field', message: 'x' }, 'QATCH');
  return { ...r, status: 'scored', errors: [], ...over };
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-out-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('JsonlWriter writes whole lines; bigint cells keep every digit', () =>
  withDir((dir) => {
    const path = join(dir, 'out.jsonl');
    const w = new JsonlWriter(path, { append: false, flushBytes: 10 });
    w.write(record(0, { id: 'a' }));
    w.write(record(1, { question: 'big', execution: null, reward: { name: 'x', value: null }, matches: [], id: 2 }));
    w.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.equal(JSON.parse(lines[0]).id, 'a');
    const preview = { columns: ['n'], rows: [[2n ** 70n]], row_count: 1, truncated: false, elapsed_ms: 0, error: null };
    const withBig = { ...record(0), execution: { gold: preview, pred: { ...preview, rows: [] } } } as unknown as ScoredRecord;
    assert.match(recordLine(withBig), /"rows":\[\[1180591620717411303424\]\]/);

test('JsonlWriter encodes any text exactly, across flushes of every size', () =>
  withDir((dir) => {
    // Latin-1, CJK, an astral emoji, a lone surrogate (JSON.stringify escapes it) and a line longer than a flush.
    const questions = ['café', '学生の数は？', 'rocket 🚀 launch', 'lone \ud800 surrogate', 'x'.repeat(70_000)];
    for (const flushBytes of [1, 64, 1 << 16]) {
      const path = join(dir, `out-${flushBytes}.jsonl`);
      const w = new JsonlWriter(path, { append: false, flushBytes });
      const expected = questions.map((q, i) => recordLine(record(i, { question: q })));
      questions.forEach((q, i) => w.write(record(i, { question: q })));
      w.close();
      assert.equal(readFileSync(path, 'utf8'), expected.join(''), `flushBytes ${flushBytes}`);
      assert.deepEqual(readPreviousOutput(path).records.map((r) => r.question), questions);
    }
  }));
  }));

test('readPreviousOutput trusts complete lines and cuts a torn last line', () =>
  withDir((dir) => {
    const path = join(dir, 'out.jsonl');
    const good = recordLine(record(0)) + recordLine(record(1));
    writeFileSync(path, good + recordLine(record(2)).slice(0, 40));
    const prev = readPreviousOutput(path);
    assert.deepEqual(prev.records.map((r) => r.index), [0, 1]);
    assert.equal(prev.truncatedBytes, 40);
    assert.equal(statSync(path).size, Buffer.byteLength(good));
    // Appending after the cut gives a valid file again.
    appendFileSync(path, recordLine(record(2)));
    assert.deepEqual(readPreviousOutput(path).records.map((r) => r.index), [0, 1, 2]);
    assert.equal(readPreviousOutput(join(dir, 'missing.jsonl')).records.length, 0);
  }));

test('readPreviousOutput refuses a file that is not score output', () =>
  withDir((dir) => {
    const path = join(dir, 'other.jsonl');
    writeFileSync(path, '{"a": 1}\n');
    assert.throws(() => readPreviousOutput(path), /line 1: not a steplens\.score\/2 record \(schema undefined\)/);
    // Output of the earlier schema (verbose matches) is refused too, naming its schema.
    writeFileSync(path, recordLine({ ...record(0), schema: 'steplens.score/1' } as unknown as ScoredRecord));
    assert.throws(() => readPreviousOutput(path), /line 1: not a steplens\.score\/2 record \(schema "steplens\.score\/1"\)/);
    writeFileSync(path, 'nope\n' + recordLine(record(0)));
    assert.throws(() => readPreviousOutput(path), /line 1: not a StepLens score record \(malformed JSON\)/);
  }));

test('summary: counts, accuracy, histogram bins, error classes, groups', () => {
  const s = new SummaryBuilder(['in.jsonl'], 'QATCH');
  const exec = (ex: number, qa: number) =>
    ({
      metrics: { cell_precision: qa, cell_recall: qa, tuple_cardinality: qa, tuple_constraint: qa, tuple_order: qa, qa, f1: qa, ex, bird_ex: ex, spider_ex: ex, bird_soft_f1: qa },
      format_think: 0,
      format_reasoning: 0,
      tag_count: 0,
      weighted: qa,
      rewards: { QATCH: qa, EX: ex },
      gold: { columns: [], rows: [], row_count: 0, truncated: false, elapsed_ms: 0, error: null },
      pred: { columns: [], rows: [], row_count: 0, truncated: false, elapsed_ms: 0, error: null },
    }) as ScoredRecord['execution'];
  s.add(record(0, { execution: exec(1, 1), reward: { name: 'QATCH', value: 1 }, relpm: { precision: 1, recall: 1, f1: 1 } }));
  s.add(record(1, { execution: exec(0, 0.25), reward: { name: 'QATCH', value: 0.25 }, db_id: 'other', errors: [{ stage: 'execution', side: 'pred', kind: 'syntax', message: 'm' }, { stage: 'execution', side: 'pred', kind: 'syntax', message: 'again' }] }));
  s.add(badRecordOutput({ index: 2, line: 3, source: 'in.jsonl', id: null, db_id: null, kind: 'malformed_json', message: 'bad' }, 'QATCH'));
  const out = s.finish();
  assert.equal(out.records, 3);
  assert.equal(out.scored, 2);
  assert.equal(out.bad_records, 1);
  assert.deepEqual(out.ex, { correct: 1, total: 2, rate: 0.5 });
  const q = out.distributions.QATCH;
  assert.equal(q.count, 2);
  assert.equal(q.mean, 0.625);
  assert.deepEqual(q.histogram.counts, [0, 0, 1, 0, 0, 0, 0, 0, 0, 1]); // 0.25 in [0.2, 0.3), 1 in the last bin
  assert.deepEqual(q.histogram.edges, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(out.error_classes, { 'execution/pred/syntax': 1, 'input/malformed_json': 1 });
  assert.deepEqual(Object.keys(out.per_database), ['(unknown)', 'db', 'other']);
  assert.equal(out.per_database.db.ex.rate, 1);
  assert.equal(out.per_source['in.jsonl'].records, 3);
  assert.equal(Object.keys(out.distributions)[0], 'QATCH');
  assert.equal(errorClass({ stage: 'input', kind: 'x', message: '' }), 'input/x');
  assert.equal(sparkline(q), '  █      █'); // equal counts, equal bars
});

test('progress: plain lines with rate and ETA, at most one per interval', () => {
  let t = 0;
  const lines: string[] = [];
  const p = new Progress({ write: (s) => lines.push(s), isTTY: false, total: 100, intervalS: 5, now: () => t });
  t = 1;
  p.update(10); // first update draws
  t = 2;
  p.update(20); // within the interval: silent
  t = 10;
  p.update(50);
  t = 20;
  p.update(100); // the last one always draws
  p.finish();
  assert.equal(lines[0], 'steplens: 10/100 records 10%  10/s  ETA 0:09\n');
  assert.equal(lines[1], 'steplens: 50/100 records 50%  5.0/s  ETA 0:10\n');
  assert.equal(lines.length, 3); // finish() does not repeat the last line
  const tty: string[] = [];
  const bar = new Progress({ write: (s) => tty.push(s), isTTY: true, total: 4, now: () => 1 });
  bar.update(2);
  bar.finish();
  assert.match(tty[0], /^\r\x1b\[2K\[#{15}\.{15}\] 2\/4 records 50%/);
  assert.equal(tty[tty.length - 1], '\n');
  assert.equal(formatDuration(3725), '1:02:05');
});

test('matches and plans: kept as text, read as values, written last on the line', () => {
  const r = badRecordOutput({ index: 3, line: 4, source: 'in.jsonl', id: 3, db_id: 'db', kind: 'missing_field', message: 'x' }, 'QATCH');
  r.relpm = { precision: 1, recall: 0.5, f1: 2 / 3 };
  const plans = { gold: { label: 'Scan', op: true, range: [14, 20] as [number, number], children: [{ label: 'table:singer', children: [] }] }, pred: null };
  setPlanFieldsJson(r, planFieldsJson({ matches: [[0, 0]], plans }));
  // Read, spread and cloned like plain data.
  assert.deepEqual(r.matches, [[0, 0]]);
  assert.deepEqual(r.plans, plans);
  assert.deepEqual({ ...r }.plans, plans);
  assert.deepEqual(structuredClone(r).matches, [[0, 0]]);
  // The line is the record's JSON with the two fields last.
  const line = recordLine(r);
  const parsed = JSON.parse(line);
  assert.deepEqual(Object.keys(parsed).slice(-2), ['matches', 'plans']);
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(r)));
  assert.equal(line, JSON.stringify({ ...r }) + '\n');
  // Assigning a field replaces the text behind both.
  r.matches = [];
  assert.deepEqual(JSON.parse(recordLine(r)).matches, []);
  assert.deepEqual(JSON.parse(recordLine(r)).plans, plans);
  // A record without lazy fields (read back from a file) is written as it is.
  assert.equal(recordLine(parsed), JSON.stringify(parsed) + '\n');
});
