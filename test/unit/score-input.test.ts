import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { entryStartLines, readScoreInput } from '../../src/core/score/input.ts';
import type { BadRecord, InputItem, InputRecord } from '../../src/core/score/types.ts';
import { REPO_ROOT } from '../helpers/data.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-score-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const jsonl = (...objs: unknown[]) => objs.map((o) => JSON.stringify(o)).join('\n') + '\n';

function records(items: InputItem[]): InputRecord[] {
  return items.map((i) => {
    assert.ok('record' in i, `expected a record, got ${JSON.stringify(i)}`);
    return i.record;
  });
}

function bad(item: InputItem | undefined): BadRecord {
  assert.ok(item && 'bad' in item, `expected a bad record, got ${JSON.stringify(item)}`);
  return item.bad;
}

// A Spider dev.json-like gold file and its gold.sql twin.
const GOLD = [
  { db_id: 'concert_singer', query: 'SELECT count(*) FROM singer', question: 'How many singers?', sql: { from: {} } },
  { db_id: 'pets_1', query: 'SELECT count(*) FROM pets', question: 'How many pets?' },
  { db_id: 'world_1', query: 'SELECT name FROM city', question: 'City names?' },
];
const goldJson = file('dev.json', JSON.stringify(GOLD, null, 2));
const goldSql = file('gold.sql', GOLD.map((g) => `${g.query}\t${g.db_id}`).join('\n') + '\n');

describe('JSONL records', () => {
  test('fields, order, index/line/source, blank lines skipped, CRLF', () => {
    const text = [
      JSON.stringify({ id: 'a', db_id: 'd1', gold_sql: 'SELECT 1', pred_sql: 'SELECT 2', question: 'q', evidence: 'e' }),
      '',
      '   ',
      JSON.stringify({ question_id: 7, db_id: 'd2', query: 'SELECT 3', prediction: '' }),
    ].join('\r\n');
    const rs = records(readScoreInput(file('r.jsonl', text)));
    assert.deepEqual(rs, [
      { index: 0, line: 1, source: 'r.jsonl', id: 'a', db_id: 'd1', gold_sql: 'SELECT 1', pred_sql: 'SELECT 2', question: 'q', evidence: 'e' },
      // empty SQL is not a bad record
      { index: 1, line: 4, source: 'r.jsonl', id: 7, db_id: 'd2', gold_sql: 'SELECT 3', pred_sql: '' },
    ]);
  });

  test('gold field variants: gold_sql, query (Spider), SQL (BIRD), gold; first wins', () => {
    const rs = records(
      readScoreInput(
        file(
          'g.jsonl',
          jsonl(
            { db_id: 'd', gold_sql: 'A', query: 'B', pred_sql: 'x' },
            { db_id: 'd', query: 'B', SQL: 'C', pred_sql: 'x' },
            { db_id: 'd', SQL: 'C', pred_sql: 'x' },
            { db_id: 'd', gold: 'D', pred_sql: 'x' },
          ),
        ),
      ),
    );
    assert.deepEqual(rs.map((r) => r.gold_sql), ['A', 'B', 'C', 'D']);
  });

  test('prediction, db and id field variants', () => {
    const rs = records(
      readScoreInput(
        file(
          'p.jsonl',
          jsonl(
            { db: 'd1', gold_sql: 'g', predicted_sql: 'P1', instance_id: 'i1' },
            { database: 'd2', gold_sql: 'g', pred: 'P2', index: 3 },
            { db_id: 'd3', gold_sql: 'g', prediction: 'P3' },
          ),
        ),
      ),
    );
    assert.deepEqual(rs.map((r) => [r.db_id, r.pred_sql, r.id]), [['d1', 'P1', 'i1'], ['d2', 'P2', 3], ['d3', 'P3', null]]);
  });

  test('completion fields: completion, response, output; bare SQL in a completion stays a completion', () => {
    const rs = records(
      readScoreInput(
        file(
          'c.jsonl',
          jsonl(
            { db_id: 'd', gold_sql: 'g', completion: '<think>a</think>\n```sql\nSELECT 1\n```' },
            { db_id: 'd', gold_sql: 'g', response: 'SELECT 2' },
            { db_id: 'd', gold_sql: 'g', output: '<answer>SELECT 3</answer>' },
          ),
        ),
      ),
    );
    assert.deepEqual(rs.map((r) => r.completion), ['<think>a</think>\n```sql\nSELECT 1\n```', 'SELECT 2', '<answer>SELECT 3</answer>']);
    for (const r of rs) assert.equal(r.pred_sql, undefined);
  });

  test('messages: the last assistant message, string or text parts', () => {
    const rs = records(
      readScoreInput(
        file(
          'm.jsonl',
          jsonl(
            {
              db_id: 'd',
              gold_sql: 'g',
              messages: [
                { role: 'system', content: 'sys' },
                { role: 'user', content: 'q' },
                { role: 'assistant', content: 'first' },
                { role: 'user', content: 'again' },
                { role: 'assistant', content: '<think>x</think> SELECT 1' },
              ],
            },
            {
              db_id: 'd',
              gold_sql: 'g',
              messages: [
                { role: 'user', content: [{ type: 'text', text: 'q' }] },
                { role: 'assistant', content: [{ type: 'text', text: '<think>a</think>' }, { type: 'image_url', image_url: 'x' }, { type: 'text', text: 'SELECT 2' }] },
              ],
            },
          ),
        ),
      ),
    );
    assert.deepEqual(rs.map((r) => r.completion), ['<think>x</think> SELECT 1', '<think>a</think>SELECT 2']);
  });

  test('messages without an assistant turn: invalid_field (a prompt is not a completion)', () => {
    const items = readScoreInput(file('m2.jsonl', jsonl({ db_id: 'd', gold_sql: 'g', messages: [{ role: 'user', content: 'q' }] })));
    const b = bad(items[0]);
    assert.equal(b.kind, 'invalid_field');
    assert.equal(b.message, 'm2.jsonl line 1: field "messages" has no assistant message with text content');
  });

  test('precedence: prediction fields before completion fields; response before messages', () => {
    const [a, b] = records(
      readScoreInput(
        file(
          'prec.jsonl',
          jsonl(
            { db_id: 'd', gold_sql: 'g', response: '<think>t</think> SELECT 9', pred_sql: 'SELECT 1' },
            { db_id: 'd', gold_sql: 'g', messages: [{ role: 'assistant', content: 'M' }], response: 'R' },
          ),
        ),
      ),
    );
    assert.equal(a.pred_sql, 'SELECT 1');
    assert.equal(a.completion, undefined);
    assert.equal(b.completion, 'R');
  });

  test('a non-string prediction field falls through to the next candidate', () => {
    const [r] = records(readScoreInput(file('fall.jsonl', jsonl({ db_id: 'd', gold_sql: 'g', pred_sql: null, response: 'SELECT 1' }))));
    assert.equal(r.completion, 'SELECT 1');
    const b = bad(readScoreInput(file('null.jsonl', jsonl({ db_id: 'd', gold_sql: 'g', pred_sql: null })))[0]);
    assert.equal(b.kind, 'invalid_field');
    assert.equal(b.message, 'null.jsonl line 1: field "pred_sql" is null, expected a string');
  });

  test('explicit fields override auto-detection (and only they are read)', () => {
    const text = jsonl({ db_id: 'd', gold_sql: 'auto gold', pred_sql: 'auto pred', my_gold: 'G', my_pred: 'P', gen: 'C', dbx: 'X', qid: 'Q1', q: 'QQ', hint: 'H' });
    const path = file('explicit.jsonl', text);
    const [r] = records(readScoreInput(path, { fields: { gold: 'my_gold', pred: 'my_pred', db: 'dbx', id: 'qid', question: 'q', evidence: 'hint' } }));
    assert.deepEqual(r, { index: 0, line: 1, source: 'explicit.jsonl', id: 'Q1', db_id: 'X', gold_sql: 'G', pred_sql: 'P', question: 'QQ', evidence: 'H' });
    // an explicit completion field wins over an auto-detected pred_sql
    const [c] = records(readScoreInput(path, { fields: { completion: 'gen' } }));
    assert.equal(c.completion, 'C');
    assert.equal(c.pred_sql, undefined);
    // both explicit: the prediction first, the completion when the record lacks it
    const two = readScoreInput(file('two.jsonl', jsonl({ db_id: 'd', gold_sql: 'g', a: 'P', b: 'C' }, { db_id: 'd', gold_sql: 'g', b: 'C' })), { fields: { pred: 'a', completion: 'b' } });
    assert.deepEqual(records(two).map((r) => r.pred_sql ?? `completion:${r.completion}`), ['P', 'completion:C']);
    // an explicit name that is missing is reported under that name
    const b = bad(readScoreInput(path, { fields: { pred: 'nope' } })[0]);
    assert.equal(b.message, 'explicit.jsonl line 1: missing field "nope"');
  });

  test('bad records: malformed JSON, not an object, missing fields; every entry kept, with line numbers', () => {
    const text = [
      JSON.stringify({ id: 1, db_id: 'd', gold_sql: 'g', pred_sql: 'p' }),
      '{"db_id": "d", "gold_sql": ',
      '[1, 2]',
      '',
      JSON.stringify({ id: 4, gold_sql: 'g', pred_sql: 'p' }),
      JSON.stringify({ id: 5, db_id: 'd', pred_sql: 'p' }),
      JSON.stringify({ id: 6, db_id: 'd', gold_sql: 'g' }),
      JSON.stringify({ id: 7, db_id: '', gold_sql: 'g', pred_sql: 'p' }),
      'null',
    ].join('\n');
    const items = readScoreInput(file('preds.jsonl', text));
    assert.equal(items.length, 8);
    assert.deepEqual(items.map((i, k) => ('record' in i ? i.record.index : i.bad.index) === k), Array(8).fill(true));
    assert.ok('record' in items[0]);
    const m = bad(items[1]);
    assert.equal(m.kind, 'malformed_json');
    assert.match(m.message, /^preds\.jsonl line 2: malformed JSON \(.+\)$/);
    assert.equal(m.id, null);
    const o = bad(items[2]);
    assert.equal(o.kind, 'not_an_object');
    assert.equal(o.message, 'preds.jsonl line 3: expected a JSON object, got an array');
    const db = bad(items[3]);
    assert.deepEqual(db, { index: 3, line: 5, source: 'preds.jsonl', id: 4, db_id: null, kind: 'missing_field', message: 'preds.jsonl line 5: missing field "db_id" (or "db", "database", "DATABASE")' });
    const g = bad(items[4]);
    assert.equal(g.kind, 'missing_field');
    assert.equal(g.db_id, 'd');
    assert.match(g.message, /^preds\.jsonl line 6: missing field "gold_sql" \(or "query", "SQL", "gold", "GOLD SQL"\) \(or pass --gold/);
    const p = bad(items[5]);
    assert.equal(p.message, 'preds.jsonl line 7: missing field "pred_sql" (or "prediction", "predicted_sql", "pred", "PREDICTED SQL", "completion", "response", "output", "messages")');
    assert.equal(bad(items[6]).message, 'preds.jsonl line 8: missing field "db_id" (or "db", "database", "DATABASE")');
    assert.equal(bad(items[7]).message, 'preds.jsonl line 9: expected a JSON object, got null');
    for (const i of items) if ('bad' in i) assert.doesNotMatch(i.bad.message, /\n/);
  });

  test('a long malformed line gives a short one-line message', () => {
    const b = bad(readScoreInput(file('long.jsonl', '{"a": "' + 'x'.repeat(5000) + '\n'))[0]);
    assert.ok(b.message.length < 260, b.message);
  });

  test('JSONL under another extension is detected from the content', () => {
    const rs = records(readScoreInput(file('records.json', jsonl({ db_id: 'd', gold_sql: 'g', pred_sql: 'p' }, { db_id: 'd', gold_sql: 'g', pred_sql: 'q' }))));
    assert.deepEqual(rs.map((r) => [r.line, r.pred_sql]), [[1, 'p'], [2, 'q']]);
    assert.equal(records(readScoreInput(file('records', jsonl({ db_id: 'd', gold_sql: 'g', pred_sql: 'p' }, { db_id: 'd', gold_sql: 'g', pred_sql: 'q' })))).length, 2);
  });

  test('a stray bare SQL string among records is a bad record, not a fatal error', () => {
    const items = readScoreInput(file('stray.jsonl', jsonl({ db_id: 'd', gold_sql: 'g', pred_sql: 'p' }, 'SELECT 1')));
    assert.equal(items.length, 2);
    assert.equal(bad(items[1]).message, 'stray.jsonl line 2: a bare SQL string has no gold SQL (pass --gold to pair it with a gold file)');
    assert.throws(() => readScoreInput(file('strings.json', '["SELECT 1", "SELECT 2"]')), /strings\.json: a prediction file of bare SQL strings needs --gold/);
  });

  test('a .json file holding one record object', () => {
    const [r] = records(readScoreInput(file('one.json', JSON.stringify({ db_id: 'd', gold_sql: 'g', pred_sql: 'p' }, null, 2))));
    assert.deepEqual([r.line, r.db_id, r.pred_sql], [1, 'd', 'p']);
  });

  test('a BOM is ignored', () => {
    assert.equal(records(readScoreInput(file('bom.jsonl', '\ufeff' + jsonl({ db_id: 'd', gold_sql: 'g', pred_sql: 'p' })))).length, 1);
  });
});

describe('JSON arrays', () => {
  test('entries with the line where each starts; non-objects are bad', () => {
    const text = '[\n  {"db_id": "d", "gold_sql": "g",\n   "pred_sql": "p1"},\n  {"db_id": "d", "gold_sql": "g", "pred_sql": "p, [2]"},\n\n  5\n]\n';
    const items = readScoreInput(file('arr.json', text));
    assert.equal(items.length, 3);
    const [a, b] = records(items.slice(0, 2));
    assert.deepEqual([a.line, a.pred_sql, a.id], [2, 'p1', null]);
    assert.deepEqual([b.line, b.pred_sql], [4, 'p, [2]']);
    const c = bad(items[2]);
    assert.equal(c.kind, 'not_an_object');
    assert.equal(c.line, 6);
  });

  test('a malformed JSON array is an unusable file', () => {
    assert.throws(() => readScoreInput(file('broken.json', '[{"a": 1},')), (e: Error) => /broken\.json: malformed JSON/.test(e.message) && !e.message.includes('\n'));
  });

  test('entryStartLines: strings with brackets, commas, escaped quotes; minified', () => {
    assert.deepEqual(entryStartLines('[\n"a,\\"]",\n{"k": "}\\\\"},\n[1,\n2]]', 3), [2, 3, 4]);
    assert.deepEqual(entryStartLines('{"0": "x", "1": 0}', 2), [1, 1]);
    assert.deepEqual(entryStartLines('[]', 0), []);
  });
});

describe('published prediction files with a gold file', () => {
  test('one SQL per line, no trailing newline (DAIL-SQL), paired with Spider dev.json', () => {
    const items = readScoreInput(file('dail.txt', 'SELECT count(*) FROM singer\r\n\r\nSELECT name FROM city'), { gold: goldJson });
    assert.deepEqual(records(items), [
      { index: 0, line: 1, source: 'dail.txt', id: 0, db_id: 'concert_singer', gold_sql: 'SELECT count(*) FROM singer', pred_sql: 'SELECT count(*) FROM singer', question: 'How many singers?' },
      { index: 1, line: 2, source: 'dail.txt', id: 1, db_id: 'pets_1', gold_sql: 'SELECT count(*) FROM pets', pred_sql: '', question: 'How many pets?' },
      { index: 2, line: 3, source: 'dail.txt', id: 2, db_id: 'world_1', gold_sql: 'SELECT name FROM city', pred_sql: 'SELECT name FROM city', question: 'City names?' },
    ]);
  });

  test('the same with a gold.sql (SQL <tab> db_id) gold file', () => {
    const rs = records(readScoreInput(file('p.sql', 'A\nB\nC\n'), { gold: goldSql }));
    assert.deepEqual(rs.map((r) => [r.db_id, r.gold_sql, r.question]), [
      ['concert_singer', 'SELECT count(*) FROM singer', undefined],
      ['pets_1', 'SELECT count(*) FROM pets', undefined],
      ['world_1', 'SELECT name FROM city', undefined],
    ]);
  });

  test('without --gold: a clear error naming the file', () => {
    const p = file('nogold.txt', 'SELECT 1\nSELECT 2\n');
    assert.throws(() => readScoreInput(p), { message: `${p}: a prediction file with one SQL per line needs --gold <dev.json|gold.sql> to pair with` });
    assert.throws(() => readScoreInput(file('nogold.json', '{"0": "SELECT 1\\t----- bird -----\\tx"}')), /keyed by question index \(BIRD format\) needs --gold/);
  });

  test('SQL <tab> db_id (TA-SQL): db_id checked against the gold', () => {
    const items = readScoreInput(file('ta.sql', 'SELECT 1\tconcert_singer\nSELECT 2\tcar_1\nSELECT 3\tworld_1'), { gold: goldJson });
    assert.equal(items.length, 3);
    assert.ok('record' in items[0] && 'record' in items[2]);
    assert.deepEqual(bad(items[1]), {
      index: 1,
      line: 2,
      source: 'ta.sql',
      id: 1,
      db_id: 'car_1',
      kind: 'db_mismatch',
      message: 'ta.sql line 2: db_id "car_1" differs from the gold\'s "pets_1" (dev.json entry 2)',
    });
  });

  test('BIRD JSON map: keyed by index, failed calls, subsets, db mismatch', () => {
    const bird = [
      { question_id: 10, db_id: 'california_schools', question: 'Q0', evidence: 'E0', SQL: 'G0' },
      { question_id: 11, db_id: 'financial', question: 'Q1', evidence: 'E1', SQL: 'G1' },
      { question_id: 12, db_id: 'financial', question: 'Q2', evidence: '', SQL: 'G2' },
      { question_id: 13, db_id: 'toxicology', question: 'Q3', evidence: 'E3', SQL: 'G3' },
    ];
    const gold = file('mini_dev.json', JSON.stringify(bird, null, 4));
    const map = '{\n    "0": "SELECT 1\\t----- bird -----\\tcalifornia_schools",\n    "2": 0,\n    "3": "SELECT 3\\t----- bird -----\\tfinancial",\n    "1": "SELECT x;"\n}';
    const items = readScoreInput(file('predict_mini_dev.json', map), { gold });
    assert.equal(items.length, 4); // a map may cover a subset: no missing_prediction records
    const [r0] = records([items[0]]);
    assert.deepEqual(r0, { index: 0, line: 2, source: 'predict_mini_dev.json', id: 10, db_id: 'california_schools', gold_sql: 'G0', pred_sql: 'SELECT 1', question: 'Q0', evidence: 'E0' });
    const f = bad(items[1]);
    assert.deepEqual(f, { index: 1, line: 3, source: 'predict_mini_dev.json', id: 12, db_id: 'financial', kind: 'failed_call', message: 'predict_mini_dev.json line 3: entry "2": failed model call (stored as 0)' });
    assert.equal(bad(items[2]).kind, 'db_mismatch'); // key 3 is toxicology
    const [r3] = records([items[3]]);
    assert.deepEqual([r3.id, r3.db_id, r3.pred_sql, r3.gold_sql, r3.line], [11, 'financial', 'SELECT x;', 'G1', 5]);
  });

  test('count mismatch is not fatal: extra predictions and missing ones are bad records', () => {
    const extra = readScoreInput(file('extra.txt', 'a\nb\nc\nd\n'), { gold: goldJson });
    assert.equal(extra.length, 4);
    assert.deepEqual(bad(extra[3]), { index: 3, line: 4, source: 'extra.txt', id: 3, db_id: null, kind: 'no_gold', message: 'extra.txt line 4: no gold entry 4 in dev.json (it has 3)' });
    const short = readScoreInput(file('short.txt', 'a\n'), { gold: goldJson });
    assert.equal(short.length, 3);
    assert.equal(records([short[0]])[0].pred_sql, 'a');
    const m = bad(short[1]);
    assert.deepEqual(m, {
      index: 1,
      line: 2,
      source: 'short.txt',
      id: 1,
      db_id: 'pets_1',
      kind: 'missing_prediction',
      message: 'short.txt: no prediction for gold entry 2 of dev.json (short.txt has 1 entry, the gold file 3)',
    });
    assert.equal(bad(short[2]).index, 2);
  });

  test('JSONL records take gold SQL from the gold file, and db_id, question when they lack them', () => {
    const items = readScoreInput(
      file('gen.jsonl', jsonl({ id: 'x', completion: 'SELECT 1' }, { db_id: 'pets_1', pred_sql: 'p', question: 'mine' }, { db_id: 'car_1', gold_sql: 'own', pred_sql: 'p' })),
      { gold: goldJson },
    );
    const [a, b] = records(items.slice(0, 2));
    assert.deepEqual(a, { index: 0, line: 1, source: 'gen.jsonl', id: 'x', db_id: 'concert_singer', gold_sql: 'SELECT count(*) FROM singer', completion: 'SELECT 1', question: 'How many singers?' });
    assert.deepEqual([b.id, b.gold_sql, b.question], [1, 'SELECT count(*) FROM pets', 'mine']);
    // a record's db_id must agree with the gold file's
    assert.equal(bad(items[2]).kind, 'db_mismatch');
    // the gold file is the reference: it replaces a record's own gold; past its end, the own gold is used
    const text = jsonl(
      { db_id: 'concert_singer', gold_sql: 'own1', pred_sql: 'p' },
      { gold_sql: 'own2', pred_sql: 'p' },
      { gold_sql: 'own3', pred_sql: 'p' },
      { db_id: 'd', gold_sql: 'own4', pred_sql: 'p' },
    );
    const own = records(readScoreInput(file('own.jsonl', text), { gold: goldJson }));
    assert.deepEqual(own.map((r) => r.gold_sql), ['SELECT count(*) FROM singer', 'SELECT count(*) FROM pets', 'SELECT name FROM city', 'own4']);
  });

  test('a gold file is paired once per path and reused', () => {
    const g = file('cache.json', JSON.stringify(GOLD));
    const a = records(readScoreInput(file('c1.txt', 'x\ny\nz\n'), { gold: g }));
    const b = records(readScoreInput(file('c2.txt', 'x\ny\nz\n'), { gold: g }));
    assert.deepEqual(a.map((r) => r.gold_sql), b.map((r) => r.gold_sql));
  });

  test('missing gold file, missing input file, unknown format: errors naming the file', () => {
    assert.throws(() => readScoreInput(file('x.txt', 'a\n'), { gold: join(dir, 'nope.json') }), /nope\.json: no such gold file/);
    assert.throws(() => readScoreInput(join(dir, 'absent.jsonl')), /absent\.jsonl: no such file/);
    assert.throws(() => readScoreInput(file('bin.dat', 'SQLite format 3\u0000\u0001')), /bin\.dat: unknown format/);
    assert.throws(() => readScoreInput(file('scalar.json', '42')), /scalar\.json: unknown format/);
  });
});

describe('CSV', () => {
  test('DIN-SQL CSV carries its own gold, question and db; --gold optional', () => {
    const text = 'NLQ,PREDICTED SQL,GOLD SQL,DATABASE\n"How many, really?","SELECT count(*)\nFROM singer",SELECT count(*) FROM singer,concert_singer\nQ2,"SELECT ""x""",g2,pets_1\n';
    const rs = records(readScoreInput(file('din.csv', text)));
    assert.deepEqual(rs, [
      { index: 0, line: 2, source: 'din.csv', id: 0, db_id: 'concert_singer', gold_sql: 'SELECT count(*) FROM singer', pred_sql: 'SELECT count(*)\nFROM singer', question: 'How many, really?' },
      { index: 1, line: 4, source: 'din.csv', id: 1, db_id: 'pets_1', gold_sql: 'g2', pred_sql: 'SELECT "x"', question: 'Q2' },
    ]);
    // with --gold: the gold file's SQL, the CSV's question; the third gold entry has no prediction
    const withGold = readScoreInput(file('din2.csv', text), { gold: goldJson });
    assert.deepEqual(records(withGold.slice(0, 2)).map((r) => [r.gold_sql, r.question]), [['SELECT count(*) FROM singer', 'How many, really?'], ['SELECT count(*) FROM pets', 'Q2']]);
    assert.equal(bad(withGold[2]).kind, 'missing_prediction');
  });

  test('generic CSV with snake_case headers', () => {
    const rs = records(readScoreInput(file('g.csv', 'db_id,gold_sql,pred_sql\r\nd,SELECT 1,SELECT 2\r\n')));
    assert.deepEqual(rs.map((r) => [r.db_id, r.gold_sql, r.pred_sql]), [['d', 'SELECT 1', 'SELECT 2']]);
  });
});

describe('demo dataset', () => {
  test('data/demo/demo.jsonl: 40 records, 10 of them completions', () => {
    const rs = records(readScoreInput(join(REPO_ROOT, 'data/demo/demo.jsonl')));
    assert.equal(rs.length, 40);
    assert.equal(rs.filter((r) => r.completion !== undefined).length, 10);
    assert.equal(rs.filter((r) => r.pred_sql !== undefined).length, 30);
  });
});

describe('performance', () => {
  test('100k JSONL records and a 100k-line prediction file read in well under a few seconds', () => {
    const rec = JSON.stringify({ id: 1, db_id: 'concert_singer', gold_sql: 'SELECT count(*) FROM singer WHERE age > 20', completion: '<think>' + 'reason '.repeat(40) + '</think>\n```sql\nSELECT 1\n```' });
    const big = file('big.jsonl', (rec + '\n').repeat(100_000));
    let t = performance.now();
    assert.equal(readScoreInput(big).length, 100_000);
    const jsonlMs = performance.now() - t;
    const gold = file('big-gold.sql', 'SELECT 1\tconcert_singer\n'.repeat(100_000));
    const preds = file('big.txt', 'SELECT 1\n'.repeat(100_000));
    t = performance.now();
    assert.equal(readScoreInput(preds, { gold }).length, 100_000);
    const linesMs = performance.now() - t;
    const map = file('big-map.json', '{\n' + Array.from({ length: 100_000 }, (_, i) => `  "${i}": "SELECT 1\\t----- bird -----\\tconcert_singer"`).join(',\n') + '\n}');
    t = performance.now();
    const items = readScoreInput(map, { gold });
    const mapMs = performance.now() - t;
    assert.equal(items.length, 100_000);
    assert.equal(records([items[99_999]])[0].line, 100_001);
    assert.ok(jsonlMs < 5000 && linesMs < 5000 && mapMs < 5000, `jsonl ${jsonlMs} ms, lines ${linesMs} ms, map ${mapMs} ms`);
  });
});
