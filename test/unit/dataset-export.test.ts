import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { exportCommand } from '../../src/cli/commands/export.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { exportRecord } from '../../src/core/dataset/export.ts';
import { Sidecar, lineHash, sidecarPathFor, type Annotation } from '../../src/core/dataset/sidecar.ts';
import { REPO_ROOT, sharedDataDir, skipWithoutData } from '../helpers/data.ts';
import { DEMO, scoreDemo } from '../helpers/dataset-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------- a small JSON Schema validator
// The subset docs/dataset-export.schema.json uses: type, const, enum, required, properties,
// additionalProperties: false, items, minItems, minimum, oneOf, $ref to #/$defs/...
type Schema = Record<string, any>;
const SCHEMA: Schema = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'dataset-export.schema.json'), 'utf8'));

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    default: throw new Error(`validator: unsupported type ${t}`);
  }
}

function validate(s: Schema, v: unknown, path = '$'): string[] {
  if (s.$ref) {
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
    if (!m) throw new Error(`validator: unsupported $ref ${s.$ref}`);
    return validate(SCHEMA.$defs[m[1]], v, path);
  }
  const known = new Set(['$schema', '$id', 'title', '$defs', 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'minimum', 'oneOf']);
  for (const k of Object.keys(s)) if (!known.has(k)) throw new Error(`validator: unsupported keyword ${k}`);
  const errs: string[] = [];
  if (s.oneOf) {
    const passing = (s.oneOf as Schema[]).filter((x) => validate(x, v, path).length === 0).length;
    if (passing !== 1) errs.push(`${path}: matches ${passing} of oneOf`);
  }
  if (s.type !== undefined && !(Array.isArray(s.type) ? s.type : [s.type]).some((t: string) => typeOk(t, v))) return [...errs, `${path}: not ${JSON.stringify(s.type)}: ${JSON.stringify(v)?.slice(0, 80)}`];
  if ('const' in s && v !== s.const) errs.push(`${path}: not ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (s.minimum !== undefined && typeof v === 'number' && v < s.minimum) errs.push(`${path}: below ${s.minimum}`);
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${path}: fewer than ${s.minItems} items`);
    if (s.items) v.forEach((x, i) => errs.push(...validate(s.items, x, `${path}[${i}]`)));
  }
  if (typeOk('object', v) && (s.properties || s.required)) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!Object.hasOwn(o, r)) errs.push(`${path}: missing ${r}`);
    for (const [k, x] of Object.entries(o)) {
      if (s.properties?.[k]) errs.push(...validate(s.properties[k], x, `${path}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected property ${k}`);
    }
  }
  return errs;
}

test('the validator rejects what the schema forbids', () => {
  const good = { prompt: 'p', completion: 'c', steplens: { schema: 'steplens.export/1', source: '/x', line: 1, id: null, db_id: null, question: null, gold_sql: null, sql: null, reasoning: null, edited: null, review: null, scores: { headline: null, headline_name: null, ex: null, step_rtm: null, status: null } } };
  assert.deepEqual(validate(SCHEMA, good), []);
  assert.notDeepEqual(validate(SCHEMA, { ...good, extra: 1 }), []);
  assert.notDeepEqual(validate(SCHEMA, { ...good, steplens: { ...good.steplens, line: 0 } }), []);
  assert.notDeepEqual(validate(SCHEMA, { ...good, steplens: { ...good.steplens, edited: 'both' } }), []);
  assert.notDeepEqual(validate(SCHEMA, { messages: [{ role: 'user', content: 'x' }], steplens: good.steplens }), []);
});

// ---------------------------------------------------------------- the command

function io() {
  const o = { out: '', err: '' };
  const c: CommandIO = { stdout: (t) => void (o.out += t), stderr: (t) => void (o.err += t), isTTY: false };
  return { o, c };
}
const run = async (positionals: string[], values: Record<string, string | boolean>) => {
  const { o, c } = io();
  const code = await exportCommand.run({ positionals, values }, c);
  return { code, ...o };
};
const readJsonl = (p: string) => {
  const text = readFileSync(p, 'utf8');
  assert.ok(text.endsWith('\n'));
  return text.trimEnd().split('\n').map((l) => JSON.parse(l));
};

const ann = (line: number, text: string, over: Partial<Annotation>): Annotation => ({
  v: 1, line, id: JSON.parse(text).id ?? null, status: 'accepted', labels: [], note: null, edit: null, at: new Date().toISOString(), hash: lineHash(text), ...over,
});

describe('steplens export on the demo dataset', () => {
  const train = join(dir, 'train.jsonl');
  copyFileSync(DEMO, train);
  // An extra record with its own chat prompt, and a malformed line.
  const chat = { id: 'chat-1', db_id: 'concert_singer', question: 'How many singers?', gold_sql: 'SELECT count(*) FROM singer',
    messages: [{ role: 'system', content: 'Own system prompt' }, { role: 'user', content: 'Schema: singer(...)\nHow many singers?' }, { role: 'assistant', content: '<think>\nCount rows.\n</think>\n```sql\nSELECT count(*) FROM singers\n```' }] };
  writeFileSync(train, readFileSync(DEMO, 'utf8') + JSON.stringify(chat) + '\n{"id": "broken", \n');
  const lines = readFileSync(train, 'utf8').split('\n');
  const completionLine = lines.findIndex((l) => l.includes('"completion"')) + 1;
  const chatLine = lines.findIndex((l) => l.includes('chat-1')) + 1;
  const s = Sidecar.open(sidecarPathFor(train));
  s.append(ann(1, lines[0], { labels: ['good'], note: 'clean join', edit: { sql: 'SELECT name, capacity FROM stadium LIMIT 1' } }));
  s.append(ann(2, lines[1], { status: 'rejected' }));
  s.append(ann(3, lines[2], { status: 'flagged', labels: ['ambiguous'] }));
  s.append(ann(completionLine, lines[completionLine - 1], { edit: { sql: 'SELECT 42' } }));
  s.append(ann(chatLine, lines[chatLine - 1], { edit: { completion: '<think>\nUse the singer table.\n</think>\n```sql\nSELECT count(*) FROM singer\n```' } }));
  s.append(ann(5, lines[4], { labels: ['good'] }));
  s.append(ann(5, lines[4], { status: 'pending', labels: [] })); // undone: last entry wins
  s.close();

  test('--accepted: messages with edits applied, review and provenance, valid against the documented schema', async () => {
    const out = join(dir, 'accepted.jsonl');
    const r = await run([train], { accepted: true, out });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /steplens export: 3 of 41 records \(3 selected\)/);
    assert.match(r.err, /1 malformed lines skipped \(first: train\.jsonl line 42: malformed JSON/);
    const recs = readJsonl(out);
    assert.equal(recs.length, 3);
    for (const x of recs) assert.deepEqual(validate(SCHEMA, x), [], JSON.stringify(x).slice(0, 200));
    const [first, withCompletion, own] = recs;
    // A bare prediction: the assistant turn is the edited SQL; the prompt is built from db and question.
    assert.equal(first.steplens.line, 1);
    assert.equal(first.steplens.source, train);
    assert.equal(first.steplens.id, 'spider-dev-24');
    assert.equal(first.steplens.edited, 'sql');
    assert.deepEqual(first.steplens.review, { status: 'accepted', labels: ['good'], note: 'clean join', at: first.steplens.review.at });
    assert.deepEqual(first.messages.map((m: { role: string }) => m.role), ['system', 'user', 'assistant']);
    assert.equal(first.messages[1].content, `Database: concert_singer\nQuestion: ${JSON.parse(lines[0]).question}`);
    assert.equal(first.messages[2].content, 'SELECT name, capacity FROM stadium LIMIT 1');
    assert.equal(first.steplens.gold_sql, JSON.parse(lines[0]).gold_sql);
    // A completion: its SQL replaced in place, the reasoning kept.
    const orig = JSON.parse(lines[completionLine - 1]).completion as string;
    assert.equal(withCompletion.steplens.line, completionLine);
    assert.equal(withCompletion.steplens.sql, 'SELECT 42');
    assert.ok(withCompletion.messages[2].content.includes('SELECT 42'));
    assert.ok(withCompletion.messages[2].content.length > 'SELECT 42'.length);
    assert.equal(withCompletion.messages[2].content.slice(0, 20), orig.slice(0, 20));
    // The record's own prompt is kept; a completion edit replaces the answer.
    assert.equal(own.steplens.line, chatLine);
    assert.deepEqual(own.messages.slice(0, 2), chat.messages.slice(0, 2));
    assert.equal(own.steplens.edited, 'completion');
    assert.equal(own.steplens.sql, 'SELECT count(*) FROM singer');
    assert.equal(own.steplens.reasoning, 'Use the singer table.');
  });

  test('--status and --filter select the queues; prompt-completion format', async () => {
    const out = join(dir, 'flagged.jsonl');
    const r = await run([train], { status: 'flagged,rejected', format: 'prompt-completion', out });
    assert.equal(r.code, 0, r.err);
    const recs = readJsonl(out);
    assert.deepEqual(recs.map((x) => x.steplens.line), [2, 3]);
    for (const x of recs) {
      assert.deepEqual(validate(SCHEMA, x), []);
      assert.equal(typeof x.prompt, 'string');
      assert.equal(x.completion, JSON.parse(lines[x.steplens.line - 1]).pred_sql);
    }
    const pend = join(dir, 'pending-good.jsonl');
    assert.equal((await run([train], { filter: 'review=pending db=pets_1', out: pend })).code, 0);
    const p = readJsonl(pend);
    assert.ok(p.every((x) => x.steplens.db_id === 'pets_1' && (x.steplens.review === null || x.steplens.review.status === 'pending')));
    // Line 3 is flagged; line 5 was annotated, then undone (pending again).
    assert.deepEqual(p.map((x) => x.steplens.line).slice(0, 2), [4, 5]);
    assert.equal(p[1].steplens.review.status, 'pending');
    const label = join(dir, 'label.jsonl');
    assert.equal((await run([train], { filter: 'label=good', out: label })).code, 0);
    assert.deepEqual(readJsonl(label).map((x) => x.steplens.line), [1]);
  });

  test('a scored output: the scores come along, filters on them', async () => {
    const scored = scoreDemo(join(dir, 'scored.jsonl'));
    const out = join(dir, 'ex0.jsonl');
    const r = await run([scored], { filter: 'ex=0 sort=step_rtm:desc', out, format: 'messages' });
    assert.equal(r.code, 0, r.err);
    const recs = readJsonl(out);
    assert.ok(recs.length >= 3);
    for (const x of recs) {
      assert.deepEqual(validate(SCHEMA, x), []);
      assert.equal(x.steplens.scores.ex, 0);
      assert.equal(x.steplens.scores.headline_name, 'qatch_small_update_with_fm');
      assert.equal(x.steplens.scores.status, 'scored');
    }
    for (let i = 1; i < recs.length; i++) assert.ok((recs[i - 1].steplens.scores.step_rtm ?? -1) >= (recs[i].steplens.scores.step_rtm ?? -1));
  });

  test('--out safety: never over an existing file without --force, never the dataset or its annotations', async () => {
    const out = join(dir, 'exists.jsonl');
    writeFileSync(out, 'keep me\n');
    await assert.rejects(run([train], { accepted: true, out }), /already exists: add --resume to continue it or --force to replace it/);
    assert.equal(readFileSync(out, 'utf8'), 'keep me\n');
    assert.equal((await run([train], { accepted: true, out, force: true })).code, 0);
    assert.equal(readJsonl(out).length, 3);
    const before = readFileSync(train, 'utf8');
    await assert.rejects(run([train], { accepted: true, out: train, force: true }), /is the dataset file/);
    await assert.rejects(run([train], { accepted: true, out: sidecarPathFor(train), force: true }), /is the --annotations file/);
    assert.equal(readFileSync(train, 'utf8'), before);
    assert.equal(existsSync(join(dir, 'nodir', 'x.jsonl')), false);
    await assert.rejects(run([train], { accepted: true, out: join(dir, 'nodir', 'x.jsonl') }), /does not exist/);
  });

  test('no annotations yet: an empty export and a warning naming the sidecar', async () => {
    const bare = join(dir, 'bare.jsonl');
    copyFileSync(DEMO, bare);
    const r = await run([bare], { accepted: true, out: join(dir, 'bare-out.jsonl') });
    assert.equal(r.code, 0);
    assert.match(r.err, /warning: no annotations at .*bare\.steplens\.jsonl \(nothing reviewed yet; --annotations names another file\)/);
    assert.match(r.err, /0 of 40 records/);
    assert.equal(readFileSync(join(dir, 'bare-out.jsonl'), 'utf8'), '');
  });

  test('usage errors', async () => {
    await assert.rejects(run([train], { out: join(dir, 'u.jsonl') }), /say which records: --accepted, --status <s> or --filter <expr>/);
    await assert.rejects(run([train], { filter: 'ex=0 foo<1', out: join(dir, 'u.jsonl') }), /--filter: position 6: unknown field "foo"/);
    await assert.rejects(run([train], { status: 'done', out: join(dir, 'u.jsonl') }), /--status is one of/);
    await assert.rejects(run([train], { accepted: true, format: 'alpaca', out: join(dir, 'u.jsonl') }), /--format is messages or prompt-completion/);
    await assert.rejects(run([join(dir, 'missing.jsonl')], { accepted: true, out: join(dir, 'u.jsonl') }), /missing\.jsonl: no such file/);
  });

  test('exportRecord: nothing to export is a bad line naming file and line', () => {
    const r = exportRecord({ text: '{"id":1,"question":"q"}', line: 9, annotation: null, kind: 'dataset', fields: {}, source: train, format: 'messages' });
    assert.deepEqual(r, { line: 9, kind: 'nothing_to_export', message: 'train.jsonl line 9: no completion or predicted SQL to export (and no edit)' });
  });
});

test('real reasoning traces (shared data): every record exports with its own prompt and its reasoning', { skip: skipWithoutData() }, async () => {
  const src = join(sharedDataDir()!, 'reasoning_traces', 'text2sql-grpo_deepseek-v4', 'ab_flash_think_25.jsonl');
  const train = join(dir, 'traces.jsonl');
  copyFileSync(src, train);
  const out = join(dir, 'traces-all.jsonl');
  const r = await run([train], { filter: 'review=pending', out });
  assert.equal(r.code, 0, r.err);
  const inputs = readFileSync(train, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  const recs = readJsonl(out);
  assert.equal(recs.length, inputs.length);
  for (let i = 0; i < recs.length; i++) {
    const x = recs[i];
    assert.deepEqual(validate(SCHEMA, x), []);
    const own = inputs[i].messages.filter((m: { role: string }) => m.role !== 'assistant');
    assert.deepEqual(x.messages.slice(0, -1), own.map((m: { role: string; content: string }) => ({ role: m.role, content: m.content })));
    assert.equal(x.messages.at(-1).content, inputs[i].response);
    assert.equal(x.steplens.db_id, inputs[i].db_id);
    assert.equal(x.steplens.gold_sql, inputs[i].gold_sql);
    if (inputs[i].response.includes('<think>')) assert.ok(x.steplens.reasoning && x.steplens.reasoning.length > 0);
  }
});
