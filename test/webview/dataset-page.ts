// The dataset review webview in headless Chromium, as VS Code loads it: the page of
// src/extension/dataset/html.ts (its CSP, a nonce), dist/webview/dataset.js + dataset.css from one fake
// origin, and a stubbed `acquireVsCodeApi` whose host answers the protocol from rows held in the page
// (the stand-in for the language server: filter, sort, pages, annotate with an acknowledgement delay).
// Shared by test/webview/dataset.test.ts and bench/dataset.bench.ts.

import type { Browser, Page } from 'playwright-core';
import { datasetHtml } from '../../src/extension/dataset/html.ts';
import type { BadLine, Detail, InitParams, Row } from '../../src/extension/dataset/protocol.ts';
import { fulfillWebviewAsset } from '../helpers/webview-assets.ts';
import { CHROMIUM, CHROMIUM_ARGS, THEME_VARS, type ThemeKind } from './panel-page.ts';

export { CHROMIUM, CHROMIUM_ARGS };
export const ORIGIN = 'https://steplens-dataset.test';

export interface DatasetStub {
  init: InitParams;
  /** Rows of the stand-in server; a function of i builds them in the page when `count` is given. */
  rows?: Row[];
  count?: number;
  bad?: BadLine[];
  details?: Record<number, Partial<Detail>>;
  /** Delay of an annotate acknowledgement (ms); other answers come at once. */
  ackMs?: number;
  /** Annotations fail with this message. */
  failAnnotate?: string | null;
  theme?: ThemeKind;
}

export interface OpenedDataset {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

function stub(o: { s: DatasetStub; theme: string; vars: Record<string, string> }): void {
  type R = Row & { search: string };
  const w = window as unknown as Record<string, unknown>;
  const posted: { t: string; id?: number; method?: string; params?: Record<string, unknown> }[] = [];
  w.__posted = posted;
  w.__state = null;
  const s = o.s;
  const make = (i: number): R => {
    const line = i + 1;
    const q = i % 9 === 4 ? `<img src=x onerror="window.__pwned=${i}"> how many?` : `How many singers are older than ${i % 50}?`;
    return {
      line,
      id: i,
      db_id: ['concert_singer', 'pets_1', 'world_1', 'car_1'][i % 4],
      question: q,
      headline: (i * 37) % 101 / 100,
      ex: i % 3 === 0 ? 0 : 1,
      step_rtm: (i * 13) % 41 / 10,
      status: i % 17 === 0 ? 'scored' : 'scored',
      error_class: i % 17 === 0 ? 'execution/pred/runtime' : null,
      has_completion: i % 2 === 0,
      review: null,
      search: `${q} select count(*) from singer where age > ${i % 50}`.toLowerCase(),
    };
  };
  const rows: R[] = s.rows ? s.rows.map((r) => ({ ...r, search: `${r.question ?? ''}`.toLowerCase() })) : Array.from({ length: s.count ?? 0 }, (_x, i) => make(i));
  w.__rows = rows;
  w.__acks = 0;
  const reviewOf = (r: R): string => r.review?.status ?? 'pending';
  const send = (m: unknown, ms = 0): void => void setTimeout(() => window.postMessage(m, '*'), ms);
  type Q = { sort?: { column: string; descending?: boolean }; review?: string[]; ex?: 0 | 1 | 'none'; text?: string; db_id?: string[]; headline?: [number, number] };
  let cache: { key: string; out: R[] } | null = null;
  const run = (q: Q): R[] => {
    const key = JSON.stringify(q) + (w.__acks as number);
    if (cache && cache.key === key) return cache.out;
    let out = rows.filter((r) => {
      if (q.review && !q.review.includes(reviewOf(r))) return false;
      if (q.ex !== undefined && (q.ex === 'none' ? r.ex !== null : r.ex !== q.ex)) return false;
      if (q.db_id && !q.db_id.includes(r.db_id ?? '')) return false;
      if (q.headline && (r.headline === null || r.headline < q.headline[0] || r.headline > q.headline[1])) return false;
      if (q.text && !r.search.includes(q.text.toLowerCase())) return false;
      return true;
    });
    if (q.sort) {
      const c = q.sort.column as keyof R;
      const dir = q.sort.descending ? -1 : 1;
      out = [...out].sort((a, b) => {
        const x = c === 'review' ? reviewOf(a) : (a[c] as unknown);
        const y = c === 'review' ? reviewOf(b) : (b[c] as unknown);
        if (x === y) return a.line - b.line;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * dir;
      });
    }
    cache = { key, out };
    return out;
  };
  w.acquireVsCodeApi = () => ({
    postMessage(m: { t: string; id: number; method: string; params: Record<string, unknown> }) {
      posted.push(m);
      if (m.t === 'note' && m.method === 'ready') send({ t: 'note', method: 'init', params: s.init });
      if (m.t !== 'req') return;
      const p = m.params;
      if (m.method === 'rows') {
        const t0 = performance.now();
        const out = run(p.query as Q);
        const offset = p.offset as number;
        const rowsOut = out.slice(offset, offset + (p.count as number)).map(({ search: _s, ...r }) => r);
        const find = p.find as number | undefined;
        send({
          t: 'res', id: m.id, ok: true,
          result: {
            offset, total: out.length, rows: rows.length, rowsOut, lineCount: rows.length + (s.bad?.length ?? 0), indexing: false, scored: rows.length,
            bad: s.bad ?? [], badTotal: s.bad?.length ?? 0, queryMs: performance.now() - t0,
            ...(p.facets ? { facets: { db_id: ['car_1', 'concert_singer', 'pets_1', 'world_1'], error_class: ['execution/pred/runtime'], status: ['scored'], labels: [] } } : {}),
            ...(find !== undefined ? { foundAt: out.findIndex((r) => r.line === find) } : {}),
          },
        });
      } else if (m.method === 'record') {
        const line = p.line as number;
        const r = rows.find((x) => x.line === line)!;
        const extra = s.details?.[line] ?? {};
        send({ t: 'res', id: m.id, ok: true, result: { line, id: r.id, db_id: r.db_id, question: r.question, gold_sql: 'SELECT count(*) FROM singer', pred_sql: `SELECT count(*) FROM singer WHERE age > ${line}`, completion: null, reason: null, review: r.review, edit: (r as unknown as { edit?: unknown }).edit ?? null, headline: { name: 'qatch_small_update_with_fm', value: r.headline }, ...extra } });
      } else if (m.method === 'annotate') {
        if (s.failAnnotate) return send({ t: 'res', id: m.id, ok: false, error: { message: s.failAnnotate } }, s.ackMs ?? 0);
        const line = p.line as number;
        const r = rows.find((x) => x.line === line)!;
        setTimeout(() => {
          r.review = { status: p.status as never, labels: p.labels as string[], note: (p.note as string | null) ?? null, edited: p.edit !== null };
          (r as unknown as { edit?: unknown }).edit = p.edit;
          w.__acks = (w.__acks as number) + 1;
          window.postMessage({ t: 'res', id: m.id, ok: true, result: { line, review: r.review } }, '*');
        }, s.ackMs ?? 0);
      } else if (m.method === 'copyLink') send({ t: 'res', id: m.id, ok: true, result: { link: `vscode://steplens.steplens/dataset?path=%2Fdata%2Ftrain.jsonl&line=${p.line as number}` } });
      else if (m.method === 'open') send({ t: 'res', id: m.id, ok: true, result: { ok: true } });
      else if (m.method === 'export') send({ t: 'res', id: m.id, ok: true, result: { out: '/tmp/out.jsonl', count: rows.filter((r) => r.review?.status === 'accepted').length } });
    },
    getState: () => w.__state,
    setState: (x: unknown) => void (w.__state = x),
  });
  document.addEventListener('DOMContentLoaded', () => {
    document.body.classList.add(o.theme);
    for (const [k, v] of Object.entries(o.vars)) document.documentElement.style.setProperty(k, v);
  });
}

export async function openDataset(browser: Browser, s: DatasetStub, viewport = { width: 1300, height: 800 }): Promise<OpenedDataset> {
  const theme = s.theme ?? 'vscode-dark';
  const page = await browser.newPage({ viewport, colorScheme: theme === 'vscode-light' ? 'light' : 'dark' });
  const out: OpenedDataset = { page, errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') out.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => out.errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => out.requests.push(r.url()));
  const html = datasetHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/dist/webview/dataset.js`, styleUri: `${ORIGIN}/dist/webview/dataset.css` });
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`) return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    if (!(await fulfillWebviewAsset(route, ORIGIN, url))) await route.abort();
  });
  await page.addInitScript(stub, { s, theme, vars: THEME_VARS[theme] });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => (window.__steplensDataset?.drawnAt ?? 0) > 0 || (window.__steplensDataset?.total === 0 && (window.__steplensDataset?.pages ?? 0) > 0), null, { timeout: 15000 });
  return out;
}

export async function postedReqs(page: Page, method?: string): Promise<{ t: string; id?: number; method?: string; params?: Record<string, unknown> }[]> {
  const all = await page.evaluate(() => (window as unknown as { __posted: never[] }).__posted);
  return all.filter((m: { t: string; method?: string }) => m.t === 'req' && (!method || m.method === method));
}

export const initParams = (over: Partial<InitParams> = {}): InitParams => ({
  title: 'train.jsonl',
  path: '/data/train.jsonl',
  sidecar: '/data/train.steplens.jsonl',
  kind: 'scored',
  labels: ['good', 'wrong-join', 'hallucinated', 'ambiguous'],
  indexing: false,
  lineCount: 0,
  warnings: [],
  reveal: null,
  ...over,
});

/** The compare view (dist/webview/compare.js) behind a stub host answering `pairs` from `pairs`. */
export async function openCompare(browser: Browser, summary: unknown, pairs: { verdict: string }[]): Promise<OpenedDataset> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 }, colorScheme: 'dark' });
  const out: OpenedDataset = { page, errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') out.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => out.errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => out.requests.push(r.url()));
  const html = datasetHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/dist/webview/compare.js`, styleUri: `${ORIGIN}/dist/webview/dataset.css` });
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`) return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    if (!(await fulfillWebviewAsset(route, ORIGIN, url))) await route.abort();
  });
  await page.addInitScript(
    ({ summary, pairs, vars }) => {
      const w = window as unknown as Record<string, unknown>;
      const posted: unknown[] = [];
      w.__posted = posted;
      w.acquireVsCodeApi = () => ({
        postMessage(m: { t: string; id: number; method: string; params: { verdict: string | null; offset: number; count: number } }) {
          posted.push(m);
          if (m.t === 'note' && m.method === 'ready') setTimeout(() => window.postMessage({ t: 'note', method: 'init', params: summary }, '*'));
          if (m.t === 'req' && m.method === 'pairs') {
            const all = m.params.verdict ? pairs.filter((p) => p.verdict === m.params.verdict) : pairs;
            setTimeout(() => window.postMessage({ t: 'res', id: m.id, ok: true, result: { total: all.length, offset: m.params.offset, pairs: all.slice(m.params.offset, m.params.offset + m.params.count) } }, '*'));
          }
        },
        getState: () => null,
        setState: () => undefined,
      });
      document.addEventListener('DOMContentLoaded', () => {
        document.body.classList.add('vscode-dark');
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      });
    },
    { summary, pairs, vars: THEME_VARS['vscode-dark'] },
  );
  await page.goto(`${ORIGIN}/index.html`);
  return out;
}
