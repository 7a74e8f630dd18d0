// What a scoring run keeps in memory is bounded by size, not only by count
// (issue 14): the result caches by cells, the structural cache by characters,
// and the records in flight by the size of their text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ResultCache } from '../../src/core/exec/cache.ts';
import { ExecPool } from '../../src/core/exec/pool.ts';
import { schemaFromSqlite } from '../../src/core/plan/schema-load.ts';
import { runScore } from '../../src/core/score/run.ts';
import { StructuralCache, type StructuralResult } from '../../src/core/score/structural-cache.ts';
import type { InputItem, ScoredRecord } from '../../src/core/score/types.ts';
import { makeDb, tempDir } from '../helpers/exec-fixtures.ts';
import { SPIDER_DIR } from '../helpers/spider.ts';

test('ResultCache drops the least recently used results once they hold more cells than maxTotalCells', async () => {
  const { dir, cleanup } = tempDir();
  const pool = new ExecPool({ size: 1, timeoutMs: 2000 });
  try {
    const db = makeDb(join(dir, 'n.sqlite'), 'CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100) INSERT INTO t SELECT i FROM c;');
    const cache = new ResultCache({ maxTotalCells: 250 });
    const q = (n: number) => ({ db, sql: `SELECT x FROM t WHERE x <= ${n}` });
    await cache.run(pool, q(100)); // 100 cells
    await cache.run(pool, q(99)); // 199
    assert.equal(cache.cells, 199);
    await cache.run(pool, q(98)); // 297 > 250: the oldest (100 cells) goes
    assert.deepEqual([cache.size, cache.cells], [2, 197]);
    const misses = cache.misses;
    await cache.run(pool, q(99)); // still kept
    assert.equal(cache.misses, misses);
    await cache.run(pool, q(100)); // was dropped: runs again
    assert.equal(cache.misses, misses + 1);
    assert.ok(cache.cells <= 250, `${cache.cells} cells kept`);
  } finally {
    await pool.close();
    cleanup();
  }
});

test('StructuralCache keeps at most maxResultChars of keys and plans, and never one result of a quarter of it', () => {
  const schema = schemaFromSqlite(join(SPIDER_DIR, 'concert_singer', 'concert_singer.sqlite'));
  const gold = 'SELECT name FROM singer';
  const size = (r: StructuralResult, pred: string) => `concert_singer\u0000${gold}\u0000${pred}`.length + r.planFieldsJson.length;
  const probe = new StructuralCache(1000, 1000, null);
  const one = size(probe.score('concert_singer', schema, gold, 'SELECT name FROM singer WHERE age > 0'), 'SELECT name FROM singer WHERE age > 0');
  const cache = new StructuralCache(1000, 1000, null, one * 10);
  for (let i = 0; i < 40; i++) cache.score('concert_singer', schema, gold, `SELECT name FROM singer WHERE age > ${i}`);
  const s = cache.stats();
  assert.ok(s.resultChars <= one * 10, `${s.resultChars} chars kept, budget ${one * 10}`);
  assert.ok(s.results >= 5 && s.results <= 10, `${s.results} results kept`);
  // The newest are the ones kept.
  cache.score('concert_singer', schema, gold, 'SELECT name FROM singer WHERE age > 39');
  assert.equal(cache.stats().hits, 1);
  // A result bigger than a quarter of the budget is returned but not kept.
  const tiny = new StructuralCache(1000, 1000, null, one * 2);
  tiny.score('concert_singer', schema, gold, 'SELECT name FROM singer WHERE age > 1');
  assert.equal(tiny.stats().results, 0);
});

test('runScore starts no more text than windowChars at once (one record always may start), and writes every record in order', async () => {
  const schema = schemaFromSqlite(join(SPIDER_DIR, 'concert_singer', 'concert_singer.sqlite'));
  let inFlight = 0;
  let most = 0;
  // A structural cache that answers late, so records pile up if the window lets them.
  class SlowCache extends StructuralCache {
    override async scoreAsync(dbId: string, s: typeof schema, gold: string, pred: string): Promise<StructuralResult> {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return this.score(dbId, s, gold, pred);
    }
  }
  const pad = ' '.repeat(1000);
  const items: InputItem[] = Array.from({ length: 30 }, (_, i) => ({
    record: { index: i, line: i + 1, source: 'w.jsonl', id: i, db_id: 'concert_singer', gold_sql: 'SELECT name FROM singer', pred_sql: `SELECT name FROM singer WHERE age > ${i}${pad}` },
  }));
  const written: ScoredRecord[] = [];
  const run = (windowChars: number) =>
    runScore({
      items,
      windowChars,
      context: { database: () => ({ schema, dbPath: null, testSuite: null }), pool: null, structuralCache: new SlowCache(), reward: 'relpm_f1' },
      sink: (r) => written.push(r),
    });
  await run(3500); // records start while under 3,500 characters are pending: four of ~1,060 each
  assert.equal(most, 4, 'records in flight with a 3,500-character window');
  assert.deepEqual(written.map((r) => r.id), items.map((_, i) => i));
  most = 0;
  written.length = 0;
  await run(1); // a window smaller than any record: one at a time, never stuck
  assert.equal(most, 1);
  assert.equal(written.length, 30);
});
