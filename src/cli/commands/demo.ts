// `steplens demo`: StepLens' main job on the embedded demo data (real Spider
// and BIRD questions, gold queries and published model predictions): each
// prediction's CTE steps and plans next to the gold plan.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeSql } from '../../core/analyze.ts';
import { planSql, planExplain } from '../../core/plan/index.ts';
import { schemaFromSqlite, readTablesJsonById, schemaFromTablesJson } from '../../core/plan/schema-load.ts';
import type { Schema } from '../../core/plan/schema.ts';
import { CliError, stringOpt, writeJson, type Command } from '../command.ts';

interface DemoRecord {
  id: string;
  db_id: string;
  question: string;
  gold_sql: string;
  pred_sql: string;
  source: string;
}

/** The repository's data/ folder, from the bundle (dist/) or the sources (src/cli/commands/). */
export function repoDataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..', '../../..']) {
    const d = resolve(here, up, 'data');
    if (existsSync(join(d, 'demo', 'demo.jsonl'))) return d;
  }
  throw new CliError('demo data not found (expected data/demo/demo.jsonl in the StepLens folder)');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Analyze the embedded demo dataset (Spider/BIRD questions with real model predictions)',
  usage: 'steplens demo [--json] [--limit N]',
  options: { json: { type: 'boolean' }, limit: { type: 'string' } },
  run(args, io) {
    const data = repoDataDir();
    const records = readFileSync(join(data, 'demo', 'demo.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as DemoRecord);
    const limit = Number(stringOpt(args, 'limit') ?? records.length);
    const bird = readTablesJsonById(join(data, 'demo', 'bird_tables.json'));
    const schemas = new Map<string, Schema>();
    const schemaFor = (db: string): Schema => {
      let s = schemas.get(db);
      if (!s) {
        const file = join(data, 'spider', db, `${db}.sqlite`);
        const entry = bird.get(db);
        s = existsSync(file) ? schemaFromSqlite(file) : entry ? schemaFromTablesJson(entry) : undefined;
        if (!s) throw new CliError(`demo: no schema for database ${db}`);
        schemas.set(db, s);
      }
      return s;
    };
    const out = [];
    let planned = 0;
    for (const r of records.slice(0, limit)) {
      const schema = schemaFor(r.db_id);
      const pred = analyzeSql(r.pred_sql, schema);
      let gold: string | null = null;
      let goldError: string | null = null;
      try {
        gold = planExplain(planSql(r.gold_sql, schema));
      } catch (err) {
        goldError = (err as Error).message;
      }
      const steps = pred.steps.map((s) => ({
        name: s.step.name,
        range: [s.step.start, s.step.end],
        credit_offset: s.step.creditOffset,
        nodes: s.plan ? s.plan.nodeIds.size : null,
        error: s.error?.message ?? null,
        plan: s.plan ? planExplain(s.plan) : null,
      }));
      if (pred.steps.length && pred.steps.every((s) => s.plan)) planned++;
      out.push({ id: r.id, db_id: r.db_id, question: r.question, source: r.source, steps, error: pred.error?.message ?? null, gold_plan: gold, gold_error: goldError });
    }
    if (args.values.json) {
      writeJson(io, { records: out, planned });
      return 0;
    }
    for (const r of out) {
      io.stdout(`\n== ${r.id} (${r.db_id}) ${r.question}\n   prediction from ${r.source}\n`);
      if (r.error) io.stdout(`   error: ${r.error}\n`);
      r.steps.forEach((s, i) => {
        io.stdout(`-- step ${i + 1}/${r.steps.length}: ${s.name ?? 'main query'}  chars [${s.range[0]}, ${s.range[1]})  ${s.error ? 'ERROR ' + s.error : s.nodes + ' plan nodes'}\n`);
        if (s.plan && i === r.steps.length - 1) io.stdout(indent(s.plan) + '\n');
      });
      io.stdout(`-- gold plan:\n${r.gold_plan ? indent(r.gold_plan) : '   ' + r.gold_error}\n`);
    }
    io.stdout(`\n${out.length} demo records, ${planned} predictions planned in full, ${out.filter((r) => r.steps.length > 1).length} written as CTE steps.\n`);
    return 0;
  },
};

function indent(s: string): string {
  return s.split('\n').map((l) => '   ' + l).join('\n');
}
