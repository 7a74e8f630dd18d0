// Entry of the HTML report page (bundled to dist/webview/report.js and inlined
// by src/report/html.ts): decode the embedded data, show the summary and the
// sample table, open samples in the drill-down. `#sample=<n>` in the address
// opens sample n (1-based) on load.

import { fmtInt, h, replaceChildren } from '../components/dom.ts';
import { renderDrilldown } from '../components/drilldown.ts';
import { SampleTable } from '../components/sample-table.ts';
import { renderSummary, type SummaryFilter } from '../components/summary-view.ts';
import type { SampleRow } from '../../src/report/payload.ts';
import { ReportData } from './data.ts';

declare global {
  interface Window {
    /** performance.now() when the first screen was rendered (read by the benchmark and tests). */
    __steplensReady?: number;
    __steplensError?: string;
  }
}

async function main(): Promise<void> {
  const app = document.getElementById('app')!;
  const data = await ReportData.load();
  const { meta, rows } = data;
  const summary = meta.summary;
  const headline = summary.distributions?.[summary.reward];
  const edges = headline?.histogram.edges;
  const rewardRange: [number, number] = edges && edges.length > 1 && edges[edges.length - 1] > edges[0] ? [Math.min(0, edges[0]), Math.max(1, edges[edges.length - 1])] : [0, 1];

  const detail = h('section', { class: 'sl-detail', id: 'sl-detail', 'aria-live': 'polite' });
  let openSeq = 0;
  let openRow: SampleRow | null = null;

  const close = () => {
    openRow = null;
    replaceChildren(detail);
    history.replaceState(null, '', location.pathname + location.search);
    table.focus();
  };

  const open = async (row: SampleRow, scroll: boolean) => {
    const seq = ++openSeq;
    openRow = row;
    const record = await data.record(row.i);
    if (seq !== openSeq) return;
    const at = table.visible.indexOf(row);
    const view = renderDrilldown(record, {
      position: at >= 0 ? { at, total: table.visible.length } : undefined,
      rewardRange,
      onPrev: () => {
        table.move(-1);
        const r = table.selectedRow;
        if (r && r !== openRow) void open(r, false);
      },
      onNext: () => {
        table.move(1);
        const r = table.selectedRow;
        if (r && r !== openRow) void open(r, false);
      },
      onClose: close,
    });
    replaceChildren(detail, view);
    history.replaceState(null, '', `#sample=${row.i + 1}`);
    if (scroll) detail.scrollIntoView({ block: 'start' });
  };

  const table = new SampleTable(rows, {
    rewardRange,
    errorClasses: Object.keys(summary.error_classes ?? {}).sort(),
    onOpen: (row) => void open(row, true),
    // Once a sample is open, moving through the list shows each one.
    onSelect: (row) => {
      if (row && openRow && row !== openRow) void open(row, false);
    },
  });

  const applySummaryFilter = (f: SummaryFilter) => {
    table.setFilter({
      ...(f.source !== undefined ? { source: f.source } : {}),
      ...(f.db !== undefined ? { db: f.db } : {}),
      ...(f.status !== undefined ? { status: f.status } : {}),
      ...(f.range !== undefined ? { range: f.range } : {}),
    });
    document.getElementById('sl-samples')?.scrollIntoView({ block: 'start' });
    table.focus();
  };
  const created = new Date(meta.created);
  const header = h(
    'header',
    { class: 'sl-top' },
    h('h1', { title: meta.title }, meta.title),
    h(
      'div',
      { class: 'sl-top-meta' },
      `${fmtInt(summary.records)} records · headline reward ${summary.reward}`,
      Number.isNaN(created.getTime()) ? null : ` · ${created.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    ),
    h('nav', { class: 'sl-top-nav' }, h('a', { href: '#sl-summary' }, 'Summary'), h('a', { href: '#sl-samples' }, 'Samples')),
  );

  replaceChildren(
    app,
    header,
    h(
      'main',
      null,
      h('details', { class: 'sl-section', id: 'sl-summary', open: true }, h('summary', null, h('h2', null, 'Summary')), renderSummary(summary, { onFilter: applySummaryFilter })),
      h('section', { class: 'sl-section', id: 'sl-samples' }, h('h2', null, 'Samples ', h('span', { class: 'sl-hint' }, '↑↓ / j k move · Enter opens · / searches')), table.el),
      detail,
    ),
  );

  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (e.key === '/' && !(t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement)) {
      e.preventDefault();
      (table.el.querySelector('.sl-search') as HTMLInputElement | null)?.focus();
    }
  });

  // `#sample=N` opens sample N: on load, and when the address changes (a shared link, back/forward).
  const openFromHash = () => {
    const m = /^#sample=(\d+)$/.exec(location.hash);
    if (!m) return;
    const i = Number(m[1]) - 1;
    if (rows[i]) {
      table.selectRow(i, true);
      void open(rows[i], true);
    }
  };
  window.addEventListener('hashchange', openFromHash);
  openFromHash();

  // First screen is up once the browser has painted it.
  requestAnimationFrame(() =>
    setTimeout(() => {
      window.__steplensReady = performance.now();
      document.documentElement.dataset.ready = '1';
    }, 0),
  );
}

main().catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  window.__steplensError = msg;
  const app = document.getElementById('app');
  if (app) replaceChildren(app, h('p', { class: 'sl-fatal' }, `The report could not be opened: ${msg}`));
  console.error(err);
});
