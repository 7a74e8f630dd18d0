// Runs the official Spider execution match (src/core/exec/official.ts) over
// databases through the worker pool: `spider_ex` on the record's database, and
// the official test-suite EX over the record's database plus its variants.
// Like eval_exec_match it stops at the first database where the prediction
// fails (in chunks, so the pool still works in parallel).

import { basename, resolve } from 'node:path';
import type { ResultCache } from './cache.ts';
import type { ExecPool, ExecQuery } from './pool.ts';
import Database from 'better-sqlite3';
import { prepareLikeDefaultSqlite } from './execute.ts';
import type { Cell } from './protocol.ts';
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
  /** 1 / 0 as the official evaluator; null when gold failed on a database (the official script stops there). */
  correct: 0 | 1 | null;
  /** Databases run (stops after the chunk where the prediction first failed). */
  databases: number;
  /** The database gold failed on, when correct is null. */
  goldErrorDb?: string;
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

export async function runTexts(pool: ExecPool, texts: OfficialTexts, databases: readonly string[], options: OfficialRunOptions = {}): Promise<OfficialRunVerdict> {
  if (databases.length === 0) throw new RangeError('the official execution match needs at least one database');
  if (texts.goldUnparsable) return { correct: null, databases: 0, goldErrorDb: databases[0] };
  const chunk = Math.max(1, options.chunk ?? 8);
  const t = options.timeoutMs;
  const q = (db: string, sql: string): ExecQuery => ({ db, sql, ...(t ? { timeoutMs: t } : {}) });
  let ran = 0;
  for (let at = 0; at < databases.length; at += chunk) {
    const dbs = databases.slice(at, at + chunk);
    const goldQs = dbs.map((db) => q(db, texts.gold));
    const predQs = texts.predUnparsable ? [] : dbs.map((db) => q(db, texts.pred));
    const [golds, preds] = await Promise.all([
      options.cache ? options.cache.runMany(pool, goldQs) : pool.runMany(goldQs),
      options.predCache ? options.predCache.runMany(pool, predQs) : pool.runMany(predQs),
    ]);
    ran += dbs.length;
    // In order, as the official loop: gold first (asserted), then the prediction.
    for (let i = 0; i < dbs.length; i++) {
      const g = golds[i];
      if (g.error) return { correct: null, databases: ran, goldErrorDb: dbs[i] };
      if (texts.predUnparsable) return { correct: 0, databases: ran };
      const p = preds[i];
      if (p.error) return { correct: 0, databases: ran };
      let same: boolean;
      if (typeAmbiguous(g.rows) || typeAmbiguous(p.rows)) {
        // The workers hand INTEGER and REAL over as one JS number; result_eq's row sort
        // can tell 2 from 2.0, so these two results are read again with SQLite's types.
        const eg = exactRows(dbs[i], texts.gold);
        const ep = exactRows(dbs[i], texts.pred);
        same = eg && ep ? resultEq(eg, ep, texts.orderMatters, true) : resultEq(g.rows, p.rows, texts.orderMatters);
      } else same = resultEq(g.rows, p.rows, texts.orderMatters);
      if (!same) return { correct: 0, databases: ran };
    }
  }
  return { correct: 1, databases: ran };
}

const connections = new Map<string, InstanceType<typeof Database>>();
const exactMemo = new Map<string, Cell[][] | null>();

/** The rows with SQLite's own types (INTEGER as bigint, REAL as number), in process; null if it fails here. */
export function exactRows(db: string, sql: string): Cell[][] | null {
  const key = `${db}\u0000${sql}`;
  const hit = exactMemo.get(key);
  if (hit !== undefined) return hit;
  let rows: Cell[][] | null;
  try {
    let conn = connections.get(db);
    if (!conn) {
      if (connections.size >= 64) {
        const [oldest, c] = connections.entries().next().value as [string, InstanceType<typeof Database>];
        c.close();
        connections.delete(oldest);
      }
      conn = new Database(db, { readonly: true, fileMustExist: true });
      connections.set(db, conn);
    }
    const stmt = prepareLikeDefaultSqlite(conn, sql);
    stmt.raw(true);
    stmt.safeIntegers(true);
    rows = stmt.all() as Cell[][];
  } catch {
    rows = null;
  }
  if (exactMemo.size >= 4096) exactMemo.delete(exactMemo.keys().next().value as string);
  exactMemo.set(key, rows);
  return rows;
}
