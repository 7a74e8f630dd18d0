import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFilterExpr, runQuery, type DatasetQuery } from '../../src/core/dataset/query.ts';
import type { DatasetRow } from '../../src/core/dataset/rows.ts';
import type { Annotation } from '../../src/core/dataset/sidecar.ts';

const mk = (line: number, o: Partial<DatasetRow>): DatasetRow => ({
  line, id: `q${line}`, db_id: 'a', question: `question ${line}`, headline: null, ex: null, step_rtm: null, status: 'scored', error_class: null, has_completion: false, ...o,
});
const rows: DatasetRow[] = [
  mk(1, { headline: 1, ex: 1, step_rtm: 1, db_id: 'concert_singer' }),
  mk(2, { headline: 0.2, ex: 0, step_rtm: 0.5, error_class: 'execution/pred/syntax', question: 'How many SINGERS?' }),
  mk(3, { headline: 0.5, ex: 0, step_rtm: null, db_id: 'pets_1', id: 10 }),
  mk(5, { status: 'bad_record', error_class: 'input/missing_field', id: 2 }),
  mk(6, { headline: 0.5, ex: 1, step_rtm: 0.9, status: 'infrastructure_error', error_class: 'database/busy', id: null }),
];
const a = (line: number, status: Annotation['status'], labels: string[] = []): [number, Annotation] => [line, { v: 1, line, id: null, status, labels, note: null, edit: null, at: '2026-12-07T00:00:00Z' }];
const ann = new Map<number, Annotation>([a(1, 'accepted', ['good']), a(2, 'flagged', ['join', 'good']), a(3, 'pending'), a(6, 'rejected')]);
const lines = (q: DatasetQuery, search?: (i: number) => string) => [...runQuery(rows, ann, q, search)].map((i) => rows[i].line);

describe('runQuery', () => {
  test('no query: every row in order', () => assert.deepEqual(lines({}), [1, 2, 3, 5, 6]));
  test('reward ranges (inclusive, rows without the value left out), EX', () => {
    assert.deepEqual(lines({ headline: [0.2, 0.5] }), [2, 3, 6]);
    assert.deepEqual(lines({ step_rtm: [0.6, 1] }), [1, 6]);
    assert.deepEqual(lines({ ex: 0 }), [2, 3]);
    assert.deepEqual(lines({ ex: 'none' }), [5]);
  });
  test('database, status, error class (exact, prefix, none)', () => {
    assert.deepEqual(lines({ db_id: ['pets_1', 'concert_singer'] }), [1, 3]);
    assert.deepEqual(lines({ status: ['bad_record', 'infrastructure_error'] }), [5, 6]);
    assert.deepEqual(lines({ error_class: ['execution'] }), [2]);
    assert.deepEqual(lines({ error_class: ['input/missing_field', 'database/busy'] }), [5, 6]);
    assert.deepEqual(lines({ error_class: ['none'] }), [1, 3]);
    assert.deepEqual(lines({ error_class: ['exec'] }), []);
  });
  test('queues and labels', () => {
    assert.deepEqual(lines({ review: ['pending'] }), [3, 5]);
    assert.deepEqual(lines({ review: ['accepted', 'flagged'] }), [1, 2]);
    assert.deepEqual(lines({ labels: ['good'] }), [1, 2]);
    assert.deepEqual(lines({ labels: ['join'], review: ['accepted'] }), []);
  });
  test('full text: every word, case-insensitive; the caller\'s text or id + question', () => {
    assert.deepEqual(lines({ text: 'SINGERS how' }), [2]);
    assert.deepEqual(lines({ text: '"many singers"' }), [2]);
    assert.deepEqual(lines({ text: 'q5' }), []); // row 5 has id 2
    const sql = ['select 1', 'select count(*) from singer', 'select name from pets', '', 'select x'];
    assert.deepEqual(lines({ text: 'select FROM' }, (i) => sql[i]), [2, 3]);
  });
  test('sort by any column; ties keep row order; missing values last both ways', () => {
    assert.deepEqual(lines({ sort: { column: 'headline' } }), [2, 3, 6, 1, 5]);
    assert.deepEqual(lines({ sort: { column: 'headline', descending: true } }), [1, 3, 6, 2, 5]);
    assert.deepEqual(lines({ sort: { column: 'step_rtm', descending: true } }), [1, 6, 2, 3, 5]);
    assert.deepEqual(lines({ sort: { column: 'id' } }), [5, 3, 1, 2, 6]);
    assert.deepEqual(lines({ sort: { column: 'line', descending: true } }), [6, 5, 3, 2, 1]);
    assert.deepEqual(lines({ sort: { column: 'review' } }), [3, 5, 1, 6, 2]);
    assert.deepEqual(lines({ sort: { column: 'labels' } }), [1, 2, 3, 5, 6]);
    assert.deepEqual(lines({ sort: { column: 'question' } }), [2, 1, 3, 5, 6]);
    assert.deepEqual(lines({ sort: { column: 'status' }, ex: 1 }), [6, 1]);
  });
  test('100,000 rows filter and sort (correctness; speed is bench:dataset)', () => {
    const big: DatasetRow[] = Array.from({ length: 100_000 }, (_, i) => mk(i + 1, { headline: (i * 7919) % 1000 / 1000, ex: i % 3 === 0 ? 1 : 0 }));
    const idx = runQuery(big, new Map(), { ex: 1, headline: [0.25, 0.75], sort: { column: 'headline', descending: true } });
    assert.ok(idx.length > 10_000);
    for (let k = 1; k < idx.length; k++) assert.ok(big[idx[k - 1]].headline! >= big[idx[k]].headline!);
    for (const i of idx) assert.ok(big[i].ex === 1 && big[i].headline! >= 0.25 && big[i].headline! <= 0.75);
  });
});

describe('parseFilterExpr', () => {
  test('the documented terms', () => {
    assert.deepEqual(parseFilterExpr('ex=0 headline<0.5 db=concert_singer label=good'), { ex: 0, headline: [-Infinity, 0.49999999999999994], db_id: ['concert_singer'], labels: ['good'] });
    assert.deepEqual(parseFilterExpr('reward>=0.2 headline<=0.8 steprtm=0.1..0.9 review=accepted,flagged sort=headline:desc'), {
      headline: [0.2, 0.8], step_rtm: [0.1, 0.9], review: ['accepted', 'flagged'], sort: { column: 'headline', descending: true },
    });
    assert.deepEqual(parseFilterExpr('  status=scored error=execution/pred  "two words" join text=gold  ex=none '), {
      status: ['scored'], error_class: ['execution/pred'], text: '"two words" join gold', ex: 'none',
    });
    const q = parseFilterExpr('headline>0');
    assert.ok(q.headline![0] > 0 && q.headline![0] < 1e-300);
  });
  test('a strict bound really is strict on the rows', () => {
    assert.deepEqual(lines(parseFilterExpr('headline<0.5')), [2]);
    assert.deepEqual(lines(parseFilterExpr('headline>0.5')), [1]);
    assert.deepEqual(lines(parseFilterExpr('headline=0.5')), [3, 6]);
  });
  test('errors name the position in the expression', () => {
    assert.throws(() => parseFilterExpr('ex=0 colour=red'), /^Error: filter: position 6: unknown field "colour"/);
    assert.throws(() => parseFilterExpr('headline<abc'), /position 10: expected a number, got "abc"/);
    assert.throws(() => parseFilterExpr('ex=2'), /position 4: ex is 0, 1 or none/);
    assert.throws(() => parseFilterExpr('db<x'), /position 3: db takes "=", not "<"/);
    assert.throws(() => parseFilterExpr('review=done'), /position 8: review is one of pending, accepted, rejected, flagged/);
    assert.throws(() => parseFilterExpr('"open'), /position 1: unclosed quote/);
    assert.throws(() => parseFilterExpr('label='), /position 7: missing value after label=/);
    assert.throws(() => parseFilterExpr('sort=foo'), /position 6: sort by one of/);
    assert.throws(() => parseFilterExpr('db=a,,b'), /position 4: empty value/);
    assert.throws(() => parseFilterExpr('=x'), /position 1: expected <field><op><value>/);
  });
});
