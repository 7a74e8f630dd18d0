// Reviewed records → SFT-ready JSONL (issue 12; `steplens export` and the
// UI's Export): one JSON object per selected record, in one of two formats,
// edits applied, with the review and its provenance under `steplens`. The
// schema is docs/dataset-export.schema.json, described in docs/dataset.md.
//
//   messages:           {"messages": [{role: system|user|assistant, content}], "steplens": {...}}
//   prompt-completion:  {"prompt": "...", "completion": "...", "steplens": {...}}
//
// The prompt is the record's own when it has one (the messages before the
// last assistant message of a `messages` field, or a `prompt` string);
// otherwise it is built from the database id, the question and the evidence.
// The assistant turn is the completion (reasoning and SQL) or the bare SQL,
// with the annotation's edit applied: an SQL edit replaces the SQL inside the
// completion (where `steplens score` found it), a completion edit replaces it.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { COMPLETION_FIELDS, DB_FIELDS, EVIDENCE_FIELDS, GOLD_FIELDS, ID_FIELDS, PRED_FIELDS, QUESTION_FIELDS } from '../score/input.ts';
import type { ScoredRecord } from '../score/types.ts';
import { extractSqlWithOffset, parseCompletion } from '../trace/completion.ts';
import { LineReader, buildLineIndex } from './line-index.ts';
import { runQuery, type DatasetQuery } from './query.ts';
import { detectMapping, inputRecordFromLine, isBadLine, rowFromLine, scoredRecordFromLine, type BadLine, type DatasetKind, type DatasetRow, type FieldOptions } from './rows.ts';
import { Sidecar, sidecarPathFor, type Annotation } from './sidecar.ts';

export type ExportFormat = 'messages' | 'prompt-completion';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['messages', 'prompt-completion'];
export const EXPORT_SCHEMA = 'steplens.export/1';

export const DEFAULT_SYSTEM_PROMPT =
  'You are a text-to-SQL assistant. Given a question about a SQLite database, think step by step, then answer with one SQL query.';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Where a record comes from and what was decided about it. */
export interface ExportProvenance {
  schema: typeof EXPORT_SCHEMA;
  /** The dataset file (absolute path) and the record's 1-based line in it. */
  source: string;
  line: number;
  id: string | number | null;
  db_id: string | null;
  question: string | null;
  gold_sql: string | null;
  /** The SQL of the exported answer (edit applied). */
  sql: string | null;
  /** The reasoning of the exported answer (`<think>` / `<reasoning>` block contents), null when there is none. */
  reasoning: string | null;
  /** What the annotation's edit replaced: `sql`, `completion`, or null (exported as it was). */
  edited: 'sql' | 'completion' | null;
  review: { status: Annotation['status']; labels: string[]; note: string | null; at: string } | null;
  /** As scored (a `steplens score` output, or the review's background scoring); null when not scored. */
  scores: { headline: number | null; headline_name: string | null; ex: number | null; step_rtm: number | null; status: string | null };
}

export type ExportedRecord =
  | { messages: ChatMessage[]; steplens: ExportProvenance }
  | { prompt: string; completion: string; steplens: ExportProvenance };

export interface ExportInput {
  /** The dataset line's text. */
  text: string;
  line: number;
  /** The list row (its scores are used for a plain dataset scored in the background). */
  row?: DatasetRow | null;
  annotation: Annotation | null;
  kind: DatasetKind;
  fields: FieldOptions;
  /** The dataset file (reported as its absolute path). */
  source: string;
  format: ExportFormat;
  /** System prompt when the record has no prompt of its own (DEFAULT_SYSTEM_PROMPT). */
  system?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function firstString(o: Record<string, unknown>, names: (string | undefined)[]): string | null {
  for (const n of names) if (n !== undefined && typeof o[n] === 'string') return o[n] as string;
  return null;
}

function contentText(c: unknown): string | null {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return null;
  let out = '';
  for (const p of c) {
    if (typeof p === 'string') out += p;
    else if (isObject(p) && typeof p.text === 'string' && (p.type === undefined || p.type === 'text')) out += p.text;
  }
  return out;
}

/** What one record holds, whichever kind of file it comes from. */
interface Parts {
  id: string | number | null;
  db_id: string | null;
  question: string | null;
  evidence: string | null;
  gold_sql: string | null;
  pred_sql: string | null;
  completion: string | null;
  /** [start, end) of pred_sql in completion, when known. */
  span: [number, number] | null;
  /** The record's own prompt messages (before its last assistant message), if any. */
  prompt: ChatMessage[] | null;
  scores: ExportProvenance['scores'];
}

function partsOfScored(r: ScoredRecord): Parts {
  return {
    id: r.id ?? null,
    db_id: r.db_id ?? null,
    question: r.question ?? null,
    evidence: r.evidence ?? null,
    gold_sql: r.gold_sql ?? null,
    pred_sql: r.pred_sql ?? null,
    completion: typeof r.completion === 'string' ? r.completion : null,
    span: Array.isArray(r.sql_span) ? r.sql_span : null,
    prompt: null,
    scores: { headline: r.reward?.value ?? null, headline_name: r.reward?.name ?? null, ex: r.execution?.metrics?.ex ?? null, step_rtm: r.steprtm?.total ?? null, status: r.status ?? null },
  };
}

function promptOf(o: Record<string, unknown>): ChatMessage[] | null {
  const m = o.messages;
  if (Array.isArray(m)) {
    let last = -1;
    for (let i = m.length - 1; i >= 0; i--) if (isObject(m[i]) && m[i].role === 'assistant') {
      last = i;
      break;
    }
    const before = (last >= 0 ? m.slice(0, last) : m).filter(isObject);
    const msgs: ChatMessage[] = [];
    for (const x of before) {
      const text = contentText(x.content);
      if ((x.role === 'system' || x.role === 'user' || x.role === 'assistant') && text !== null) msgs.push({ role: x.role, content: text });
    }
    if (msgs.some((x) => x.role === 'user')) return msgs;
  }
  if (typeof o.prompt === 'string') return [{ role: 'user', content: o.prompt }];
  return null;
}

function partsOfDataset(o: Record<string, unknown>, text: string, line: number, fields: FieldOptions, source: string, row: DatasetRow | null | undefined): Parts {
  const rec = inputRecordFromLine(text, line, fields, source);
  const scores = { headline: row?.headline ?? null, headline_name: null, ex: row?.ex ?? null, step_rtm: row?.step_rtm ?? null, status: row?.status ?? null };
  if (!isBadLine(rec)) {
    return {
      id: rec.id, db_id: rec.db_id, question: rec.question ?? null, evidence: rec.evidence ?? null, gold_sql: rec.gold_sql,
      pred_sql: rec.pred_sql ?? null, completion: rec.completion ?? null, span: null, prompt: promptOf(o), scores,
    };
  }
  // A record the scorer cannot read (no gold, no db_id) can still be a training example: read it loosely.
  let completion: string | null = null;
  for (const n of fields.completion !== undefined ? [fields.completion] : COMPLETION_FIELDS) {
    const v = o[n];
    if (typeof v === 'string') completion = v;
    else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0 && completion === null; i--) if (isObject(v[i]) && v[i].role === 'assistant') completion = contentText(v[i].content);
    }
    if (completion !== null) break;
  }
  const idv = [fields.id, ...ID_FIELDS].map((n) => (n !== undefined ? o[n] : undefined)).find((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
  return {
    id: (idv as string | number | undefined) ?? null,
    db_id: firstString(o, [fields.db, ...DB_FIELDS]),
    question: firstString(o, [fields.question, ...QUESTION_FIELDS]),
    evidence: firstString(o, [fields.evidence, ...EVIDENCE_FIELDS]),
    gold_sql: firstString(o, [fields.gold, ...GOLD_FIELDS]),
    pred_sql: firstString(o, [fields.pred, ...PRED_FIELDS]),
    completion,
    span: null,
    prompt: promptOf(o),
    scores,
  };
}

function reasoningOf(text: string): string | null {
  const parts = parseCompletion(text);
  if (parts.thinks.length === 0) return null;
  return parts.thinks.map((b) => text.slice(b.contentStart, b.contentEnd).trim()).join('\n\n');
}

/**
 * One SFT-ready JSON object for one record, edits applied, with `steplens`
 * provenance; or a BadLine (naming file and line) when the line holds no
 * record or the record has nothing to answer with.
 */
export function exportRecord(p: ExportInput): ExportedRecord | BadLine {
  const name = basename(p.source);
  let parts: Parts;
  if (p.kind === 'scored') {
    const r = scoredRecordFromLine(p.text, p.line, name);
    if (isBadLine(r)) return r;
    parts = partsOfScored(r);
  } else {
    let o: unknown;
    try {
      o = JSON.parse(p.line === 1 && p.text.charCodeAt(0) === 0xfeff ? p.text.slice(1) : p.text);
    } catch (err) {
      return { line: p.line, kind: 'malformed_json', message: `${name} line ${p.line}: malformed JSON (${(err as Error).message})` };
    }
    if (!isObject(o)) return { line: p.line, kind: 'not_an_object', message: `${name} line ${p.line}: expected a JSON object` };
    parts = partsOfDataset(o, p.text, p.line, p.fields, name, p.row);
  }

  const edit = p.annotation?.edit ?? null;
  let answer: string | null = parts.completion ?? parts.pred_sql;
  let sql: string | null = parts.pred_sql;
  let edited: ExportProvenance['edited'] = null;
  if (edit && 'completion' in edit) {
    answer = edit.completion;
    sql = extractSqlWithOffset(edit.completion).sql;
    edited = 'completion';
  } else if (edit && 'sql' in edit) {
    edited = 'sql';
    sql = edit.sql;
    if (parts.completion !== null) {
      const c = parts.completion;
      const span = parts.span ?? (() => {
        const x = extractSqlWithOffset(c);
        return [x.start, x.end] as [number, number];
      })();
      answer = c.slice(0, span[0]) + edit.sql + c.slice(span[1]);
    } else {
      answer = edit.sql;
    }
  } else if (parts.completion !== null && sql === null) {
    sql = extractSqlWithOffset(parts.completion).sql;
  }
  if (answer === null) return { line: p.line, kind: 'nothing_to_export', message: `${name} line ${p.line}: no completion or predicted SQL to export (and no edit)` };

  let prompt = parts.prompt;
  if (!prompt) {
    if (parts.question === null) return { line: p.line, kind: 'nothing_to_export', message: `${name} line ${p.line}: no question and no prompt of its own to export` };
    const user = [parts.db_id !== null ? `Database: ${parts.db_id}` : null, `Question: ${parts.question}`, parts.evidence ? `Evidence: ${parts.evidence}` : null].filter((x) => x !== null).join('\n');
    prompt = [{ role: 'system', content: p.system ?? DEFAULT_SYSTEM_PROMPT }, { role: 'user', content: user }];
  }

  const a = p.annotation;
  const steplens: ExportProvenance = {
    schema: EXPORT_SCHEMA,
    source: resolve(p.source),
    line: p.line,
    id: parts.id,
    db_id: parts.db_id,
    question: parts.question,
    gold_sql: parts.gold_sql,
    sql,
    reasoning: reasoningOf(answer),
    edited,
    review: a ? { status: a.status, labels: [...a.labels], note: a.note, at: a.at } : null,
    scores: parts.scores,
  };
  if (p.format === 'messages') return { messages: [...prompt, { role: 'assistant', content: answer }], steplens };
  // prompt-completion: the prompt turns as one text (system first), the answer as the completion.
  return { prompt: prompt.map((m) => m.content).join('\n\n'), completion: answer, steplens };
}

// ---------------------------------------------------------------- a whole dataset

export interface ExportOptions {
  /** The sidecar (default: sidecarPathFor(dataset)). */
  annotations?: string;
  /** Which records (review queues, filters, sort); every record when empty. */
  query: DatasetQuery;
  format: ExportFormat;
  /** Written atomically (a temp file renamed over it at the end). The caller checks that it may be written (output-guard). */
  out: string;
  fields?: FieldOptions;
  system?: string;
}

export interface ExportResult {
  out: string;
  kind: DatasetKind;
  fields: FieldOptions;
  /** Records in the dataset, selected by the query, written. */
  records: number;
  selected: number;
  written: number;
  /** Malformed lines of the dataset, and selected records that could not be exported. */
  badLines: BadLine[];
  skipped: BadLine[];
  /** The sidecar's warnings (torn line, dataset changed). */
  warnings: string[];
}

const BLOCK = 4096;

/** Indexes the dataset, reads its annotations, selects with `query` and writes the export. */
export async function exportDataset(dataset: string, o: ExportOptions): Promise<ExportResult> {
  const index = await buildLineIndex(dataset);
  const reader = new LineReader(index);
  const source = basename(dataset);
  const rows: DatasetRow[] = [];
  const badLines: BadLine[] = [];
  const lineOfId = new Map<string, number>();
  let kind: DatasetKind | null = null;
  let fields: FieldOptions = o.fields ?? {};
  const sidecar = Sidecar.open(o.annotations ?? sidecarPathFor(dataset));
  try {
    for (let from = 1; from <= index.lineCount; from += BLOCK) {
      const texts = reader.lines(from, BLOCK);
      if (kind === null) {
        const samples: unknown[] = [];
        for (const t of texts) {
          if (samples.length >= 64) break;
          try {
            samples.push(JSON.parse(t));
          } catch {
            // listed as a bad line below
          }
        }
        ({ kind, fields } = detectMapping(samples, o.fields));
      }
      for (let k = 0; k < texts.length; k++) {
        if (texts[k].trim() === '') continue;
        const r = rowFromLine(texts[k], from + k, kind, fields, source);
        if (isBadLine(r)) badLines.push(r);
        else {
          rows.push(r);
          if (r.id !== null && !lineOfId.has(String(r.id))) lineOfId.set(String(r.id), r.line);
        }
      }
    }
    kind ??= 'dataset';
    sidecar.reconcile(
      (line) => (line >= 1 && line <= index.lineCount ? reader.line(line) : null),
      (id) => lineOfId.get(String(id)) ?? null,
    );
    const ann = sidecar.entries();
    const selected = runQuery(rows, ann, o.query, o.query.text ? (i) => reader.line(rows[i].line).toLowerCase() : undefined);

    const tmp = `${resolve(o.out)}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    const skipped: BadLine[] = [];
    let written = 0;
    try {
      let buf: string[] = [];
      let size = 0;
      const flush = () => {
        if (!buf.length) return;
        const b = Buffer.from(buf.join(''), 'utf8');
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off, b.length - off);
        buf = [];
        size = 0;
      };
      for (const i of selected) {
        const row = rows[i];
        const obj = exportRecord({ text: reader.line(row.line), line: row.line, row, annotation: ann.get(row.line) ?? null, kind, fields, source: dataset, format: o.format, system: o.system });
        if (isBadLine(obj)) {
          skipped.push(obj);
          continue;
        }
        const l = JSON.stringify(obj) + '\n';
        buf.push(l);
        size += l.length;
        written++;
        if (size > 1 << 20) flush();
      }
      flush();
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, o.out);
    } catch (err) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(tmp, { force: true });
      throw err;
    }
    return { out: o.out, kind, fields, records: rows.length, selected: selected.length, written, badLines, skipped, warnings: [...sidecar.warnings] };
  } finally {
    reader.close();
    sidecar.close();
  }
}
