// Dataset review on the language server (issue 12): the server owns the JSONL file (read from disk:
// VS Code hands no file over 50 MB to an extension), its line index, the rows the list shows, the
// annotation sidecar and background scoring. Editors only ask for pages of rows, one record at a time,
// and send annotations; nothing here ever sends a whole dataset.
//
//   steplens/dataset/open     {path, fields?, annotations?}       → DatasetInfo (indexing goes on in the background)
//   steplens/dataset/rows     {id, query, offset, count}          → RowsPage (≤ MAX_PAGE rows)
//   steplens/dataset/record   {id, line}                          → the record as `steplens score` writes it, + review
//   steplens/dataset/annotate {id, line, status, labels, note, edit} → the annotation, only after it is fsynced
//   steplens/dataset/export   {id, out, format, query?}           → {out, count}
//   steplens/dataset/close    {id}
//   steplens/dataset/progress (notification) {id, phase, ...}     index and scoring progress
//
// A plain dataset is scored in the background by the engine of `steplens score` (runScore → inspectRecord),
// a chunk at a time, rows filling in as chunks finish; databases come from `steplens.databaseRoot`.

import { closeSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Connection } from 'vscode-languageserver/node';
import { buildLineIndex, type LineIndex } from '../core/dataset/line-index.ts';
import { detectMapping, inputRecordFromLine, isBadLine, rowFromLine, type BadLine, type DatasetKind, type DatasetRow } from '../core/dataset/rows.ts';
import { lineHash, Sidecar, sidecarPathFor, type Annotation, type ReviewStatus } from '../core/dataset/sidecar.ts';
import { runQuery, type DatasetQuery } from '../core/dataset/query.ts';
import { exportRecord, type ExportFormat } from '../core/dataset/export.ts';
import { compareRuns, type ComparePair, type CompareResult } from '../core/dataset/compare.ts';
import { ExecPool, ResultCache, VerdictCache, defaultWorkerPath } from '../core/exec/index.ts';
import { inspectRecord } from '../core/inspect.ts';
import { databaseResolver } from '../core/score/databases.ts';
import type { FieldOptions } from '../core/score/input.ts';
import { runScore } from '../core/score/run.ts';
import type { ScoreContext } from '../core/score/score-record.ts';
import { StructuralCache } from '../core/score/structural-cache.ts';
import { errorClass } from '../core/score/summary.ts';
import type { InputItem, ScoredRecord } from '../core/score/types.ts';

export const DATASET_OPEN = 'steplens/dataset/open';
export const DATASET_ROWS = 'steplens/dataset/rows';
export const DATASET_RECORD = 'steplens/dataset/record';
export const DATASET_ANNOTATE = 'steplens/dataset/annotate';
export const DATASET_EXPORT = 'steplens/dataset/export';
export const DATASET_CLOSE = 'steplens/dataset/close';
export const DATASET_PROGRESS = 'steplens/dataset/progress';
export const DATASET_COMPARE = 'steplens/dataset/compare';
export const DATASET_COMPARE_PAIRS = 'steplens/dataset/comparePairs';

/** Rows per answer at most: a page is small whatever the client asks. */
export const MAX_PAGE = 500;
/** Lines sampled to detect the dataset's kind and field mapping. */
const SAMPLE_LINES = 50;
/** Records scored per runScore call (rows fill in a chunk at a time). */
const SCORE_CHUNK = 64;

export interface DatasetSettings {
  databaseRoot: string | null;
  timeoutMs: number;
  headlineReward: string;
  /** false: nothing is scored in the background. */
  execute: boolean;
}

export interface ReviewView {
  status: ReviewStatus;
  labels: string[];
  note: string | null;
  edited: boolean;
}

/** One row of a page: what the list shows, plus its review state. */
export interface RowView extends DatasetRow {
  review: ReviewView | null;
}

export interface DatasetInfo {
  id: string;
  path: string;
  size: number;
  sidecar: string;
  kind: DatasetKind | null;
  fields: FieldOptions | null;
  indexing: boolean;
  lineCount: number;
  warnings: string[];
}

export interface RowsPage {
  offset: number;
  /** Rows matching the query (all of them, not only this page). */
  total: number;
  /** Good rows so far. */
  rows: number;
  rowsOut: RowView[];
  lineCount: number;
  indexing: boolean;
  scored: number;
  bad: BadLine[];
  badTotal: number;
  /** Distinct values for the filter menus. */
  facets?: { db_id: string[]; error_class: string[]; status: string[]; labels: string[] };
  /** Position of the requested `find` line in the filtered, sorted list (-1: not in it). */
  foundAt?: number;
  queryMs: number;
}

export interface ProgressParams {
  id: string;
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

const REVIEW: readonly ReviewStatus[] = ['accepted', 'rejected', 'flagged', 'pending'];

class Dataset {
  readonly id: string;
  readonly path: string;
  readonly sidecarPath: string;
  size = 0;
  index: LineIndex | null = null;
  indexing = true;
  kind: DatasetKind | null = null;
  fields: FieldOptions | null;
  readonly rows: DatasetRow[] = [];
  readonly bad: BadLine[] = [];
  /** line → index into rows + 1 (0: not a record); an Int32Array, not a Map: 1,000,000 lines cost 4 MB. */
  private rowIx = new Int32Array(1024);
  /** Lower-cased searchable text per row (question, SQL, completion), built by the first text search. */
  search: string[] | null = null;
  /** Lines parsed so far (1-based; the next to parse is parsed + 1). */
  parsed = 0;
  scored = 0;
  toScore = 0;
  sidecar: Sidecar;
  readonly warnings: string[] = [];
  readonly abort = new AbortController();
  private fd: number;
  /** Bumped on every change of rows or annotations: the query cache's key. */
  version = 0;
  cached: { key: string; version: number; result: Uint32Array } | null = null;

  constructor(id: string, path: string, fields: FieldOptions | null, sidecarPath: string) {
    this.id = id;
    this.path = path;
    this.fields = fields;
    this.sidecarPath = sidecarPath;
    this.fd = openSync(path, 'r');
    this.sidecar = Sidecar.open(sidecarPath);
  }

  /** Lines [from, from + count) (1-based) as text, read with one read of their byte range. */
  lines(from: number, count: number): string[] {
    const ix = this.index;
    if (!ix || count <= 0) return [];
    const first = from - 1;
    const last = Math.min(ix.lineCount, first + count); // exclusive, 0-based
    if (last <= first) return [];
    const start = ix.starts[first];
    const end = last < ix.lineCount || ix.starts.length > last ? ix.starts[last] : ix.size;
    const buf = Buffer.allocUnsafe(Math.max(0, end - start));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(this.fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const out: string[] = [];
    for (let i = first; i < last; i++) {
      const a = ix.starts[i] - start;
      const b = (i + 1 < last ? ix.starts[i + 1] : end) - start;
      out.push(buf.toString('utf8', a, b).replace(/\r?\n$/, ''));
    }
    return out;
  }

  line(n: number): string | null {
    if (!this.index || n < 1 || n > this.index.lineCount) return null;
    return this.lines(n, 1)[0] ?? null;
  }

  /** Parses lines up to `upTo` (1-based, inclusive) into rows and bad lines, in blocks. */
  parseUpTo(upTo: number): void {
    while (this.parsed < upTo) {
      const from = this.parsed + 1;
      const count = Math.min(1024, upTo - this.parsed);
      const texts = this.lines(from, count);
      if (texts.length === 0) break;
      if (!this.kind) this.detect(texts);
      const source = basename(this.path);
      for (let k = 0; k < texts.length; k++) {
        const line = from + k;
        const text = texts[k];
        if (text.trim() === '') continue;
        const r = rowFromLine(text, line, this.kind!, this.fields!, source);
        if (isBadLine(r)) this.bad.push(r);
        else {
          if (line >= this.rowIx.length) {
            const grown = new Int32Array(Math.max(line + 1, this.rowIx.length * 2));
            grown.set(this.rowIx);
            this.rowIx = grown;
          }
          this.rowIx[line] = this.rows.length + 1;
          this.rows.push(r);
          if (this.search) this.search.push(searchTextOfLine(text, this.kind!));
        }
      }
      this.parsed = from + texts.length - 1;
      this.version++;
    }
  }

  private detect(texts: string[]): void {
    const samples: unknown[] = [];
    for (const t of texts) {
      if (samples.length >= SAMPLE_LINES) break;
      if (t.trim() === '') continue;
      try {
        samples.push(JSON.parse(t));
      } catch {
        // a malformed line is listed as such when parsed
      }
    }
    const m = detectMapping(samples, this.fields ?? undefined);
    this.kind = m.kind;
    this.fields = m.fields;
  }

  /** Index into rows of a line, undefined when the line is not a record. */
  rowOf(line: number): number | undefined {
    const k = line >= 0 && line < this.rowIx.length ? this.rowIx[line] : 0;
    return k > 0 ? k - 1 : undefined;
  }

  /** The line of the first record with that id (for reconciling a sidecar with a changed dataset; built on first use). */
  private idLines: Map<string, number> | null = null;
  lineOfId(id: string | number): number | null {
    if (!this.idLines) {
      this.idLines = new Map();
      for (const r of this.rows) if (r.id !== null && !this.idLines.has(String(r.id))) this.idLines.set(String(r.id), r.line);
    }
    return this.idLines.get(String(id)) ?? null;
  }

  /** The searchable text of every row, read from the file once (a full-text query is the only reader). */
  searchTexts(): string[] {
    if (this.search) return this.search;
    const out: string[] = new Array(this.rows.length);
    for (let i = 0; i < this.rows.length; i += 1024) {
      const first = this.rows[i].line;
      const last = this.rows[Math.min(this.rows.length, i + 1024) - 1].line;
      const texts = this.lines(first, last - first + 1);
      for (let k = i; k < Math.min(this.rows.length, i + 1024); k++) out[k] = searchTextOfLine(texts[this.rows[k].line - first] ?? '', this.kind ?? 'dataset');
    }
    this.search = out;
    // Reading the whole file left its text as garbage: collect it, keep the (small) search texts.
    collectGarbage();
    return out;
  }

  review(line: number): ReviewView | null {
    const a = this.sidecar.get(line);
    return a ? { status: a.status, labels: a.labels, note: a.note, edited: a.edit !== null } : null;
  }

  close(): void {
    this.abort.abort();
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.sidecar.close();
  }
}

/** The dataset half of the language server; StepLensServer creates one and calls dispose() at shutdown. */
export class DatasetService {
  private readonly datasets = new Map<string, Dataset>();
  /** Comparisons of two runs (compareRuns), paged to the client; the last few are kept. */
  private readonly comparisons = new Map<string, CompareResult>();
  private seq = 0;
  private pool: ExecPool | null = null;
  private readonly goldCache = new ResultCache();
  private readonly predCache = new ResultCache();
  private readonly verdictCache = new VerdictCache();
  private readonly structuralCache = new StructuralCache(4096);
  private resolver: { root: string | null; f: ScoreContext['database'] } | null = null;

  private readonly connection: Connection;
  private readonly settings: () => DatasetSettings;

  constructor(connection: Connection, settings: () => DatasetSettings) {
    this.connection = connection;
    this.settings = settings;
    const c = connection;
    c.onRequest(DATASET_OPEN, (p: { path: string; fields?: FieldOptions; annotations?: string }) => this.open(p));
    c.onRequest(DATASET_ROWS, (p: { id: string; query?: DatasetQuery; offset?: number; count?: number; facets?: boolean; find?: number }) => this.rowsPage(p));
    c.onRequest(DATASET_RECORD, (p: { id: string; line: number }) => this.record(p.id, p.line));
    c.onRequest(DATASET_ANNOTATE, (p: AnnotateParams) => this.annotate(p));
    c.onRequest(DATASET_EXPORT, (p: { id: string; out: string; format?: ExportFormat; query?: DatasetQuery }) => this.export(p));
    c.onRequest(DATASET_CLOSE, (p: { id: string }) => this.close(p.id));
    c.onRequest(DATASET_COMPARE, (p: { a: string; b: string }) => this.compare(p));
    c.onRequest(DATASET_COMPARE_PAIRS, (p: { id: string; verdict?: string | null; offset?: number; count?: number }) => this.comparePairs(p));
  }

  private get(id: string): Dataset {
    const d = this.datasets.get(id);
    if (!d) throw new Error(`no open dataset ${JSON.stringify(id)} (it was closed or the server restarted: open it again)`);
    return d;
  }

  private info(d: Dataset): DatasetInfo {
    return { id: d.id, path: d.path, size: d.size, sidecar: d.sidecarPath, kind: d.kind, fields: d.fields, indexing: d.indexing, lineCount: d.index?.lineCount ?? 0, warnings: [...d.warnings, ...d.sidecar.warnings] };
  }

  private progress(d: Dataset, phase: ProgressParams['phase'], extra: Partial<ProgressParams> = {}): void {
    const p: ProgressParams = { id: d.id, phase, lineCount: d.index?.lineCount ?? 0, rows: d.rows.length, bad: d.bad.length, scored: d.scored, toScore: d.toScore, ...extra };
    void this.connection.sendNotification(DATASET_PROGRESS, p);
  }

  /** Opens a dataset: answers once its first lines are indexed and parsed (or the whole file, if smaller); the rest goes on in the background. */
  async open(p: { path: string; fields?: FieldOptions; annotations?: string }): Promise<DatasetInfo> {
    if (!p || typeof p.path !== 'string' || !isAbsolute(p.path)) throw new Error(`dataset/open: path must be an absolute file path, got ${JSON.stringify(p?.path)}`);
    const sidecarPath = p.annotations ? (isAbsolute(p.annotations) ? p.annotations : join(dirname(p.path), p.annotations)) : sidecarPathFor(p.path);
    const d = new Dataset(`d${++this.seq}`, p.path, p.fields ?? null, sidecarPath);
    this.datasets.set(d.id, d);
    let first: () => void = () => undefined;
    const firstChunk = new Promise<void>((r) => (first = r));
    let lastNote = 0;
    const done = buildLineIndex(p.path, {
      signal: d.abort.signal,
      onChunk: (index, bytesRead) => {
        d.index = index;
        d.size = index.size;
        // Every line counted so far is complete (ended by \n): its row can be shown now.
        d.parseUpTo(index.lineCount);
        first();
        const now = performance.now();
        if (now - lastNote > 100) {
          lastNote = now;
          this.progress(d, 'index', { bytesRead, size: index.size });
        }
      },
    }).then(
      (index) => {
        d.index = index;
        d.size = index.size;
        d.parseUpTo(index.lineCount);
        d.indexing = false;
        d.version++;
        // Parsing every record left its garbage (a 343 MB scored output: ~300 MB); the live rows are a tenth of it.
        collectGarbage();
        d.sidecar.reconcile(
          (line) => d.line(line),
          (id) => d.lineOfId(id),
        );
        this.progress(d, 'ready');
        void this.scoreInBackground(d).catch((err) => this.connection.console.error(`steplens: scoring ${d.path} failed: ${(err as Error).stack ?? err}`));
      },
      (err: unknown) => {
        d.indexing = false;
        d.warnings.push(`${(err as Error).message}`);
        this.progress(d, 'ready', { message: (err as Error).message });
        throw err;
      },
    );
    try {
      await Promise.race([firstChunk, done]);
    } catch (err) {
      this.datasets.delete(d.id);
      d.close();
      throw err;
    }
    return this.info(d);
  }

  private queryResult(d: Dataset, q: DatasetQuery): Uint32Array {
    const key = JSON.stringify(q);
    if (d.cached && d.cached.key === key && d.cached.version === d.version) return d.cached.result;
    const search = q.text ? d.searchTexts() : null;
    const result = runQuery(d.rows, d.sidecar.entries(), q, search ? (i: number) => search[i] : undefined);
    d.cached = { key, version: d.version, result };
    return result;
  }

  rowsPage(p: { id: string; query?: DatasetQuery; offset?: number; count?: number; facets?: boolean; find?: number }): RowsPage {
    const d = this.get(p.id);
    const t0 = performance.now();
    const q = p.query ?? {};
    const result = this.queryResult(d, q);
    const offset = Math.max(0, Math.floor(p.offset ?? 0));
    const count = Math.max(0, Math.min(MAX_PAGE, Math.floor(p.count ?? 100)));
    const rowsOut: RowView[] = [];
    for (let i = offset; i < Math.min(result.length, offset + count); i++) {
      const row = d.rows[result[i]];
      rowsOut.push({ ...row, review: d.review(row.line) });
    }
    const page: RowsPage = {
      offset,
      total: result.length,
      rows: d.rows.length,
      rowsOut,
      lineCount: d.index?.lineCount ?? 0,
      indexing: d.indexing,
      scored: d.scored,
      bad: d.bad.slice(0, 200),
      badTotal: d.bad.length,
      queryMs: 0,
    };
    if (p.facets) page.facets = facetsOf(d);
    if (typeof p.find === 'number') {
      const ri = d.rowOf(p.find);
      page.foundAt = ri === undefined ? -1 : result.indexOf(ri);
    }
    page.queryMs = Math.round((performance.now() - t0) * 10) / 10;
    return page;
  }

  /** The full record: a scored output's own object; a plain dataset's line scored now (the server's caches make a repeat cheap). */
  async record(id: string, line: number): Promise<{ record: ScoredRecord | null; reason: string | null; annotation: Annotation | null; row: RowView | null; raw: Record<string, unknown> | null }> {
    const d = this.get(id);
    const text = d.line(line);
    if (text === null) throw new Error(`${d.path}: no line ${line} (the file has ${d.index?.lineCount ?? 0})`);
    const ri = d.rowOf(line);
    const row = ri === undefined ? null : { ...d.rows[ri], review: d.review(line) };
    const annotation = d.sidecar.get(line) ?? null;
    let raw: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(text);
      raw = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch (err) {
      return { record: null, reason: `${basename(d.path)} line ${line}: not JSON (${(err as Error).message})`, annotation, row, raw: null };
    }
    if (d.kind === 'scored') return { record: raw as unknown as ScoredRecord, reason: null, annotation, row, raw };
    const rec = inputRecordFromLine(text, line, d.fields ?? {}, basename(d.path));
    if ('kind' in rec && 'message' in rec && !('gold_sql' in rec)) return { record: null, reason: (rec as BadLine).message, annotation, row, raw };
    const scored = await inspectRecord(this.context(), rec as never);
    return { record: JSON.parse(JSON.stringify(scored)) as ScoredRecord, reason: null, annotation, row, raw };
  }

  async annotate(p: AnnotateParams): Promise<{ annotation: Annotation; review: ReviewView }> {
    const d = this.get(p.id);
    if (!Number.isSafeInteger(p.line) || d.rowOf(p.line) === undefined) throw new Error(`${basename(d.path)}: line ${p.line} is not a record`);
    if (!REVIEW.includes(p.status)) throw new Error(`annotate: status must be one of ${REVIEW.join(', ')}, got ${JSON.stringify(p.status)}`);
    const labels = Array.isArray(p.labels) ? p.labels.filter((x): x is string => typeof x === 'string') : [];
    const edit = p.edit && typeof p.edit === 'object' ? ('sql' in p.edit && typeof p.edit.sql === 'string' ? { sql: p.edit.sql } : 'completion' in p.edit && typeof p.edit.completion === 'string' ? { completion: p.edit.completion } : null) : null;
    const row = d.rows[d.rowOf(p.line)!];
    const text = d.line(p.line) ?? '';
    const a: Annotation = {
      v: 1,
      line: p.line,
      id: row.id,
      status: p.status,
      labels: [...new Set(labels)],
      note: typeof p.note === 'string' && p.note !== '' ? p.note : null,
      edit,
      at: new Date().toISOString(),
      hash: lineHash(text),
    };
    // Sidecar.append returns after writeSync + fsyncSync: only then is the annotation acknowledged.
    d.sidecar.append(a);
    d.version++;
    return { annotation: a, review: d.review(p.line)! };
  }

  async export(p: { id: string; out: string; format?: ExportFormat; query?: DatasetQuery }): Promise<{ out: string; count: number; skipped: BadLine[] }> {
    const d = this.get(p.id);
    if (typeof p.out !== 'string' || !isAbsolute(p.out)) throw new Error(`dataset/export: out must be an absolute path, got ${JSON.stringify(p.out)}`);
    const q = p.query ?? { review: ['accepted'] };
    const search = q.text ? d.searchTexts() : null;
    const sel = runQuery(d.rows, d.sidecar.entries(), q, search ? (i: number) => search[i] : undefined);
    const lines: string[] = [];
    const skipped: BadLine[] = [];
    for (const i of sel) {
      const row = d.rows[i];
      const text = d.line(row.line);
      if (text === null) continue;
      // The core's exportRecord (the one `steplens export` uses); the row carries a plain dataset's background scores.
      const obj = exportRecord({ text, line: row.line, row, annotation: d.sidecar.get(row.line) ?? null, kind: d.kind!, fields: d.fields ?? {}, source: d.path, format: p.format ?? 'messages' });
      if (isBadLine(obj)) skipped.push(obj);
      else lines.push(JSON.stringify(obj));
    }
    // Written whole or not at all: a temporary file renamed over the target.
    const tmp = `${p.out}.tmp-${process.pid}`;
    writeFileSync(tmp, lines.length ? lines.join('\n') + '\n' : '');
    renameSync(tmp, p.out);
    return { out: p.out, count: lines.length, skipped };
  }

  /** Two scored outputs compared (core compareRuns): the summary now, the changed pairs by pages. */
  async compare(p: { a: string; b: string }): Promise<Omit<CompareResult, 'changed' | 'only_a' | 'only_b'> & { id: string }> {
    for (const f of [p?.a, p?.b]) if (typeof f !== 'string' || !isAbsolute(f)) throw new Error(`dataset/compare: a and b must be absolute file paths, got ${JSON.stringify(f)}`);
    const r = await compareRuns(p.a, p.b);
    const id = `c${++this.seq}`;
    this.comparisons.set(id, r);
    while (this.comparisons.size > 4) this.comparisons.delete(this.comparisons.keys().next().value!);
    const { changed: _c, only_a: _a, only_b: _b, ...summary } = r;
    return { id, ...summary, a: { ...r.a, bad_lines: r.a.bad_lines.slice(0, 200) }, b: { ...r.b, bad_lines: r.b.bad_lines.slice(0, 200) } };
  }

  comparePairs(p: { id: string; verdict?: string | null; offset?: number; count?: number }): { total: number; offset: number; pairs: ComparePair[] } {
    const r = this.comparisons.get(p.id);
    if (!r) throw new Error(`no comparison ${JSON.stringify(p.id)} (compare the runs again)`);
    const all = p.verdict ? r.changed.filter((x) => x.verdict === p.verdict) : r.changed;
    const offset = Math.max(0, Math.floor(p.offset ?? 0));
    const count = Math.max(0, Math.min(MAX_PAGE, Math.floor(p.count ?? 200)));
    return { total: all.length, offset, pairs: all.slice(offset, offset + count) };
  }

  close(id: string): { closed: boolean } {
    const d = this.datasets.get(id);
    if (!d) return { closed: false };
    this.datasets.delete(id);
    d.close();
    return { closed: true };
  }

  async dispose(): Promise<void> {
    for (const d of this.datasets.values()) d.close();
    this.datasets.clear();
    await this.pool?.close();
    this.pool = null;
  }

  stats(): { datasets: number; rows: number } {
    let rows = 0;
    for (const d of this.datasets.values()) rows += d.rows.length;
    return { datasets: this.datasets.size, rows };
  }

  // ------------------------------------------------------------ scoring

  private context(): ScoreContext {
    const s = this.settings();
    if (!this.resolver || this.resolver.root !== s.databaseRoot) {
      let f: ScoreContext['database'];
      try {
        f = databaseResolver(s.databaseRoot ? { dbRoot: s.databaseRoot } : {});
      } catch (err) {
        const message = (err as Error).message;
        f = () => ({ error: `steplens.databaseRoot: ${message}` });
      }
      this.resolver = { root: s.databaseRoot, f };
    }
    if (!this.pool && s.databaseRoot) this.pool = new ExecPool({ size: 2, timeoutMs: s.timeoutMs, workerPath: defaultWorkerPath() });
    return {
      database: this.resolver.f,
      pool: s.databaseRoot ? this.pool : null,
      goldCache: this.goldCache,
      predCache: this.predCache,
      verdictCache: this.verdictCache,
      structuralCache: this.structuralCache,
      timeoutMs: s.timeoutMs,
      reward: s.headlineReward,
    };
  }

  /** Scores every row of a plain dataset that has no scores yet, a chunk at a time, in file order. */
  private async scoreInBackground(d: Dataset): Promise<void> {
    if (d.kind !== 'dataset' || !this.settings().execute) return;
    if (!this.settings().databaseRoot) {
      d.warnings.push('steplens.databaseRoot is not set: the records are not scored (set it to the folder of <db_id>/<db_id>.sqlite).');
      this.progress(d, 'ready', { message: d.warnings.at(-1) });
      return;
    }
    const todo = d.rows.filter((r) => r.status === null);
    d.toScore = todo.length;
    const source = basename(d.path);
    let lastNote = 0;
    for (let at = 0; at < todo.length && !d.abort.signal.aborted; at += SCORE_CHUNK) {
      const chunk = todo.slice(at, at + SCORE_CHUNK);
      const items: InputItem[] = [];
      const rowOf: DatasetRow[] = [];
      for (const row of chunk) {
        const text = d.line(row.line);
        if (text === null) continue;
        const rec = inputRecordFromLine(text, row.line, d.fields ?? {}, source);
        if ('gold_sql' in rec) {
          items.push({ record: rec as never });
          rowOf.push(row);
        } else {
          row.status = 'bad_record';
          row.error_class = `input/${(rec as BadLine).kind}`;
        }
      }
      let k = 0;
      await runScore({
        items,
        context: this.context(),
        signal: d.abort.signal,
        sink: (r) => applyScores(rowOf[k++], r),
      });
      d.scored += chunk.length;
      d.version++;
      const now = performance.now();
      if (now - lastNote > 250 || at + SCORE_CHUNK >= todo.length) {
        lastNote = now;
        this.progress(d, 'score');
      }
    }
  }
}

interface AnnotateParams {
  id: string;
  line: number;
  status: ReviewStatus;
  labels?: string[];
  note?: string | null;
  edit?: { sql: string } | { completion: string } | null;
}

function applyScores(row: DatasetRow | undefined, r: ScoredRecord): void {
  if (!row) return;
  row.headline = r.reward.value;
  row.ex = r.execution?.metrics.ex ?? null;
  row.step_rtm = r.steprtm?.total ?? null;
  row.status = r.status;
  row.error_class = r.errors.length > 0 ? errorClass(r.errors[0]) : null;
}

function facetsOf(d: Dataset): NonNullable<RowsPage['facets']> {
  const db = new Set<string>();
  const err = new Set<string>();
  const st = new Set<string>();
  for (const r of d.rows) {
    if (r.db_id !== null) db.add(r.db_id);
    if (r.error_class !== null) err.add(r.error_class);
    if (r.status !== null) st.add(r.status);
  }
  const labels = new Set<string>();
  for (const a of d.sidecar.entries().values()) for (const l of a.labels) labels.add(l);
  const sorted = (s: Set<string>): string[] => [...s].sort();
  return { db_id: sorted(db), error_class: sorted(err), status: sorted(st), labels: sorted(labels) };
}

let gcFn: (() => void) | null | undefined;
/** One full collection after a dataset is indexed, so the server's resident size is its rows, not the parse's garbage. */
function collectGarbage(): void {
  if (gcFn === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  gcFn?.();
}

/** Keys whose string values a full-text search looks in (question, SQL, reasoning), per kind. */
const SEARCH_KEYS: Record<DatasetKind, string[]> = {
  scored: ['question', 'pred_sql', 'completion'],
  dataset: ['question', 'NLQ', 'pred_sql', 'prediction', 'predicted_sql', 'pred', 'completion', 'response', 'output'],
};
const SEARCH_CHARS = 16_384;

/**
 * The lower-cased searchable text of one JSONL line: the string values of its top-level search keys,
 * and in a chat-format record (`"messages": [{"role", "content"}, ...]`) every message's content,
 * found by scanning the text (no JSON.parse of the whole record: a scored record is mostly plans and
 * previews), at most SEARCH_CHARS.
 */
export function searchTextOfLine(text: string, kind: DatasetKind): string {
  let out = '';
  const add = (v: string | null) => {
    if (v !== null) out += (out ? '\n' : '') + v;
    return out.length >= SEARCH_CHARS;
  };
  let full = false;
  for (const k of SEARCH_KEYS[kind]) {
    const at = text.indexOf(`"${k}":`);
    if (at >= 0 && (full = add(jsonStringAt(text, at + k.length + 3)))) break;
  }
  const messages = full || kind !== 'dataset' ? -1 : text.indexOf('"messages":');
  for (let at = messages < 0 ? -1 : text.indexOf('"content":', messages); at >= 0; at = text.indexOf('"content":', at + 10)) {
    if (add(jsonStringAt(text, at + 10))) break;
  }
  return out.slice(0, SEARCH_CHARS).toLowerCase();
}

/** The JSON string value starting at `i` (after spaces), or null when there is none. */
function jsonStringAt(text: string, i: number): string | null {
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 34) return null;
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 92) j += 2;
    else if (c === 34) break;
    else j++;
  }
  try {
    return JSON.parse(text.slice(i, j + 1)) as string;
  } catch {
    return null;
  }
}
