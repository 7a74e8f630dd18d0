// The official metrics, record by record, against the committed outputs of the
// official scripts (test/fixtures/official/, made by scripts/official-metrics/):
//  - Spider: spider_ex and the official test-suite EX of all 15 published dev
//    systems (gold from gold_example.txt, wta_1 skipped) equal test-suite-sql-eval's
//    eval_exec_match per record;
//  - the same with plug_value on (official --plug_value, fixtures spider_<system>.plug_value.tsv;
//    'C' where the official driver's candidate cap, PLUG_VALUE_MAX_CANDIDATES, left a record
//    without a verdict, which StepLens reports as null with plug_value_too_many_candidates);
//  - BIRD mini-dev on the generated databases (bird_official.py build, deterministic):
//    BIRD EX and Soft-F1 equal BIRD's evaluation.py / evaluation_f1.py per record.
// Reads STEPLENS_DATA; skips without it (and the BIRD part without python3).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { test } from 'node:test';
import { readPredictionFile } from '../../src/core/data/corpus.ts';
import { ResultCache } from '../../src/core/exec/cache.ts';
import { officialTexts } from '../../src/core/exec/official.ts';
import { officialExecMatch, officialSuiteDatabases, runTexts, VerdictCache, type OfficialRunVerdict } from '../../src/core/exec/official-run.ts';
import { ExecPool } from '../../src/core/exec/pool.ts';
import { variantDatabases } from '../../src/core/exec/testsuite.ts';
import { birdExOfficial, birdSoftF1 } from '../../src/core/rewards/bird.ts';
import type { QueryOutcome } from '../../src/core/rewards/metrics.ts';
import { REPO_ROOT, sharedDataDir } from '../helpers/data.ts';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/official');

function readTsv(path: string): Map<number, string[]> {
  const rows = new Map<number, string[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('index\t')) continue;
    const f = line.split('\t');
    rows.set(Number(f[0]), f);
  }
  return rows;
}

/** gold_example.txt: one `<sql>\t<db_id>` per record. */
function spiderGold(spider: string): { sql: string; db: string }[] {
  return readFileSync(join(spider, 'gold_example.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [sql, db] = l.trim().split('\t');
      return { sql, db };
    });
}

function spiderSkip(): string | false {
  const data = sharedDataDir();
  if (!data) return 'shared data not found (set STEPLENS_DATA)';
  if (!existsSync(join(data, 'spider_dev/predictions')) || !existsSync(join(data, 'spider_dev_test_suite'))) return 'Spider predictions or test suite missing';
  return false;
}

test('Spider dev, 15 systems: spider_ex and official test-suite EX equal test-suite-sql-eval per record', { skip: spiderSkip(), timeout: 20 * 60_000 }, async (t) => {
  const data = sharedDataDir()!;
  const spider = join(data, 'spider_dev');
  const gold = spiderGold(spider);
  const files = readdirSync(join(spider, 'predictions')).sort();
  assert.equal(files.length, 15);
  const pool = new ExecPool({ size: 2, maxConnections: 1024 });
  const cache = new ResultCache({ maxEntries: 200_000, identityTtlMs: 600_000 });
  const predCache = new ResultCache({ maxEntries: 200_000, identityTtlMs: 600_000 });
  const suites = new Map<string, string[]>();
  const suiteOf = (db: string) => {
    let s = suites.get(db);
    if (!s) {
      s = officialSuiteDatabases(join(spider, 'database', db, `${db}.sqlite`), variantDatabases(join(data, 'spider_dev_test_suite', db)));
      suites.set(db, s);
    }
    return s;
  };
  const t0 = performance.now();
  let compared = 0;
  const problems: string[] = [];
  try {
    for (const f of files) {
      const fixture = readTsv(join(FIXTURES, `spider_${basename(f, extname(f))}.tsv`));
      const entries = readPredictionFile(join(spider, 'predictions', f));
      assert.equal(entries.length, gold.length, f);
      const work = entries.map(async (e) => {
        const g = gold[e.index];
        const own = join(spider, 'database', g.db, `${g.db}.sqlite`);
        if (!existsSync(own)) return;
        const want = fixture.get(e.index);
        if (!want) {
          problems.push(`${f} ${e.index}: no fixture row`);
          return;
        }
        const texts = officialTexts(g.sql, e.sql);
        const opts = { cache, predCache };
        const [ex, ts] = await Promise.all([runTexts(pool, texts, [own], opts), runTexts(pool, texts, suiteOf(g.db), opts)]);
        const got = [ex.correct === null ? 'E' : String(ex.correct), ts.correct === null ? 'E' : String(ts.correct)];
        compared++;
        if (got[0] !== want[2] || got[1] !== want[3]) problems.push(`${f} ${e.index} (${g.db}): spider_ex ${got[0]} / official ${want[2]}, test-suite ${got[1]} / official ${want[3]}\n    gold: ${g.sql}\n    pred: ${e.sql}`);
      });
      await Promise.all(work);
    }
  } finally {
    await pool.close();
  }
  t.diagnostic(`${compared} records compared in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${problems.length} differ`);
  if (problems.length) console.error(problems.slice(0, 40).join('\n'));
  assert.equal(compared, 15 * 972);
  assert.equal(problems.length, 0);
});

// A verdict as the fixtures write it: 'C' where the candidate cap left no verdict, 'E' for any other null.
const mark = (v: OfficialRunVerdict) => (v.correct !== null ? String(v.correct) : v.plugValueError?.kind === 'plug_value_too_many_candidates' ? 'C' : 'E');

test('Spider dev, 15 systems, plug_value on: spider_ex and official test-suite EX equal test-suite-sql-eval per record', { skip: spiderSkip(), timeout: 20 * 60_000 }, async (t) => {
  const data = sharedDataDir()!;
  const spider = join(data, 'spider_dev');
  const gold = spiderGold(spider);
  const files = readdirSync(join(spider, 'predictions')).sort();
  assert.equal(files.length, 15);
  const pool = new ExecPool({ size: 2, maxConnections: 1024 });
  const opts = {
    cache: new ResultCache({ maxEntries: 200_000, identityTtlMs: 600_000 }),
    predCache: new ResultCache({ maxEntries: 200_000, identityTtlMs: 600_000 }),
    verdicts: new VerdictCache(),
    plugValue: true,
  };
  const suiteOf = new Map<string, string[]>();
  const t0 = performance.now();
  let compared = 0;
  let gained = 0;
  let capped = 0;
  const problems: string[] = [];
  try {
    for (const f of files) {
      const name = basename(f, extname(f));
      const fixture = readTsv(join(FIXTURES, `spider_${name}.plug_value.tsv`));
      const plain = readTsv(join(FIXTURES, `spider_${name}.tsv`));
      const entries = readPredictionFile(join(spider, 'predictions', f));
      assert.equal(entries.length, gold.length, f);
      await Promise.all(
        entries.map(async (e) => {
          const g = gold[e.index];
          const own = join(spider, 'database', g.db, `${g.db}.sqlite`);
          if (!existsSync(own)) return;
          const want = fixture.get(e.index);
          if (!want) {
            problems.push(`${f} ${e.index}: no fixture row`);
            return;
          }
          let suite = suiteOf.get(g.db);
          if (!suite) suiteOf.set(g.db, (suite = officialSuiteDatabases(own, variantDatabases(join(data, 'spider_dev_test_suite', g.db)))));
          const [ex, ts] = await Promise.all([officialExecMatch(pool, g.sql, e.sql, [own], opts), officialExecMatch(pool, g.sql, e.sql, suite, opts)]);
          const got = [mark(ex), mark(ts)];
          compared++;
          if (want[2] !== plain.get(e.index)?.[2] || want[3] !== plain.get(e.index)?.[3]) gained++;
          if (want[2] === 'C' || want[3] === 'C') capped++;
          if (got[0] !== want[2] || got[1] !== want[3]) problems.push(`${f} ${e.index} (${g.db}): spider_ex ${got[0]} / official ${want[2]}, test-suite ${got[1]} / official ${want[3]}\n    gold: ${g.sql}\n    pred: ${e.sql}`);
        }),
      );
    }
  } finally {
    await pool.close();
  }
  t.diagnostic(`${compared} records compared in ${((performance.now() - t0) / 1000).toFixed(1)} s (${gained} differ from plug_value off, ${capped} over the candidate cap); ${problems.length} differ`);
  if (problems.length) console.error(problems.slice(0, 40).join('\n'));
  assert.equal(compared, 15 * 972);
  assert.ok(gained > 0);
  assert.equal(problems.length, 0);
});

function python(): string | null {
  const r = spawnSync('python3', ['-c', 'import sqlite3'], { encoding: 'utf8' });
  return r.status === 0 ? 'python3' : null;
}

function birdSkip(): string | false {
  const data = sharedDataDir();
  if (!data) return 'shared data not found (set STEPLENS_DATA)';
  if (!existsSync(join(data, 'bird_mini_dev/dev_tables.json'))) return 'bird_mini_dev missing';
  if (!python()) return 'python3 not found (builds the generated BIRD databases)';
  return false;
}

test('BIRD mini-dev, 13 systems on generated databases: BIRD EX and Soft-F1 equal BIRD\'s scripts per record', { skip: birdSkip(), timeout: 10 * 60_000 }, async (t) => {
  const data = sharedDataDir()!;
  const tmp = mkdtempSync(join(tmpdir(), 'steplens-bird-official-'));
  const pool = new ExecPool({ size: 2 });
  const cache = new ResultCache({ maxEntries: 100_000 });
  const problems: string[] = [];
  let compared = 0;
  let softF1Fraction = 0;
  try {
    const b = spawnSync(python()!, [join(REPO_ROOT, 'scripts/official-metrics/bird_official.py'), 'build', '--data', data, '--out', tmp], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const gold = readFileSync(join(data, 'bird_mini_dev/mini_dev_sqlite_gold.sql'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        const [sql, db] = l.trim().split('\t');
        return { sql, db };
      });
    const files = ['predictions_sqlite', 'predictions_cot_sqlite'].flatMap((d) => readdirSync(join(data, 'bird_mini_dev', d)).sort().map((f) => join(data, 'bird_mini_dev', d, f)));
    assert.equal(files.length, 13);
    for (const path of files) {
      const fixture = readTsv(join(FIXTURES, `bird_${basename(path, extname(path))}.tsv`));
      const entries = readPredictionFile(path);
      // BIRD's package_sqls pairs predictions with gold by position.
      await Promise.all(
        entries.map(async (e, i) => {
          const g = gold[i];
          const db = join(tmp, g.db, `${g.db}.sqlite`);
          const [gr, pr] = await cache.runMany(pool, [
            { db, sql: g.sql },
            { db, sql: e.sql },
          ]);
          const go: QueryOutcome = gr.error ? { ok: false } : { ok: true, rows: gr.rows };
          const po: QueryOutcome = pr.error ? { ok: false } : { ok: true, rows: pr.rows };
          const ex = birdExOfficial(go, po);
          const sf = birdSoftF1(go, po);
          const want = fixture.get(i);
          compared++;
          if (sf > 0 && sf < 1) softF1Fraction++;
          if (!want || Number(want[2]) !== ex || Number(want[3]) !== sf) problems.push(`${basename(path)} ${i}: bird_ex ${ex} / official ${want?.[2]}, soft_f1 ${sf} / official ${want?.[3]}\n    gold: ${g.sql}\n    pred: ${e.sql}`);
        }),
      );
    }
  } finally {
    await pool.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  t.diagnostic(`${compared} records compared (${softF1Fraction} with a Soft-F1 strictly between 0 and 1); ${problems.length} differ`);
  if (problems.length) console.error(problems.slice(0, 40).join('\n'));
  assert.equal(compared, 13 * 500);
  assert.equal(problems.length, 0);
});

// The same figures as `steplens score` writes them per record (execution.metrics.spider_ex,
// test_suite.correct), through the CLI a person runs, for two systems.
test('steplens score --test-suite: each record\'s spider_ex and test_suite.correct equal the official evaluator', { skip: spiderSkip(), timeout: 10 * 60_000 }, (t) => {
  const data = sharedDataDir()!;
  const spider = join(data, 'spider_dev');
  const tmp = mkdtempSync(join(tmpdir(), 'steplens-official-score-'));
  try {
    let compared = 0;
    const problems: string[] = [];
    for (const system of ['codes-7b', 'dail-sql_gpt-4']) {
      const out = join(tmp, `${system}.jsonl`);
      const args = [join(REPO_ROOT, 'bin/steplens.cjs'), 'score', join(spider, 'predictions', `${system}.txt`), '--gold', join(spider, 'gold_example.txt'), '--db-root', join(spider, 'database'), '--test-suite', join(data, 'spider_dev_test_suite'), '--out', out, '--jobs', '2'];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const fixture = readTsv(join(FIXTURES, `spider_${system}.tsv`));
      for (const line of readFileSync(out, 'utf8').split('\n')) {
        if (!line) continue;
        const rec = JSON.parse(line);
        const want = fixture.get(rec.index);
        if (!want) continue; // wta_1: no database, not in the fixture
        compared++;
        const ts = rec.test_suite?.correct === true ? '1' : rec.test_suite?.correct === false ? '0' : String(rec.test_suite?.correct);
        const ex = String(rec.execution?.metrics.spider_ex);
        if (ex !== want[2] || ts !== want[3]) problems.push(`${system} #${rec.index}: spider_ex ${ex} / test_suite ${ts}, official ${want[2]} / ${want[3]}`);
      }
    }
    t.diagnostic(`${compared} records compared; ${problems.length} differ`);
    if (problems.length) console.error(problems.slice(0, 40).join('\n'));
    assert.equal(compared, 2 * 972);
    assert.equal(problems.length, 0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// `steplens score --plug-value` per record, for the system with the most candidates (a record
// of 4,096 and one over the cap): spider_ex and test_suite.correct as the official evaluator's.
test('steplens score --test-suite --plug-value: each record equals the official evaluator with plug_value on', { skip: spiderSkip(), timeout: 10 * 60_000 }, (t) => {
  const data = sharedDataDir()!;
  const spider = join(data, 'spider_dev');
  const tmp = mkdtempSync(join(tmpdir(), 'steplens-official-plug-'));
  try {
    const system = 'din-sql_gpt4_results_GPT4_zero_shot';
    const out = join(tmp, `${system}.jsonl`);
    const args = [join(REPO_ROOT, 'bin/steplens.cjs'), 'score', join(spider, 'predictions', `${system}.csv`), '--gold', join(spider, 'gold_example.txt'), '--db-root', join(spider, 'database'), '--test-suite', join(data, 'spider_dev_test_suite'), '--plug-value', '--out', out, '--jobs', '2', '--quiet'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const fixture = readTsv(join(FIXTURES, `spider_${system}.plug_value.tsv`));
    let compared = 0;
    let capped = 0;
    const problems: string[] = [];
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line);
      const want = fixture.get(rec.index);
      if (!want) continue; // wta_1: no database, not in the fixture
      compared++;
      const kinds = new Set((rec.errors as { kind: string }[]).map((e) => e.kind));
      const asMark = (v: unknown) => (v === null ? (kinds.has('plug_value_too_many_candidates') ? 'C' : 'E') : String(v));
      const ts = asMark(rec.test_suite?.correct === true ? 1 : rec.test_suite?.correct === false ? 0 : rec.test_suite?.correct);
      const ex = asMark(rec.execution?.metrics.spider_ex);
      if (want[2] === 'C') capped++;
      if (ex !== want[2] || ts !== want[3]) problems.push(`${system} #${rec.index}: spider_ex ${ex} / test_suite ${ts}, official ${want[2]} / ${want[3]}`);
    }
    t.diagnostic(`${compared} records compared (${capped} over the candidate cap); ${problems.length} differ`);
    if (problems.length) console.error(problems.slice(0, 40).join('\n'));
    assert.equal(compared, 972);
    assert.equal(capped, 1);
    assert.equal(problems.length, 0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
