// Inspect answers for the panel tests and the benchmark, made by the same core call the language server
// makes for `steplens/inspect` (src/core/inspect.ts inspectRecord) on the bundled Spider databases
// (data/spider), with an in-process SQLite executor instead of the worker pool, wrapped as the server
// wraps them (`statement`, `range`). Nothing here is a hand-written number.

import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { ExecPool, ExecResult } from '../../src/core/exec/index.ts';
import { inspectRecord } from '../../src/core/inspect.ts';
import { schemaFromSqlite } from '../../src/core/plan/schema-load.ts';
import type { Schema } from '../../src/core/plan/schema.ts';
import type { ScoreContext } from '../../src/core/score/score-record.ts';
import type { InputRecord, ScoredRecord } from '../../src/core/score/types.ts';
import type { ShowParams } from '../../src/extension/panel/protocol.ts';
import { REPO_ROOT } from '../helpers/data.ts';

export const HOSTILE = {
  question: '</textarea></title><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> [click](javascript:window.__pwned=3) <style>body{display:none!important}</style>',
  // A completion whose reasoning and answer hold every trick; the SQL literals carry them into the result cells.
  completion: `<think>
1. First </think><script>window.__pwned=4</script> the singer table: <img src=x onerror="window.__pwned=5">.
2. Step picked: a CTE called named that keeps name and the literal '<a href="javascript:window.__pwned=6">x</a>'.
3. Then </textarea><style>*{color:red!important;display:none}</style> select from named.
</think>
<answer>
\`\`\`sql
WITH named AS (SELECT name, '<img src=x onerror="window.__pwned=7">' AS "</textarea><script>window.__pwned=8</script>" FROM singer)
SELECT name, "</textarea><script>window.__pwned=8</script>", 'javascript:window.__pwned=9' AS link FROM named ORDER BY name
\`\`\`
</answer>`,
};

const COMPLETION = `<think>
We need the name and capacity of the stadium that hosted the most concerts in 2014 or later.

1. The concert table has stadium_id and year; keep concerts with year >= 2014 in a CTE called recent.
2. Count the recent concerts per stadium_id in a second CTE, per_stadium, and order by the count.
3. Join per_stadium with the stadium table on stadium_id to get name and capacity, and keep the top one with LIMIT 1.
</think>
\`\`\`sql
WITH recent AS (
  SELECT stadium_id FROM concert WHERE year >= 2014
), per_stadium AS (
  SELECT stadium_id, count(*) AS n FROM recent GROUP BY stadium_id
)
SELECT s.name, s.capacity
FROM per_stadium AS p JOIN stadium AS s ON s.stadium_id = p.stadium_id
ORDER BY p.n DESC
LIMIT 1
\`\`\``;

const GOLD_24 = 'SELECT T2.name ,  T2.capacity FROM concert AS T1 JOIN stadium AS T2 ON T1.stadium_id  =  T2.stadium_id WHERE T1.year  >=  2014 GROUP BY T2.stadium_id ORDER BY count(*) DESC LIMIT 1';

export type FixtureName = 'cte' | 'completion' | 'wrong' | 'hostile' | 'noexec';

function inputs(): Record<FixtureName, InputRecord> {
  const base = { line: 1, source: 'panel.sql' };
  return {
    cte: {
      ...base,
      index: 0,
      id: 0,
      db_id: 'concert_singer',
      gold_sql: GOLD_24,
      pred_sql: 'WITH recent AS (SELECT stadium_id FROM concert WHERE year >= 2014), counts AS (SELECT stadium_id, count(*) AS n FROM recent GROUP BY stadium_id) SELECT s.name, s.capacity FROM stadium AS s JOIN counts AS c ON s.stadium_id = c.stadium_id ORDER BY c.n LIMIT 1',
    },
    completion: { ...base, index: 0, id: 0, db_id: 'concert_singer', gold_sql: GOLD_24, completion: COMPLETION },
    wrong: {
      ...base,
      index: 0,
      id: 0,
      db_id: 'concert_singer',
      gold_sql: 'SELECT name, capacity FROM stadium WHERE capacity > (SELECT avg(capacity) FROM stadium)',
      pred_sql: 'SELECT name, capacity FROM stadium WHERE capacity BETWEEN 4000 AND 11000',
    },
    hostile: { ...base, index: 0, id: 0, db_id: 'concert_singer', question: HOSTILE.question, gold_sql: "SELECT name, '<b>x</b>' FROM singer", completion: HOSTILE.completion },
    noexec: { ...base, index: 0, id: 0, db_id: 'no_file_schema_only', gold_sql: 'SELECT count(*) FROM singer', pred_sql: 'SELECT count(*) FROM singer WHERE age > 30' },
  };
}

/** Runs queries in-process (the worker pool's contract, without workers). */
export function inProcessPool(): ExecPool {
  const dbs = new Map<string, Database.Database>();
  const pool = {
    async run(q: { db: string; sql: string }): Promise<ExecResult> {
      const t = performance.now();
      let db = dbs.get(q.db);
      if (!db) dbs.set(q.db, (db = new Database(q.db, { readonly: true, fileMustExist: true })));
      try {
        const stmt = db.prepare(q.sql);
        const columns = stmt.columns().map((c) => c.name);
        const types = stmt.columns().map((c) => c.type);
        const rows = stmt.raw(true).all() as ExecResult['rows'];
        return { columns, types, rows, elapsed_ms: performance.now() - t, truncated: false, error: null };
      } catch (err) {
        const message = (err as Error).message;
        return { columns: [], types: [], rows: [], elapsed_ms: performance.now() - t, truncated: false, error: { kind: /syntax|no such/i.test(message) ? 'syntax' : 'runtime', message } };
      }
    },
  };
  return pool as unknown as ExecPool;
}

const schemas = new Map<string, Schema>();
export function scoreContext(opts: { execute?: boolean } = {}): ScoreContext {
  return {
    reward: 'qatch_small_update_with_fm',
    pool: opts.execute === false ? null : inProcessPool(),
    database(dbId) {
      // "no_file_schema_only": the concert_singer schema without its file (structural scores only).
      const real = dbId === 'no_file_schema_only' ? 'concert_singer' : dbId;
      const file = join(REPO_ROOT, 'data', 'spider', real, `${real}.sqlite`);
      let schema = schemas.get(real);
      if (!schema) schemas.set(real, (schema = schemaFromSqlite(file)));
      return dbId === 'no_file_schema_only' ? { schema, dbPath: null, testSuite: null } : { schema, dbPath: file, testSuite: null };
    },
  };
}

/** The `show` notification the host sends for a record: the inspect answer plus what the host adds. */
export function showOf(record: ScoredRecord, opts: { title?: string; maxRows?: number } = {}): ShowParams {
  const text = record.completion ?? record.pred_sql ?? '';
  const lines = text.split('\n');
  const rec = JSON.parse(JSON.stringify(record)) as ScoredRecord;
  return {
    uri: `file:///work/demo/${opts.title ?? 'panel.sql'}`,
    title: opts.title ?? 'panel.sql',
    statement: 0,
    range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } },
    record: rec,
    reason: null,
    maxRows: opts.maxRows ?? 1000,
    pinned: false,
  };
}

let cached: Promise<Record<FixtureName, ShowParams>> | undefined;
export function panelFixtures(): Promise<Record<FixtureName, ShowParams>> {
  cached ??= (async () => {
    const ctx = scoreContext();
    const out = {} as Record<FixtureName, ShowParams>;
    for (const [k, r] of Object.entries(inputs()) as [FixtureName, InputRecord][]) {
      const rec = await inspectRecord(ctx, r);
      out[k] = showOf(rec, { title: r.completion !== undefined ? `${k}.completion` : `${k}.sql` });
    }
    return out;
  })();
  return cached;
}

export { ensurePanelBundle } from '../helpers/report-bundle.ts';
