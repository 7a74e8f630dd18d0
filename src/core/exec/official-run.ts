// Runs the official Spider execution match (src/core/exec/official.ts) over
// databases through the worker pool: `spider_ex` on the record's database, and
// the official test-suite EX over the record's database plus its variants.
// Like eval_exec_match it stops at the first database where the prediction
// fails (in chunks, so the pool still works in parallel).

import { basename, resolve } from 'node:path';
import type { ResultCache } from './cache.ts';
import type { ExecPool, ExecQuery } from './pool.ts';
import { INFRASTRUCTURE_KINDS, type ExecError, type ExecResult } from './protocol.ts';
import { officialTexts, resultEq, typeAmbiguous, type OfficialFlags, type OfficialTexts } from './official.ts';

export interface OfficialRunOptions extends OfficialFlags {
  /** Gold results are looked up here first (and stored). */
  cache?: ResultCache;
  /** Prediction results likewise. */
  predCache?: ResultCache;
  timeoutMs?: number;
  /** Databases run at once before checking for a failure; default 8. */
  chunk?: number;
}

export interface OfficialRunVerdict {
  /** 1 / 0 as the official evaluator; null when gold failed on a database (the official script stops there) or the machine failed a query. */
  correct: 0 | 1 | null;
  /** Databases run (stops after the chunk where the prediction first failed). */
  databases: number;
  /** The database gold failed on, and how, when correct is null for that reason. */
  goldErrorDb?: string;
  goldError?: ExecError;
  /** The database where the prediction failed or disagreed, when correct is 0. */
  failedOn?: string;
  /** A locked or unreadable database (busy, io): not the query's fault, so no verdict. */
  infrastructure?: { side: 'gold' | 'pred'; db: string; error: ExecError };
}

/** The official folder: the record's database first, then every variant but a copy under the same file name. */
export function officialSuiteDatabases(ownDb: string, variants: readonly string[]): string[] {
  const own = resolve(ownDb);
  const name = basename(own);
  return [own, ...variants.map((v) => resolve(v)).filter((v) => v !== own && basename(v) !== name)];
}

export async function officialExecMatch(
  pool: ExecPool,
  gold: string,
  pred: string,
  databases: readonly string[],
  options: OfficialRunOptions = {},
): Promise<OfficialRunVerdict> {
  const texts = officialTexts(gold, pred, options);
  return runTexts(pool, texts, databases, options);
}

const query = (db: string, sql: string, timeoutMs: number | undefined): ExecQuery => ({ db, sql, ...(timeoutMs ? { timeoutMs } : {}) });

export async function runTexts(pool: ExecPool, texts: OfficialTexts, databases: readonly string[], options: OfficialRunOptions = {}): Promise<OfficialRunVerdict> {
  if (databases.length === 0) throw new RangeError('the official execution match needs at least one database');
  if (texts.goldUnparsable) return { correct: null, databases: 0, goldErrorDb: databases[0], goldError: { kind: 'syntax', message: 'sqlparse finds no statement in the gold query' } };
  const chunk = Math.max(1, options.chunk ?? 8);
  const t = options.timeoutMs;
  let ran = 0;
  for (let at = 0; at < databases.length; at += chunk) {
    const dbs = databases.slice(at, at + chunk);
    const goldQs = dbs.map((db) => query(db, texts.gold, t));
    const predQs = texts.predUnparsable ? [] : dbs.map((db) => query(db, texts.pred, t));
    const [golds, preds] = await Promise.all([
      options.cache ? options.cache.runMany(pool, goldQs) : pool.runMany(goldQs),
      options.predCache ? options.predCache.runMany(pool, predQs) : pool.runMany(predQs),
    ]);
    ran += dbs.length;
    // In order, as the official loop: gold first (asserted), then the prediction.
    for (let i = 0; i < dbs.length; i++) {
      const v = await compareOnDatabase(pool, texts, dbs[i], golds[i], texts.predUnparsable ? null : preds[i], t);
      if (v) return { ...v, databases: ran };
    }
  }
  return { correct: 1, databases: ran };
}

/**
 * One database of eval_exec_match's loop, from the two results already run
 * there (pred null: sqlparse found no statement in it). Null when they agree
 * (go on to the next database), else the verdict.
 */
export async function compareOnDatabase(
  pool: ExecPool,
  texts: OfficialTexts,
  db: string,
  g: ExecResult,
  p: ExecResult | null,
  timeoutMs?: number,
): Promise<Omit<OfficialRunVerdict, 'databases'> | null> {
  if (g.error) {
    if (INFRASTRUCTURE_KINDS.has(g.error.kind)) return { correct: null, infrastructure: { side: 'gold', db, error: g.error } };
    return { correct: null, goldErrorDb: db, goldError: g.error };
  }
  if (!p) return { correct: 0, failedOn: db };
  if (p.error) {
    if (INFRASTRUCTURE_KINDS.has(p.error.kind)) return { correct: null, infrastructure: { side: 'pred', db, error: p.error } };
    return { correct: 0, failedOn: db };
  }
  let same: boolean;
  if (typeAmbiguous(g.rows) || typeAmbiguous(p.rows)) {
    // The workers hand INTEGER and REAL over as one JS number; result_eq's row sort
    // can tell 2 from 2.0, so these two results are read again with SQLite's types.
    const [eg, ep] = await pool.runMany([
      { ...query(db, texts.gold, timeoutMs), exactIntegers: true },
      { ...query(db, texts.pred, timeoutMs), exactIntegers: true },
    ]);
    same = !eg.error && !ep.error ? resultEq(eg.rows, ep.rows, texts.orderMatters, true) : resultEq(g.rows, p.rows, texts.orderMatters);
  } else same = resultEq(g.rows, p.rows, texts.orderMatters);
  return same ? null : { correct: 0, failedOn: db };
}
