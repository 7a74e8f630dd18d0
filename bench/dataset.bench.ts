// npm run bench:dataset — dataset review (issue 12) at 100,000 lines, built from the Spider dev
// predictions and DeepSeek completions in the shared data:
//   - a plain dataset (15 systems' predictions + completions, 100,000 lines): first rows after
//     steplens/dataset/open, fully indexed (the server over stdio, as VS Code starts it, with
//     background scoring on);
//   - a `steplens score` output (1,034 records scored by the CLI, repeated to 100,000 with new ids):
//     first rows, fully indexed, then sort / filter / search over the 100,000 scored records
//     (round trip and the server's own query time), and the server's resident memory;
//   - the webview (dist/webview/dataset.js) in headless Chromium with 100,000 rows behind a stub
//     host: first rows drawn, a sort and a filter redrawn, the page's JS heap;
//   - when code-server is installed: the packaged extension opening the 343 MB scored output in VS Code
//     (first rows, including activation; indexed; a sort) and the extension host's plus the server's resident size.
// Bars: first rows ≤ 1 s, indexed ≤ 3 s, filter/sort ≤ 200 ms, resident ≤ 300 MB. Figures printed
// and written to .bench-results/dataset.json.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TestClient, REPO_ROOT, SERVER } from '../test/lsp/client.ts';
import { CHROMIUM, CHROMIUM_ARGS, initParams, openDataset } from '../test/webview/dataset-page.ts';
import { requireData, writeResults } from './lib/results.ts';
import { median } from './lib/spider-pairs.ts';
import { codeServerEntry, startCodeServer } from '../test/e2e/code-server.ts';
import { QUIET_SETTINGS, Workbench } from '../test/e2e/workbench.ts';

const N = 100_000;
const data = requireData();
const work = join(REPO_ROOT, '.bench-results', 'dataset-data');
mkdirSync(work, { recursive: true });
if (!existsSync(SERVER)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
const dbRoot = join(data, 'spider_dev', 'database');

// ------------------------------------------------------------------ the datasets

function buildPlain(path: string): void {
  const dev = JSON.parse(readFileSync(join(data, 'spider_dev', 'dev.json'), 'utf8')) as { db_id: string; question: string; query: string }[];
  const dir = join(data, 'spider_dev', 'predictions');
  const preds: { i: number; sql: string }[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.txt')).sort()) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    for (let i = 0; i < dev.length; i++) if (dev[i].db_id !== 'wta_1' && lines[i]?.trim()) preds.push({ i, sql: lines[i].trim() });
  }
  const tdir = join(data, 'reasoning_traces', 'text2sql-grpo_deepseek-v4');
  const completions: { db_id: string; question: string; gold_sql: string; completion: string }[] = [];
  for (const f of readdirSync(tdir).filter((x) => x.endsWith('.jsonl'))) {
    for (const l of readFileSync(join(tdir, f), 'utf8').split('\n')) {
      if (!l.trim()) continue;
      const o = JSON.parse(l) as { db_id: string; question: string; gold_sql: string; response: string };
      if (typeof o.response === 'string') completions.push({ db_id: o.db_id, question: o.question, gold_sql: o.gold_sql, completion: o.response });
    }
  }
  const out: string[] = [];
  for (let k = 0; k < N; k++) {
    if (k % 20 === 19 && completions.length) {
      const c = completions[k % completions.length];
      out.push(JSON.stringify({ id: `c${k}`, ...c }));
    } else {
      const p = preds[k % preds.length];
      out.push(JSON.stringify({ id: `p${k}`, db_id: dev[p.i].db_id, question: dev[p.i].question, query: dev[p.i].query, pred_sql: p.sql }));
    }
  }
  writeFileSync(path, out.join('\n') + '\n');
}

function buildScored(path: string): void {
  const dev = JSON.parse(readFileSync(join(data, 'spider_dev', 'dev.json'), 'utf8')) as { db_id: string; question: string; query: string }[];
  const preds = readFileSync(join(data, 'spider_dev', 'predictions', 'codes-7b.txt'), 'utf8').split('\n');
  const input = join(work, 'codes-7b.jsonl');
  writeFileSync(input, dev.map((d, i) => ({ d, i })).filter(({ d }) => d.db_id !== 'wta_1').map(({ d, i }) => JSON.stringify({ id: i, db_id: d.db_id, question: d.question, query: d.query, pred_sql: preds[i] ?? '' })).join('\n') + '\n');
  const scored = join(work, 'codes-7b.scored.jsonl');
  execFileSync(process.execPath, [join(REPO_ROOT, 'bin', 'steplens.cjs'), 'score', input, '--db-root', dbRoot, '--out', scored, '--force', '--quiet'], { stdio: 'inherit' });
  const base = readFileSync(scored, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const out: string[] = [];
  for (let k = 0; k < N; k++) {
    const r = base[k % base.length];
    out.push(JSON.stringify({ ...r, index: k, line: k + 1, id: `${String(r.id)}-${Math.floor(k / base.length)}` }));
  }
  writeFileSync(path, out.join('\n') + '\n');
}

const plain = join(work, 'plain-100k.jsonl');
const scoredPath = join(work, 'scored-100k.jsonl');
if (!existsSync(plain)) buildPlain(plain);
if (!existsSync(scoredPath)) buildScored(scoredPath);
for (const f of ['plain-100k.steplens.jsonl', 'scored-100k.steplens.jsonl']) if (existsSync(join(work, f))) writeFileSync(join(work, f), '');

// ------------------------------------------------------------------ the server over stdio

interface Page {
  total: number;
  rowsOut: unknown[];
  indexing: boolean;
  queryMs: number;
  lineCount: number;
}

function rssOf(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
  return { rss: Math.round(kb('VmRSS')), hwm: Math.round(kb('VmHWM')) };
}

async function openTimed(client: TestClient, path: string): Promise<{ id: string; firstRowsMs: number; indexedMs: number; lineCount: number }> {
  const t0 = performance.now();
  const info = await client.request<{ id: string }>('steplens/dataset/open', { path });
  let page = await client.request<Page>('steplens/dataset/rows', { id: info.id, query: {}, offset: 0, count: 100 });
  while (page.rowsOut.length === 0) page = await client.request<Page>('steplens/dataset/rows', { id: info.id, query: {}, offset: 0, count: 100 });
  const firstRowsMs = performance.now() - t0;
  while (page.indexing) {
    await new Promise((r) => setTimeout(r, 20));
    page = await client.request<Page>('steplens/dataset/rows', { id: info.id, query: {}, offset: 0, count: 1 });
  }
  return { id: info.id, firstRowsMs, indexedMs: performance.now() - t0, lineCount: page.lineCount };
}

const load0 = loadavg()[0];
const node: Record<string, unknown> = {};
{
  const client = new TestClient();
  await client.initialize({ databaseRoot: dbRoot, timeoutMs: 5000 });
  const p = await openTimed(client, plain);
  node.plain = { bytes: statSync(plain).size, lines: p.lineCount, firstRowsMs: Math.round(p.firstRowsMs), indexedMs: Math.round(p.indexedMs) };
  await client.request('steplens/dataset/close', { id: p.id });
  const s = await openTimed(client, scoredPath);
  node.scored = { bytes: statSync(scoredPath).size, lines: s.lineCount, firstRowsMs: Math.round(s.firstRowsMs), indexedMs: Math.round(s.indexedMs) };
  const queries: Record<string, Record<string, unknown>[]> = {
    'sort headline': [{ sort: { column: 'headline', descending: true } }, { sort: { column: 'headline' } }],
    'sort question': [{ sort: { column: 'question' } }, { sort: { column: 'question', descending: true } }],
    'sort step_rtm': [{ sort: { column: 'step_rtm', descending: true } }, { sort: { column: 'step_rtm' } }],
    'filter ex=0': [{ ex: 0 }, { ex: 1 }],
    'filter headline<0.5 db': [{ headline: [0, 0.5], db_id: ['concert_singer'] }, { headline: [0.5, 1], db_id: ['world_1'] }],
    'queue pending + sort': [{ review: ['pending'], sort: { column: 'ex' } }, { review: ['pending'], sort: { column: 'ex', descending: true } }],
    'search "singer"': [{ text: 'singer' }, { text: 'country' }],
  };
  {
    const t0 = performance.now();
    await client.request<Page>('steplens/dataset/rows', { id: s.id, query: { text: 'stadium' }, offset: 0, count: 200 });
    node.searchFirstMs = Math.round(performance.now() - t0);
  }
  const qres: Record<string, { roundTripMs: number; serverMs: number; total: number }> = {};
  for (const [name, qs] of Object.entries(queries)) {
    const rt: number[] = [];
    const sv: number[] = [];
    let total = 0;
    for (let k = 0; k < 6; k++) {
      const t0 = performance.now();
      const page = await client.request<Page>('steplens/dataset/rows', { id: s.id, query: qs[k % 2], offset: 0, count: 200 });
      rt.push(performance.now() - t0);
      sv.push(page.queryMs);
      total = page.total;
    }
    qres[name] = { roundTripMs: Math.round(median(rt) * 10) / 10, serverMs: Math.round(median(sv) * 10) / 10, total };
  }
  node.queries = qres;
  node.serverMemoryMB = rssOf(client.child.pid!);
  await client.shutdown();
}

// ------------------------------------------------------------------ the webview in Chromium

const web: Record<string, unknown> = {};
if (existsSync(CHROMIUM)) {
  if (!existsSync(join(REPO_ROOT, 'dist', 'webview', 'dataset.js'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const o = await openDataset(browser, { init: initParams({ lineCount: N }), count: N });
  const { page } = o;
  // From the bundle's start to the first rows drawn (pageLoadMs: navigation to the bundle, including the stub
  // host building its 100,000 rows in the page).
  const [started, drawn] = await page.evaluate(() => [window.__steplensDataset!.startedAt, window.__steplensDataset!.drawnAt]);
  web.pageLoadMs = Math.round(started);
  web.firstRowsMs = Math.round(drawn - started);
  type Probe = { drawnAt: number; lastQueryMs: number; total: number };
  const redraw = async (act: () => Promise<unknown>, done: (a: { before: number }) => boolean): Promise<{ totalMs: number; stubQueryMs: number; webviewMs: number }> => {
    const before = await page.evaluate(() => window.__steplensDataset!.drawnAt);
    const start = await page.evaluate(() => performance.now());
    await act();
    await page.waitForFunction(done, { before });
    const [end, q] = await page.evaluate(() => [window.__steplensDataset!.drawnAt, window.__steplensDataset!.lastQueryMs]);
    return { totalMs: Math.round(end - start), stubQueryMs: Math.round(q), webviewMs: Math.round(end - start - q) };
  };
  web.sortHeadlineMs = await redraw(() => page.locator('.sld-head [data-col="headline"]').click(), ((a: { before: number }) => (window as unknown as { __steplensDataset: Probe }).__steplensDataset.drawnAt > a.before && document.querySelector('.sld-head [data-col="headline"]')?.getAttribute('aria-sort') === 'ascending'));
  web.sortHeadlineDescMs = await redraw(() => page.locator('.sld-head [data-col="headline"]').click(), ((a: { before: number }) => (window as unknown as { __steplensDataset: Probe }).__steplensDataset.drawnAt > a.before && document.querySelector('.sld-head [data-col="headline"]')?.getAttribute('aria-sort') === 'descending'));
  web.filterExMs = await redraw(() => page.locator('.sld-f-ex').selectOption('0'), (a: { before: number }) => (window as unknown as { __steplensDataset: Probe }).__steplensDataset.drawnAt > a.before && (window as unknown as { __steplensDataset: Probe }).__steplensDataset.total < 100000);
  const scrollT = await page.evaluate(async () => {
    const v = document.querySelector('.sld-viewport')!;
    const t = performance.now();
    for (let k = 0; k < 30; k++) {
      v.scrollTop += 24 * 800;
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
    return (performance.now() - t) / 30;
  });
  web.scrollFrameMs = Math.round(scrollT * 10) / 10;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const m = (await cdp.send('Performance.getMetrics')).metrics;
  web.jsHeapMB = Math.round((m.find((x) => x.name === 'JSHeapUsedSize')!.value / 1048576) * 10) / 10;
  web.domNodes = m.find((x) => x.name === 'Nodes')?.value;
  web.note = 'rows behind a stub host in the page (the server’s query time is in node.queries): the webview’s own cost of first draw, redraw after sort/filter, scrolling';
  await browser.close();
}

// ------------------------------------------------------------------ VS Code itself (code-server), when installed

const vscodeFigures: Record<string, unknown> = {};
const csEntry = codeServerEntry(REPO_ROOT);
if (csEntry && existsSync(CHROMIUM)) {
  const ws = mkdtempSync(join(tmpdir(), 'steplens-bench-dataset-'));
  symlinkSync(scoredPath, join(ws, 'scored-100k.jsonl'));
  // A second, small dataset: a warm open (the extension active, the server running) in the same window.
  writeFileSync(join(ws, 'small.jsonl'), readFileSync(scoredPath, 'utf8').slice(0, 2_000_000).split('\n').slice(0, 50).join('\n') + '\n');
  execFileSync(process.execPath, ['scripts/package-vsix.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const vsix = readdirSync(REPO_ROOT).find((f) => /^steplens-.*-linux-x64\.vsix$/.test(f))!;
  const cs = await startCodeServer(csEntry, join(REPO_ROOT, vsix), ws, { ...QUIET_SETTINGS, 'steplens.databaseRoot': dbRoot });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const wb = new Workbench(page, join(REPO_ROOT, '.bench-results'));
    await page.goto(cs.url);
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
    // Quick open → tab active → our page's frame created (its performance.timeOrigin) → first row drawn.
    // Between the last two is VS Code's webview host (its service worker), before our page exists.
    const timedOpen = async (name: string): Promise<{ tabActiveMs: number; pageFrameMs: number | null; firstRowsMs: number }> => {
      const t0 = Date.now();
      await wb.openFile(name);
      const tabActiveMs = Date.now() - t0;
      await wb.webview().locator('.sld-rows .sld-row[data-index="0"]:not(.sld-placeholder)').waitFor({ timeout: 120_000 });
      const firstRowsMs = Date.now() - t0;
      let pageFrameMs: number | null = null;
      for (const f of page.frames()) {
        const origin = await f.evaluate(() => (document.querySelector('.sld-app') ? performance.timeOrigin : null)).catch(() => null);
        if (origin !== null && origin >= t0) pageFrameMs = Math.round(origin - t0);
      }
      return { tabActiveMs, pageFrameMs, firstRowsMs };
    };
    // The first webview is the review editor (the inspector panel opens after its first selection).
    const t0 = Date.now();
    const cold = await timedOpen('scored-100k.jsonl');
    const view = wb.webview();
    Object.assign(vscodeFigures, cold);
    vscodeFigures.note = 'from quick open of the file to the first row on screen, including the extension\'s activation and the language server\'s start (the first StepLens file of the window); pageFrameMs: when VS Code created our page\'s frame';
    await wb.until(() => view.locator('.sld-progress').textContent(), (t) => !!t && !/indexing/.test(t), 'indexed in VS Code', 120_000);
    vscodeFigures.indexedMs = Date.now() - t0;
    const t1 = Date.now();
    await view.locator('.sld-head [data-col="headline"]').click();
    await view.locator('.sld-head [data-col="headline"][aria-sort="ascending"]').waitFor();
    await view.locator('.sld-rows .sld-row[data-index="0"]:not(.sld-placeholder)').waitFor();
    vscodeFigures.sortMs = Date.now() - t1;
    await page.waitForTimeout(1500);
    // Warm: the extension and its server are up; the big dataset's editor is closed first, so the one
    // webview on the page is the new one.
    await wb.runCommand('View: Close All Editors');
    await page.waitForTimeout(1000);
    vscodeFigures.warm = await timedOpen('small.jsonl');
    // The extension host and the language server below this code-server: resident sizes from /proc.
    const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null).map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
    const mine = new Set([cs.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of rows) if (mine.has(r.ppid) && !mine.has(r.pid)) (mine.add(r.pid), (grew = true));
    }
    const host = rows.find((r) => mine.has(r.pid) && /extensionHost/.test(r.args));
    const server = rows.find((r) => mine.has(r.pid) && /dist\/server\.cjs/.test(r.args));
    if (host) vscodeFigures.extensionHostMB = rssOf(host.pid);
    if (server) vscodeFigures.serverMB = rssOf(server.pid);
    if (host && server) vscodeFigures.hostPlusServerRssMB = (vscodeFigures.extensionHostMB as { rss: number }).rss + (vscodeFigures.serverMB as { rss: number }).rss;
  } catch (e) {
    vscodeFigures.error = (e as Error).message.split('\n')[0];
  } finally {
    await browser.close();
    await cs.stop();
    rmSync(ws, { recursive: true, force: true });
  }
}

const q = node.queries as Record<string, { roundTripMs: number }>;
// Search is not a filter or sort: its first run reads the file once (see searchFirstMs); later ones are timed above.
const bars = {
  firstRowsPlain: (node.plain as { firstRowsMs: number }).firstRowsMs <= 1000,
  firstRowsScored: (node.scored as { firstRowsMs: number }).firstRowsMs <= 1000,
  indexedPlain: (node.plain as { indexedMs: number }).indexedMs <= 3000,
  indexedScored: (node.scored as { indexedMs: number }).indexedMs <= 3000,
  filterSort: Object.entries(q).filter(([k]) => !k.startsWith('search')).every(([, x]) => x.roundTripMs <= 200),
  memory: (node.serverMemoryMB as { rss: number }).rss <= 300 && (vscodeFigures.hostPlusServerRssMB === undefined || (vscodeFigures.hostPlusServerRssMB as number) <= 300),
};
const file = writeResults('dataset', { records: N, loadavg: [load0, loadavg()[0]], node, webview: web, vscode: vscodeFigures, bars });
console.log(JSON.stringify({ node, webview: web, vscode: vscodeFigures, bars }, null, 2));
console.log(`written to ${file}`);
