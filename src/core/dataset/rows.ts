// One dataset line → what the review list shows (DatasetRow) or why it cannot
// be used (BadLine). Two kinds of files: a `steplens score` output (records of
// schema steplens.score/2: rewards shown as written, never recomputed) and a
// plain dataset (read exactly as `steplens score` reads a JSONL input, through
// core/score/input.ts, so the review and the scorer agree on every record).

import { COMPLETION_FIELDS, DB_FIELDS, EVIDENCE_FIELDS, GOLD_FIELDS, ID_FIELDS, PRED_FIELDS, QUESTION_FIELDS, inputItemFromJsonLine, inputItemFromValue, type FieldOptions } from '../score/input.ts';
import { errorClass } from '../score/summary.ts';
import { SCORE_SCHEMA, type InputRecord, type RecordError, type ScoredRecord } from '../score/types.ts';

export type { FieldOptions } from '../score/input.ts';

/** What the list shows per record: small, kept in memory for every line (1M lines must fit). */
export interface DatasetRow {
  /** 1-based line in the dataset file. */
  line: number;
  id: string | number | null;
  db_id: string | null;
  /** Truncated to QUESTION_CHARS for the list. */
  question: string | null;
  /** The record's headline reward (scored output), or after background scoring. */
  headline: number | null;
  /** Execution match (EX) 0/1. */
  ex: number | null;
  /** StepRTM total. */
  step_rtm: number | null;
  /** Record status of a scored output (`scored`, `bad_record`, `infrastructure_error`); for a plain dataset `bad_record` when `steplens score` could not read the record, else null until scored. */
  status: string | null;
  /** summary.ts errorClass() of the record's first error (`input/missing_field`, `execution/pred/syntax`, ...), if any. */
  error_class: string | null;
  has_completion: boolean;
}

/** A line that holds no usable record: malformed JSON, not an object, or not a scored record in a scored output. */
export interface BadLine {
  line: number;
  /** `malformed_json`, `not_an_object`, `not_scored` (a line of a scored output without schema steplens.score/2). */
  kind: string;
  /** Names file + line + reason: `train.jsonl line 7: malformed JSON (...)`. */
  message: string;
}

export type DatasetKind = 'scored' | 'dataset';

export const QUESTION_CHARS = 300;

/** Tells a BadLine from a row, a record or an export object (it has `kind` + `message` and none of their fields). */
export function isBadLine(r: object): r is BadLine {
  return 'kind' in r && 'message' in r && !('has_completion' in r) && !('gold_sql' in r);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScoredObject(v: unknown): v is ScoredRecord {
  return isObject(v) && typeof v.schema === 'string' && v.schema.startsWith('steplens.score/');
}

/** The candidate of `candidates` present in most samples (ties: the earlier candidate, as `steplens score` prefers it). */
function mostUsed(objs: Record<string, unknown>[], candidates: readonly string[], accept: (v: unknown) => boolean): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const c of candidates) {
    let n = 0;
    for (const o of objs) if (Object.hasOwn(o, c) && accept(o[c])) n++;
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  return best;
}

const isString = (v: unknown) => typeof v === 'string';
const isId = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isCompletion = (v: unknown) => typeof v === 'string' || Array.isArray(v);

/**
 * Auto-detects kind and field mapping from the first objects of the file
 * (parsed JSON values; anything else is ignored). A scored output is a file
 * whose objects carry schema `steplens.score/…` (the majority of samples).
 * For a plain dataset the mapping names, per role, the field the samples use
 * (from the candidate lists of `steplens score`); an explicit `fields` entry
 * wins. When the samples answer with both a bare prediction and a completion,
 * both are named (prediction first, as `steplens score` prefers it).
 */
export function detectMapping(samples: unknown[], fields: FieldOptions = {}): { kind: DatasetKind; fields: FieldOptions } {
  const objs = samples.filter(isObject);
  const scored = objs.filter(isScoredObject).length;
  if (objs.length > 0 && scored * 2 > objs.length) return { kind: 'scored', fields: { ...fields } };
  const out: FieldOptions = {};
  const pick = (role: keyof FieldOptions, candidates: readonly string[], accept: (v: unknown) => boolean) => {
    const name = fields[role] ?? mostUsed(objs, candidates, accept);
    if (name !== undefined) out[role] = name;
  };
  pick('gold', GOLD_FIELDS, isString);
  if (fields.pred !== undefined || fields.completion !== undefined) {
    if (fields.pred !== undefined) out.pred = fields.pred;
    if (fields.completion !== undefined) out.completion = fields.completion;
  } else {
    pick('pred', PRED_FIELDS, isString);
    pick('completion', COMPLETION_FIELDS, isCompletion);
  }
  pick('db', DB_FIELDS, isString);
  pick('id', ID_FIELDS, isId);
  pick('question', QUESTION_FIELDS, isString);
  pick('evidence', EVIDENCE_FIELDS, isString);
  return { kind: 'dataset', fields: out };
}

function truncate(s: string | null | undefined): string | null {
  if (typeof s !== 'string') return null;
  return s.length > QUESTION_CHARS ? s.slice(0, QUESTION_CHARS - 1) + '…' : s;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function stripBom(text: string, line: number): string {
  return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseLine(text: string, line: number, source: string): { value: unknown } | BadLine {
  try {
    return { value: JSON.parse(stripBom(text, line)) };
  } catch (err) {
    return { line, kind: 'malformed_json', message: `${source} line ${line}: malformed JSON (${(err as Error).message.replace(/\s+/g, ' ').slice(0, 200)})` };
  }
}

/** The row of a scored record (schema steplens.score/2), as written: nothing is recomputed. */
export function rowFromScored(r: ScoredRecord, line: number): DatasetRow {
  const errors: RecordError[] = Array.isArray(r.errors) ? r.errors : [];
  const ex = num(r.execution?.metrics?.ex);
  return {
    line,
    id: isId(r.id) ? r.id : null,
    db_id: typeof r.db_id === 'string' ? r.db_id : null,
    question: truncate(r.question),
    headline: num(r.reward?.value),
    ex,
    step_rtm: num(r.steprtm?.total),
    status: typeof r.status === 'string' ? r.status : null,
    error_class: errors.length > 0 && isObject(errors[0]) ? errorClass(errors[0]) : null,
    has_completion: typeof r.completion === 'string',
  };
}

/**
 * A scored record without its last two fields, `matches` and `plans` (always
 * last, docs/score-output.md; half the bytes of a line): the row needs neither,
 * and parsing stops before them (2.6× faster on the demo's scored output: 100,000 lines of 7.8 KB in 1.2 s instead of 3.2 s). The
 * cut is at the last `,"matches":` — that sequence cannot occur inside a JSON
 * string (its quote would be escaped) nor in the plan trees after it. Null when
 * the line does not have that shape (the caller parses it whole).
 */
function scoredHead(text: string): ScoredRecord | null {
  const at = text.lastIndexOf(',"matches":');
  if (at < 0 || !text.startsWith('{"schema":"steplens.score/')) return null;
  try {
    const v = JSON.parse(text.slice(0, at) + '}');
    return isScoredObject(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * The list row of one line, or the BadLine saying why it holds no record.
 * A plain dataset's record that `steplens score` could not read (a missing
 * field, ...) is still a row (it can be reviewed and annotated) with status
 * `bad_record` and error_class `input/<kind>`; inputRecordFromLine gives the
 * message. A blank line is a BadLine of kind `blank` (callers usually skip them).
 */
export function rowFromLine(text: string, line: number, kind: DatasetKind, fields: FieldOptions, source: string): DatasetRow | BadLine {
  if (text.trim() === '') return { line, kind: 'blank', message: `${source} line ${line}: blank line` };
  if (kind === 'scored') {
    const head = scoredHead(text);
    if (head) return rowFromScored(head, line);
  }
  const parsed = parseLine(text, line, source);
  if (!('value' in parsed)) return parsed;
  const v = parsed.value;
  if (!isObject(v)) return { line, kind: 'not_an_object', message: `${source} line ${line}: expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}` };
  if (kind === 'scored') {
    if (!isScoredObject(v)) return { line, kind: 'not_scored', message: `${source} line ${line}: not a scored record (no "schema": "${SCORE_SCHEMA}") in a steplens score output` };
    return rowFromScored(v, line);
  }
  const item = inputItemFromValue(v, line, line - 1, source, fields);
  if ('record' in item) {
    const r = item.record;
    return { line, id: r.id, db_id: r.db_id, question: truncate(r.question), headline: null, ex: null, step_rtm: null, status: null, error_class: null, has_completion: r.completion !== undefined };
  }
  const b = item.bad;
  // Best effort for the list: what the object holds under the mapping's names.
  const str = (names: (string | undefined)[]) => {
    for (const n of names) if (n !== undefined && typeof v[n] === 'string') return v[n] as string;
    return null;
  };
  return {
    line,
    id: b.id,
    db_id: b.db_id ?? str([fields.db, ...DB_FIELDS]),
    question: truncate(str([fields.question, ...QUESTION_FIELDS])),
    headline: null,
    ex: null,
    step_rtm: null,
    status: 'bad_record',
    error_class: `input/${b.kind}`,
    has_completion: [fields.completion, ...COMPLETION_FIELDS].some((n) => n !== undefined && isCompletion(v[n])),
  };
}

/**
 * The InputRecord to score / inspect for a plain dataset line (same reading as
 * `steplens score`, then core/inspect.ts inspectRecord), or a BadLine with the
 * scorer's message (`train.jsonl line 7: missing field "db_id" ...`).
 * `index` of the record is line - 1.
 */
export function inputRecordFromLine(text: string, line: number, fields: FieldOptions, source: string): InputRecord | BadLine {
  const item = inputItemFromJsonLine(stripBom(text, line), line, line - 1, source, fields);
  if ('record' in item) return item.record;
  return { line, kind: item.bad.kind, message: item.bad.message };
}

/** The scored record of a line of a scored output, or a BadLine. */
export function scoredRecordFromLine(text: string, line: number, source: string): ScoredRecord | BadLine {
  const parsed = parseLine(text, line, source);
  if (!('value' in parsed)) return parsed;
  if (!isScoredObject(parsed.value)) return { line, kind: 'not_scored', message: `${source} line ${line}: not a scored record (no "schema": "${SCORE_SCHEMA}")` };
  return parsed.value;
}
