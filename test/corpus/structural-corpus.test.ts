// Structural rewards on the real corpora: every Spider dev gold query
// matched against itself scores 1; normalization never changes a statement's
// output row; RelPM F1 agrees with the Spider-Pair equivalence labels with a
// ROC AUC of at least 0.90.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planSql } from '../../src/core/plan/index.ts';
import { readTablesJsonById, schemaFromSqlite, schemaFromTablesJson } from '../../src/core/plan/schema-load.ts';
import type { Schema } from '../../src/core/plan/schema.ts';
import { rocAuc } from '../../src/core/match/auc.ts';
import { scoreStructural } from '../../src/core/structural.ts';
import { sharedDataDir, skipWithoutData } from '../helpers/data.ts';
import { loadCorpora } from './corpus.ts';

const MIN_AUC = 0.9;

test('every Spider dev gold query against itself: RelPM F1 = AstPM F1 = StepRTM total = 1', { skip: skipWithoutData() }, () => {
  const data = sharedDataDir()!;
  const dev = JSON.parse(readFileSync(join(data, 'spider_dev', 'dev.json'), 'utf8')) as { db_id: string; query: string }[];
  const tables = readTablesJsonById(join(data, 'spider_dev', 'tables.json'));
  const schemas = new Map<string, Schema>();
  const schemaOf = (id: string) => {
    let s = schemas.get(id);
    if (!s) {
      const f = join(data, 'spider_dev', 'database', id, `${id}.sqlite`);
      s = existsSync(f) ? schemaFromSqlite(f) : schemaFromTablesJson(tables.get(id)!);
      schemas.set(id, s);
    }
    return s;
  };
  const failures: string[] = [];
  for (const q of dev) {
    const s = scoreStructural({ gold_sql: q.query, pred_sql: q.query }, schemaOf(q.db_id));
    if (s.errors.length || s.relpm?.f1 !== 1 || s.astpm?.f1 !== 1 || s.steprtm.total !== 1) failures.push(`${q.db_id}: ${q.query} -> ${JSON.stringify({ relpm: s.relpm, total: s.steprtm.total, errors: s.errors })}`);
  }
  assert.deepEqual(failures, []);
  assert.equal(dev.length, 1034);
});

test('normalization keeps every statement\'s output row (width and column names)', { skip: skipWithoutData() }, () => {
  const schemas = new Map<string, Schema>();
  const changed: string[] = [];
  let n = 0;
  for (const c of loadCorpora()!) {
    for (const st of c.statements) {
      let s = schemas.get(st.dbPath);
      if (!s) schemas.set(st.dbPath, (s = schemaFromSqlite(st.dbPath)));
      let raw: string[];
      let norm: string[];
      try {
        raw = planSql(st.sql, s, { raw: true }).rel.fields.map((f) => f.name);
        norm = planSql(st.sql, s).rel.fields.map((f) => f.name);
      } catch {
        continue; // planning failures are the plan corpus test's business
      }
      n++;
      if (raw.join('\u0000') !== norm.join('\u0000')) changed.push(`[${c.name}] ${st.source}: ${raw.join(', ')} -> ${norm.join(', ')}`);
    }
  }
  assert.ok(n > 30000, `${n} statements`);
  assert.deepEqual(changed, []);
});

test(`Spider-Pair dev: ROC AUC of RelPM F1 against the labels >= ${MIN_AUC} (tables.json schemas)`, { skip: skipWithoutData() }, () => {
  const data = sharedDataDir()!;
  const tables = readTablesJsonById(join(data, 'spider_dev', 'tables.json'));
  const schemas = new Map<string, Schema>();
  const pairs = readFileSync(join(data, 'spider_pair', 'spider_pair_dev.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { db_id: string; gold_sql: string; pred_sql: string; label: number });
  const relpmF1: number[] = [];
  const astpmF1: number[] = [];
  for (const p of pairs) {
    let s = schemas.get(p.db_id);
    if (!s) schemas.set(p.db_id, (s = schemaFromTablesJson(tables.get(p.db_id)!)));
    const r = scoreStructural(p, s);
    assert.ok(r.relpm !== null, `gold plans: ${p.gold_sql}`);
    relpmF1.push(r.relpm.f1);
    astpmF1.push(r.astpm?.f1 ?? 0);
  }
  const labels = pairs.map((p) => p.label);
  const auc = rocAuc(relpmF1, labels);
  console.log(`Spider-Pair dev (${pairs.length} pairs): RelPM AUC ${auc.toFixed(4)}, AstPM AUC ${rocAuc(astpmF1, labels).toFixed(4)}`);
  assert.equal(pairs.length, 1644);
  assert.ok(auc >= MIN_AUC, `RelPM AUC ${auc.toFixed(4)} < ${MIN_AUC}`);
});
