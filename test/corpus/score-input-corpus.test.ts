// readScoreInput on every published prediction file of shared/data, paired
// with its gold file: one item per question, the gold's db_id on every record
// (so the pairing is right), bad records only where the file really has a
// failed call; and the DeepSeek reasoning traces read as completions.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readScoreInput } from '../../src/core/score/input.ts';
import type { InputItem, InputRecord } from '../../src/core/score/types.ts';
import { sharedDataDir, skipWithoutData } from '../helpers/data.ts';

interface Gold {
  db_id: string;
  query?: string;
  SQL?: string;
  question: string;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function predictionFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.endsWith('_metric.json'))
    .sort();
}

/** Bad-record kinds of one file, e.g. { failed_call: 14 }. */
function badKinds(items: InputItem[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const i of items) if ('bad' in i) kinds[i.bad.kind] = (kinds[i.bad.kind] ?? 0) + 1;
  return kinds;
}

/** Every record's db_id and gold SQL are those of the gold entry its id (the question index) names. */
function checkPairing(name: string, items: InputItem[], gold: Gold[], keyedById: boolean): InputRecord[] {
  const records: InputRecord[] = [];
  items.forEach((item, i) => {
    assert.equal('record' in item ? item.record.index : item.bad.index, i, `${name}: index ${i}`);
    if (!('record' in item)) return;
    const r = item.record;
    const g = gold[keyedById ? Number(r.id) : i];
    assert.ok(g, `${name} line ${r.line}: no gold for id ${r.id}`);
    assert.equal(r.db_id, g.db_id, `${name} line ${r.line}: db_id`);
    assert.equal(r.gold_sql, g.query ?? g.SQL, `${name} line ${r.line}: gold SQL`);
    assert.equal(r.question, g.question, `${name} line ${r.line}: question`);
    assert.equal(typeof r.pred_sql, 'string');
    records.push(r);
  });
  return records;
}

test('Spider dev: the 15 published prediction files pair with dev.json', { skip: skipWithoutData() }, (t) => {
  const data = sharedDataDir()!;
  const dir = join(data, 'spider_dev/predictions');
  const goldPath = join(data, 'spider_dev/dev.json');
  const gold = readJson<Gold[]>(goldPath);
  const files = predictionFiles(dir);
  assert.equal(files.length, 15);
  for (const f of files) {
    const items = readScoreInput(join(dir, f), { gold: goldPath });
    assert.equal(items.length, 1034, f);
    assert.deepEqual(badKinds(items), {}, f);
    const records = checkPairing(f, items, gold, false);
    const empty = records.filter((r) => r.pred_sql!.trim() === '').length;
    t.diagnostic(`${f}: ${records.length} records, ${empty} empty predictions`);
  }
  // DIN-SQL CSVs carry their own gold and database: readable without --gold too.
  for (const f of files.filter((x) => x.endsWith('.csv'))) {
    const items = readScoreInput(join(dir, f));
    assert.equal(items.length, 1034, f);
    assert.deepEqual(badKinds(items), {}, f);
    const same = items.filter((it, i) => 'record' in it && it.record.db_id === gold[i].db_id && it.record.question === gold[i].question).length;
    assert.equal(same, 1034, `${f}: db_id and question agree with dev.json without --gold`);
  }
  // The gold.sql twin of dev.json (44 of its queries are written differently) is the reference when given,
  // for the CSVs too (their own GOLD SQL column is dev.json's).
  const goldSql = readFileSync(join(data, 'spider_dev/gold_example.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(0, l.lastIndexOf('\t')));
  let differ = 0;
  for (const f of ['codes-7b.txt', 'din-sql_gpt4_results_DIN-SQL.csv']) {
    const viaSql = readScoreInput(join(dir, f), { gold: join(data, 'spider_dev/gold_example.txt') });
    assert.equal(viaSql.length, 1034);
    viaSql.forEach((it, i) => {
      assert.ok('record' in it);
      assert.equal(it.record.db_id, gold[i].db_id);
      assert.equal(it.record.gold_sql, goldSql[i]);
      if (goldSql[i] !== gold[i].query) differ++;
    });
  }
  assert.equal(differ, 2 * 44);
});

test('BIRD dev: full-dev and subset100 prediction files pair with dev.json', { skip: skipWithoutData() }, (t) => {
  const data = sharedDataDir()!;
  const goldPath = join(data, 'bird_dev/dev.json');
  const gold = readJson<Gold[]>(goldPath);
  const failed: Record<string, number> = { 'damo_chatgpt_turbo_kg_predict_dev.json': 14, 'damo_chatgpt_turbo_predict_dev.json': 54 };
  let n = 0;
  for (const [sub, count, keyed] of [['predictions', 1534, false], ['subset100_agent_predictions', 100, true]] as const) {
    const dir = join(data, 'bird_dev', sub);
    for (const f of predictionFiles(dir)) {
      const items = readScoreInput(join(dir, f), { gold: goldPath });
      assert.equal(items.length, count, f);
      const kinds = badKinds(items);
      assert.deepEqual(kinds, failed[f] ? { failed_call: failed[f] } : {}, f);
      // Failed calls still carry the gold's db_id.
      for (const it of items) if ('bad' in it) assert.equal(it.bad.db_id, gold[Number(it.bad.id)].db_id);
      const records = checkPairing(f, items, gold, keyed);
      for (const r of records) assert.equal(typeof r.evidence, 'string');
      t.diagnostic(`${sub}/${f}: ${records.length} records${kinds.failed_call ? `, ${kinds.failed_call} failed calls` : ''}`);
      n++;
    }
  }
  assert.equal(n, 20 + 30);
});

test('BIRD mini-dev: prediction files pair with mini_dev_sqlite.json (and its gold.sql)', { skip: skipWithoutData() }, (t) => {
  const data = sharedDataDir()!;
  const goldPath = join(data, 'bird_mini_dev/mini_dev_sqlite.json');
  const gold = readJson<(Gold & { question_id: number })[]>(goldPath);
  let n = 0;
  for (const sub of ['predictions_sqlite', 'predictions_cot_sqlite']) {
    const dir = join(data, 'bird_mini_dev', sub);
    for (const f of predictionFiles(dir)) {
      const items = readScoreInput(join(dir, f), { gold: goldPath });
      assert.equal(items.length, 500, f);
      assert.deepEqual(badKinds(items), {}, f);
      const records = items.map((it) => ('record' in it ? it.record : assert.fail(f)));
      records.forEach((r, i) => {
        assert.equal(r.db_id, gold[i].db_id, `${f} line ${r.line}`);
        assert.equal(r.gold_sql, gold[i].SQL);
        assert.equal(r.id, gold[i].question_id);
      });
      t.diagnostic(`${sub}/${f}: ${records.length} records`);
      n++;
    }
  }
  assert.equal(n, 13);
  const viaSql = readScoreInput(join(data, 'bird_mini_dev/predictions_sqlite/predict_mini_dev_gpt-4_sqlite.json'), { gold: join(data, 'bird_mini_dev/mini_dev_sqlite_gold.sql') });
  assert.equal(viaSql.length, 500);
  assert.deepEqual(badKinds(viaSql), {});
});

test('DeepSeek reasoning traces read as completions', { skip: skipWithoutData() }, (t) => {
  const data = sharedDataDir()!;
  const dir = join(data, 'reasoning_traces/text2sql-grpo_deepseek-v4');
  const expected: Record<string, number> = { 'ab_flash_nothink_25.jsonl': 25, 'ab_flash_think_25.jsonl': 25, 'ab_pro_think_5.jsonl': 5 };
  for (const f of readdirSync(dir).sort()) {
    const items = readScoreInput(join(dir, f));
    assert.equal(items.length, expected[f], f);
    const rows = readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { response: string; db_id: string; gold_sql: string });
    let think = 0;
    items.forEach((it, i) => {
      assert.ok('record' in it, f);
      const r = it.record;
      assert.equal(r.pred_sql, undefined);
      assert.equal(r.completion, rows[i].response);
      assert.equal(r.db_id, rows[i].db_id);
      assert.equal(r.gold_sql, rows[i].gold_sql);
      if (r.completion!.includes('<think>')) think++;
    });
    t.diagnostic(`${f}: ${items.length} completions, ${think} with <think>`);
  }
});
