// The dataset review editor's webview (bundled to dist/webview/dataset.js; hosted by
// src/extension/dataset/editor.ts). A virtualized list of a JSONL dataset's records, paged from the
// language server through the host (never the whole dataset), sortable and filterable, with a
// detail pane and keyboard-first annotation. An annotation shows "Saved" only once the host answered,
// which it does after the server fsynced it to the sidecar. Model text is always put in as text.

import {
  PAGE_ROWS,
  PROTOCOL_VERSION,
  type AnnotateParams,
  type BadLine,
  type Detail,
  type Facets,
  type InitParams,
  type ProgressParams,
  type Query,
  type Review,
  type ReviewStatus,
  type Row,
  type SortColumn,
} from '../../src/extension/dataset/protocol.ts';
import { fmtInt, fmtNum, h, icon, replaceChildren, valueClass } from '../components/dom.ts';
import { acquireApi, Rpc } from './rpc.ts';

const ROW_H = 24;
const OVERSCAN = 10;

interface Column {
  id: SortColumn;
  label: string;
  cls: string;
  title: string;
}
const COLUMNS: Column[] = [
  { id: 'line', label: 'Line', cls: 'sld-c-line', title: 'Line in the file' },
  { id: 'id', label: 'Id', cls: 'sld-c-id', title: 'Record id' },
  { id: 'db_id', label: 'Database', cls: 'sld-c-db', title: 'db_id' },
  { id: 'question', label: 'Question', cls: 'sld-c-q', title: 'Question' },
  { id: 'headline', label: 'Reward', cls: 'sld-c-num', title: 'Headline reward' },
  { id: 'ex', label: 'EX', cls: 'sld-c-ex', title: 'Execution match' },
  { id: 'step_rtm', label: 'StepRTM', cls: 'sld-c-num sld-c-srtm', title: 'StepRTM total' },
  { id: 'status', label: 'Status', cls: 'sld-c-status', title: 'Scoring status (error class in the tooltip)' },
  { id: 'review', label: 'Review', cls: 'sld-c-review', title: 'Review status' },
  { id: 'labels', label: 'Labels', cls: 'sld-c-labels', title: 'Labels and note' },
];

const QUEUES: { id: ReviewStatus | 'all'; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'pending', label: 'Pending' },
  { id: 'accepted', label: 'Accepted' },
  { id: 'rejected', label: 'Rejected' },
  { id: 'flagged', label: 'Flagged' },
];

const SHORTCUTS: [string, string][] = [
  ['↓ / j, ↑ / k', 'next / previous record'],
  ['PageDown / PageUp, Home / End', 'a page down / up, first / last record'],
  ['a', 'accept'],
  ['r', 'reject'],
  ['f', 'flag'],
  ['1 – 9', 'toggle a label (steplens.review.labels)'],
  ['n', 'write a note'],
  ['e', 'edit the SQL (or the completion)'],
  ['Ctrl/Cmd+Enter', 'submit (status, note, edit) and go to the next record'],
  ['u / Ctrl+Z', 'undo the last annotation'],
  ['Enter', 'show the record in the inspector panel'],
  ['o / Shift+O', 'open the SQL / the completion as an editor document'],
  ['/', 'search question, SQL and reasoning'],
  ['l', 'copy a link to the record'],
  ['Esc', 'leave a text field, close this list'],
  ['?', 'show / hide these shortcuts'],
];

export interface DatasetProbe {
  /** performance.now() when the bundle started (the page's own load before it is not the list's). */
  startedAt: number;
  pages: number;
  rendered: number;
  /** performance.now() when the list last drew rows it had data for. */
  drawnAt: number;
  lastQueryMs: number;
  total: number;
  selected: number | null;
  protocolErrors: string[];
  saved: number;
}

declare global {
  interface Window {
    __steplensDataset?: DatasetProbe;
  }
}

interface SavedState {
  query: Query;
  line: number | null;
}

function main(): void {
  const api = acquireApi();
  const rpc = new Rpc(api);
  const saved = (api.getState() as SavedState | null) ?? null;
  const probe: DatasetProbe = { startedAt: performance.now(), pages: 0, rendered: 0, drawnAt: 0, lastQueryMs: 0, total: 0, selected: null, protocolErrors: [], saved: 0 };
  window.__steplensDataset = probe;

  let init: InitParams | null = null;
  let query: Query = saved?.query && typeof saved.query === 'object' ? saved.query : {};
  let gen = 0;
  let total = 0;
  const pages = new Map<number, Row[]>();
  const loading = new Set<number>();
  let selected = -1;
  let selectedLine: number | null = saved?.line ?? null;
  let detail: Detail | null = null;
  let detailFor: number | null = null;
  let detailWait: Promise<Detail | null> | null = null;
  let facets: Facets | null = null;
  let bad: BadLine[] = [];
  let badTotal = 0;
  const undo: AnnotateParams[] = [];
  let progress: ProgressParams | null = null;

  const save = (): void => api.setState({ query, line: selectedLine } satisfies SavedState);

  // ---------------------------------------------------------------- chrome
  const title = h('div', { class: 'sld-title' }, h('strong', null, 'StepLens dataset'));
  const prog = h('div', { class: 'sld-progress sl-muted', role: 'status', 'aria-live': 'polite' });
  const exportBtn = h('button', { type: 'button', class: 'sl-button', title: 'Export the accepted records (or, with a filter, the records in the list) as SFT JSONL' }, icon('export'), h('span', null, 'Export…'));
  const helpBtn = h('button', { type: 'button', class: 'sl-button', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts', 'aria-expanded': 'false' }, icon('keyboard', '?'));
  const header = h('header', { class: 'sld-header' }, title, prog, h('div', { class: 'sld-actions' }, exportBtn, helpBtn));

  const queueTabs = QUEUES.map((q) => h('button', { type: 'button', role: 'tab', class: 'sld-queue', dataset: { queue: q.id } }, q.label));
  const queues = h('div', { class: 'sld-queues', role: 'tablist', 'aria-label': 'Review queues' }, queueTabs);

  const search = h('input', { type: 'search', class: 'sl-input sld-search', placeholder: 'Search question, SQL, reasoning (/)', 'aria-label': 'Search' });
  const sel = (label: string, cls: string): HTMLSelectElement => h('select', { class: `sl-input ${cls}`, 'aria-label': label, title: label });
  const exSel = sel('EX', 'sld-f-ex');
  for (const [v, t] of [['', 'EX: any'], ['1', 'EX 1'], ['0', 'EX 0'], ['none', 'EX: none']]) exSel.append(h('option', { value: v }, t));
  const dbSel = sel('Database', 'sld-f-db');
  const statusSel = sel('Status', 'sld-f-status');
  const errSel = sel('Error class', 'sld-f-err');
  const labelSel = sel('Label', 'sld-f-label');
  const num = (ph: string, cls: string): HTMLInputElement => h('input', { type: 'number', step: '0.05', class: `sl-input sld-num ${cls}`, placeholder: ph, 'aria-label': ph });
  const hMin = num('reward ≥', 'sld-f-hmin');
  const hMax = num('reward ≤', 'sld-f-hmax');
  const sMin = num('StepRTM ≥', 'sld-f-smin');
  const sMax = num('StepRTM ≤', 'sld-f-smax');
  const clear = h('button', { type: 'button', class: 'sl-button sld-clear', title: 'Clear every filter' }, icon('clear-all'), h('span', null, 'Clear'));
  const filters = h('div', { class: 'sld-filters' }, search, exSel, hMin, hMax, sMin, sMax, dbSel, statusSel, errSel, labelSel, clear);

  const head = h(
    'div',
    { class: 'sld-row sld-head', role: 'row' },
    COLUMNS.map((c) => h('div', { class: ['sld-cell', c.cls], role: 'columnheader', title: `${c.title} — click to sort`, dataset: { col: c.id }, tabindex: '-1' }, c.label, h('span', { class: 'sld-sort' }))),
  );
  const spacer = h('div', { class: 'sld-spacer' });
  const rowsBox = h('div', { class: 'sld-rows' });
  const viewport = h('div', { class: 'sld-viewport', tabindex: '0', role: 'grid', 'aria-label': 'Records', 'aria-rowcount': '0' }, spacer, rowsBox);
  const empty = h('div', { class: 'sld-empty sl-muted', hidden: true });
  const badBox = h('details', { class: 'sld-bad', hidden: true });
  const list = h('section', { class: 'sld-list' }, head, viewport, empty, badBox);

  const pane = h('section', { class: 'sld-detail', 'aria-label': 'Record' });
  const saveStatus = h('div', { class: 'sld-save', role: 'status', 'aria-live': 'polite' });
  const keys = h(
    'footer',
    { class: 'sld-keys sl-muted' },
    [['j/k', 'move'], ['a', 'accept'], ['r', 'reject'], ['f', 'flag'], ['1-9', 'labels'], ['n', 'note'], ['e', 'edit'], ['u', 'undo'], ['Ctrl+Enter', 'submit & next'], ['?', 'all keys']].map(([k, t]) => h('span', null, h('kbd', null, k), ' ', t)),
    saveStatus,
  );
  const shortcuts = h(
    'div',
    { class: 'sld-shortcuts', hidden: true, role: 'dialog', 'aria-label': 'Keyboard shortcuts' },
    h('h3', null, 'Keyboard'),
    h('table', { class: 'sl-grid-table' }, h('tbody', null, SHORTCUTS.map(([k, w]) => h('tr', null, h('th', { scope: 'row' }, h('kbd', null, k)), h('td', null, w))))),
  );
  const errorBar = h('div', { class: 'sld-error sl-bad', role: 'alert', hidden: true });
  const app = h('div', { class: 'sld-app' }, header, errorBar, queues, filters, shortcuts, h('div', { class: 'sld-main' }, list, pane), keys);
  replaceChildren(document.body, app);

  const showError = (m: string): void => {
    errorBar.textContent = m;
    errorBar.hidden = false;
  };
  rpc.onProtocolError = (m) => {
    probe.protocolErrors.push(m);
    showError(`Dropped a message that does not fit the dataset protocol: ${m}`);
  };
  const setSave = (text: string, kind: 'ok' | 'busy' | 'bad' | 'info'): void => {
    replaceChildren(saveStatus, kind === 'ok' ? icon('check', '✓ ') : kind === 'bad' ? icon('error', '⚠ ') : null, kind === 'busy' || kind === 'info' ? text : ` ${text}`);
    saveStatus.className = `sld-save sld-save-${kind}`;
  };

  // ---------------------------------------------------------------- query ↔ controls
  const rangeOf = (lo: HTMLInputElement, hi: HTMLInputElement): [number, number] | undefined => {
    if (lo.value === '' && hi.value === '') return undefined;
    const a = lo.value === '' ? -Infinity : Number(lo.value);
    const b = hi.value === '' ? Infinity : Number(hi.value);
    // JSON has no infinities: wide finite bounds instead.
    return [Number.isFinite(a) ? a : -1e9, Number.isFinite(b) ? b : 1e9];
  };
  const readControls = (): void => {
    const q: Query = {};
    if (query.sort) q.sort = query.sort;
    if (query.review) q.review = query.review;
    const text = search.value.trim();
    if (text) q.text = text;
    if (exSel.value !== '') q.ex = exSel.value === 'none' ? 'none' : (Number(exSel.value) as 0 | 1);
    const hr = rangeOf(hMin, hMax);
    if (hr) q.headline = hr;
    const sr = rangeOf(sMin, sMax);
    if (sr) q.step_rtm = sr;
    if (dbSel.value) q.db_id = [dbSel.value];
    if (statusSel.value) q.status = [statusSel.value];
    if (errSel.value) q.error_class = [errSel.value];
    if (labelSel.value) q.labels = [labelSel.value];
    query = q;
    void reload(true);
  };
  const writeControls = (): void => {
    search.value = query.text ?? '';
    exSel.value = query.ex === undefined ? '' : String(query.ex);
    const put = (el: HTMLInputElement, v: number | undefined): void => void (el.value = v === undefined || Math.abs(v) >= 1e9 ? '' : String(v));
    put(hMin, query.headline?.[0]);
    put(hMax, query.headline?.[1]);
    put(sMin, query.step_rtm?.[0]);
    put(sMax, query.step_rtm?.[1]);
    for (const t of queueTabs) {
      const on = (t.dataset.queue === 'all' && !query.review) || (query.review?.length === 1 && query.review[0] === t.dataset.queue);
      t.classList.toggle('sld-queue-on', on);
      t.setAttribute('aria-selected', String(on));
    }
    for (const c of Array.from(head.querySelectorAll<HTMLElement>('[data-col]'))) {
      const on = query.sort?.column === c.dataset.col;
      replaceChildren(c.querySelector('.sld-sort')!, on ? (query.sort!.descending ? icon('arrow-down', ' ▼') : icon('arrow-up', ' ▲')) : null);
      c.setAttribute('aria-sort', on ? (query.sort!.descending ? 'descending' : 'ascending') : 'none');
    }
  };
  const fillSelect = (s: HTMLSelectElement, all: string, values: string[], current: string | undefined): void => {
    replaceChildren(s, h('option', { value: '' }, all), values.map((v) => h('option', { value: v }, v)));
    s.value = current && values.includes(current) ? current : '';
  };
  const applyFacets = (f: Facets): void => {
    facets = f;
    const labels = [...new Set([...(init?.labels ?? []), ...f.labels])];
    fillSelect(dbSel, 'Database: any', f.db_id, query.db_id?.[0]);
    fillSelect(statusSel, 'Status: any', f.status, query.status?.[0]);
    fillSelect(errSel, 'Error: any', f.error_class, query.error_class?.[0]);
    fillSelect(labelSel, 'Label: any', labels, query.labels?.[0]);
  };

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(readControls, 250);
  });
  for (const el of [exSel, dbSel, statusSel, errSel, labelSel]) el.addEventListener('change', readControls);
  for (const el of [hMin, hMax, sMin, sMax]) el.addEventListener('change', readControls);
  clear.addEventListener('click', () => {
    query = query.sort ? { sort: query.sort } : {};
    for (const s of [exSel, dbSel, statusSel, errSel, labelSel]) s.value = '';
    void reload(true);
  });
  queues.addEventListener('click', (e) => {
    const t = (e.target as Element).closest<HTMLElement>('[data-queue]');
    if (!t) return;
    const q = t.dataset.queue as ReviewStatus | 'all';
    query = { ...query };
    if (q === 'all') delete query.review;
    else query.review = [q];
    void reload(true);
  });
  head.addEventListener('click', (e) => {
    const c = (e.target as Element).closest<HTMLElement>('[data-col]');
    if (!c) return;
    const col = c.dataset.col as SortColumn;
    const cur = query.sort;
    query = { ...query, sort: cur?.column === col ? { column: col, descending: !cur.descending } : { column: col, descending: col === 'headline' || col === 'step_rtm' ? false : false } };
    void reload(true);
  });

  // ---------------------------------------------------------------- paging
  const rowAt = (i: number): Row | undefined => pages.get(Math.floor(i / PAGE_ROWS))?.[i % PAGE_ROWS];

  /** Asks for a page; `facets` also refreshes the filter menus. Results of an older query are dropped. */
  const fetchPage = async (p: number, withFacets = false, find?: number): Promise<number | undefined> => {
    if (loading.has(p) && !withFacets && find === undefined) return;
    loading.add(p);
    const g = gen;
    try {
      const r = await rpc.request('rows', { query, offset: p * PAGE_ROWS, count: PAGE_ROWS, facets: withFacets, ...(find !== undefined ? { find } : {}) });
      if (g !== gen) return;
      probe.lastQueryMs = r.queryMs;
      pages.set(p, r.rowsOut);
      // At most 40 pages (8,000 rows) stay here; the farthest from the view go.
      if (pages.size > 40) {
        const at = Math.floor(viewport.scrollTop / ROW_H / PAGE_ROWS);
        const far = [...pages.keys()].sort((a, b) => Math.abs(b - at) - Math.abs(a - at))[0];
        pages.delete(far);
      }
      probe.pages = pages.size;
      total = r.total;
      probe.total = total;
      bad = r.bad;
      badTotal = r.badTotal;
      if (r.facets) applyFacets(r.facets);
      spacer.style.height = `${total * ROW_H}px`;
      viewport.setAttribute('aria-rowcount', String(total));
      showProgress(r);
      renderBad();
      draw();
      return r.foundAt;
    } catch (e) {
      if (g === gen) showError(`Could not read rows: ${(e as Error).message}`);
    } finally {
      if (g === gen) loading.delete(p);
    }
    return undefined;
  };

  /** A new query (or new data): drops the pages and loads the one in view. */
  const reload = async (newQuery: boolean): Promise<void> => {
    gen++;
    pages.clear();
    loading.clear();
    writeControls();
    save();
    if (newQuery) {
      viewport.scrollTop = 0;
      selected = -1;
    }
    const first = Math.floor(viewport.scrollTop / ROW_H / PAGE_ROWS);
    await fetchPage(first, newQuery || facets === null);
    if (newQuery && total > 0) select(0, false);
    else if (!newQuery && selected >= total) select(total - 1, false);
  };

  // ---------------------------------------------------------------- drawing
  const pool: HTMLElement[] = [];
  const cellsOf = new WeakMap<HTMLElement, HTMLElement[]>();
  const makeRow = (): HTMLElement => {
    const cells = COLUMNS.map((c) => h('div', { class: ['sld-cell', c.cls], role: 'gridcell' }));
    // Labels, then the note and edit markers (shown when the review has them).
    cells[9].append(h('span'), icon('note', ' ✎'), icon('edit', ' ✂'));
    const el = h('div', { class: 'sld-row', role: 'row' }, cells);
    cellsOf.set(el, cells);
    return el;
  };
  const fill = (el: HTMLElement, i: number, r: Row | undefined): void => {
    const c = cellsOf.get(el)!;
    el.dataset.index = String(i);
    el.style.transform = `translateY(${i * ROW_H}px)`;
    el.classList.toggle('sld-selected', i === selected);
    el.setAttribute('aria-selected', String(i === selected));
    el.setAttribute('aria-rowindex', String(i + 1));
    if (!r) {
      el.classList.add('sld-placeholder');
      for (const x of c.slice(0, 9)) x.textContent = '';
      c[9].firstChild!.textContent = '';
      for (const m of Array.from(c[9].children).slice(1)) (m as HTMLElement).hidden = true;
      c[3].textContent = '…';
      return;
    }
    el.classList.remove('sld-placeholder');
    el.dataset.line = String(r.line);
    c[0].textContent = String(r.line);
    c[1].textContent = r.id === null ? '' : String(r.id);
    c[1].title = c[1].textContent;
    c[2].textContent = r.db_id ?? '';
    c[3].textContent = r.question ?? '';
    c[3].title = r.question ?? '';
    c[4].textContent = fmtNum(r.headline);
    c[4].className = `sld-cell sld-c-num ${valueClass(r.headline)}`;
    c[5].textContent = r.ex === null ? '–' : String(r.ex);
    c[5].className = `sld-cell sld-c-ex ${r.ex === null ? 'sl-vnull' : r.ex ? 'sl-v4' : 'sl-v0'}`;
    c[6].textContent = fmtNum(r.step_rtm);
    c[7].textContent = r.status === null ? (r.has_completion ? '· completion' : '·') : r.status;
    c[7].title = r.error_class ?? r.status ?? 'not scored yet';
    c[7].className = `sld-cell sld-c-status${r.error_class ? ' sld-has-error' : ''}`;
    const rv = r.review;
    c[8].textContent = rv ? rv.status : 'pending';
    c[8].className = `sld-cell sld-c-review sld-rv-${rv ? rv.status : 'none'}`;
    c[9].firstChild!.textContent = rv && rv.labels.length ? rv.labels.join(', ') : '';
    (c[9].children[1] as HTMLElement).hidden = !rv?.note;
    (c[9].children[2] as HTMLElement).hidden = !rv?.edited;
    c[9].title = rv?.note ? `note: ${rv.note}` : '';
  };

  let drawQueued = false;
  const draw = (): void => {
    drawQueued = false;
    const h0 = viewport.clientHeight || 600;
    const from = Math.max(0, Math.floor(viewport.scrollTop / ROW_H) - OVERSCAN);
    const to = Math.min(total, Math.ceil((viewport.scrollTop + h0) / ROW_H) + OVERSCAN);
    const need = Math.max(0, to - from);
    while (pool.length < need) rowsBox.appendChild((pool[pool.length] = makeRow()));
    let have = 0;
    for (let k = 0; k < pool.length; k++) {
      const el = pool[k];
      if (k >= need) {
        if (!el.hidden) el.hidden = true;
        continue;
      }
      el.hidden = false;
      const i = from + k;
      const r = rowAt(i);
      if (r) have++;
      fill(el, i, r);
    }
    probe.rendered = need;
    if (have > 0) probe.drawnAt = performance.now();
    empty.hidden = total > 0 || loading.size > 0;
    if (total === 0) empty.textContent = init?.indexing || progress?.phase === 'index' ? 'Reading the file…' : 'No record matches.';
    // Pages in view that are missing.
    for (let p = Math.floor(from / PAGE_ROWS); p <= Math.floor(Math.max(from, to - 1) / PAGE_ROWS); p++) if (!pages.has(p) && !loading.has(p) && p * PAGE_ROWS < total) void fetchPage(p);
  };
  const queueDraw = (): void => {
    if (!drawQueued) {
      drawQueued = true;
      requestAnimationFrame(draw);
    }
  };
  viewport.addEventListener('scroll', queueDraw);
  new ResizeObserver(queueDraw).observe(viewport);
  viewport.addEventListener('click', (e) => {
    const el = (e.target as Element).closest<HTMLElement>('.sld-row[data-index]');
    if (el) select(Number(el.dataset.index), false);
  });
  viewport.addEventListener('dblclick', () => selectedLine !== null && rpc.notify('select', { line: selectedLine }));

  const renderBad = (): void => {
    badBox.hidden = badTotal === 0;
    if (badTotal === 0) return;
    const open = badBox.open;
    replaceChildren(
      badBox,
      h('summary', null, `${fmtInt(badTotal)} malformed line${badTotal === 1 ? '' : 's'} (not in the list)`),
      h('ul', null, bad.map((b) => h('li', null, h('span', { class: 'sld-bad-line' }, `line ${b.line}`), ' ', h('span', { class: 'sl-muted' }, b.kind), ': ', b.message))),
      badTotal > bad.length ? h('p', { class: 'sl-muted' }, `… and ${fmtInt(badTotal - bad.length)} more`) : null,
    );
    badBox.open = open;
  };

  const showProgress = (r: { lineCount: number; indexing: boolean; rows: number; scored: number; badTotal?: number }): void => {
    const parts: string[] = [];
    const name = init ? init.title : '';
    if (r.indexing) parts.push(`indexing… ${fmtInt(r.lineCount)} lines`);
    else parts.push(`${fmtInt(r.rows)} records`);
    if (total !== r.rows) parts.push(`${fmtInt(total)} shown`);
    if (init?.kind === 'dataset' && progress?.toScore) parts.push(progress.scored! >= progress.toScore ? 'scored' : `scoring ${fmtInt(progress.scored ?? 0)} / ${fmtInt(progress.toScore)}`);
    if (progress?.message) parts.push(progress.message);
    prog.textContent = parts.join(' · ');
    replaceChildren(title, h('strong', null, name || 'StepLens dataset'), init?.kind ? h('span', { class: 'sl-muted' }, init.kind === 'scored' ? ' · scored output' : ' · dataset') : null);
  };

  // ---------------------------------------------------------------- selection and detail
  let selectTimer: ReturnType<typeof setTimeout> | undefined;
  const select = (i: number, focusList = true): void => {
    if (total === 0) return;
    i = Math.max(0, Math.min(total - 1, i));
    selected = i;
    probe.selected = i;
    const top = i * ROW_H;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_H > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW_H - viewport.clientHeight;
    draw();
    if (focusList && document.activeElement !== viewport) viewport.focus({ preventScroll: true });
    const r = rowAt(i);
    if (r) loadDetail(r);
    else void fetchPage(Math.floor(i / PAGE_ROWS)).then(() => rowAt(i) && selected === i && loadDetail(rowAt(i)!));
  };

  const loadDetail = (r: Row): void => {
    selectedLine = r.line;
    save();
    if (detailFor === r.line && detail) return;
    detailFor = r.line;
    detail = null;
    renderDetail(r, null);
    const line = r.line;
    detailWait = rpc.request('record', { line }).then(
      (d) => {
        if (detailFor !== line) return d;
        detail = d;
        renderDetail(r, d);
        return d;
      },
      (e: Error) => {
        if (detailFor === line) renderDetail(r, null, e.message);
        return null;
      },
    );
    // The inspector panel follows the selection, a little later (holding j does not flood it).
    clearTimeout(selectTimer);
    selectTimer = setTimeout(() => rpc.notify('select', { line }), 200);
  };

  const noteBox = h('textarea', { class: 'sl-input sld-note', rows: '2', placeholder: 'Note (n) — Ctrl+Enter saves and goes on, Esc leaves', 'aria-label': 'Note' });
  const editBox = h('textarea', { class: 'sl-input sld-edit', rows: '8', spellcheck: 'false', 'aria-label': 'Edited SQL or completion' });

  const renderDetail = (r: Row, d: Detail | null, err?: string): void => {
    const rv = d?.review ?? r.review;
    const labels = init?.labels ?? [];
    const labelChips = labels.map((l, k) =>
      h('button', { type: 'button', class: ['sld-label', rv?.labels.includes(l) && 'sld-label-on'], dataset: { label: l }, title: `Toggle “${l}” (${k + 1})` }, h('kbd', null, String(k + 1)), ' ', l),
    );
    const extra = (rv?.labels ?? []).filter((l) => !labels.includes(l)).map((l) => h('span', { class: 'sld-label sld-label-on' }, l));
    const btn = (status: ReviewStatus, key: string, label: string): HTMLElement =>
      h('button', { type: 'button', class: ['sl-button', 'sld-act', `sld-act-${status}`, rv?.status === status && 'sld-act-on'], dataset: { status }, title: `${label} (${key})` }, icon(({ accepted: 'check', rejected: 'close', flagged: 'flag', pending: 'circle-large-outline' } as const)[status]), h('kbd', null, key), ' ', label);
    noteBox.value = rv?.note ?? '';
    const sql = d?.edit && 'sql' in d.edit ? d.edit.sql : (d?.pred_sql ?? '');
    const block = (label: string, text: string | null, what: 'sql' | 'completion' | 'gold', key: string | null): HTMLElement | null =>
      text === null || text === ''
        ? null
        : h(
            'div',
            { class: 'sld-block' },
            h('div', { class: 'sld-block-head' }, h('span', null, label), h('button', { type: 'button', class: 'sl-button sld-open', dataset: { open: what }, title: `Open as an editor document${key ? ` (${key})` : ''}` }, icon('go-to-file'), h('span', null, 'Open'))),
            h('pre', { class: `sld-pre sld-pre-${what}` }, text.length > 20_000 ? `${text.slice(0, 20_000)}\n… (${fmtInt(text.length)} characters; Open shows all)` : text),
          );
    replaceChildren(
      pane,
      h('div', { class: 'sld-detail-head' }, h('strong', null, `Line ${r.line}`), r.id !== null ? h('span', { class: 'sl-muted' }, ` · id ${r.id}`) : null, r.db_id ? h('span', { class: 'sl-muted' }, ` · ${r.db_id}`) : null),
      h('p', { class: 'sld-question' }, r.question ?? d?.question ?? ''),
      h('div', { class: 'sld-scores' }, d?.headline ? h('span', null, `${d.headline.name} `, h('span', { class: ['sl-chip', valueClass(d.headline.value)] }, fmtNum(d.headline.value))) : null, h('span', null, 'EX ', r.ex === null ? '–' : String(r.ex)), h('span', null, 'StepRTM ', fmtNum(r.step_rtm)), r.error_class ? h('span', { class: 'sl-bad' }, r.error_class) : null),
      h('div', { class: 'sld-acts' }, btn('accepted', 'a', 'Accept'), btn('rejected', 'r', 'Reject'), btn('flagged', 'f', 'Flag'), h('span', { class: ['sld-rv', `sld-rv-${rv?.status ?? 'none'}`] }, rv ? rv.status : 'pending')),
      h('div', { class: 'sld-labels' }, labelChips, extra, labels.length === 0 ? h('span', { class: 'sl-muted' }, 'No labels configured (steplens.review.labels).') : null),
      noteBox,
      h('div', { class: 'sld-edit-wrap', hidden: !editing }, h('div', { class: 'sl-muted' }, `Editing the ${editWhat(d)} (e) — Ctrl+Enter saves, Esc cancels`), editBox),
      err ? h('p', { class: 'sl-bad' }, err) : d?.reason ? h('p', { class: 'sl-muted' }, d.reason) : null,
      d ? block(d.edit && 'sql' in d.edit ? 'SQL (edited)' : 'Predicted SQL', sql, 'sql', 'o') : h('p', { class: 'sl-muted' }, err ? '' : 'Loading…'),
      d ? block('Gold SQL', d.gold_sql, 'gold', null) : null,
      d ? block(d.edit && 'completion' in d.edit ? 'Completion (edited)' : 'Completion', d.edit && 'completion' in d.edit ? d.edit.completion : d.completion, 'completion', 'Shift+O') : null,
    );
  };
  const editWhat = (d: Detail | null): 'SQL' | 'completion' => (d?.completion ? 'completion' : 'SQL');
  let editing = false;

  pane.addEventListener('click', (e) => {
    const t = e.target as Element;
    const st = t.closest<HTMLElement>('[data-status]');
    if (st) return void setStatus(st.dataset.status as ReviewStatus);
    const lb = t.closest<HTMLElement>('[data-label]');
    if (lb) return void toggleLabel(lb.dataset.label!);
    const op = t.closest<HTMLElement>('[data-open]');
    if (op && selectedLine !== null) void rpc.request('open', { line: selectedLine, what: op.dataset.open as 'sql' | 'completion' | 'gold' }).catch((x: Error) => showError(x.message));
  });

  // ---------------------------------------------------------------- annotation
  const current = async (): Promise<{ row: Row; d: Detail } | null> => {
    if (selected < 0) return null;
    const row = rowAt(selected);
    if (!row) return null;
    if (detailFor !== row.line || !detail) {
      loadDetail(row);
      const d = await detailWait;
      if (!d || detailFor !== row.line) return null;
    }
    return { row, d: detail! };
  };
  const stateOf = (line: number, rv: Review | null, d: Detail): AnnotateParams => ({ line, status: rv?.status ?? 'pending', labels: rv?.labels ?? [], note: rv?.note ?? null, edit: d.edit });

  let saving = 0;
  const annotate = async (next: AnnotateParams, undoable = true, prev?: AnnotateParams): Promise<boolean> => {
    saving++;
    setSave(`Saving line ${next.line}…`, 'busy');
    try {
      const r = await rpc.request('annotate', next);
      if (undoable && prev) undo.push(prev);
      if (undo.length > 200) undo.shift();
      // The row everywhere it is loaded, and the detail pane, show the acknowledged state.
      for (const pg of pages.values()) for (const row of pg) if (row.line === r.line) row.review = r.review;
      if (detail && detail.line === r.line) {
        detail.review = r.review;
        detail.edit = next.edit;
      }
      probe.saved++;
      saving--;
      setSave(`Saved line ${r.line}`, 'ok');
      draw();
      const row = selected >= 0 ? rowAt(selected) : undefined;
      if (row && row.line === r.line && detail) renderDetail(row, detail);
      return true;
    } catch (e) {
      saving--;
      setSave(`Not saved (line ${next.line}): ${(e as Error).message}`, 'bad');
      return false;
    }
  };
  const change = async (f: (s: AnnotateParams) => AnnotateParams): Promise<boolean> => {
    const c = await current();
    if (!c) return false;
    const prev = stateOf(c.row.line, c.d.review ?? c.row.review, c.d);
    return annotate(f({ ...prev, labels: [...prev.labels] }), true, prev);
  };
  const setStatus = (status: ReviewStatus): Promise<boolean> => change((s) => ({ ...s, status }));
  const toggleLabel = (l: string): Promise<boolean> => change((s) => ({ ...s, labels: s.labels.includes(l) ? s.labels.filter((x) => x !== l) : [...s.labels, l] }));
  const doUndo = async (): Promise<void> => {
    const prev = undo.pop();
    if (!prev) return setSave('Nothing to undo', 'info');
    if (await annotate(prev, false)) setSave(`Undone line ${prev.line}`, 'ok');
    else undo.push(prev);
  };
  /** Ctrl/Cmd+Enter: the note and edit as typed (and an accept if the record had no status), saved; then the next record. */
  const submitAndAdvance = async (): Promise<void> => {
    const c = await current();
    if (!c) return;
    const what = editWhat(c.d);
    const ok = await change((s) => ({
      ...s,
      status: s.status === 'pending' ? 'accepted' : s.status,
      note: noteBox.value.trim() === '' ? null : noteBox.value,
      edit: editing ? (what === 'SQL' ? { sql: editBox.value } : { completion: editBox.value }) : s.edit,
    }));
    if (!ok) return;
    editing = false;
    select(selected + 1);
  };
  const startEdit = async (): Promise<void> => {
    const c = await current();
    if (!c) return;
    editing = true;
    const d = c.d;
    editBox.value = d.edit ? ('sql' in d.edit ? d.edit.sql : d.edit.completion) : (d.completion ?? d.pred_sql ?? '');
    renderDetail(c.row, d);
    editBox.focus();
  };

  // ---------------------------------------------------------------- keyboard
  const typing = (t: EventTarget | null): boolean => t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
  document.addEventListener('keydown', (e) => {
    const mod = e.ctrlKey || e.metaKey;
    if (typing(e.target)) {
      if (mod && e.key === 'Enter' && (e.target === noteBox || e.target === editBox)) {
        e.preventDefault();
        void submitAndAdvance();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        if (e.target === editBox) {
          editing = false;
          const r = rowAt(selected);
          if (r) renderDetail(r, detail);
        }
        (e.target as HTMLElement).blur();
        viewport.focus({ preventScroll: true });
      }
      return;
    }
    if (e.altKey) return;
    if (mod && !e.shiftKey && (e.key === 'z' || e.key === 'Z')) {
      e.preventDefault();
      return void doUndo();
    }
    if (mod && e.key === 'Enter') {
      e.preventDefault();
      return void submitAndAdvance();
    }
    if (mod) return;
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_H) - 1);
    const k = e.key;
    const act = (f: () => void): void => {
      e.preventDefault();
      f();
    };
    if (k === 'ArrowDown' || k === 'j') act(() => select(selected + 1));
    else if (k === 'ArrowUp' || k === 'k') act(() => select(selected - 1));
    else if (k === 'PageDown') act(() => select(selected + page));
    else if (k === 'PageUp') act(() => select(selected - page));
    else if (k === 'Home') act(() => select(0));
    else if (k === 'End') act(() => select(total - 1));
    else if (k === 'a') act(() => void setStatus('accepted'));
    else if (k === 'r') act(() => void setStatus('rejected'));
    else if (k === 'f') act(() => void setStatus('flagged'));
    else if (k === 'u') act(() => void doUndo());
    else if (/^[1-9]$/.test(k)) {
      const l = init?.labels[Number(k) - 1];
      if (l) act(() => void toggleLabel(l));
    } else if (k === 'n') act(() => noteBox.focus());
    else if (k === 'e') act(() => void startEdit());
    else if (k === 'Enter') act(() => selectedLine !== null && rpc.notify('select', { line: selectedLine }));
    else if (k === 'o' || k === 'O') act(() => selectedLine !== null && void rpc.request('open', { line: selectedLine, what: e.shiftKey ? 'completion' : 'sql' }).catch((x: Error) => showError(x.message)));
    else if (k === '/') act(() => search.focus());
    else if (k === 'l') act(() => selectedLine !== null && void rpc.request('copyLink', { line: selectedLine }).then((r) => setSave(`Link copied: ${r.link}`, 'ok'), (x: Error) => showError(x.message)));
    else if (k === '?') act(() => toggleHelp());
    else if (k === 'Escape' && !shortcuts.hidden) act(() => toggleHelp());
  });
  const toggleHelp = (): void => {
    shortcuts.hidden = !shortcuts.hidden;
    helpBtn.setAttribute('aria-expanded', String(!shortcuts.hidden));
  };
  helpBtn.addEventListener('click', toggleHelp);
  exportBtn.addEventListener('click', () => {
    const filtered = Object.keys(query).some((k) => k !== 'sort');
    void rpc.request('export', { format: 'messages', query: filtered ? query : null }).then(
      (r) => r && setSave(`Exported ${fmtInt(r.count)} records to ${r.out}`, 'ok'),
      (x: Error) => showError(`Export failed: ${x.message}`),
    );
  });

  // ---------------------------------------------------------------- host messages
  const reveal = async (line: number): Promise<void> => {
    gen++;
    pages.clear();
    loading.clear();
    let at = await fetchPage(0, true, line);
    if (at === -1 && Object.keys(query).some((k) => k !== 'sort')) {
      // Not in this filter: show everything.
      query = query.sort ? { sort: query.sort } : {};
      writeControls();
      gen++;
      pages.clear();
      at = await fetchPage(0, true, line);
    }
    if (at !== undefined && at >= 0) {
      viewport.scrollTop = Math.max(0, at * ROW_H - viewport.clientHeight / 2);
      await fetchPage(Math.floor(at / PAGE_ROWS));
      select(at);
    } else if (at === -1) showError(`Line ${line} is not a record of this dataset.`);
  };

  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let lastRefresh = 0;
  rpc.on('init', (p) => {
    init = p;
    errorBar.hidden = true;
    if (p.warnings.length) showError(p.warnings.join(' · '));
    writeControls();
    showProgress({ lineCount: p.lineCount, indexing: p.indexing, rows: 0, scored: 0 });
    const line = p.reveal ?? selectedLine;
    if (line !== null) void reveal(line);
    else void reload(true);
  });
  rpc.on('progress', (p) => {
    progress = p;
    if (p.message && p.phase === 'ready') showError(p.message);
    // Rows fill in as the file is read and scored: the pages in view are asked for again, at most every 300 ms.
    const run = (): void => {
      lastRefresh = performance.now();
      const keep = selected;
      void reload(false).then(() => {
        if (keep >= 0 && selected === keep && total > 0 && !rowAt(keep)) void fetchPage(Math.floor(keep / PAGE_ROWS));
        if (selected < 0 && total > 0) select(0, false);
      });
    };
    clearTimeout(refreshTimer);
    const wait = Math.max(0, 300 - (performance.now() - lastRefresh));
    if (p.phase === 'ready' || wait === 0) run();
    else refreshTimer = setTimeout(run, wait);
  });
  rpc.on('reveal', (p) => void reveal(p.line));
  rpc.on('error', (p) => showError(p.message));

  rpc.notify('ready', { version: PROTOCOL_VERSION });
}

main();
