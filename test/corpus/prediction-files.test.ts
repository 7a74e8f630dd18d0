// readPredictionFile on every published prediction file in shared/data: one
// entry per question, and wherever a file records a database id it agrees
// with the gold question at the same index (so the format was read right).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readPredictionFile } from '../../src/core/data/corpus.ts';
import { sharedDataDir, skipWithoutData } from '../helpers/data.ts';

interface Set {
  dir: string;
  gold: string;
  /** Expected entries per file. */
  count: number;
}

const SETS: Set[] = [
  { dir: 'spider_dev/predictions', gold: 'spider_dev/dev.json', count: 1034 },
  { dir: 'bird_dev/predictions', gold: 'bird_dev/dev.json', count: 1534 },
  { dir: 'bird_dev/subset100_agent_predictions', gold: 'bird_dev/dev.json', count: 100 },
  { dir: 'bird_mini_dev/predictions_sqlite', gold: 'bird_mini_dev/mini_dev_sqlite.json', count: 500 },
  { dir: 'bird_mini_dev/predictions_cot_sqlite', gold: 'bird_mini_dev/mini_dev_sqlite.json', count: 500 },
];

test('prediction files align with their gold questions', { skip: skipWithoutData() }, (t) => {
  const data = sharedDataDir()!;
  let files = 0;
  let withDb = 0;
  let failed = 0;
  for (const set of SETS) {
    const gold = JSON.parse(readFileSync(join(data, set.gold), 'utf8')) as { db_id: string }[];
    for (const name of readdirSync(join(data, set.dir)).sort()) {
      if (name.endsWith('_metric.json')) continue;
      const entries = readPredictionFile(join(data, set.dir, name));
      files++;
      assert.equal(entries.length, set.count, `${name}: ${entries.length} entries`);
      for (const e of entries) {
        assert.ok(gold[e.index], `${name}: index ${e.index} out of range`);
        if (e.failed) failed++;
        else assert.notEqual(e.sql.trim(), '', `${name}:${e.line}: empty SQL`);
        if (e.db_id === undefined) continue;
        withDb++;
        assert.equal(e.db_id, gold[e.index].db_id, `${name}:${e.line}: db_id ${e.db_id} vs gold ${gold[e.index].db_id}`);
      }
    }
  }
  t.diagnostic(`${files} files; ${withDb} entries carry a db_id that matches the gold; ${failed} failed calls`);
  assert.equal(files, 15 + 20 + 30 + 9 + 4);
});
