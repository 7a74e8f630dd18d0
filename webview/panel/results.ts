// Results view: the gold and predicted results as EX sees them (rows compared as bags of cells: rows
// only on one side, and the cells that differ from the unmatched row across; src/core/score/row-diff.ts),
// first on the record's previews, then, with "All N rows", on both whole results diffed host-side
// (`compareAll`); and Run Step results. Tables are virtualized (only the rows in view exist in the DOM)
// and a host-side result is paged: the table asks for the pages it shows, never more than maxRows rows
// per message, and cancels the requests for pages scrolled away.

import type { Cell, CompareAll, ResultMeta, RowsPage } from '../../src/extension/panel/protocol.ts';
import { PAGE_ROWS } from '../../src/extension/panel/protocol.ts';
import type { ResultPreview } from '../../src/core/score/types.ts';
import { diffRows, type RowDiff, type RowMark, type SideDiff } from '../../src/core/score/row-diff.ts';
import { cellText, fmtInt, fmtMs, h, icon, replaceChildren } from '../components/dom.ts';

export const ROW_H = 22;
const OVERSCAN = 12;
/** Pages kept in memory per result (LRU), so a 100,000-row result never sits whole in the webview. */
const KEEP_PAGES = 40;

export type { RowMark };

/** Where a table's rows come from. */
export interface RowSource {
  readonly columns: string[];
  readonly rowCount: number;
  /** The row if it is here (else the table shows a placeholder and asks `want`). */
  row(i: number): Cell[] | undefined;
  mark?(i: number): RowMark;
  /** Column indexes that differ from the partner row (for 'changed' rows). */
  diffCells?(i: number): readonly number[] | null | undefined;
  /** Rows [from, to) are in view: fetch what is missing, then call `ready`. */
  want?(from: number, to: number, ready: () => void): void;
}

export class StaticSource implements RowSource {
  readonly columns: string[];
  private readonly rows: Cell[][];
  private readonly marks: readonly RowMark[];
  private readonly diffs: readonly (number[] | null)[];
  constructor(columns: string[], rows: Cell[][], marks: readonly RowMark[] = [], diffs: readonly (number[] | null)[] = []) {
    this.columns = columns;
    this.rows = rows;
    this.marks = marks;
    this.diffs = diffs;
  }
  get rowCount(): number {
    return this.rows.length;
  }
  row(i: number): Cell[] | undefined {
    return this.rows[i];
  }
  mark(i: number): RowMark {
    return this.marks[i] ?? null;
  }
  diffCells(i: number): readonly number[] | null | undefined {
    return this.diffs[i];
  }
}

/** A page of rows, with their marks when the host diffed the result (`compareAll`). */
export type Page = Pick<RowsPage, 'rows' | 'marks' | 'diffs'>;
export type PageFetcher = (offset: number, limit: number, signal: AbortSignal) => Promise<Page>;

/** A host-side result, fetched a page at a time. */
export class PagedSource implements RowSource {
  private readonly pages = new Map<number, Page>();
  private readonly inflight = new Map<number, AbortController>();
  readonly columns: string[];
  readonly rowCount: number;
  /** Rows fetched so far (for tests and the benchmark). */
  fetchedRows = 0;
  private readonly fetch: PageFetcher;
  private readonly pageRows: number;

  constructor(meta: ResultMeta, fetch: PageFetcher, pageRows: number) {
    this.fetch = fetch;
    this.pageRows = pageRows;
    this.columns = meta.columns;
    this.rowCount = meta.rowCount;
    if (meta.first.length) this.pages.set(0, { rows: meta.first.slice(0, pageRows), marks: meta.firstMarks?.slice(0, pageRows), diffs: meta.firstDiffs?.slice(0, pageRows) });
  }

  private pageOf(i: number): Page | undefined {
    const p = Math.floor(i / this.pageRows);
    const page = this.pages.get(p);
    if (!page) return undefined;
    // Touch for LRU order.
    this.pages.delete(p);
    this.pages.set(p, page);
    return page;
  }

  row(i: number): Cell[] | undefined {
    return this.pageOf(i)?.rows[i % this.pageRows];
  }

  mark(i: number): RowMark {
    return this.pageOf(i)?.marks?.[i % this.pageRows] ?? null;
  }

  diffCells(i: number): readonly number[] | null | undefined {
    return this.pageOf(i)?.diffs?.[i % this.pageRows];
  }

  want(from: number, to: number, ready: () => void): void {
    const first = Math.floor(from / this.pageRows);
    const last = Math.floor(Math.max(from, to - 1) / this.pageRows);
    // Requests for pages out of view are no longer wanted.
    for (const [p, c] of this.inflight) {
      if (p < first - 1 || p > last + 1) {
        c.abort();
        this.inflight.delete(p);
      }
    }
    for (let p = first; p <= last; p++) {
      if (this.pages.has(p) || this.inflight.has(p)) continue;
      const c = new AbortController();
      this.inflight.set(p, c);
      const offset = p * this.pageRows;
      this.fetch(offset, Math.min(this.pageRows, this.rowCount - offset), c.signal).then(
        (page) => {
          this.inflight.delete(p);
          this.pages.set(p, page);
          this.fetchedRows += page.rows.length;
          while (this.pages.size > KEEP_PAGES) this.pages.delete(this.pages.keys().next().value!);
          ready();
        },
        () => this.inflight.delete(p),
      );
    }
  }
}

/**
 * A virtualized, keyboard-navigable grid: a fixed row height, only the rows in view (plus a margin)
 * are in the DOM, ↑/↓/PageUp/PageDown/Home/End move the active row, ←/→ the active column.
 */
export class VirtualTable {
  readonly el: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly body: HTMLElement;
  private readonly template: string;
  private active = 0;
  private activeCol = 0;
  private raf = 0;
  private drawnFrom = -1;
  private drawnTo = -1;
  private readonly drawn = new Map<number, HTMLElement>();
  private readonly src: RowSource;
  private readonly height: number;
  /** Which side of the comparison the rows are (the # column's marks say "missing" or "extra"). */
  private readonly side: 'gold' | 'pred' | null;

  constructor(src: RowSource, label: string, height = 320, side: 'gold' | 'pred' | null = null) {
    this.src = src;
    this.height = height;
    this.side = side;
    const widths = src.columns.map((c, j) => {
      let w = c.length;
      for (let i = 0; i < Math.min(50, src.rowCount); i++) {
        const r = src.row(i);
        if (r) w = Math.max(w, cellText(r[j] ?? null).length);
      }
      return Math.min(40, Math.max(4, w)) + 2;
    });
    const numW = String(src.rowCount).length + 2;
    // Widths in ch of the monospace font plus the cell padding (16px).
    this.template = `calc(${Math.max(4, numW)}ch + 16px) ${widths.map((w) => `calc(${w}ch + 16px)`).join(' ')}`;
    const head = h(
      'div',
      { class: 'slp-vt-head', role: 'row', style: { 'grid-template-columns': this.template } },
      h('div', { class: 'slp-vt-cell slp-vt-num', role: 'columnheader' }, '#'),
      src.columns.map((c) => h('div', { class: 'slp-vt-cell', role: 'columnheader', title: c }, c)),
    );
    this.body = h('div', { class: 'slp-vt-body', role: 'rowgroup', style: { height: `${src.rowCount * ROW_H}px`, '--slp-cols': this.template } });
    this.viewport = h(
      'div',
      {
        class: 'slp-vt',
        role: 'grid',
        tabindex: '0',
        'aria-label': label,
        'aria-rowcount': String(src.rowCount + 1),
        'aria-colcount': String(src.columns.length + 1),
        // A short result takes only its own height.
        style: { height: `${Math.min(height, (src.rowCount + 1) * ROW_H + 4)}px` },
      },
      h('div', { class: 'slp-vt-inner' }, head, this.body),
    );
    this.viewport.addEventListener('scroll', () => this.schedule());
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.el = this.viewport;
    this.draw();
  }

  /** Draws on the next frame (scroll events coalesce). */
  schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  get activeRow(): number {
    return this.active;
  }

  /** Rows present in the DOM now. */
  get renderedRows(): number {
    return this.drawn.size;
  }

  /**
   * Draws the rows in view. Rows already drawn are kept (fewer DOM operations and less garbage while
   * scrolling); `force` redraws only the rows that were still loading (their page has arrived).
   */
  draw(force = false): void {
    const n = this.src.rowCount;
    const top = this.viewport.scrollTop;
    const vh = this.viewport.clientHeight || this.height;
    const from = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const to = Math.min(n, Math.ceil((top + vh) / ROW_H) + OVERSCAN);
    this.src.want?.(from, to, () => this.draw(true));
    if (!force && from === this.drawnFrom && to === this.drawnTo) return;
    this.drawnFrom = from;
    this.drawnTo = to;
    for (const [i, el] of this.drawn) {
      if (i < from || i >= to) {
        el.remove();
        this.drawn.delete(i);
      }
    }
    for (let i = from; i < to; i++) {
      const el = this.drawn.get(i);
      if (el && !(force && el.dataset.loading)) continue;
      const fresh = this.rowEl(i);
      if (el) el.replaceWith(fresh);
      else this.body.appendChild(fresh);
      this.drawn.set(i, fresh);
    }
  }

  /** Redraws these rows (the active row moved). */
  private redraw(...rows: number[]): void {
    for (const i of rows) {
      const el = this.drawn.get(i);
      if (!el) continue;
      const fresh = this.rowEl(i);
      el.replaceWith(fresh);
      this.drawn.set(i, fresh);
    }
  }

  private rowEl(i: number): HTMLElement {
    const r = this.src.row(i);
    const mark = this.src.mark?.(i) ?? null;
    const diff = this.src.diffCells?.(i);
    const cells: HTMLElement[] = [h('div', { class: 'slp-vt-cell slp-vt-num', role: 'rowheader' }, mark ? markIcon(mark, this.side) : String(i + 1))];
    for (let j = 0; j < this.src.columns.length; j++) {
      const c = r ? (r[j] ?? null) : undefined;
      cells.push(
        h(
          'div',
          {
            class: ['slp-vt-cell', c === undefined && 'slp-vt-loading', c === null && 'sl-null', (typeof c === 'number' || typeof c === 'bigint') && 'sl-num', diff?.includes(j) && 'slp-cell-diff', i === this.active && j === this.activeCol && 'slp-vt-cur'],
            role: 'gridcell',
            title: c === undefined ? 'loading…' : undefined,
          },
          c === undefined ? '…' : cellText(c),
        ),
      );
    }
    const el = h(
      'div',
      {
        class: ['slp-vt-row', mark && `slp-row-${mark}`, i === this.active && 'slp-vt-active'],
        role: 'row',
        'aria-rowindex': String(i + 2),
        'aria-selected': i === this.active ? 'true' : 'false',
        style: { transform: `translateY(${i * ROW_H}px)` },
      },
      cells,
    );
    if (!r) el.dataset.loading = '1';
    return el;
  }

  /** Makes row i active and scrolls it into view. */
  goTo(i: number): void {
    const n = this.src.rowCount;
    if (!n) return;
    const was = this.active;
    this.active = Math.max(0, Math.min(n - 1, i));
    this.redraw(was, this.active);
    const top = this.active * ROW_H;
    const vh = this.viewport.clientHeight || this.height;
    const head = ROW_H;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_H + head > this.viewport.scrollTop + vh) this.viewport.scrollTop = top + ROW_H + head - vh;
    this.draw(true);
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor((this.viewport.clientHeight || this.height) / ROW_H) - 2);
    switch (e.key) {
      case 'ArrowDown':
        this.goTo(this.active + 1);
        break;
      case 'ArrowUp':
        this.goTo(this.active - 1);
        break;
      case 'PageDown':
        this.goTo(this.active + page);
        break;
      case 'PageUp':
        this.goTo(this.active - page);
        break;
      case 'Home':
        this.goTo(0);
        break;
      case 'End':
        this.goTo(this.src.rowCount - 1);
        break;
      case 'ArrowRight':
        this.activeCol = Math.min(this.src.columns.length - 1, this.activeCol + 1);
        this.redraw(this.active);
        break;
      case 'ArrowLeft':
        this.activeCol = Math.max(0, this.activeCol - 1);
        this.redraw(this.active);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}

/** Marks for the two previews: rows only on one side; unmatched rows paired in order, their differing cells. */
export function diffPreviews(gold: ResultPreview, pred: ResultPreview): RowDiff {
  return diffRows(gold.rows, pred.rows, gold.columns.length, pred.columns.length);
}

/** A row's mark in the # column: only in gold (missing from the prediction), only predicted (extra), or paired with differing cells. */
function markIcon(mark: 'only' | 'changed', side: 'gold' | 'pred' | null): HTMLElement {
  if (mark === 'changed') return h('span', { title: 'Paired with a row of the other side; the marked cells differ' }, icon('diff-modified', '≠'));
  return side === 'gold'
    ? h('span', { title: 'Only in the gold result (missing from the prediction)' }, icon('diff-removed', '−'))
    : h('span', { title: 'Only in the predicted result (not in gold)' }, icon('diff-added', '+'));
}

/** Runs one side's whole query (the prediction, or the gold query) host-side: its rows are then paged. */
export type RunAll = (side: 'gold' | 'pred') => Promise<ResultMeta>;
/** Runs both and diffs them host-side (when both previews executed). */
export type RunCompareAll = () => Promise<CompareAll>;
export type FetchPage = (result: string, offset: number, limit: number, signal: AbortSignal) => Promise<Page>;

interface AllRows {
  runAll: RunAll;
  compareAll: RunCompareAll | null;
  fetchPage: FetchPage;
  maxRows: number;
  onTable: (side: 'gold' | 'pred', t: VirtualTable) => void;
}

interface PreviewSide {
  box: HTMLElement;
  /** Swaps the preview for the host-side result, paged (with its marks after compareAll). */
  showAll(meta: ResultMeta): void;
  /** The "All N rows" button, while the preview is shown. */
  more: HTMLButtonElement | null;
}

/**
 * One side of the comparison: the record's preview (its first rows, with the diff marks), and when the
 * result has more, an "All N rows" button (see renderResults) that swaps in a table paged from the host.
 */
function previewSide(title: string, side: 'gold' | 'pred', pv: ResultPreview, marks: SideDiff | null, all: AllRows | null): PreviewSide {
  const count = h('span', { class: 'sl-muted' }, ` · ${fmtInt(pv.row_count)} row${pv.row_count === 1 ? '' : 's'}${pv.row_count > pv.rows.length ? ` (first ${pv.rows.length} shown)` : ''}${pv.truncated ? ' · row cap reached' : ''}`);
  const more =
    !pv.error && all && pv.row_count > pv.rows.length
      ? h('button', { type: 'button', class: 'sl-button slp-all-rows', dataset: { side }, title: `Run ${all.compareAll ? 'both queries' : `the ${side === 'gold' ? 'gold query' : 'prediction'}`} again and page through all the rows (at most maxRows = ${fmtInt(all.maxRows)} a side)${all.compareAll ? ', every row compared' : ''}` }, icon('list-flat'), h('span', null, `All ${fmtInt(pv.row_count)} rows`))
      : null;
  const head = h('div', { class: 'sl-diff-head' }, h('strong', null, title), pv.error ? h('span', { class: 'sl-bad' }, ' · error') : count, h('span', { class: 'sl-muted' }, ` · ${fmtMs(pv.elapsed_ms)}`), more ? [' ', more] : null);
  if (pv.error) return { box: h('div', { class: 'sl-diff-side' }, head, h('div', { class: 'sl-error-box' }, h('span', { class: 'sl-mono sl-error-kind' }, pv.error.kind), ' ', pv.error.message)), showAll: () => undefined, more: null };
  let table = new VirtualTable(new StaticSource(pv.columns, pv.rows, marks?.marks, marks?.diffs), `${title} result`, 260, side);
  const box = h('div', { class: 'sl-diff-side', dataset: { side } }, head, table.el);
  const out: PreviewSide = {
    box,
    more: more as HTMLButtonElement | null,
    showAll(meta) {
      if (!all) return;
      const fetch: PageFetcher = (offset, limit, signal) => all.fetchPage(meta.id, offset, limit, signal);
      const full = new VirtualTable(new PagedSource(meta, fetch, Math.min(PAGE_ROWS, all.maxRows)), `${title} result, all rows`, 260, side);
      count.textContent = ` · ${fmtInt(meta.rowCount)} row${meta.rowCount === 1 ? '' : 's'}, paged${meta.truncated ? ` (cut at maxRows = ${fmtInt(all.maxRows)})` : ''}${meta.firstMarks ? '' : ' · differences marked in the first ' + pv.rows.length + ' only'}`;
      out.more?.remove();
      out.more = null;
      table.el.replaceWith(full.el);
      table = full;
      full.draw(true);
      all.onTable(side, full);
    },
  };
  return out;
}

/** The comparison's verdict line: what differs, and over which rows. */
function verdictLine(gold: ResultPreview, pred: ResultPreview, d: { onlyGold: number; onlyPred: number; changed: number } | null, whole: { gold: ResultMeta; pred: ResultMeta } | null): HTMLElement {
  const parts: (HTMLElement | string)[] = [];
  if (!d) parts.push(h('span', { class: 'sl-bad' }, gold.error && pred.error ? 'both sides failed' : gold.error ? 'the gold query failed' : 'the prediction failed'));
  else if (d.onlyGold || d.onlyPred || d.changed) {
    const n = (k: number) => `${fmtInt(k)} row${k === 1 ? '' : 's'}`;
    if (d.changed) parts.push(h('span', { class: 'sl-warn' }, icon('diff-modified', '≠'), ` ${n(d.changed)} with differing cells`));
    if (d.onlyGold) parts.push(h('span', { class: 'sl-bad' }, icon('diff-removed', '−'), ` ${n(d.onlyGold)} only in gold`));
    if (d.onlyPred) parts.push(h('span', { class: 'sl-bad' }, icon('diff-added', '+'), ` ${n(d.onlyPred)} only in predicted`));
  } else parts.push(h('span', { class: 'sl-ok' }, (whole ? whole.gold.rowCount : gold.rows.length) ? 'same rows (as bags of cells)' : 'both empty'));
  const partial = gold.row_count > gold.rows.length || pred.row_count > pred.rows.length;
  const scope = whole
    ? h('span', { class: 'sl-muted' }, ` · every row compared (gold ${fmtInt(whole.gold.rowCount)}, predicted ${fmtInt(whole.pred.rowCount)})${whole.gold.truncated || whole.pred.truncated ? ' — cut at maxRows: rows past it are not compared' : ''}`)
    : partial && d
      ? h('span', { class: 'sl-muted' }, ` · previews only: rows past the first ${fmtInt(Math.max(gold.rows.length, pred.rows.length))} are not compared here (All N rows compares every row)`)
      : null;
  return h('div', { class: 'sl-diff-verdict' }, parts.flatMap((x, i) => (i ? [' · ', x] : [x])), scope);
}

export interface ResultsView {
  el: HTMLElement;
  /** A Run Step result landed. */
  showResult(meta: ResultMeta): VirtualTable | null;
  readonly runTable: VirtualTable | null;
  /** The comparison's paged tables, once "All N rows" has loaded them. */
  readonly fullTables: { gold?: VirtualTable; pred?: VirtualTable };
}

export function renderResults(
  x: { gold: ResultPreview; pred: ResultPreview } | null,
  steps: readonly { name: string | null }[],
  fetchPage: FetchPage,
  run: (step: string | null, side?: 'gold' | 'pred') => void,
  maxRows: number,
  infrastructureError = false,
  runAll: RunAll | null = null,
  compareAll: RunCompareAll | null = null,
): ResultsView {
  let runTable: VirtualTable | null = null;
  const fullTables: { gold?: VirtualTable; pred?: VirtualTable } = {};
  const compare = x
    ? (() => {
        const both = !x.gold.error && !x.pred.error;
        const d = both ? diffPreviews(x.gold, x.pred) : null;
        const all: AllRows | null = runAll ? { runAll, compareAll: both ? compareAll : null, fetchPage, maxRows, onTable: (side, t) => (fullTables[side] = t) } : null;
        let verdict = verdictLine(x.gold, x.pred, d, null);
        const sides = { gold: previewSide('Gold', 'gold', x.gold, d?.gold ?? null, all), pred: previewSide('Predicted', 'pred', x.pred, d?.pred ?? null, all) };
        const buttons = [sides.gold.more, sides.pred.more].filter((b): b is HTMLButtonElement => b !== null);
        const loading = (on: boolean, label?: string): void => {
          for (const b of buttons) {
            b.disabled = on;
            if (label) replaceChildren(b, label);
          }
        };
        /** A query failed when run again (an execution error has a kind; a lost request only a message). */
        const failed = (e: { kind?: string; message: string }): void => {
          loading(false, e.kind ? `Failed: ${e.kind}` : 'Failed');
          for (const b of buttons) b.title = e.message;
        };
        for (const b of buttons) {
          const side = b.dataset.side as 'gold' | 'pred';
          b.addEventListener('click', () => {
            if (!all) return;
            loading(true, 'Loading…');
            if (all.compareAll) {
              // Both sides at once, every row diffed host-side.
              all.compareAll().then((c) => {
                if (c.gold.error || c.pred.error || !c.diff) return failed((c.pred.error ?? c.gold.error)!);
                sides.gold.showAll(c.gold);
                sides.pred.showAll(c.pred);
                const v = verdictLine(x.gold, x.pred, c.diff, c);
                verdict.replaceWith(v);
                verdict = v;
              }, failed);
            } else {
              all.runAll(side).then((meta) => (meta.error ? failed(meta.error) : sides[side].showAll(meta)), failed);
            }
          });
        }
        return h(
          'section',
          { class: 'slp-card' },
          h('h3', null, 'Gold vs predicted (as EX compares them)'),
          verdict,
          h('div', { class: 'sl-diff-sides' }, sides.gold.box, sides.pred.box),
        );
      })()
    : h(
        'section',
        { class: 'slp-card' },
        h('h3', null, 'Gold vs predicted'),
        h('p', { class: infrastructureError ? 'sl-warn' : 'sl-muted' }, infrastructureError ? 'Not scored: the database was locked, unreadable or gone (an infrastructure error, not a mismatch).' : 'Not executed: no database file for this statement.'),
      );

  const runSlot = h('div', { class: 'slp-run-slot' }, h('p', { class: 'sl-muted' }, 'Run a step to see all its rows (paged, at most maxRows).'));
  const buttons = h(
    'div',
    { class: 'slp-toolbar' },
    steps.filter((st) => st.name !== null).map((st) => h('button', { type: 'button', class: 'sl-button', title: `WITH … SELECT * FROM ${st.name}`, onclick: () => run(st.name) }, icon('play'), h('span', null, `Run ${st.name}`))),
    h('button', { type: 'button', class: 'sl-button', title: 'Run the whole statement', onclick: () => run(null) }, icon('play'), h('span', null, 'Run query')),
    x ? h('button', { type: 'button', class: 'sl-button', title: 'Run the gold query: all its rows, paged', onclick: () => run(null, 'gold') }, icon('play'), h('span', null, 'Run gold query')) : null,
  );
  const runCard = h('section', { class: 'slp-card' }, h('h3', null, 'Run step'), buttons, runSlot);

  const el = h('div', { class: 'slp-results' }, compare, runCard);
  return {
    el,
    get runTable() {
      return runTable;
    },
    fullTables,
    showResult(meta) {
      const head = h(
        'div',
        { class: 'sl-diff-head' },
        h('strong', null, meta.side === 'gold' ? 'gold query' : (meta.step ?? 'whole statement')),
        meta.error ? h('span', { class: 'sl-bad' }, ` · ${meta.error.kind}`) : h('span', { class: 'sl-muted' }, ` · ${fmtInt(meta.rowCount)} row${meta.rowCount === 1 ? '' : 's'}${meta.truncated ? ` (cut at maxRows = ${fmtInt(maxRows)})` : ''} · ${fmtMs(meta.elapsedMs)}`),
      );
      const sql = h('pre', { class: 'sl-sql slp-run-sql' }, meta.sql);
      if (meta.error) {
        runTable = null;
        replaceChildren(runSlot, head, sql, h('div', { class: 'sl-error-box' }, h('span', { class: 'sl-mono sl-error-kind' }, meta.error.kind), ' ', meta.error.message));
        return null;
      }
      const src = new PagedSource(meta, (offset, limit, signal) => fetchPage(meta.id, offset, limit, signal), Math.min(PAGE_ROWS, maxRows));
      runTable = new VirtualTable(src, `Rows of ${meta.side === 'gold' ? 'the gold query' : (meta.step ?? 'the statement')}`, 360);
      replaceChildren(runSlot, head, sql, runTable.el);
      runTable.draw(true);
      return runTable;
    },
  };
}
