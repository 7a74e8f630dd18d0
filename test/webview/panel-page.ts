// The panel's webview page in headless Chromium, as VS Code would load it: the page from
// src/extension/panel/html.ts (its CSP, a nonce), the bundle and stylesheet from dist/webview/ served
// from one fake origin (the `cspSource`), and a stubbed `acquireVsCodeApi` with a small host that
// answers the protocol (show on ready, row pages of a synthetic result, Run Step). Shared by
// test/webview/panel.test.ts and bench/panel.bench.ts.

import type { Browser, Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panel/html.ts';
import type { PanelState, ShowParams } from '../../src/extension/panel/protocol.ts';
import { fulfillWebviewAsset } from '../helpers/webview-assets.ts';

export const ORIGIN = 'https://steplens-panel.test';
export const CHROMIUM = process.env.STEPLENS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export type ThemeKind = 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast';

/** A few of the --vscode-* variables VS Code puts on <html> for each theme kind. */
export const THEME_VARS: Record<ThemeKind, Record<string, string>> = {
  'vscode-light': {
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171',
    '--vscode-panel-border': '#e5e5e5', '--vscode-sideBar-background': '#f8f8f8', '--vscode-focusBorder': '#005fb8',
    '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-input-background': '#ffffff', '--vscode-input-border': '#cecece',
  },
  'vscode-dark': {
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-panel-border': '#2b2b2b', '--vscode-sideBar-background': '#181818', '--vscode-focusBorder': '#0078d4',
    '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-input-background': '#313131', '--vscode-input-border': '#3c3c3c',
    '--vscode-input-foreground': '#cccccc', '--vscode-editorGroup-border': '#2b2b2b', '--vscode-textCodeBlock-background': '#2b2b2b',
  },
  'vscode-high-contrast': {
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
    '--vscode-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-descriptionForeground': '#ffffff',
    '--vscode-panel-border': '#6fc3df', '--vscode-sideBar-background': '#000000', '--vscode-focusBorder': '#f38518',
    '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518', '--vscode-list-hoverBackground': '#000000',
    '--vscode-list-activeSelectionBackground': '#000000', '--vscode-textLink-foreground': '#21a6ff', '--vscode-button-secondaryBackground': '#000000',
    '--vscode-button-secondaryForeground': '#ffffff', '--vscode-input-background': '#000000', '--vscode-input-border': '#6fc3df', '--vscode-input-foreground': '#ffffff',
    '--vscode-editorGroup-border': '#6fc3df', '--vscode-textCodeBlock-background': '#000000',
  },
};

export interface StubOptions {
  show: ShowParams;
  theme?: ThemeKind;
  state?: PanelState | null;
  /** Rows of the synthetic Run Step result (cells: i, a name, a hostile string every 7th row). */
  runRows?: number;
  /** Delay of every host answer (ms). */
  latency?: number;
}

export interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

/** The stub installed before the bundle runs: `acquireVsCodeApi` and a host behind it. */
function stub(o: { show: ShowParams; state: PanelState | null; runRows: number; latency: number; theme: string; vars: Record<string, string> }): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  w.__posted = posted;
  w.__state = o.state;
  w.__show = o.show;
  w.__maxLimit = 0;
  const send = (m: unknown): void => {
    setTimeout(() => window.postMessage(m, '*'), o.latency);
  };
  const row = (i: number): unknown[] => [i, `name ${i}`, i % 7 === 0 ? `<img src=x onerror="window.__pwned=${i}">` : i % 5 === 0 ? null : i * 0.5];
  let acquired = false;
  /** compareAll's kept results, paged with their marks. */
  const compared: Record<string, { rows: unknown[][]; marks: (string | null)[] }> = {};
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage(m: { t: string; id: number; method: string; params: Record<string, unknown> }) {
        posted.push(m);
        if (m.t === 'note' && m.method === 'ready') send({ t: 'note', method: 'show', params: w.__show });
        if (m.t !== 'req') return;
        if (m.method === 'rows') {
          const { result, offset, limit } = m.params as { result: string; offset: number; limit: number };
          w.__maxLimit = Math.max(w.__maxLimit as number, limit);
          const kept = compared[result];
          if (kept) {
            const end = Math.min(offset + limit, kept.rows.length);
            send({ t: 'res', id: m.id, ok: true, result: { result, offset, rows: kept.rows.slice(offset, end), marks: kept.marks.slice(offset, end), diffs: kept.marks.slice(offset, end).map(() => null) } });
            return;
          }
          const n = Math.max(0, Math.min(limit, o.runRows - offset));
          send({ t: 'res', id: m.id, ok: true, result: { result, offset, rows: Array.from({ length: n }, (_x, k) => row(offset + k)) } });
        } else if (m.method === 'compareAll') {
          // As the host does it (src/extension/panel/host.ts): the gold query's rows (the synthetic ones, cut at
          // maxRows) against the prediction's (its preview), diffed as bags; here without cell pairing.
          const show = w.__show as ShowParams;
          const max = show.maxRows;
          const goldRows = Array.from({ length: Math.min(o.runRows, max) }, (_x, i) => row(i));
          const predRows = show.record!.execution!.pred.rows as unknown[][];
          const key = (r: unknown[]) => JSON.stringify(r.map((c) => JSON.stringify(c)).sort());
          const found = (a: unknown[][], b: unknown[][]) => {
            const n = new Map<string, number>();
            for (const r of b) n.set(key(r), (n.get(key(r)) ?? 0) + 1);
            return a.map((r) => {
              const c = n.get(key(r)) ?? 0;
              if (c) n.set(key(r), c - 1);
              return c ? null : 'only';
            });
          };
          compared.g2 = { rows: goldRows, marks: found(goldRows, predRows) };
          compared.p2 = { rows: predRows, marks: found(predRows, goldRows) };
          const meta = (id: string, rows: unknown[][], marks: (string | null)[], gold: boolean, truncated: boolean) => ({
            id, step: null, ...(gold ? { side: 'gold' } : {}), sql: gold ? 'SELECT … gold' : 'WITH … SELECT * FROM statement', columns: ['id', 'name', 'value'], rowCount: rows.length, truncated, elapsedMs: 2,
            error: null, first: rows.slice(0, 200), firstMarks: marks.slice(0, 200), firstDiffs: marks.slice(0, 200).map(() => null),
          });
          const onlyGold = compared.g2.marks.filter(Boolean).length;
          const onlyPred = compared.p2.marks.filter(Boolean).length;
          send({ t: 'res', id: m.id, ok: true, result: { gold: meta('g2', goldRows, compared.g2.marks, true, o.runRows > max), pred: meta('p2', predRows, compared.p2.marks, false, false), diff: { onlyGold, onlyPred, changed: 0 } } });
        } else if (m.method === 'runStep') {
          const step = m.params.step as string | null;
          const gold = m.params.side === 'gold';
          const first = Math.min(200, o.runRows, (w.__show as ShowParams).maxRows);
          send({
            t: 'res', id: m.id, ok: true,
            result: { id: gold ? 'g1' : 'r1', step, ...(gold ? { side: 'gold' } : {}), sql: gold ? 'SELECT … gold' : `WITH … SELECT * FROM ${step ?? 'statement'}`, columns: ['id', 'name', 'value'], rowCount: o.runRows, truncated: false, elapsedMs: 3.5, error: null, first: Array.from({ length: first }, (_x, k) => row(k)) },
          });
        } else if (m.method === 'refresh') {
          send({ t: 'res', id: m.id, ok: true, result: { ok: true } });
          send({ t: 'note', method: 'show', params: w.__show });
        }
      },
      getState: () => w.__state,
      setState: (s: unknown) => {
        w.__state = s;
      },
    };
  };
  document.addEventListener('DOMContentLoaded', () => {
    document.body.classList.add(o.theme);
    for (const [k, v] of Object.entries(o.vars)) document.documentElement.style.setProperty(k, v);
  });
}

/** Opens the panel page in a fresh page of `browser`, waits for its first render. */
export async function openPanel(browser: Browser, o: StubOptions, viewport = { width: 1100, height: 900 }): Promise<Opened> {
  const theme = o.theme ?? 'vscode-dark';
  const page = await browser.newPage({ viewport, colorScheme: theme === 'vscode-light' ? 'light' : 'dark' });
  const out: Opened = { page, errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') out.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => out.errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => out.requests.push(r.url()));
  const html = panelHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/dist/webview/panel.js`, styleUri: `${ORIGIN}/dist/webview/panel.css` });
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`) return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    if (!(await fulfillWebviewAsset(route, ORIGIN, url))) await route.abort();
  });
  await page.addInitScript(stub, { show: o.show, state: o.state ?? null, runRows: o.runRows ?? 0, latency: o.latency ?? 0, theme, vars: THEME_VARS[theme] });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => (window.__steplensPanel?.shows ?? 0) > 0, null, { timeout: 15000 });
  return out;
}

/** Messages the webview posted to the host. */
export async function posted(page: Page): Promise<{ t: string; method?: string; params?: Record<string, unknown>; id?: number }[]> {
  return page.evaluate(() => (window as unknown as { __posted: never[] }).__posted);
}

/** Sends a message as the host would. */
export async function hostSend(page: Page, m: unknown): Promise<void> {
  await page.evaluate((x) => window.postMessage(x, '*'), m);
}
