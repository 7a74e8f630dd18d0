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

// Spider: published predictions written as CTEs on a bundled (executable) database. The
// CTE index has none today (every CTE it found is a BIRD one); kept so new ones get picked up.
const spiderCte = cte.filter((r) => spiderDbs.has(r.db_id));
for (const r of spiderCte) {
  records.push({ id: `spider-cte-${r.source_file.split('/').pop()}-${r.question_id}`, source: r.source_file, db_id: r.db_id, question: r.question, gold_sql: r.gold_sql, pred_sql: r.predicted_sql });
}

// Real model completions with reasoning (DeepSeek-V4 on Spider questions, text2sql-grpo):
// the whole `response` is the completion; no pred_sql (the scorer extracts the SQL).
// Their databases are not available, only their schemas (data/demo/tables.json).
const traceDir = 'reasoning_traces/text2sql-grpo_deepseek-v4';
const traces = [
  // [file, 0-based line, why]
  ['ab_flash_think_25.jsonl', 1], // join restaurant ⋈ geographic, matches the gold
  ['ab_flash_think_25.jsonl', 5], // two think blocks, ten paragraphs, wrong answer columns
  ['ab_flash_think_25.jsonl', 12], // GROUP BY / HAVING instead of the gold's self-join
  ['ab_flash_think_25.jsonl', 23], // long multi-paragraph reasoning, join with a category filter
  ['ab_flash_think_25.jsonl', 24], // hit the token limit: reasoning but no SQL answer
  ['ab_pro_think_5.jsonl', 1], // PVLDB is a journal: correct
  ['ab_pro_think_5.jsonl', 4], // multi-paragraph, TRIM(title)
  ['ab_flash_nothink_25.jsonl', 7], // no thinking mode: PVLDB taken for a conference (wrong table)
  ['ab_flash_nothink_25.jsonl', 9], // ORDER BY .. LIMIT 1 against the gold's MAX subquery
  ['ab_flash_nothink_25.jsonl', 22], // adds a gender filter the gold does not have
];
const traceRows = new Map();
for (const [file, i] of traces) {
  if (!traceRows.has(file)) traceRows.set(file, lines(`${traceDir}/${file}`).filter(Boolean).map((l) => JSON.parse(l)));
  const r = traceRows.get(file)[i];
  if (typeof r?.response !== 'string') throw new Error(`${file}:${i + 1}: no response`);
  records.push({
    id: `deepseek-${file.replace(/\.jsonl$/, '')}-line${i + 1}`,
    source: `${traceDir}/${file}`,
    model: r.model,
    db_id: r.db_id,
    question: r.question,
    gold_sql: r.gold_sql,
    completion: r.response,
  });
}

const tables = JSON.parse(readFileSync(join(data, 'bird_mini_dev/dev_tables.json'), 'utf8'));
const birdIds = new Set(records.filter((r) => r.id.startsWith('bird')).map((r) => r.db_id));
const birdTables = tables.filter((t) => birdIds.has(t.db_id));

// One Spider-format tables.json with the schema of every demo database that has no SQLite
// file in data/spider: the completions' Spider databases, then the BIRD ones.
const spiderTables = JSON.parse(readFileSync(join(data, 'spider_dev/tables.json'), 'utf8'));
const schemaOnly = [...new Set(records.map((r) => r.db_id).filter((d) => !spiderDbs.has(d) && !birdIds.has(d)))].sort();
const demoTables = schemaOnly.map((d) => {
  const t = spiderTables.find((x) => x.db_id === d);
  if (!t) throw new Error(`no Spider schema for ${d}`);
  return t;
});
writeFileSync(join(root, 'data/demo/tables.json'), JSON.stringify([...demoTables, ...birdTables]) + '\n');
writeFileSync(join(root, 'data/demo/demo.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`wrote ${records.length} records (${spiderCte.length} Spider CTE predictions, ${traces.length} completions; tables.json: ${demoTables.length} Spider + ${birdTables.length} BIRD schemas)`);
