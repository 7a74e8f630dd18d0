// The real-world statement corpora of shared/data (Spider and BIRD gold and
// published predictions), reduced to the unique statements SQLite can
// prepare against their database. Spider statements are prepared against the
// shipped .sqlite files (read-only); BIRD ones against empty databases built
// from bird_mini_dev/dev_tables.json in a temporary directory. Loaded once
// per process.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEmptyDatabase, readPredictionFile, readTablesJson, type PredictionEntry } from '../../src/core/data/corpus.ts';
import { tokenize } from '../../src/core/sql/tokens.ts';
import { sharedDataDir } from '../helpers/data.ts';

export interface CorpusStatement {
  sql: string;
  dbId: string;
  /** The database the statement was prepared against (BIRD: an empty one). */
  dbPath: string;
  /** `file:line` of the first occurrence. */
  source: string;
  /** Prepares only with SQLite's double-quoted-string fallback (better-sqlite3 is built without it). */
  dqs?: boolean;
}

export interface Corpus {
  name: string;
  /** Entries read from all files (including duplicates and empty ones). */
  read: number;
  /** Unique non-empty (db, sql) pairs. */
  unique: number;
  /** Unique statements whose database is missing (Spider's wta_1). */
  noDatabase: number;
  /** Unique statements SQLite could not prepare. */
  unprepared: number;
  /** Preparable statements that are not queries (no result columns). */
  notQuery: number;
  /** Statements that needed the double-quoted-string fallback to prepare. */
  dqs: number;
  /** The unique statements SQLite prepares as queries. */
  statements: CorpusStatement[];
}

interface Raw {
  sql: string;
  dbId: string | undefined;
  source: string;
}

let cached: Corpus[] | undefined;
let tempDir: string | undefined;

/** All corpora, or undefined when the shared data is absent. */
export function loadCorpora(): Corpus[] | undefined {
  if (cached) return cached;
  const data = sharedDataDir();
  if (!data) return undefined;
  const dbs = new DatabaseSet(data);
  try {
    cached = gatherSources(data).map(({ name, raws }) => buildCorpus(name, raws, dbs));
  } finally {
    dbs.close();
  }
  return cached;
}

function gatherSources(data: string): { name: string; raws: Raw[] }[] {
  const spiderDev = readJsonFile<{ db_id: string; query: string }[]>(join(data, 'spider_dev/dev.json'));
  const birdDev = readJsonFile<{ db_id: string; SQL: string }[]>(join(data, 'bird_dev/dev.json'));
  const miniDev = readJsonFile<{ db_id: string; SQL: string }[]>(join(data, 'bird_mini_dev/mini_dev_sqlite.json'));

  const spiderPredDir = join(data, 'spider_dev/predictions');
  const birdPredDir = join(data, 'bird_dev/predictions');
  const subsetDir = join(data, 'bird_dev/subset100_agent_predictions');
  const miniPredDirs = ['predictions_sqlite', 'predictions_cot_sqlite'].map((d) => join(data, 'bird_mini_dev', d));

  return [
    {
      name: 'spider-dev-gold',
      raws: spiderDev.map((q, i) => ({ sql: q.query, dbId: q.db_id, source: `spider_dev/dev.json:${i}` })),
    },
    {
      name: 'spider-dev-pred',
      raws: files(spiderPredDir).flatMap((f) => fromFile(f, data, (e) => spiderDev[e.index]?.db_id)),
    },
    {
      name: 'bird-dev-gold',
      raws: [
        ...birdDev.map((q, i) => ({ sql: q.SQL, dbId: q.db_id, source: `bird_dev/dev.json:${i}` })),
        ...fromFile(join(data, 'bird_dev/dev_gold.sql'), data, (e) => birdDev[e.index]?.db_id),
      ],
    },
    {
      name: 'bird-minidev-gold',
      raws: [
        ...miniDev.map((q, i) => ({ sql: q.SQL, dbId: q.db_id, source: `bird_mini_dev/mini_dev_sqlite.json:${i}` })),
        ...fromFile(join(data, 'bird_mini_dev/mini_dev_sqlite_gold.sql'), data, (e) => miniDev[e.index]?.db_id),
        ...fromFile(join(data, 'bird_mini_dev/mini_dev_sqlite_ibm_copy.json'), data, (e) => miniDev[e.index]?.db_id),
      ],
    },
    {
      name: 'bird-dev-pred',
      raws: [
        ...files(birdPredDir).filter((f) => !f.endsWith('_metric.json')).flatMap((f) => fromFile(f, data, (e) => birdDev[e.index]?.db_id)),
        // subset100 files are keyed by BIRD dev question index
        ...files(subsetDir).flatMap((f) => fromFile(f, data, (e) => birdDev[e.index]?.db_id)),
      ],
    },
    {
      name: 'bird-minidev-pred',
      raws: miniPredDirs.flatMap((d) => files(d)).flatMap((f) => fromFile(f, data, (e) => miniDev[e.index]?.db_id)),
    },
  ];
}

function readJsonFile<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
}

function fromFile(path: string, data: string, dbFor: (e: PredictionEntry) => string | undefined): Raw[] {
  const rel = path.slice(data.length + 1);
  return readPredictionFile(path).map((e) => ({ sql: e.sql, dbId: e.db_id ?? dbFor(e), source: `${rel}:${e.line}` }));
}

/** A query: SQLite says it returns rows and it starts like a SELECT (not PRAGMA/EXPLAIN). */
const QUERY_START = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:select|with|values)\b/i;

function buildCorpus(name: string, raws: Raw[], dbs: DatabaseSet): Corpus {
  const corpus: Corpus = { name, read: raws.length, unique: 0, noDatabase: 0, unprepared: 0, notQuery: 0, dqs: 0, statements: [] };
  const seen = new Set<string>();
  for (const r of raws) {
    const sql = r.sql.trim();
    if (!sql || !r.dbId) continue;
    const key = `${r.dbId}\u0000${sql}`;
    if (seen.has(key)) continue;
    seen.add(key);
    corpus.unique++;
    const db = dbs.get(r.dbId);
    if (!db) {
      corpus.noDatabase++;
      continue;
    }
    const prepared = prepare(db.db, sql);
    if (!prepared) {
      corpus.unprepared++;
      continue;
    }
    if (!prepared.reader || !QUERY_START.test(sql)) {
      corpus.notQuery++;
      continue;
    }
    const stmt: CorpusStatement = { sql, dbId: r.dbId, dbPath: db.path, source: r.source };
    if (prepared.dqs) {
      stmt.dqs = true;
      corpus.dqs++;
    }
    corpus.statements.push(stmt);
  }
  return corpus;
}

const DQS_ERROR = /^no such column: (".*") - should this be a string literal in single-quotes\?$/;

/**
 * Prepares `sql` the way a default SQLite build would. better-sqlite3 is
 * compiled with SQLITE_DQS=0, so a double-quoted word that names no column is
 * an error instead of a string (Spider gold writes `= "USA"`); replay SQLite's
 * fallback by rewriting the token it names as a string literal and retrying.
 */
function prepare(db: Database.Database, sql: string): { reader: boolean; dqs: boolean } | undefined {
  let text = sql;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return { reader: db.prepare(text).reader, dqs: attempt > 0 };
    } catch (e) {
      const m = DQS_ERROR.exec((e as Error).message);
      if (!m) return undefined;
      const next = doubleQuotedToString(text, m[1]);
      if (next === text) return undefined;
      text = next;
    }
  }
  return undefined;
}

function doubleQuotedToString(sql: string, token: string): string {
  let out = '';
  let last = 0;
  for (const t of tokenize(sql)) {
    if (t.type === 'qident' && sql[t.start] === '"' && sql.slice(t.start, t.end) === token) {
      out += sql.slice(last, t.start) + `'${t.value.replaceAll("'", "''")}'`;
      last = t.end;
    }
  }
  return out + sql.slice(last);
}

/** Spider databases opened read-only; BIRD databases created empty on first use. */
class DatabaseSet {
  readonly data: string;
  readonly open = new Map<string, { db: Database.Database; path: string } | null>();
  birdTables: Map<string, ReturnType<typeof readTablesJson>[number]> | undefined;

  constructor(data: string) {
    this.data = data;
  }

  get(dbId: string): { db: Database.Database; path: string } | undefined {
    if (!this.open.has(dbId)) this.open.set(dbId, this.openDb(dbId));
    return this.open.get(dbId) ?? undefined;
  }

  openDb(dbId: string): { db: Database.Database; path: string } | null {
    const spider = join(this.data, 'spider_dev/database', dbId, `${dbId}.sqlite`);
    if (existsSync(spider)) return { db: new Database(spider, { readonly: true, fileMustExist: true }), path: spider };
    this.birdTables ??= new Map(readTablesJson(join(this.data, 'bird_mini_dev/dev_tables.json')).map((t) => [t.db_id, t]));
    const entry = this.birdTables.get(dbId);
    if (!entry) return null;
    const path = join(birdDatabaseDir(), `${dbId}.sqlite`);
    if (!existsSync(path)) createEmptyDatabase(entry, path);
    return { db: new Database(path, { readonly: true }), path };
  }

  close(): void {
    for (const d of this.open.values()) d?.db.close();
  }
}

/** The per-process directory of empty BIRD databases (removed at exit). */
export function birdDatabaseDir(): string {
  if (!tempDir) {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-bird-'));
    tempDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return tempDir;
}
