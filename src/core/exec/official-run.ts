// Runs the official Spider execution match (src/core/exec/official.ts) over
// databases through the worker pool: `spider_ex` on the record's database, and
// the official test-suite EX over the record's database plus its variants.
// Like eval_exec_match it stops at the first database where the prediction
// fails (in chunks, so the pool still works in parallel). Each database is one
// compare job: the workers run both queries and compare them (compare-job.ts).
// With plug_value, each candidate is one more such run (plugValueVerdict).

import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { TRANSIENT_KINDS, type ResultCache } from './cache.ts';
import type { ExecPool, ExecQuery } from './pool.ts';
import { INFRASTRUCTURE_KINDS, type ExecError, type ExecResult } from './protocol.ts';
import { candidateTexts, officialTexts, PLUG_VALUE_MAX_CANDIDATES, resultEq, typeAmbiguous, VOLATILE, type OfficialFlags, type OfficialTexts } from './official.ts';

export interface OfficialRunOptions extends OfficialFlags {
  /** Gold results are looked up here first (and stored). */
  cache?: ResultCache;
  /** Prediction results likewise. */
  predCache?: ResultCache;
  timeoutMs?: number;
  /** Databases run at once before checking for a failure; default 8. */
  chunk?: number;
  /** Whole verdicts are looked up here first (and stored): a record that repeats another's texts runs nothing. */
  verdicts?: VerdictCache;
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
  /** The prediction failed for a reason of the moment (a timeout, a crash): not a lasting verdict. */
  transient?: true;
  /** plug_value gave no verdict: more candidates than PLUG_VALUE_MAX_CANDIDATES, or the official code raises reading gold's values. */
  plugValueError?: { kind: 'plug_value_too_many_candidates' | 'plug_value_failed'; message: string };
  /** plug_value: the candidate that passed, when the prediction itself did not. */
  plugged?: string;
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
  const first = await runTexts(pool, texts, databases, options);
  return texts.plug ? plugValueVerdict(pool, texts, plugStages(databases), options, first) : first;
}

/** The stages plug_value candidates run in: the record's database first, then the rest (only a candidate right there goes on). */
export function plugStages(databases: readonly string[]): string[][] {
  return databases.length > 1 ? [databases.slice(0, 1), databases.slice(1)] : [databases.slice()];
}

/** plug_value candidates run at once; the search stops after the batch holding the first pass. */
const PLUG_BATCH = 8;

/**
 * eval_exec_match with plug_value: the prediction itself first (`first`, its verdict over
 * every stage's databases), then each candidate (texts.plug), 1 as soon as one matches gold
 * on every database. Each candidate is an ordinary run (runTexts: compare jobs in the pool,
 * VerdictCache), stage by stage: a candidate wrong on the first stage's databases does not
 * run on the next. Where the official code raises before running anything (reading gold's
 * values) there is no verdict; reading the prediction's values raising counts as wrong (as
 * a prediction sqlparse cannot read does). Past PLUG_VALUE_MAX_CANDIDATES no verdict,
 * unless the prediction itself passes (the official loop stops there).
 */
export async function plugValueVerdict(
  pool: ExecPool,
  texts: OfficialTexts,
  stages: readonly (readonly string[])[],
  options: OfficialRunOptions,
  first: OfficialRunVerdict,
): Promise<OfficialRunVerdict> {
  const plug = texts.plug;
  if (!plug) return first;
  if (!plug.ok) {
    const message = `plug_value: the official code raises reading the ${plug.side === 'gold' ? 'gold query' : 'prediction'}'s values (${plug.message})`;
    if (plug.side === 'gold') return { correct: null, databases: 0, plugValueError: { kind: 'plug_value_failed', message } };
    return { correct: 0, databases: 0 };
  }
  if (first.correct !== 0) return first;
  if (plug.count > BigInt(PLUG_VALUE_MAX_CANDIDATES)) {
    const message = `plug_value: ${plug.count} candidates (gold's values in the prediction's value slots), more than ${PLUG_VALUE_MAX_CANDIDATES}; the prediction itself is wrong`;
    return { correct: null, databases: first.databases, plugValueError: { kind: 'plug_value_too_many_candidates', message } };
  }
  let goldError: OfficialRunVerdict | null = null;
  let transient = Boolean(first.transient);
  const tryOne = async (sql: string): Promise<OfficialRunVerdict> => {
    const t = candidateTexts(texts, sql);
    let ran = 0;
    let v: OfficialRunVerdict = { correct: 1, databases: 0 };
    for (const dbs of stages) {
      if (dbs.length === 0) continue;
      v = await runTexts(pool, t, dbs, options);
      ran += v.databases;
      if (v.correct !== 1) break;
    }
    return { ...v, databases: ran };
  };
  const candidates = plug.candidates();
  for (;;) {
    const batch: string[] = [];
    while (batch.length < PLUG_BATCH) {
      const r = candidates.next();
      if (r.done) break;
      batch.push(r.value);
    }
    if (batch.length === 0) break;
    const verdicts = await Promise.all(batch.map(tryOne));
    const pass = verdicts.findIndex((v) => v.correct === 1);
    if (pass >= 0) return { correct: 1, databases: verdicts[pass].databases, plugged: batch[pass] };
    const infra = verdicts.find((v) => v.infrastructure);
    if (infra) return infra;
    goldError ??= verdicts.find((v) => v.goldError) ?? null;
    if (verdicts.some((v) => v.transient)) transient = true;
  }
  // The official loop asserts gold on every database a candidate reaches; none passed, so it
  // would have stopped there. (With a passing candidate too, the official answer depends on
  // the order of a Python set; here any pass is 1.)
  if (goldError) return goldError;
  return { ...first, correct: 0, ...(transient ? { transient: true as const } : {}) };
}

const query = (db: string, sql: string, timeoutMs: number | undefined): ExecQuery => ({ db, sql, ...(timeoutMs ? { timeoutMs } : {}) });

export function runTexts(pool: ExecPool, texts: OfficialTexts, databases: readonly string[], options: OfficialRunOptions = {}): Promise<OfficialRunVerdict> {
  const memo = options.verdicts;
  if (!memo || databases.length === 0 || VOLATILE.test(texts.gold) || VOLATILE.test(texts.pred)) return runTextsUncached(pool, texts, databases, options);
  // Database identities as the result caches see them: an edited file never gets a stale verdict.
  const ids = databases.map((db) => options.cache?.databaseIdentity(db) ?? db);
  // Hashed: the keys of 10,000 long statements would otherwise hold their text twice over.
  const key = createHash('sha256')
    .update([texts.orderMatters, texts.predUnparsable, texts.goldUnparsable, options.chunk ?? 8, texts.gold, texts.sameStatement ? '' : texts.pred, ...ids].join('\u0000'))
    .digest('base64');
  return memo.run(key, () => runTextsUncached(pool, texts, databases, options));
}

/**
 * Verdicts of whole runs by their texts and databases. Spider dev asks many questions
 * twice with the same gold SQL, and a model often answers both alike: on a test suite
 * those repeats are a third of the records (codes-7b: 972 records, 645 distinct runs).
 * The databases are read-only, so a repeat gets the first run's verdict; statements
 * that may answer differently each time (VOLATILE) are always run.
 */
export class VerdictCache {
  private readonly entries = new Map<string, Promise<OfficialRunVerdict>>();
  private readonly maxEntries: number;
  hits = 0;

  constructor(maxEntries = 100_000) {
    this.maxEntries = Math.max(1, maxEntries);
  }

  run(key: string, start: () => Promise<OfficialRunVerdict>): Promise<OfficialRunVerdict> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    const p = start();
    this.entries.set(key, p);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    // A locked file, a timeout or a crash says nothing lasting about the texts: run them again next time.
    p.then(
      (v) => {
        if (v.transient || v.infrastructure || (v.goldError && TRANSIENT_KINDS.has(v.goldError.kind))) this.entries.delete(key);
      },
      () => this.entries.delete(key),
    );
    return p;
  }
}

async function runTextsUncached(pool: ExecPool, texts: OfficialTexts, databases: readonly string[], options: OfficialRunOptions): Promise<OfficialRunVerdict> {
  if (databases.length === 0) throw new RangeError('the official execution match needs at least one database');
  if (texts.goldUnparsable) return { correct: null, databases: 0, goldErrorDb: databases[0], goldError: { kind: 'syntax', message: 'sqlparse finds no statement in the gold query' } };
  const chunk = Math.max(1, options.chunk ?? 8);
  const t = options.timeoutMs;
  let ran = 0;
  for (let at = 0; at < databases.length; at += chunk) {
    const dbs = databases.slice(at, at + chunk);
    ran += dbs.length;
    if (texts.predUnparsable) {
      // Nothing to run for the prediction; gold still decides between 0 and no verdict.
      const golds = await runGold(pool, dbs.map((db) => query(db, texts.gold, t)), options);
      for (let i = 0; i < dbs.length; i++) {
        const v = await compareOnDatabase(pool, texts, dbs[i], golds[i], null, t);
        if (v) return { ...v, databases: ran };
      }
      continue;
    }
    // One compare job per database: both queries and result_eq run in a worker.
    // The same statement twice is sent as such: the worker then runs it once.
    const predSql = texts.sameStatement ? texts.gold : texts.pred;
    const compared = await pool.runMany(dbs.map((db) => ({ ...query(db, texts.gold, t), compare: { sql: predSql, orderMatters: texts.orderMatters } })));
    // In order, as the official loop: gold first (asserted), then the prediction.
    for (let i = 0; i < dbs.length; i++) {
      const v = await compareVerdict(pool, texts, dbs[i], compared[i], options);
      if (v) return { ...v, databases: ran };
    }
  }
  return { correct: 1, databases: ran };
}

const runGold = (pool: ExecPool, qs: ExecQuery[], options: OfficialRunOptions) => (options.cache ? options.cache.runMany(pool, qs) : pool.runMany(qs));

/** A compare job's answer as a verdict on its database (null: they agree). */
async function compareVerdict(pool: ExecPool, texts: OfficialTexts, db: string, r: ExecResult, options: OfficialRunOptions): Promise<Omit<OfficialRunVerdict, 'databases'> | null> {
  if (r.error && (r.error.kind === 'timeout' || r.error.kind === 'crashed')) {
    // The pool cannot tell which of the two statements was running when it killed the
    // worker: run them again one by one, so the verdict names the right side.
    const t = options.timeoutMs;
    const [[g], [p]] = await Promise.all([
      runGold(pool, [query(db, texts.gold, t)], options),
      options.predCache ? options.predCache.runMany(pool, [query(db, texts.pred, t)]) : pool.runMany([query(db, texts.pred, t)]),
    ]);
    return compareOnDatabase(pool, texts, db, g, p, t);
  }
  if (r.error) {
    if (INFRASTRUCTURE_KINDS.has(r.error.kind)) return { correct: null, infrastructure: { side: 'gold', db, error: r.error } };
    return { correct: null, goldErrorDb: db, goldError: r.error };
  }
  const c = r.compare;
  if (!c) throw new Error(`the exec worker answered a compare job on ${db} without a verdict`);
  if (c.predError) {
    if (INFRASTRUCTURE_KINDS.has(c.predError.kind)) return { correct: null, infrastructure: { side: 'pred', db, error: c.predError } };
    return { correct: 0, failedOn: db, ...(TRANSIENT_KINDS.has(c.predError.kind) ? { transient: true as const } : {}) };
  }
  return c.same ? null : { correct: 0, failedOn: db };
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
    return { correct: 0, failedOn: db, ...(TRANSIENT_KINDS.has(p.error.kind) ? { transient: true as const } : {}) };
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
