// The one message protocol between the StepLens panel's host (src/extension/panel/host.ts, in the
// extension host) and its webview (webview/panel/main.ts). Types plus small validators, no `vscode`
// import, so both bundles share it. Every message is checked where it arrives (`parseToHost`,
// `parseToWebview`): a message that does not fit is dropped with a reason, never half-used.
//
// Shape: `{ t: 'req', id, method, params }` → `{ t: 'res', id, ok, result | error }`, `{ t: 'cancel', id }`
// for a request the webview no longer wants, and `{ t: 'note', method, params }` notifications in either
// direction. Rows only ever cross in pages of at most `maxRows` (the host clamps every request).

import type { JsonCell, PlanTree, ScoredRecord } from '../../core/score/types.ts';
import type { RowMark } from '../../core/score/row-diff.ts';

export const PANEL_VIEW_TYPE = 'steplens.panel';
export const PROTOCOL_VERSION = 1;

/**
 * The record statuses of `steplens.score/2` the panel knows. `infrastructure_error`: the database was
 * locked, unreadable or gone (src/core/score/infra.ts), neither a match nor a mismatch, shown as its
 * own status. A status not listed here (a later version's) is shown as it is, never refused.
 */
export const RECORD_STATUSES = ['scored', 'bad_record', 'infrastructure_error'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
export const isKnownStatus = (s: string): s is RecordStatus => (RECORD_STATUSES as readonly string[]).includes(s);

/** Rows per page the webview asks for; the host never sends more than min(this asked, maxRows). */
export const PAGE_ROWS = 200;

export type Cell = JsonCell;

/** A result set the host keeps (a Run Step result); the webview sees it only through pages. */
export interface ResultMeta {
  /** Host-side handle for `rows` requests. */
  id: string;
  /** What ran: the step's name, null for the whole statement. */
  step: string | null;
  /** 'gold': the statement's gold query (then `step` is null). Absent: the prediction. */
  side?: 'pred' | 'gold';
  sql: string;
  columns: string[];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
  error: { kind: string; message: string } | null;
  /** The first rows (at most PAGE_ROWS and maxRows), so a small result needs no round trip. */
  first: Cell[][];
  /** A `compareAll` result: the first rows' marks (as RowsPage.marks / diffs). */
  firstMarks?: RowMark[];
  firstDiffs?: (number[] | null)[];
}

export interface RowsParams {
  result: string;
  offset: number;
  limit: number;
}
export interface RowsPage {
  result: string;
  offset: number;
  rows: Cell[][];
  /** For a result of `compareAll`: each row's difference mark and differing columns (src/core/score/row-diff.ts). */
  marks?: RowMark[];
  diffs?: (number[] | null)[];
}

/** `compareAll`: both whole queries run host-side, their rows diffed there, both then paged with their marks. */
export interface CompareAll {
  gold: ResultMeta;
  pred: ResultMeta;
  /** Null when a side failed (nothing to compare). Counted over the kept rows (at most maxRows a side). */
  diff: { onlyGold: number; onlyPred: number; changed: number } | null;
}

/** What the panel shows: one statement's `steplens/inspect` answer, with where it came from. */
export interface ShowParams {
  uri: string;
  /** File name for the header. */
  title: string;
  statement: number;
  /** The statement's range in the document (0-based lines/characters). */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** The `steplens score` record (docs/score-output.md), or null with `reason` (no database, no gold). */
  record: ScoredRecord | null;
  reason: string | null;
  maxRows: number;
  pinned: boolean;
}

// ------------------------------------------------------------------ the messages

/** Requests the webview sends, with their results. */
export interface HostRequests {
  /** A page of a kept result. */
  rows: { params: RowsParams; result: RowsPage };
  /** Run one CTE step (null: the whole statement) of the shown statement; `side: 'gold'` its gold query (all its rows, not the 20 of the record's preview). */
  runStep: { params: { step: string | null; side?: 'pred' | 'gold' }; result: ResultMeta };
  /** Run the prediction and the gold query, all their rows (at most maxRows each), and diff them host-side. */
  compareAll: { params: Record<string, never>; result: CompareAll };
  /** Inspect the shown statement again. */
  refresh: { params: Record<string, never>; result: { ok: boolean } };
}

/** Notifications webview → host. */
export interface ToHostNotes {
  /** The webview has loaded (and restored its state); the host answers with `show` or `empty`. */
  ready: { version: number };
  /** Select this range of the shown statement in the editor: offsets into `pred_sql` (`in: 'sql'`) or the completion (`in: 'completion'`). */
  revealRange: { in: 'sql' | 'completion'; start: number; end: number };
  pin: { pinned: boolean };
}

/** Notifications host → webview. */
export interface ToWebviewNotes {
  show: ShowParams;
  /** Inspecting (a new statement, or an edit): keep showing the old data, dimmed. */
  loading: { uri: string; statement: number | null };
  /** Nothing to show (no SQL editor, no statement under the cursor, server not running). */
  empty: { reason: string };
  /** The editor's cursor moved inside the shown statement: offset into `pred_sql` (or the completion). */
  select: { in: 'sql' | 'completion'; offset: number };
  /** A Run Step result landed (from the panel or the editor's Run Step). */
  result: ResultMeta;
  pinned: { pinned: boolean };
}

export type RequestMethod = keyof HostRequests;

export type ToHost =
  | { [M in RequestMethod]: { t: 'req'; id: number; method: M; params: HostRequests[M]['params'] } }[RequestMethod]
  | { t: 'cancel'; id: number }
  | { [M in keyof ToHostNotes]: { t: 'note'; method: M; params: ToHostNotes[M] } }[keyof ToHostNotes];

export type ResponseError = { message: string; cancelled: boolean };
export type ToWebview =
  | { t: 'res'; id: number; ok: true; result: unknown }
  | { t: 'res'; id: number; ok: false; error: ResponseError }
  | { [M in keyof ToWebviewNotes]: { t: 'note'; method: M; params: ToWebviewNotes[M] } }[keyof ToWebviewNotes];

// ------------------------------------------------------------------ validators

/** A validator: the value with its type, or throws a ProtocolError naming the path. */
export type Check<T> = (v: unknown, path: string) => T;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

const fail = (path: string, want: string, v: unknown): never => {
  const got = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  throw new ProtocolError(`${path}: expected ${want}, got ${got}`);
};

export const str: Check<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'a string', v));
export const num: Check<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number', v));
export const int: Check<number> = (v, p) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(p, 'a non-negative integer', v));
export const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean', v));
export const nullable = <T>(c: Check<T>): Check<T | null> => (v, p) => (v === null ? null : c(v, p));
export const optional = <T>(c: Check<T>): Check<T | undefined> => (v, p) => (v === undefined ? undefined : c(v, p));
export const oneOf = <T extends string>(...xs: T[]): Check<T> => (v, p) => (xs.includes(v as T) ? (v as T) : fail(p, xs.map((x) => JSON.stringify(x)).join(' | '), v));
export const arr = <T>(c: Check<T>, max = Infinity): Check<T[]> => (v, p) => {
  if (!Array.isArray(v)) return fail(p, 'an array', v);
  if (v.length > max) throw new ProtocolError(`${p}: ${v.length} items, at most ${max} allowed`);
  return v.map((x, i) => c(x, `${p}[${i}]`));
};
export const pair = <A, B>(a: Check<A>, b: Check<B>): Check<[A, B]> => (v, p) => {
  if (!Array.isArray(v) || v.length !== 2) return fail(p, 'a pair', v);
  return [a(v[0], `${p}[0]`), b(v[1], `${p}[1]`)];
};
type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };
/** An object with these fields (others are kept as they are only when `loose`). */
export const obj = <S extends Shape>(shape: S, loose = false): Check<Out<S>> => (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = loose ? { ...src } : {};
  for (const [k, c] of Object.entries(shape)) {
    const x = c(src[k], `${p}.${k}`);
    if (x !== undefined) out[k] = x;
  }
  return out as Out<S>;
};
export const record = <T>(c: Check<T>): Check<Record<string, T>> => (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
  const out: Record<string, T> = {};
  for (const [k, x] of Object.entries(v)) out[k] = c(x, `${p}.${k}`);
  return out;
};

export const cell: Check<Cell> = (v, p) => {
  if (v === null || typeof v === 'string' || typeof v === 'bigint' || (typeof v === 'number' && !Number.isNaN(v))) return v as Cell;
  if (typeof v === 'object' && !Array.isArray(v)) return obj({ blob: str, bytes: int })(v, p);
  return fail(p, 'a result cell (null, number, string or {blob, bytes})', v);
};
const rows = (max: number): Check<Cell[][]> => arr(arr(cell), max);
const range2: Check<[number, number]> = pair(int, int);
const rowMark: Check<RowMark> = (v, p) => (v === null || v === 'only' || v === 'changed' ? v : fail(p, "null, 'only' or 'changed'", v));
const position = obj({ line: int, character: int });
const lspRange = obj({ start: position, end: position });
const errorInfo = obj({ kind: str, message: str });

/** Plan trees are recursive and may be deep: an explicit stack, no recursion limit in the way. */
const planTree: Check<PlanTree> = (v, p) => {
  const root = obj({ label: str, op: optional(bool), range: optional(range2), children: arr((x) => x) }, true)(v, p);
  const stack: { node: Record<string, unknown>; path: string }[] = [{ node: root, path: p }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    const kids = node.children as unknown[];
    node.children = kids.map((c, i) => {
      const k = obj({ label: str, op: optional(bool), range: optional(range2), children: arr((x) => x) })(c, `${path}.children[${i}]`);
      stack.push({ node: k, path: `${path}.children[${i}]` });
      return k;
    });
  }
  return root as unknown as PlanTree;
};

const prf = obj({ precision: num, recall: num, f1: num });
const preview = obj({ columns: arr(str), rows: rows(1000), row_count: int, truncated: bool, elapsed_ms: num, error: nullable(errorInfo) });
const step = obj(
  {
    name: nullable(str),
    start: int,
    end: int,
    credit_offset: int,
    reward: num,
    new_matches: arr(int),
    gold_nodes: int,
    error: optional(nullable(obj({ kind: str, message: str }, true))),
  },
  true,
);

/**
 * The parts of a `steplens.score/2` record the panel reads, checked; fields it does not read are kept
 * as they are (the record is shown as JSON too).
 */
export const scoredRecord: Check<ScoredRecord> = (v, p) =>
  obj(
    {
      schema: str,
      source: str,
      index: int,
      // RECORD_STATUSES, and statuses later versions of /2 add: shown, never branched on blindly.
      status: str,
      id: nullable((x, q) => (typeof x === 'number' ? num(x, q) : str(x, q))),
      db_id: nullable(str),
      question: optional(str),
      evidence: optional(str),
      gold_sql: nullable(str),
      pred_sql: nullable(str),
      completion: optional(str),
      sql_span: optional(range2),
      reward: obj({ name: str, value: nullable(num) }),
      format: nullable(obj({ format_think: num, format_reasoning: num, tag_count: num })),
      execution: nullable(
        obj(
          {
            metrics: record(num),
            rewards: record(num),
            format_think: num,
            format_reasoning: num,
            tag_count: num,
            weighted: num,
            gold: preview,
            pred: preview,
          },
          true,
        ),
      ),
      test_suite: nullable(obj({ correct: bool, variants: int, checked: int, failed_on: arr(str) })),
      relpm: nullable(prf),
      astpm: nullable(prf),
      steprtm: nullable(obj({ steps: arr(step), total: num, outcome: nullable(num), outcome_scorer: str, token_rewards: arr(obj({ offset: int, value: num })) }, true)),
      matches: arr(pair(int, int)),
      plans: obj({ gold: nullable(planTree), pred: nullable(planTree) }),
      trace: nullable(
        obj({
          blocks: arr(range2),
          segments: arr(obj({ start: int, end: int, kind: oneOf('paragraph', 'item'), label: nullable(str) })),
          links: arr(obj({ step: int, segments: arr(obj({ segment: int, terms: arr(str) })) })),
        }),
      ),
      errors: arr(obj({ stage: str, kind: str, message: str }, true)),
    },
    true,
  )(v, p) as unknown as ScoredRecord;

export const resultMeta = (maxRows: number): Check<ResultMeta> =>
  obj({ id: str, step: nullable(str), side: optional(oneOf('pred', 'gold')), sql: str, columns: arr(str), rowCount: int, truncated: bool, elapsedMs: num, error: nullable(errorInfo), first: rows(Math.min(PAGE_ROWS, maxRows)), firstMarks: optional(arr(rowMark, maxRows)), firstDiffs: optional(arr(nullable(arr(int)), maxRows)) });

const showParams: Check<ShowParams> = (v, p) => {
  const base = obj({ uri: str, title: str, statement: int, range: lspRange, record: (x) => x, reason: nullable(str), maxRows: int, pinned: bool })(v, p);
  return { ...base, record: base.record === null ? null : scoredRecord(base.record, `${p}.record`) };
};

const inKind = oneOf('sql', 'completion');

/**
 * Checks a message arriving in the webview. `maxRows` bounds the rows a message may carry (the
 * setting, learnt from the last `show`).
 */
export function parseToWebview(v: unknown, maxRows: number): ToWebview {
  const m = obj({ t: oneOf('res', 'note') }, true)(v, 'message');
  if (m.t === 'res') {
    const r = obj({ id: int, ok: bool }, true)(m, 'message');
    if (r.ok) return { t: 'res', id: r.id, ok: true, result: (m as Record<string, unknown>).result };
    return { t: 'res', id: r.id, ok: false, error: obj({ message: str, cancelled: bool })((m as Record<string, unknown>).error, 'message.error') };
  }
  const n = obj({ method: str, params: (x) => x })(m, 'message');
  const at = `message(${n.method}).params`;
  switch (n.method) {
    case 'show':
      return { t: 'note', method: 'show', params: showParams(n.params, at) };
    case 'loading':
      return { t: 'note', method: 'loading', params: obj({ uri: str, statement: nullable(int) })(n.params, at) };
    case 'empty':
      return { t: 'note', method: 'empty', params: obj({ reason: str })(n.params, at) };
    case 'select':
      return { t: 'note', method: 'select', params: obj({ in: inKind, offset: int })(n.params, at) };
    case 'result':
      return { t: 'note', method: 'result', params: resultMeta(maxRows)(n.params, at) };
    case 'pinned':
      return { t: 'note', method: 'pinned', params: obj({ pinned: bool })(n.params, at) };
    default:
      throw new ProtocolError(`message: unknown notification "${n.method}"`);
  }
}

/** Checks the result of a request, in the webview. */
export const resultChecks: { [M in RequestMethod]: (maxRows: number) => Check<HostRequests[M]['result']> } = {
  rows: (maxRows) => obj({ result: str, offset: int, rows: rows(maxRows), marks: optional(arr(rowMark, maxRows)), diffs: optional(arr(nullable(arr(int)), maxRows)) }),
  runStep: (maxRows) => resultMeta(maxRows),
  compareAll: (maxRows) => obj({ gold: resultMeta(maxRows), pred: resultMeta(maxRows), diff: nullable(obj({ onlyGold: int, onlyPred: int, changed: int })) }),
  refresh: () => obj({ ok: bool }) as Check<{ ok: boolean }>,
};

/** Checks a message arriving in the extension host from the webview. */
export function parseToHost(v: unknown): ToHost {
  const m = obj({ t: oneOf('req', 'cancel', 'note') }, true)(v, 'message');
  if (m.t === 'cancel') return { t: 'cancel', id: obj({ id: int }, true)(m, 'message').id };
  if (m.t === 'req') {
    const r = obj({ id: int, method: str, params: (x) => x })(m, 'message');
    const at = `request(${r.method}).params`;
    switch (r.method) {
      case 'rows':
        return { t: 'req', id: r.id, method: 'rows', params: obj({ result: str, offset: int, limit: int })(r.params, at) };
      case 'runStep': {
        const p = obj({ step: nullable(str), side: optional(oneOf('pred', 'gold')) })(r.params, at);
        if (p.side === 'gold' && p.step !== null) throw new ProtocolError(`${at}.step: the gold query has no steps, got "${p.step}"`);
        return { t: 'req', id: r.id, method: 'runStep', params: p };
      }
      case 'compareAll':
        obj({})(r.params, at);
        return { t: 'req', id: r.id, method: 'compareAll', params: {} };
      case 'refresh':
        obj({})(r.params, at);
        return { t: 'req', id: r.id, method: 'refresh', params: {} };
      default:
        throw new ProtocolError(`message: unknown request "${r.method}"`);
    }
  }
  const n = obj({ method: str, params: (x) => x })(m, 'message');
  const at = `message(${n.method}).params`;
  switch (n.method) {
    case 'ready':
      return { t: 'note', method: 'ready', params: obj({ version: int })(n.params, at) };
    case 'revealRange': {
      const p = obj({ in: inKind, start: int, end: int })(n.params, at);
      if (p.end < p.start) throw new ProtocolError(`${at}: end ${p.end} is before start ${p.start}`);
      return { t: 'note', method: 'revealRange', params: p };
    }
    case 'pin':
      return { t: 'note', method: 'pin', params: obj({ pinned: bool })(n.params, at) };
    default:
      throw new ProtocolError(`message: unknown notification "${n.method}"`);
  }
}

/** The state the webview keeps with setState (restored after a reload by the serializer). */
export interface PanelState {
  uri: string | null;
  statement: number | null;
  /** Where the statement starts (to inspect it again after a reload). */
  position: { line: number; character: number } | null;
  view: 'rewards' | 'plans' | 'reasoning' | 'results';
  step: number | null;
  pinned: boolean;
  collapsed: { gold: number[]; pred: number[] };
}

export const panelState: Check<PanelState> = (v, p) =>
  obj({
    uri: nullable(str),
    statement: nullable(int),
    position: nullable(position),
    view: oneOf('rewards', 'plans', 'reasoning', 'results'),
    step: nullable(int),
    pinned: bool,
    collapsed: obj({ gold: arr(int), pred: arr(int) }),
  })(v, p);

/** A saved state, or null when there is none or it does not fit (an older version's). */
export function readPanelState(v: unknown): PanelState | null {
  if (v === undefined || v === null) return null;
  try {
    return panelState(v, 'state');
  } catch {
    return null;
  }
}
