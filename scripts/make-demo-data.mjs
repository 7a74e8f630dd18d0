// Regenerates data/demo from the shared public corpora (../shared/data or
// $STEPLENS_DATA). The output is committed; this script documents exactly
// where every demo record comes from.
//   node scripts/make-demo-data.mjs
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = process.env.STEPLENS_DATA ?? join(root, '..', 'shared', 'data');
if (!existsSync(data)) throw new Error(`shared data not found at ${data}`);

const spiderDbs = new Set(['concert_singer', 'pets_1', 'car_1', 'world_1', 'flight_2', 'student_transcripts_tracking', 'dog_kennels', 'employee_hire_evaluation', 'cre_Doc_Template_Mgt']);
const dev = JSON.parse(readFileSync(join(data, 'spider_dev/dev.json'), 'utf8'));
const lines = (f) => readFileSync(join(data, f), 'utf8').split('\n');
const systems = {
  'dail-sql_gpt-4': lines('spider_dev/predictions/dail-sql_gpt-4.txt'),
  'codes-7b': lines('spider_dev/predictions/codes-7b.txt'),
  'graphix-t5': lines('spider_dev/predictions/graphix-t5.txt'),
};

const records = [];
// Spider dev: a spread of questions over the bundled databases, one published system each.
const picks = [24, 37, 51, 53, 61, 97, 99, 129, 131, 167, 171, 211, 219, 255, 535, 712, 738, 756, 758, 760, 764, 746];
picks.forEach((i, k) => {
  const ex = dev[i];
  if (!spiderDbs.has(ex.db_id)) throw new Error(`dev ${i} is not on a bundled database`);
  const system = Object.keys(systems)[k % 3];
  records.push({ id: `spider-dev-${i}`, source: `spider_dev/predictions/${system}`, db_id: ex.db_id, question: ex.question, gold_sql: ex.query, pred_sql: systems[system][i].trim() });
});

// BIRD: published predictions written as CTEs (no BIRD data: planned against the schema only).
const cte = lines('cte_examples/cte_examples_index.jsonl').filter(Boolean).map((l) => JSON.parse(l));
const seen = new Set();
for (const r of cte) {
  if (records.filter((x) => x.id.startsWith('bird')).length >= 8 || seen.has(r.predicted_sql)) continue;
  seen.add(r.predicted_sql);
  records.push({ id: `bird-${r.source_file.split('/')[0]}-${r.question_id}`, source: r.source_file, db_id: r.db_id, question: r.question, gold_sql: r.gold_sql, pred_sql: r.predicted_sql });
}

const tables = JSON.parse(readFileSync(join(data, 'bird_mini_dev/dev_tables.json'), 'utf8'));
const birdIds = new Set(records.filter((r) => r.id.startsWith('bird')).map((r) => r.db_id));
writeFileSync(join(root, 'data/demo/bird_tables.json'), JSON.stringify(tables.filter((t) => birdIds.has(t.db_id))) + '\n');
writeFileSync(join(root, 'data/demo/demo.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`wrote ${records.length} records (${birdIds.size} BIRD schemas)`);
