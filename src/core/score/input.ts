// Input readers of a scoring run (`steplens score`): every entry of one input
// file, in order, as an InputRecord to score or a BadRecord saying where and
// why it cannot be scored. docs/score-input.md describes the formats.
//
// Formats (detected from the extension, then the content):
// - JSONL (`.jsonl`, `.ndjson`, or text whose first line is a JSON object):
//   one record object per line; blank lines are skipped; CRLF is fine.
// - JSON (`.json`): an array of record objects, or a map `{"<i>": value}`
//   keyed by question index as BIRD prediction files are
//   (`"SQL\t----- bird -----\tdb_id"`; a non-string such as the integer 0 is
//   a failed model call). Bare SQL strings (array elements, map values) are
//   predictions to pair with a gold file.
// - CSV (`.csv`, e.g. DIN-SQL's `NLQ, PREDICTED SQL, GOLD SQL, DATABASE`):
//   each row is a record keyed by the header.
// - Anything else: one SQL per line (`.txt`, `.sql`), or `SQL \t db_id` per
//   line (TA-SQL, Spider's gold_example.txt): predictions to pair with a
//   gold file.
//
// Field auto-detection in record objects (the first candidate present wins;
// an explicit `fields` name replaces a role's candidate list):
//   gold        gold_sql, query (Spider), SQL (BIRD), gold, "GOLD SQL" (DIN-SQL)
//   prediction  pred_sql, prediction, predicted_sql, pred, "PREDICTED SQL"
//   completion  completion, response, output, messages (the last assistant
//               message's content: a string or an array of {type:'text', text} parts)
//   db          db_id, db, database, DATABASE
//   id          id, question_id, instance_id, index
//   question    question, NLQ        evidence: evidence
// Precedence between a bare prediction and a completion: with explicit
// `fields.pred` / `fields.completion` only those are read (pred first);
// otherwise the prediction fields come first, then the completion fields. A
// record that carries an already-extracted `pred_sql` is scored on it; pass
// `fields.completion` to score the completion instead.
//
// Gold pairing (`options.gold`): entry i of the input is paired with entry i
// of the gold file (a JSON map's entry with its key i). The gold file is the
// reference: its SQL replaces a gold the record carries (DIN-SQL CSVs have
// one; Spider's gold_example.txt and dev.json differ on 44 queries, so every
// system must be scored against the one file given), which is only used when
// the gold file has no entry at that position. db_id, question and evidence
// fill in what the record lacks; a db_id on both sides must agree
// (`db_mismatch`); the record's id defaults to the gold's question_id, else
// the position. A positional input with fewer entries than the gold file gets
// one `missing_prediction` bad record per unanswered gold entry (appended); a
// JSON map may cover a subset of the questions (BIRD's subset100 files), so
// its missing keys are not reported.

import { readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { detectFormat, parseCsv, parsePredictionText } from '../data/corpus.ts';
import type { BadRecord, InputItem, InputRecord } from './types.ts';

export interface FieldOptions {
  gold?: string;
  pred?: string;
  completion?: string;
  db?: string;
  id?: string;
  question?: string;
  evidence?: string;
}

export interface InputOptions {
  /** Gold file to pair with a published prediction file (line i ↔ gold entry i). */
  gold?: string;
  /** Explicit field names (override auto-detection). */
  fields?: FieldOptions;
}

export const GOLD_FIELDS = ['gold_sql', 'query', 'SQL', 'gold', 'GOLD SQL'];
export const PRED_FIELDS = ['pred_sql', 'prediction', 'predicted_sql', 'pred', 'PREDICTED SQL'];
export const COMPLETION_FIELDS = ['completion', 'response', 'output', 'messages'];
export const DB_FIELDS = ['db_id', 'db', 'database', 'DATABASE'];
export const ID_FIELDS = ['id', 'question_id', 'instance_id', 'index'];
export const QUESTION_FIELDS = ['question', 'NLQ'];
export const EVIDENCE_FIELDS = ['evidence'];

const BIRD_SEPARATOR = '\t----- bird -----\t';

// ---------------------------------------------------------------- entries

/** One entry of the input file before gold pairing. */
type Entry =
  /** A record object (JSON, JSONL, a CSV row). */
  | { type: 'record'; line: number; pos: number; obj: Record<string, unknown>; positional: boolean }
  /** A bare predicted SQL of a published prediction file. */
  | { type: 'pred'; line: number; pos: number; sql: string; db_id?: string }
  /** Unreadable: malformed JSON, not an object, a failed call. */
  | { type: 'bad'; line: number; pos: number; kind: string; reason: string; positional: boolean };

type Layout = 'jsonl' | 'json-array' | 'json-map' | 'csv' | 'lines' | 'tsv';

interface Parsed {
  layout: Layout;
  entries: Entry[];
}

/** Every entry of one input file, in order; bad entries as `{bad}` with line + reason. Throws (Error with a one-line message naming the file) only when the file itself is unusable. */
export function readScoreInput(path: string, options: InputOptions = {}): InputItem[] {
  const text = readText(path);
  const source = basename(path);
  if (!/\S/.test(text)) throw new Error(`${path}: holds no records (the file is ${text.length === 0 ? 'empty' : 'blank'})`);
  const parsed = parseInput(text, path);
  const gold = options.gold !== undefined ? readGoldFile(options.gold, options.fields) : undefined;
  // Bare SQL needs a gold file: fatal for a prediction file, a bad record for a stray one among records.
  if (!gold && parsed.entries.some((e) => e.type === 'pred')) {
    const recordFile = (parsed.layout === 'jsonl' || parsed.layout === 'json-array') && parsed.entries.some((e) => e.type === 'record');
    if (!recordFile) throw new Error(`${path}: ${describeLayout(parsed.layout)} needs --gold <dev.json|gold.sql> to pair with`);
  }
  const fields = resolveFields(options.fields);
  const ctx: Context = { source, gold, goldName: options.gold ? basename(options.gold) : '', fields };
  const items: InputItem[] = new Array(parsed.entries.length);
  let lastPos = -1;
  for (let i = 0; i < parsed.entries.length; i++) {
    const e = parsed.entries[i];
    if (e.pos > lastPos) lastPos = e.pos;
    items[i] = buildItem(e, i, ctx);
  }
  // A positional input that stops before the gold file does: the unanswered questions.
  if (gold && parsed.layout !== 'json-map') {
    const lastLine = parsed.entries.length ? parsed.entries[parsed.entries.length - 1].line : 0;
    const n = parsed.entries.length;
    for (let p = lastPos + 1; p < gold.entries.length; p++) {
      const g = gold.entries[p];
      items.push({
        bad: {
          index: items.length,
          line: lastLine + (p - lastPos),
          source,
          id: g.id ?? p,
          db_id: g.db_id ?? null,
          kind: 'missing_prediction',
          message: `${source}: no prediction for gold entry ${p + 1} of ${ctx.goldName} (${source} has ${n} ${n === 1 ? 'entry' : 'entries'}, the gold file ${gold.entries.length})`,
        },
      });
    }
  }
  return items;
}

function describeLayout(layout: Layout): string {
  switch (layout) {
    case 'lines':
      return 'a prediction file with one SQL per line';
    case 'tsv':
      return 'a prediction file with "SQL <tab> db_id" lines';
    case 'json-map':
      return 'a prediction file keyed by question index (BIRD format)';
    default:
      return 'a prediction file of bare SQL strings';
  }
}

function readText(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    if (code === 'EISDIR') throw new Error(`${path}: is a directory, not an input file`);
    throw new Error(`${path}: cannot read (${oneLine((err as Error).message)})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.slice(0, 4096).includes('\u0000')) throw new Error(`${path}: unknown format (binary file, not JSON, JSONL, CSV or SQL lines)`);
  return text;
}

function oneLine(s: string, max = 200): string {
  const flat = s.replace(/\s*[\r\n]+\s*/g, ' ');
  return flat.length > max ? flat.slice(0, max - 3) + '...' : flat;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v === 'number' ? 'the number' : typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

// ---------------------------------------------------------------- parsing

function parseInput(text: string, path: string): Parsed {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    // A JSON array saved as .jsonl: read it as the array it is rather than as malformed lines.
    if (firstNonSpace(text) === '[') {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
      if (Array.isArray(data)) return parseJsonValue(data, text, path);
    }
    return parseJsonLines(text);
  }
  if (ext === '.csv') return parseCsvInput(text, path);
  if (ext === '.sqlite' || ext === '.db') throw new Error(`${path}: unknown format (a database, not an input file)`);
  const head = firstNonSpace(text);
  if (ext === '.json' || head === '{' || head === '[') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      // JSONL under another name: several lines, the first one an object by itself.
      if (head === '{' && looksLikeJsonLines(text)) return parseJsonLines(text);
      throw new Error(`${path}: malformed JSON (${oneLine((err as Error).message)})`);
    }
    return parseJsonValue(data, text, path);
  }
  const format = detectFormat(text, 'input.txt');
  const layout: Layout = format === 'tsv' ? 'tsv' : 'lines';
  const entries: Entry[] = parsePredictionText(text, 'input.txt').map((p, i) => {
    const e: Entry = { type: 'pred', line: p.line, pos: i, sql: p.sql };
    if (p.db_id !== undefined) e.db_id = p.db_id;
    return e;
  });
  return { layout, entries };
}

function firstNonSpace(text: string): string {
  const m = /\S/.exec(text.length > 4096 ? text.slice(0, 4096) : text);
  return m ? m[0] : '';
}

function looksLikeJsonLines(text: string): boolean {
  const nl = text.indexOf('\n');
  if (nl < 0) return false;
  try {
    return isObject(JSON.parse(text.slice(0, nl)));
  } catch {
    return false;
  }
}

function parseJsonLines(text: string): Parsed {
  const entries: Entry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l.trim() === '') continue;
    const line = i + 1;
    const pos = entries.length;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch (err) {
      entries.push({ type: 'bad', line, pos, kind: 'malformed_json', reason: `malformed JSON (${oneLine((err as Error).message)})`, positional: false });
      continue;
    }
    entries.push(valueEntry(value, line, pos, false));
  }
  return { layout: 'jsonl', entries };
}

/** A record object, a bare SQL string (a prediction), or not an object. */
function valueEntry(value: unknown, line: number, pos: number, positional: boolean): Entry {
  if (isObject(value)) return { type: 'record', line, pos, obj: value, positional };
  if (typeof value === 'string') return { type: 'pred', line, pos, ...splitBirdValue(value) };
  return { type: 'bad', line, pos, kind: 'not_an_object', reason: `expected a JSON object, got ${typeName(value)}`, positional };
}

function splitBirdValue(v: string): { sql: string; db_id?: string } {
  const at = v.lastIndexOf(BIRD_SEPARATOR);
  if (at < 0) return { sql: v };
  return { sql: v.slice(0, at), db_id: v.slice(at + BIRD_SEPARATOR.length).trim() };
}

function parseJsonValue(data: unknown, text: string, path: string): Parsed {
  if (Array.isArray(data)) {
    const lines = entryStartLines(text, data.length);
    return { layout: 'json-array', entries: data.map((v, i) => valueEntry(v, lines[i], i, false)) };
  }
  // One record object by itself.
  if (isObject(data) && typeof data.db_id === 'string' && [...GOLD_FIELDS, ...PRED_FIELDS, ...COMPLETION_FIELDS].some((f) => Object.hasOwn(data, f))) {
    return { layout: 'json-array', entries: [{ type: 'record', line: 1, pos: 0, obj: data, positional: false }] };
  }
  if (isObject(data)) {
    // Entries in file order, with their lines; a repeated key (JSON keeps its last value) is reported.
    const scan = scanTopLevel(text);
    const unique = Object.keys(data).length;
    const inOrder = scan.keys.length === scan.lines.length && new Set(scan.keys).size === unique;
    const keys = inOrder ? scan.keys : Object.keys(data);
    const lines = inOrder ? scan.lines : keys.map((_, i) => i + 1);
    const firstLine = new Map<string, number>();
    const entries = keys.map((k, i): Entry => {
      const v = data[k];
      const pos = /^\d+$/.test(k) ? Number(k) : i;
      const line = lines[i];
      const seen = firstLine.get(k);
      if (seen !== undefined) {
        return { type: 'bad', line, pos, kind: 'duplicate_key', reason: `entry "${k}" repeats the key of line ${seen} (JSON keeps the last value)`, positional: true };
      }
      firstLine.set(k, line);
      if (typeof v === 'string') return { type: 'pred', line, pos, ...splitBirdValue(v) };
      if (isObject(v)) return { type: 'record', line, pos, obj: v, positional: true };
      return { type: 'bad', line, pos, kind: 'failed_call', reason: `entry "${k}": failed model call (stored as ${v === null ? 'null' : JSON.stringify(v).slice(0, 40)})`, positional: true };
    });
    return { layout: 'json-map', entries };
  }
  throw new Error(`${path}: unknown format (JSON ${typeName(data)}, expected an array of records or an object keyed by question index)`);
}

/**
 * 1-based line where each top-level element (array element, or object key)
 * of a valid JSON text starts, and for an object its keys in file order
 * (Object.keys puts integer-like keys first, in numeric order): one pass,
 * jumping over strings with indexOf.
 */
export function scanTopLevel(text: string): { lines: number[]; keys: string[] } {
  const lines: number[] = [];
  const keys: string[] = [];
  let line = 1;
  let depth = 0;
  let expecting = false;
  let object = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    let starts = false;
    if (depth === 1 && expecting && c !== 93 && c !== 125) {
      lines.push(line);
      expecting = false;
      starts = true;
    }
    if (c === 34) {
      // Skip the string: the next quote not preceded by an odd number of backslashes.
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          j = n;
          break;
        }
        let b = q - 1;
        while (b > i && text.charCodeAt(b) === 92) b--;
        if ((q - 1 - b) % 2 === 0) {
          j = q;
          break;
        }
        j = q + 1;
      }
      if (starts && object) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      i = j;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth === 1) {
        expecting = true;
        object = c === 123;
      }
    } else if (c === 125 || c === 93) {
      depth--;
    } else if (c === 44 && depth === 1) {
      expecting = true;
    }
  }
  return { lines, keys };
}

/** `scanTopLevel(text).lines`, or 1, 2, 3, ... if the scan does not find `count` elements. */
export function entryStartLines(text: string, count: number): number[] {
  const { lines } = scanTopLevel(text);
  return lines.length === count ? lines : Array.from({ length: count }, (_, i) => i + 1);
}

function parseCsvInput(text: string, path: string): Parsed {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (err) {
    throw new Error(`${path}: malformed CSV (${oneLine((err as Error).message)})`);
  }
  // Blank rows (a stray empty line) are not entries.
  rows = rows.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
  if (rows.length === 0) return { layout: 'csv', entries: [] };
  const header = rows[0].cells.map((h) => h.trim());
  const entries: Entry[] = [];
  for (let r = 1; r < rows.length; r++) {
    const obj: Record<string, unknown> = {};
    const cells = rows[r].cells;
    for (let c = 0; c < header.length; c++) if (cells[c] !== undefined) obj[header[c]] = cells[c];
    entries.push({ type: 'record', line: rows[r].line, pos: r - 1, obj, positional: true });
  }
  return { layout: 'csv', entries };
}

// ---------------------------------------------------------------- gold files

interface GoldEntry {
  sql?: string;
  db_id?: string;
  question?: string;
  evidence?: string;
  id?: string | number;
  /** Why this gold entry is unusable. */
  error?: string;
}

interface GoldFile {
  entries: GoldEntry[];
}

const goldCache = new Map<string, { mtimeMs: number; size: number; key: string; gold: GoldFile }>();

/** Reads a gold file (Spider/BIRD dev.json, mini-dev json, `SQL \t db_id` lines, JSONL records), cached per path while unchanged. */
function readGoldFile(path: string, fields: FieldOptions | undefined): GoldFile {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new Error(`${path}: no such gold file`);
  }
  const key = JSON.stringify(fields ?? {});
  const hit = goldCache.get(abs);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size && hit.key === key) return hit.gold;
  const gold = parseGold(readText(path), path, fields);
  goldCache.set(abs, { mtimeMs: st.mtimeMs, size: st.size, key, gold });
  return gold;
}

function parseGold(text: string, path: string, fields: FieldOptions | undefined): GoldFile {
  const parsed = parseInput(text, path);
  const name = basename(path);
  // An explicit field name is tried first, then the usual candidates.
  const with_ = (explicit: string | undefined, auto: string[]) => (explicit ? [explicit, ...auto] : auto);
  const goldFields = with_(fields?.gold, GOLD_FIELDS);
  const dbFields = with_(fields?.db, DB_FIELDS);
  const idFields = with_(fields?.id, ID_FIELDS);
  const questionFields = with_(fields?.question, QUESTION_FIELDS);
  const evidenceFields = with_(fields?.evidence, EVIDENCE_FIELDS);
  const entries: GoldEntry[] = [];
  for (const e of parsed.entries) {
    let g: GoldEntry;
    if (e.type === 'pred') {
      g = { sql: e.sql };
      if (e.db_id !== undefined) g.db_id = e.db_id;
    } else if (e.type === 'bad') {
      g = { error: `${name} line ${e.line}: ${e.reason}` };
    } else {
      const o = e.obj;
      g = {};
      const sql = firstString(o, goldFields);
      if (sql === undefined) g.error = `${name} line ${e.line}: missing field "${goldFields[0]}"`;
      else g.sql = sql;
      const db = firstString(o, dbFields);
      if (db) g.db_id = db;
      const q = firstString(o, questionFields);
      if (q !== undefined) g.question = q;
      const ev = firstString(o, evidenceFields);
      if (ev !== undefined) g.evidence = ev;
      const id = firstId(o, idFields);
      if (id !== undefined) g.id = id;
    }
    // A JSON map's key is its position.
    if (parsed.layout === 'json-map') entries[e.pos] ??= g;
    else entries.push(g);
  }
  for (let i = 0; i < entries.length; i++) entries[i] ??= { error: `${name}: no entry with key "${i}"` };
  return { entries };
}

function firstString(o: Record<string, unknown>, candidates: string[]): string | undefined {
  for (const f of candidates) {
    const v = o[f];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function firstId(o: Record<string, unknown>, candidates: string[]): string | number | undefined {
  for (const f of candidates) {
    const v = o[f];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  }
  return undefined;
}

// ---------------------------------------------------------------- records

interface Fields {
  gold: string[];
  /** Bare prediction fields, then completion fields, in precedence order. */
  answer: { name: string; completion: boolean }[];
  db: string[];
  id: string[];
  question: string[];
  evidence: string[];
}

function resolveFields(f: FieldOptions = {}): Fields {
  let answer: Fields['answer'];
  if (f.pred !== undefined || f.completion !== undefined) {
    answer = [];
    if (f.pred !== undefined) answer.push({ name: f.pred, completion: false });
    if (f.completion !== undefined) answer.push({ name: f.completion, completion: true });
  } else {
    answer = [...PRED_FIELDS.map((name) => ({ name, completion: false })), ...COMPLETION_FIELDS.map((name) => ({ name, completion: true }))];
  }
  return {
    gold: f.gold !== undefined ? [f.gold] : GOLD_FIELDS,
    answer,
    db: f.db !== undefined ? [f.db] : DB_FIELDS,
    id: f.id !== undefined ? [f.id] : ID_FIELDS,
    question: f.question !== undefined ? [f.question] : QUESTION_FIELDS,
    evidence: f.evidence !== undefined ? [f.evidence] : EVIDENCE_FIELDS,
  };
}

interface Context {
  source: string;
  gold: GoldFile | undefined;
  goldName: string;
  fields: Fields;
}

/** `"a"` or `"a" (or "b", "c")`. */
function fieldList(candidates: string[]): string {
  const [first, ...rest] = candidates.map((c) => `"${c}"`);
  return rest.length ? `${first} (or ${rest.join(', ')})` : first;
}

/** A completion value: a string, or a chat `messages` array (its last assistant message). */
function completionText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return undefined;
  for (let i = v.length - 1; i >= 0; i--) {
    const m = v[i];
    if (!isObject(m) || m.role !== 'assistant') continue;
    const c = m.content;
    if (typeof c === 'string') return c;
    if (Array.isArray(c)) {
      let out = '';
      for (const part of c) {
        if (typeof part === 'string') out += part;
        else if (isObject(part) && typeof part.text === 'string' && (part.type === undefined || part.type === 'text')) out += part.text;
      }
      return out;
    }
    return undefined;
  }
  return undefined;
}

type Answer = { pred_sql: string } | { completion: string } | { error: string; kind: string };

function findAnswer(o: Record<string, unknown>, fields: Fields): Answer {
  let present: { name: string; value: unknown } | undefined;
  for (const f of fields.answer) {
    if (!Object.hasOwn(o, f.name)) continue;
    const v = o[f.name];
    if (f.completion) {
      const text = completionText(v);
      if (text !== undefined) return { completion: text };
    } else if (typeof v === 'string') {
      return { pred_sql: v };
    }
    present ??= { name: f.name, value: v };
  }
  if (present) {
    const why = Array.isArray(present.value) ? 'has no assistant message with text content' : `is ${typeName(present.value)}, expected a string`;
    return { kind: 'invalid_field', error: `field "${present.name}" ${why}` };
  }
  return { kind: 'missing_field', error: `missing field ${fieldList(fields.answer.map((a) => a.name))}` };
}

const resolvedFields = new WeakMap<FieldOptions, Fields>();
const DEFAULT_FIELDS = resolveFields();

/**
 * One JSONL line read exactly as `steplens score` reads it (no gold file): the
 * record, or a bad record whose message names `source` and `line`. For callers
 * that index a file themselves and read lines on demand (the dataset review,
 * src/core/dataset); `index` is the record's position for `InputRecord.index`.
 */
export function inputItemFromJsonLine(text: string, line: number, index: number, source: string, fields?: FieldOptions): InputItem {
  let f = DEFAULT_FIELDS;
  if (fields) {
    f = resolvedFields.get(fields) ?? resolveFields(fields);
    resolvedFields.set(fields, f);
  }
  const l = text.endsWith('\r') ? text.slice(0, -1) : text;
  let value: unknown;
  try {
    value = JSON.parse(l);
  } catch (err) {
    const e: Entry = { type: 'bad', line, pos: index, kind: 'malformed_json', reason: `malformed JSON (${oneLine((err as Error).message)})`, positional: false };
    return buildItem(e, index, { source, gold: undefined, goldName: '', fields: f });
  }
  return inputItemFromValue(value, line, index, source, fields);
}

/** inputItemFromJsonLine for a line already parsed with JSON.parse. */
export function inputItemFromValue(value: unknown, line: number, index: number, source: string, fields?: FieldOptions): InputItem {
  let f = DEFAULT_FIELDS;
  if (fields) {
    f = resolvedFields.get(fields) ?? resolveFields(fields);
    resolvedFields.set(fields, f);
  }
  return buildItem(valueEntry(value, line, index, false), index, { source, gold: undefined, goldName: '', fields: f });
}

function buildItem(e: Entry, index: number, ctx: Context): InputItem {
  const { source, gold } = ctx;
  const g = gold ? gold.entries[e.pos] : undefined;
  const bad = (kind: string, reason: string, id: string | number | null, db_id: string | null): InputItem => {
    const b: BadRecord = { index, line: e.line, source, id, db_id, kind, message: `${source} line ${e.line}: ${reason}` };
    return { bad: b };
  };
  const defaultId = (positional: boolean): string | number | null => (g?.id ?? (gold || positional ? e.pos : null));

  if (e.type === 'bad') return bad(e.kind, e.reason, defaultId(e.positional), g?.db_id ?? null);

  let id: string | number | null;
  let db: string | undefined;
  let goldSql: string | undefined;
  let question: string | undefined;
  let evidence: string | undefined;
  let answer: Answer;
  const f = ctx.fields;
  if (e.type === 'pred') {
    id = defaultId(true);
    db = e.db_id;
    if (!gold) return bad('missing_field', 'a bare SQL string has no gold SQL (pass --gold to pair it with a gold file)', id, db ?? null);
    answer = { pred_sql: e.sql };
  } else {
    const o = e.obj;
    id = firstId(o, f.id) ?? defaultId(e.positional);
    const dbValue = firstString(o, f.db);
    db = dbValue === '' ? undefined : dbValue;
    goldSql = firstString(o, f.gold);
    question = firstString(o, f.question);
    evidence = firstString(o, f.evidence);
    answer = findAnswer(o, f);
  }

  if ('error' in answer) return bad(answer.kind, answer.error, id, db ?? g?.db_id ?? null);

  if (gold) {
    if (!g || g.error !== undefined) {
      // Only fatal when the record has no gold of its own to fall back on.
      if (goldSql === undefined) {
        const reason = !g
          ? `no gold entry ${e.pos + 1} in ${ctx.goldName} (it has ${gold.entries.length})`
          : `gold entry ${e.pos + 1} is unusable (${g.error})`;
        return bad(g ? 'bad_gold' : 'no_gold', reason, id, db ?? g?.db_id ?? null);
      }
    } else {
      if (db !== undefined && g.db_id !== undefined && db !== g.db_id) {
        return bad('db_mismatch', `db_id "${db}" differs from the gold's "${g.db_id}" (${ctx.goldName} entry ${e.pos + 1})`, id, db);
      }
      db ??= g.db_id;
      question ??= g.question;
      evidence ??= g.evidence;
      goldSql = g.sql;
    }
  }

  if (goldSql === undefined) {
    return bad('missing_field', `missing field ${fieldList(f.gold)}${gold ? '' : ' (or pass --gold to pair with a gold file)'}`, id, db ?? null);
  }
  if (db === undefined) return bad('missing_field', `missing field ${fieldList(f.db)}`, id, null);

  const record: InputRecord = { index, line: e.line, source, id, db_id: db, gold_sql: goldSql, ...answer };
  if (question !== undefined) record.question = question;
  if (evidence !== undefined) record.evidence = evidence;
  return { record };
}
