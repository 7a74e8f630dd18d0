// Filtering and sorting the rows of a dataset under review (issue 12): what
// the list, the queues and `steplens export --filter` select. One pass over
// the rows with the cheap tests first, then one sort of the survivors on a
// precomputed key (100,000 rows well under 200 ms: bench/dataset.bench.ts).

import type { DatasetRow } from './rows.ts';
import { REVIEW_STATUSES, type Annotation, type ReviewStatus } from './sidecar.ts';

export type SortColumn = 'line' | 'id' | 'db_id' | 'question' | 'headline' | 'ex' | 'step_rtm' | 'status' | 'labels' | 'review';
export const SORT_COLUMNS: readonly SortColumn[] = ['line', 'id', 'db_id', 'question', 'headline', 'ex', 'step_rtm', 'status', 'labels', 'review'];

export interface DatasetQuery {
  sort?: { column: SortColumn; descending?: boolean };
  /** Inclusive ranges; rows without the value are left out. */
  headline?: [number, number];
  step_rtm?: [number, number];
  ex?: 0 | 1 | 'none';
  /** Exact classes or a prefix ending at a `/` boundary: `execution` matches `execution/pred/syntax`; `none` = no error. */
  error_class?: string[];
  db_id?: string[];
  /** Record status (`scored`, `bad_record`, `infrastructure_error`); `none` = not scored yet. */
  status?: string[];
  /** Rows whose annotation has any of these labels. */
  labels?: string[];
  /** The queues: pending (no annotation or pending), accepted, rejected, flagged. */
  review?: ReviewStatus[];
  /** Full-text, case-insensitive: every whitespace-separated word must occur (a "quoted phrase" as one). */
  text?: string;
}

/** The words of a text query, lower-cased; "quoted phrases" kept whole. */
export function textTerms(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const t = (m[1] ?? m[2]).toLowerCase();
    if (t !== '') out.push(t);
  }
  return out;
}

function classMatches(cls: string | null, wanted: readonly string[]): boolean {
  for (const w of wanted) {
    if (w === 'none' ? cls === null : cls !== null && (cls === w || cls.startsWith(w + '/'))) return true;
  }
  return false;
}

function reviewOf(a: Annotation | undefined): ReviewStatus {
  return a ? a.status : 'pending';
}

/**
 * Indices into rows, filtered and sorted (without a sort: in row order; ties
 * keep row order; rows without the sorted value come last either way).
 * `searchText(i)` gives row i's searchable text (question + SQL + reasoning)
 * in lower case — the caller decides where it comes from (memory or file);
 * without it the text search looks at id and question.
 */
export function runQuery(rows: readonly DatasetRow[], ann: ReadonlyMap<number, Annotation>, q: DatasetQuery, searchText?: (rowIndex: number) => string): Uint32Array {
  const n = rows.length;
  const out = new Uint32Array(n);
  let k = 0;
  const [hLo, hHi] = q.headline ?? [-Infinity, Infinity];
  const [sLo, sHi] = q.step_rtm ?? [-Infinity, Infinity];
  const db = q.db_id?.length ? new Set(q.db_id) : null;
  const status = q.status?.length ? new Set(q.status) : null;
  const labels = q.labels?.length ? new Set(q.labels) : null;
  const review = q.review?.length ? new Set<ReviewStatus>(q.review) : null;
  const classes = q.error_class?.length ? q.error_class : null;
  const terms = q.text ? textTerms(q.text) : [];
  const annotated = ann.size > 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (q.headline && (r.headline === null || r.headline < hLo || r.headline > hHi)) continue;
    if (q.step_rtm && (r.step_rtm === null || r.step_rtm < sLo || r.step_rtm > sHi)) continue;
    if (q.ex !== undefined && (q.ex === 'none' ? r.ex !== null : r.ex !== q.ex)) continue;
    if (db && (r.db_id === null || !db.has(r.db_id))) continue;
    if (status && !status.has(r.status ?? 'none')) continue;
    if (classes && !classMatches(r.error_class, classes)) continue;
    if (review || labels) {
      const a = annotated ? ann.get(r.line) : undefined;
      if (review && !review.has(reviewOf(a))) continue;
      if (labels && !(a && a.labels.some((l) => labels.has(l)))) continue;
    }
    if (terms.length) {
      const hay = searchText ? searchText(i) : `${r.id ?? ''}\n${r.question ?? ''}`.toLowerCase();
      let all = true;
      for (const t of terms) {
        if (!hay.includes(t)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
    }
    out[k++] = i;
  }
  const picked = out.subarray(0, k);
  if (q.sort && q.sort.column !== 'line') sortRows(picked, rows, ann, q.sort.column, Boolean(q.sort.descending));
  else if (q.sort?.descending) picked.reverse();
  return picked;
}

function sortRows(idx: Uint32Array, rows: readonly DatasetRow[], ann: ReadonlyMap<number, Annotation>, column: SortColumn, descending: boolean): void {
  const dir = descending ? -1 : 1;
  const numeric = column === 'headline' || column === 'ex' || column === 'step_rtm' || column === 'review';
  if (numeric) {
    // Keys by row index; NaN = no value (last either way).
    const key = new Float64Array(rows.length);
    for (const i of idx) {
      const r = rows[i];
      let v: number | null;
      if (column === 'review') v = REVIEW_STATUSES.indexOf(reviewOf(ann.get(r.line)));
      else v = r[column];
      key[i] = v === null ? NaN : v;
    }
    idx.sort((a, b) => {
      const x = key[a];
      const y = key[b];
      if (x !== x || y !== y) return x !== x ? (y !== y ? a - b : 1) : -1;
      return x === y ? a - b : (x < y ? -dir : dir);
    });
    return;
  }
  // Text-ish keys: ids that are numbers compare as numbers, before strings.
  const key: (string | number | null)[] = new Array(rows.length);
  for (const i of idx) {
    const r = rows[i];
    let v: string | number | null;
    if (column === 'labels') {
      const a = ann.get(r.line);
      v = a && a.labels.length ? a.labels.join(',') : null;
    } else if (column === 'question') v = r.question === null ? null : r.question.toLowerCase();
    else v = r[column as 'id' | 'db_id' | 'status'];
    key[i] = v;
  }
  idx.sort((a, b) => {
    const x = key[a];
    const y = key[b];
    if (x === null || y === null) return x === null ? (y === null ? a - b : 1) : -1;
    if (typeof x !== typeof y) return typeof x === 'number' ? -dir : dir;
    return x === y ? a - b : (x < y ? -dir : dir);
  });
}

// ---------------------------------------------------------------- --filter

/**
 * The `--filter` expression of `steplens export` (docs/dataset.md, "Filter
 * expressions"): terms separated by spaces, all of which must hold.
 *   ex=0 | ex=1 | ex=none
 *   headline<0.5   headline>=0.2   headline=0.2..0.8   (also reward=; step_rtm / steprtm the same)
 *   db=concert_singer,pets_1   status=scored   error=execution/pred/syntax   label=good,join
 *   review=accepted,flagged    sort=headline:desc   "a phrase"  or  text=word   (full-text)
 * Errors are Error("filter: position N: ...") naming the 1-based character position in the expression.
 */
export function parseFilterExpr(expr: string): DatasetQuery {
  const q: DatasetQuery = {};
  const text: string[] = [];
  let i = 0;
  const fail = (pos: number, msg: string): never => {
    throw new Error(`filter: position ${pos + 1}: ${msg} (in ${JSON.stringify(expr)})`);
  };
  const readValue = (): { value: string; at: number } => {
    const at = i;
    if (expr[i] === '"') {
      const end = expr.indexOf('"', i + 1);
      if (end < 0) fail(i, 'unclosed quote');
      i = end + 1;
      return { value: expr.slice(at + 1, end), at };
    }
    while (i < expr.length && !/\s/.test(expr[i])) i++;
    return { value: expr.slice(at, i), at };
  };
  const num = (s: string, at: number): number => {
    const v = s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) fail(at, `expected a number, got ${JSON.stringify(s)}`);
    return v;
  };
  const list = (s: string, at: number): string[] => {
    const parts = s.split(',');
    if (parts.some((p) => p === '')) fail(at, `empty value in the list ${JSON.stringify(s)}`);
    return parts;
  };
  while (i < expr.length) {
    if (/\s/.test(expr[i])) {
      i++;
      continue;
    }
    const start = i;
    if (expr[i] === '"') {
      text.push(`"${readValue().value}"`);
      continue;
    }
    const m = /^([A-Za-z_]+)(<=|>=|!=|=|<|>)/.exec(expr.slice(i));
    if (!m) {
      // A bare word: full-text search, unless it looks like a mistyped term.
      const { value } = readValue();
      if (/[<>=]/.test(value)) fail(start, `expected <field><op><value>, got ${JSON.stringify(value)}`);
      text.push(value);
      continue;
    }
    const key = m[1].toLowerCase();
    const op = m[2];
    i += m[0].length;
    const opAt = start + m[1].length;
    const { value, at } = readValue();
    if (value === '') fail(at, `missing value after ${m[0]}`);
    const eqOnly = () => {
      if (op !== '=') fail(opAt, `${key} takes "=", not "${op}"`);
    };
    switch (key) {
      case 'headline':
      case 'reward':
      case 'step_rtm':
      case 'steprtm': {
        const field = key === 'headline' || key === 'reward' ? 'headline' : 'step_rtm';
        const [lo0, hi0] = q[field] ?? [-Infinity, Infinity];
        let lo = lo0;
        let hi = hi0;
        if (op === '!=') fail(opAt, `${key} takes =, <, <=, > or >=`);
        if (op === '=') {
          const dots = value.indexOf('..');
          if (dots >= 0) {
            lo = Math.max(lo, num(value.slice(0, dots), at));
            hi = Math.min(hi, num(value.slice(dots + 2), at + dots + 2));
          } else {
            const v = num(value, at);
            lo = Math.max(lo, v);
            hi = Math.min(hi, v);
          }
        } else {
          const v = num(value, at);
          if (op === '<') hi = Math.min(hi, nextDown(v));
          else if (op === '<=') hi = Math.min(hi, v);
          else if (op === '>') lo = Math.max(lo, nextUp(v));
          else lo = Math.max(lo, v);
        }
        q[field] = [lo, hi];
        break;
      }
      case 'ex':
        eqOnly();
        if (value !== '0' && value !== '1' && value !== 'none') fail(at, `ex is 0, 1 or none, got ${JSON.stringify(value)}`);
        q.ex = value === 'none' ? 'none' : (Number(value) as 0 | 1);
        break;
      case 'db':
      case 'db_id':
        eqOnly();
        q.db_id = [...(q.db_id ?? []), ...list(value, at)];
        break;
      case 'status':
        eqOnly();
        q.status = [...(q.status ?? []), ...list(value, at)];
        break;
      case 'error':
      case 'error_class':
        eqOnly();
        q.error_class = [...(q.error_class ?? []), ...list(value, at)];
        break;
      case 'label':
      case 'labels':
        eqOnly();
        q.labels = [...(q.labels ?? []), ...list(value, at)];
        break;
      case 'review': {
        eqOnly();
        const vs = list(value, at);
        for (const v of vs) if (!REVIEW_STATUSES.includes(v as ReviewStatus)) fail(at, `review is one of ${REVIEW_STATUSES.join(', ')}, got ${JSON.stringify(v)}`);
        q.review = [...(q.review ?? []), ...(vs as ReviewStatus[])];
        break;
      }
      case 'text':
      case 'q':
        eqOnly();
        text.push(expr[at] === '"' ? `"${value}"` : value);
        break;
      case 'sort': {
        eqOnly();
        const [col, dir, extra] = value.split(':');
        if (!SORT_COLUMNS.includes(col as SortColumn)) fail(at, `sort by one of ${SORT_COLUMNS.join(', ')}, got ${JSON.stringify(col)}`);
        if (extra !== undefined || (dir !== undefined && dir !== 'asc' && dir !== 'desc')) fail(at + col.length, `sort direction is :asc or :desc`);
        q.sort = { column: col as SortColumn, descending: dir === 'desc' };
        break;
      }
      default:
        fail(start, `unknown field "${m[1]}" (one of ex, headline, step_rtm, db, status, error, label, review, text, sort)`);
    }
  }
  if (text.length) q.text = text.join(' ');
  return q;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The largest double below v (for a strict "<" on an inclusive range). */
function nextDown(v: number): number {
  if (v === 0) return -Number.MIN_VALUE;
  f64[0] = v;
  u64[0] += v > 0 ? -1n : 1n;
  return f64[0];
}

function nextUp(v: number): number {
  return -nextDown(-v);
}
