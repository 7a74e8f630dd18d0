// The dataset review editor's messages between the webview (webview/dataset) and the extension host
// (src/extension/dataset/editor.ts). Types plus validators, no `vscode` import: both sides use it.
// Every message is checked where it arrives; one that does not fit is dropped with the reason.
//
// webview → host  { t: 'req', id, method, params }  rows · record · annotate · export · open · copyLink
//                 { t: 'note', method, params }     ready {version} · select {line}
// host → webview  { t: 'res', id, ok, result | error }
//                 { t: 'note', method, params }     init · progress · reveal {line} · error {message}
//
// The server's pages are at most MAX_PAGE_ROWS rows; the webview asks for PAGE_ROWS at a time.

export const DATASET_VIEW_TYPE = 'steplens.dataset';
export const PROTOCOL_VERSION = 1;
export const PAGE_ROWS = 200;
export const MAX_PAGE_ROWS = 500;

export type ReviewStatus = 'accepted' | 'rejected' | 'flagged' | 'pending';
export const REVIEW_STATUSES: readonly ReviewStatus[] = ['accepted', 'rejected', 'flagged', 'pending'];
export type SortColumn = 'line' | 'id' | 'db_id' | 'question' | 'headline' | 'ex' | 'step_rtm' | 'status' | 'labels' | 'review';
export const SORT_COLUMNS: readonly SortColumn[] = ['line', 'id', 'db_id', 'question', 'headline', 'ex', 'step_rtm', 'status', 'labels', 'review'];

/** The query of src/core/dataset/query.ts (DatasetQuery). */
export interface Query {
  sort?: { column: SortColumn; descending?: boolean };
  headline?: [number, number];
  step_rtm?: [number, number];
  ex?: 0 | 1 | 'none';
  error_class?: string[];
  db_id?: string[];
  status?: string[];
  labels?: string[];
  review?: ReviewStatus[];
  text?: string;
}

export interface Review {
  status: ReviewStatus;
  labels: string[];
  note: string | null;
  edited: boolean;
}

export interface Row {
  line: number;
  id: string | number | null;
  db_id: string | null;
  question: string | null;
  headline: number | null;
  ex: number | null;
  step_rtm: number | null;
  status: string | null;
  error_class: string | null;
  has_completion: boolean;
  review: Review | null;
}

export interface BadLine {
  line: number;
  kind: string;
  message: string;
}

export interface Facets {
  db_id: string[];
  error_class: string[];
  status: string[];
  labels: string[];
}

export interface RowsPage {
  offset: number;
  total: number;
  rows: number;
  rowsOut: Row[];
  lineCount: number;
  indexing: boolean;
  scored: number;
  bad: BadLine[];
  badTotal: number;
  facets?: Facets;
  foundAt?: number;
  queryMs: number;
}

/** What the webview's detail pane shows of a record (the full record goes to the inspector panel). */
export interface Detail {
  line: number;
  id: string | number | null;
  db_id: string | null;
  question: string | null;
  gold_sql: string | null;
  pred_sql: string | null;
  completion: string | null;
  reason: string | null;
  review: Review | null;
  edit: { sql: string } | { completion: string } | null;
  headline: { name: string; value: number | null } | null;
}

export interface InitParams {
  title: string;
  path: string;
  sidecar: string;
  kind: 'scored' | 'dataset' | null;
  labels: string[];
  indexing: boolean;
  lineCount: number;
  warnings: string[];
  /** A deep link's record: select it once it is there. */
  reveal: number | null;
}

export interface ProgressParams {
  phase: 'index' | 'score' | 'ready';
  lineCount: number;
  rows: number;
  bad: number;
  bytesRead?: number;
  size?: number;
  scored?: number;
  toScore?: number;
  message?: string;
}

export interface AnnotateParams {
  line: number;
  status: ReviewStatus;
  labels: string[];
  note: string | null;
  edit: { sql: string } | { completion: string } | null;
}

export interface HostRequests {
  /** `find`: a line whose position in the filtered list the answer gives as `foundAt` (-1: not in it). */
  rows: { params: { query: Query; offset: number; count: number; facets?: boolean; find?: number }; result: RowsPage };
  record: { params: { line: number }; result: Detail };
  annotate: { params: AnnotateParams; result: { line: number; review: Review } };
  export: { params: { format: 'messages' | 'prompt-completion'; query: Query | null }; result: { out: string; count: number } | null };
  open: { params: { line: number; what: 'sql' | 'completion' | 'gold' }; result: { ok: boolean } };
  copyLink: { params: { line: number }; result: { link: string } };
}
export type RequestMethod = keyof HostRequests;
export const REQUEST_METHODS: readonly RequestMethod[] = ['rows', 'record', 'annotate', 'export', 'open', 'copyLink'];

export interface ToHostNotes {
  ready: { version: number };
  select: { line: number };
}
export interface ToWebviewNotes {
  init: InitParams;
  progress: ProgressParams;
  reveal: { line: number };
  error: { message: string };
}

export type ToHost =
  | { [M in RequestMethod]: { t: 'req'; id: number; method: M; params: HostRequests[M]['params'] } }[RequestMethod]
  | { [M in keyof ToHostNotes]: { t: 'note'; method: M; params: ToHostNotes[M] } }[keyof ToHostNotes];

export type ToWebview =
  | { t: 'res'; id: number; ok: true; result: unknown }
  | { t: 'res'; id: number; ok: false; error: { message: string } }
  | { [M in keyof ToWebviewNotes]: { t: 'note'; method: M; params: ToWebviewNotes[M] } }[keyof ToWebviewNotes];

// ---------------------------------------------------------------- validation

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
function fail(at: string, want: string, v: unknown): never {
  throw new ProtocolError(`${at}: expected ${want}, got ${kindOf(v)}`);
}
function obj(v: unknown, at: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(at, 'an object', v);
  return v as Record<string, unknown>;
}
function line(v: unknown, at: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) fail(at, 'a line number (integer ≥ 1)', v);
  return v as number;
}
function nat(v: unknown, at: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) fail(at, 'a non-negative integer', v);
  return v as number;
}
function str(v: unknown, at: string): string {
  if (typeof v !== 'string') fail(at, 'a string', v);
  return v;
}
function strOrNull(v: unknown, at: string): string | null {
  return v === null || v === undefined ? null : str(v, at);
}
function strings(v: unknown, at: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(at, 'an array of strings', v);
  return v as string[];
}
function numOrNull(v: unknown, at: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'a number or null', v);
  return v;
}
function range(v: unknown, at: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(at, '[min, max]', v);
  return [v[0], v[1]];
}

export function parseQuery(v: unknown, at = 'query'): Query {
  const o = obj(v, at);
  const q: Query = {};
  if (o.sort !== undefined) {
    const s = obj(o.sort, `${at}.sort`);
    if (!SORT_COLUMNS.includes(s.column as SortColumn)) fail(`${at}.sort.column`, `one of ${SORT_COLUMNS.join(', ')}`, s.column);
    q.sort = { column: s.column as SortColumn, descending: s.descending === true };
  }
  if (o.headline !== undefined) q.headline = range(o.headline, `${at}.headline`);
  if (o.step_rtm !== undefined) q.step_rtm = range(o.step_rtm, `${at}.step_rtm`);
  if (o.ex !== undefined) {
    if (o.ex !== 0 && o.ex !== 1 && o.ex !== 'none') fail(`${at}.ex`, "0, 1 or 'none'", o.ex);
    q.ex = o.ex;
  }
  for (const k of ['error_class', 'db_id', 'status', 'labels'] as const) if (o[k] !== undefined) q[k] = strings(o[k], `${at}.${k}`);
  if (o.review !== undefined) {
    const r = strings(o.review, `${at}.review`);
    if (!r.every((x) => REVIEW_STATUSES.includes(x as ReviewStatus))) fail(`${at}.review`, `statuses of ${REVIEW_STATUSES.join(', ')}`, o.review);
    q.review = r as ReviewStatus[];
  }
  if (o.text !== undefined) q.text = str(o.text, `${at}.text`);
  return q;
}

function edit(v: unknown, at: string): AnnotateParams['edit'] {
  if (v === null || v === undefined) return null;
  const o = obj(v, at);
  if (typeof o.sql === 'string') return { sql: o.sql };
  if (typeof o.completion === 'string') return { completion: o.completion };
  return fail(at, '{sql} or {completion}', v);
}

export function parseAnnotate(v: unknown, at = 'annotate'): AnnotateParams {
  const o = obj(v, at);
  if (!REVIEW_STATUSES.includes(o.status as ReviewStatus)) fail(`${at}.status`, `one of ${REVIEW_STATUSES.join(', ')}`, o.status);
  return { line: line(o.line, `${at}.line`), status: o.status as ReviewStatus, labels: strings(o.labels ?? [], `${at}.labels`), note: strOrNull(o.note, `${at}.note`), edit: edit(o.edit, `${at}.edit`) };
}

/** A message from the webview, checked before the host uses any of it. */
export function parseToHost(raw: unknown): ToHost {
  const m = obj(raw, 'message');
  if (m.t === 'note') {
    const p = obj(m.params, `note(${String(m.method)}).params`);
    if (m.method === 'ready') return { t: 'note', method: 'ready', params: { version: nat(p.version, 'ready.version') } };
    if (m.method === 'select') return { t: 'note', method: 'select', params: { line: line(p.line, 'select.line') } };
    throw new ProtocolError(`note: unknown method ${JSON.stringify(m.method)}`);
  }
  if (m.t !== 'req') throw new ProtocolError(`message.t: expected 'req' or 'note', got ${JSON.stringify(m.t)}`);
  const id = nat(m.id, 'req.id');
  const at = `req(${String(m.method)}).params`;
  const p = obj(m.params, at);
  switch (m.method) {
    case 'rows': {
      const count = nat(p.count, `${at}.count`);
      if (count > MAX_PAGE_ROWS) throw new ProtocolError(`${at}.count: at most ${MAX_PAGE_ROWS} rows per page, got ${count}`);
      return { t: 'req', id, method: 'rows', params: { query: parseQuery(p.query, `${at}.query`), offset: nat(p.offset, `${at}.offset`), count, facets: p.facets === true, ...(p.find !== undefined ? { find: line(p.find, `${at}.find`) } : {}) } };
    }
    case 'record':
      return { t: 'req', id, method: 'record', params: { line: line(p.line, `${at}.line`) } };
    case 'annotate':
      return { t: 'req', id, method: 'annotate', params: parseAnnotate(p, at) };
    case 'export': {
      if (p.format !== 'messages' && p.format !== 'prompt-completion') fail(`${at}.format`, "'messages' or 'prompt-completion'", p.format);
      return { t: 'req', id, method: 'export', params: { format: p.format, query: p.query === null || p.query === undefined ? null : parseQuery(p.query, `${at}.query`) } };
    }
    case 'open':
      if (p.what !== 'sql' && p.what !== 'completion' && p.what !== 'gold') fail(`${at}.what`, "'sql', 'completion' or 'gold'", p.what);
      return { t: 'req', id, method: 'open', params: { line: line(p.line, `${at}.line`), what: p.what } };
    case 'copyLink':
      return { t: 'req', id, method: 'copyLink', params: { line: line(p.line, `${at}.line`) } };
    default:
      throw new ProtocolError(`req: unknown method ${JSON.stringify(m.method)}`);
  }
}

function review(v: unknown, at: string): Review | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, at);
  if (!REVIEW_STATUSES.includes(o.status as ReviewStatus)) fail(`${at}.status`, 'a review status', o.status);
  return { status: o.status as ReviewStatus, labels: strings(o.labels, `${at}.labels`), note: strOrNull(o.note, `${at}.note`), edited: o.edited === true };
}

function row(v: unknown, at: string): Row {
  const o = obj(v, at);
  const id = o.id;
  if (id !== null && typeof id !== 'string' && typeof id !== 'number') fail(`${at}.id`, 'a string, number or null', id);
  return {
    line: line(o.line, `${at}.line`),
    id: id as Row['id'],
    db_id: strOrNull(o.db_id, `${at}.db_id`),
    question: strOrNull(o.question, `${at}.question`),
    headline: numOrNull(o.headline, `${at}.headline`),
    ex: numOrNull(o.ex, `${at}.ex`),
    step_rtm: numOrNull(o.step_rtm, `${at}.step_rtm`),
    status: strOrNull(o.status, `${at}.status`),
    error_class: strOrNull(o.error_class, `${at}.error_class`),
    has_completion: o.has_completion === true,
    review: review(o.review, `${at}.review`),
  };
}

export function parseRowsPage(v: unknown, at = 'result(rows)'): RowsPage {
  const o = obj(v, at);
  if (!Array.isArray(o.rowsOut)) fail(`${at}.rowsOut`, 'an array', o.rowsOut);
  if (o.rowsOut.length > MAX_PAGE_ROWS) throw new ProtocolError(`${at}.rowsOut: at most ${MAX_PAGE_ROWS} rows per message, got ${o.rowsOut.length}`);
  const bad = Array.isArray(o.bad) ? o.bad.slice(0, 1000).map((b, i) => {
    const x = obj(b, `${at}.bad[${i}]`);
    return { line: line(x.line, `${at}.bad[${i}].line`), kind: str(x.kind, `${at}.bad[${i}].kind`), message: str(x.message, `${at}.bad[${i}].message`) };
  }) : [];
  let facets: Facets | undefined;
  if (o.facets !== undefined) {
    const f = obj(o.facets, `${at}.facets`);
    facets = { db_id: strings(f.db_id, `${at}.facets.db_id`), error_class: strings(f.error_class, `${at}.facets.error_class`), status: strings(f.status, `${at}.facets.status`), labels: strings(f.labels, `${at}.facets.labels`) };
  }
  return {
    offset: nat(o.offset, `${at}.offset`),
    total: nat(o.total, `${at}.total`),
    rows: nat(o.rows, `${at}.rows`),
    rowsOut: o.rowsOut.map((r, i) => row(r, `${at}.rowsOut[${i}]`)),
    lineCount: nat(o.lineCount, `${at}.lineCount`),
    indexing: o.indexing === true,
    scored: nat(o.scored ?? 0, `${at}.scored`),
    bad,
    badTotal: nat(o.badTotal ?? bad.length, `${at}.badTotal`),
    ...(facets ? { facets } : {}),
    ...(typeof o.foundAt === 'number' && Number.isSafeInteger(o.foundAt) ? { foundAt: o.foundAt } : {}),
    queryMs: typeof o.queryMs === 'number' ? o.queryMs : 0,
  };
}

export function parseDetail(v: unknown, at = 'result(record)'): Detail {
  const o = obj(v, at);
  const h = o.headline === null || o.headline === undefined ? null : obj(o.headline, `${at}.headline`);
  return {
    line: line(o.line, `${at}.line`),
    id: typeof o.id === 'string' || typeof o.id === 'number' ? o.id : null,
    db_id: strOrNull(o.db_id, `${at}.db_id`),
    question: strOrNull(o.question, `${at}.question`),
    gold_sql: strOrNull(o.gold_sql, `${at}.gold_sql`),
    pred_sql: strOrNull(o.pred_sql, `${at}.pred_sql`),
    completion: strOrNull(o.completion, `${at}.completion`),
    reason: strOrNull(o.reason, `${at}.reason`),
    review: review(o.review, `${at}.review`),
    edit: edit(o.edit, `${at}.edit`),
    headline: h ? { name: str(h.name, `${at}.headline.name`), value: numOrNull(h.value, `${at}.headline.value`) } : null,
  };
}

export const resultChecks: { [M in RequestMethod]: (v: unknown) => HostRequests[M]['result'] } = {
  rows: (v) => parseRowsPage(v),
  record: (v) => parseDetail(v),
  annotate: (v) => {
    const o = obj(v, 'result(annotate)');
    return { line: line(o.line, 'result(annotate).line'), review: review(o.review, 'result(annotate).review')! };
  },
  export: (v) => {
    if (v === null) return null;
    const o = obj(v, 'result(export)');
    return { out: str(o.out, 'result(export).out'), count: nat(o.count, 'result(export).count') };
  },
  open: (v) => ({ ok: obj(v, 'result(open)').ok === true }),
  copyLink: (v) => ({ link: str(obj(v, 'result(copyLink)').link, 'result(copyLink).link') }),
};

/** A message from the host, checked before the webview uses it. */
export function parseToWebview(raw: unknown): ToWebview {
  const m = obj(raw, 'message');
  if (m.t === 'res') {
    const id = nat(m.id, 'res.id');
    if (m.ok === true) return { t: 'res', id, ok: true, result: m.result };
    const e = obj(m.error, 'res.error');
    return { t: 'res', id, ok: false, error: { message: str(e.message, 'res.error.message') } };
  }
  if (m.t !== 'note') throw new ProtocolError(`message.t: expected 'res' or 'note', got ${JSON.stringify(m.t)}`);
  const p = obj(m.params, `note(${String(m.method)}).params`);
  switch (m.method) {
    case 'init':
      return {
        t: 'note',
        method: 'init',
        params: {
          title: str(p.title, 'init.title'),
          path: str(p.path, 'init.path'),
          sidecar: str(p.sidecar, 'init.sidecar'),
          kind: p.kind === 'scored' || p.kind === 'dataset' ? p.kind : null,
          labels: strings(p.labels, 'init.labels').slice(0, 9),
          indexing: p.indexing === true,
          lineCount: nat(p.lineCount, 'init.lineCount'),
          warnings: strings(p.warnings ?? [], 'init.warnings'),
          reveal: p.reveal === null || p.reveal === undefined ? null : line(p.reveal, 'init.reveal'),
        },
      };
    case 'progress': {
      if (p.phase !== 'index' && p.phase !== 'score' && p.phase !== 'ready') fail('progress.phase', "'index', 'score' or 'ready'", p.phase);
      const opt = (k: string): number | undefined => (typeof p[k] === 'number' ? (p[k] as number) : undefined);
      return {
        t: 'note',
        method: 'progress',
        params: { phase: p.phase, lineCount: nat(p.lineCount, 'progress.lineCount'), rows: nat(p.rows, 'progress.rows'), bad: nat(p.bad, 'progress.bad'), bytesRead: opt('bytesRead'), size: opt('size'), scored: opt('scored'), toScore: opt('toScore'), ...(typeof p.message === 'string' ? { message: p.message } : {}) },
      };
    }
    case 'reveal':
      return { t: 'note', method: 'reveal', params: { line: line(p.line, 'reveal.line') } };
    case 'error':
      return { t: 'note', method: 'error', params: { message: str(p.message, 'error.message') } };
    default:
      throw new ProtocolError(`note: unknown method ${JSON.stringify(m.method)}`);
  }
}

/** The deep link's query string: `?path=<file>&line=<n>` (command URI or vscode:// URI). */
export function parseLinkQuery(query: string): { path: string; line: number | null } | null {
  const q = new URLSearchParams(query);
  const path = q.get('path');
  if (!path) return null;
  const n = Number(q.get('line'));
  return { path, line: Number.isSafeInteger(n) && n >= 1 ? n : null };
}
