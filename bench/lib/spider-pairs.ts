// Spider dev (gold, prediction) pairs of the 15 published systems in
// shared/data/spider_dev/predictions, for the benchmarks. Predictions are
// aligned with dev.json by position (every file has one entry per question).
// Questions on wta_1 (no database file) are skipped.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPredictionFile } from '../../src/core/data/corpus.ts';

export interface SpiderPair {
  system: string;
  index: number;
  dbId: string;
  dbPath: string;
  gold: string;
  pred: string;
}

export function loadSpiderPairs(data: string): SpiderPair[] {
  const dev = JSON.parse(readFileSync(join(data, 'spider_dev/dev.json'), 'utf8')) as { db_id: string; query: string }[];
  const dir = join(data, 'spider_dev/predictions');
  const pairs: SpiderPair[] = [];
  for (const file of readdirSync(dir).sort()) {
    const entries = readPredictionFile(join(dir, file));
    if (entries.length !== dev.length) throw new Error(`${file}: ${entries.length} predictions for ${dev.length} questions`);
    const system = file.replace(/\.(txt|sql|csv)$/, '');
    entries.forEach((e, i) => {
      const dbId = dev[i].db_id;
      const dbPath = join(data, 'spider_dev/database', dbId, `${dbId}.sqlite`);
      if (!existsSync(dbPath)) return;
      pairs.push({ system, index: i, dbId, dbPath, gold: dev[i].query, pred: e.sql });
    });
  }
  return pairs;
}

/** Unique (database, statement) pairs of gold and predictions. */
export function uniqueStatements(pairs: SpiderPair[]): { dbId: string; dbPath: string; sql: string }[] {
  const seen = new Map<string, { dbId: string; dbPath: string; sql: string }>();
  for (const p of pairs) {
    for (const sql of [p.gold, p.pred]) {
      const key = `${p.dbId}\u0000${sql}`;
      if (sql.trim() && !seen.has(key)) seen.set(key, { dbId: p.dbId, dbPath: p.dbPath, sql });
    }
  }
  return [...seen.values()];
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
