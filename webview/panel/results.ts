// Results view: the gold and predicted results as EX sees them (the record's previews, rows compared as
// bags of cells: rows only on one side, and the cells that differ from the unmatched row across), and
// Run Step results. Tables are virtualized (only the rows in view exist in the DOM) and a Run Step
// result is paged from the host: the table asks for the pages it shows, never more than maxRows rows
// per message, and cancels the requests for pages scrolled away.

import type { Cell, ResultMeta } from '../../src/extension/panel/protocol.ts';
import { PAGE_ROWS } from '../../src/extension/panel/protocol.ts';
import type { ResultPreview } from '../../src/core/score/types.ts';
import { cellText, fmtInt, fmtMs, h, replaceChildren } from '../components/dom.ts';
import { rowKey, rowsFound } from '../components/result-diff.ts';

export const ROW_H = 22;
const OVERSCAN = 12;
/** Pages kept in memory per result (LRU), so a 100,000-row result never sits whole in the webview. */
const KEEP_PAGES = 40;

export type RowMark = 'only' | 'changed' | null;

/** Where a table's rows come from. */
export interface RowSource {
  readonly columns: string[];
  readonly rowCount: number;
  /** The row if it is here (else the table shows a placeholder and asks `want`). */
  row(i: number): Cell[] | undefined;
  mark?(i: number): RowMark;
  /** Column indexes that differ from the partner row (for 'changed' rows). */
  diffCells?(i: number): ReadonlySet<number> | undefined;
  /** Rows [from, to) are in view: fetch what is missing, then call `ready`. */
  want?(from: number, to: number, ready: () => void): void;
}

export class StaticSource implements RowSource {
  readonly columns: string[];
  private readonly rows: Cell[][];
  private readonly marks: RowMark[];
  private readonly diffs: (Set<number> | undefined)[];
  constructor(columns: string[], rows: Cell[][], marks: RowMark[] = [], diffs: (Set<number> | undefined)[] = []) {
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
  diffCells(i: number): ReadonlySet<number> | undefined {
    return this.diffs[i];
  }
}

export type PageFetcher = (offset: number, limit: number, signal: AbortSignal) => Promise<Cell[][]>;

/** A host-side result, fetched a page at a time. */
export class PagedSource implements RowSource {
  private readonly pages = new Map<number, Cell[][]>();
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
    if (meta.first.length) this.pages.set(0, meta.first.slice(0, pageRows));
  }

  row(i: number): Cell[] | undefined {
    const p = Math.floor(i / this.pageRows);
    const page = this.pages.get(p);
    if (!page) return undefined;
    // Touch for LRU order.
    this.pages.delete(p);
    this.pages.set(p, page);
    return page[i - p * this.pageRows];
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
        (rows) => {
          this.inflight.delete(p);
          this.pages.set(p, rows);
          this.fetchedRows += rows.length;
          while (this.pages.size > KEEP_PAGES) this.pages.delete(this.pages.keys().next().value!);
          ready();
        },
        () => this.inflight.delete(p),
      );
    }
  }
}

/**
 * A paged result that keeps the preview's difference marks on its first rows, where a row is the same
 * as the preview's row at that place (the query ran again: a row that moved gets no stale mark).
 */
export class MarkedPagedSource extends PagedSource {
  private readonly preview: readonly Cell[][];
  private readonly marks: readonly RowMark[];
  private readonly diffs: readonly (Set<number> | undefined)[];
  constructor(meta: ResultMeta, fetch: PageFetcher, pageRows: number, preview: readonly Cell[][], marks: readonly RowMark[], diffs: readonly (Set<number> | undefined)[]) {
    super(meta, fetch, pageRows);
    this.preview = preview;
    this.marks = marks;
    this.diffs = diffs;
  }
  private same(i: number): boolean {
    const r = i < this.preview.length ? this.row(i) : undefined;
    return r !== undefined && rowKey(r) === rowKey(this.preview[i]);
  }
  mark(i: number): RowMark {
    return this.same(i) ? (this.marks[i] ?? null) : null;
  }
  diffCells(i: number): ReadonlySet<number> | undefined {
    return this.same(i) ? this.diffs[i] : undefined;
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

  constructor(src: RowSource, label: string, height = 320) {
    this.src = src;
    this.height = height;
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
    const cells: HTMLElement[] = [h('div', { class: 'slp-vt-cell slp-vt-num', role: 'rowheader' }, mark === 'only' ? '±' : mark === 'changed' ? '≠' : String(i + 1))];
    for (let j = 0; j < this.src.columns.length; j++) {
      const c = r ? (r[j] ?? null) : undefined;
      cells.push(
        h(
          'div',
          {
            class: ['slp-vt-cell', c === undefined && 'slp-vt-loading', c === null && 'sl-null', (typeof c === 'number' || typeof c === 'bigint') && 'sl-num', diff?.has(j) && 'slp-cell-diff', i === this.active && j === this.activeCol && 'slp-vt-cur'],
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
export function diffPreviews(gold: ResultPreview, pred: ResultPreview): { gold: { marks: RowMark[]; diffs: (Set<number> | undefined)[] }; pred: { marks: RowMark[]; diffs: (Set<number> | undefined)[] } } {
  const gf = rowsFound(gold.rows, pred.rows);
  const pf = rowsFound(pred.rows, gold.rows);
  const gOnly = gf.flatMap((f, i) => (f ? [] : [i]));
  const pOnly = pf.flatMap((f, i) => (f ? [] : [i]));
  const side = (found: boolean[]) => ({ marks: found.map((f): RowMark => (f ? null : 'only')), diffs: found.map((): Set<number> | undefined => undefined) });
  const g = side(gf);
  const p = side(pf);
  const sameWidth = gold.columns.length === pred.columns.length;
  for (let k = 0; sameWidth && k < Math.min(gOnly.length, pOnly.length); k++) {
    const a = gold.rows[gOnly[k]];
    const b = pred.rows[pOnly[k]];
    const d = new Set<number>();
    a.forEach((c, j) => {
      if (rowKey([c]) !== rowKey([b[j] ?? null])) d.add(j);
    });
    if (d.size < a.length) {
      g.marks[gOnly[k]] = 'changed';
      p.marks[pOnly[k]] = 'changed';
      g.diffs[gOnly[k]] = d;
      p.diffs[pOnly[k]] = d;
    }
  }
  return { gold: g, pred: p };
}

/** Runs one side's whole query (the prediction, or the gold query) host-side: its rows are then paged. */
export type RunAll = (side: 'gold' | 'pred') => Promise<ResultMeta>;
export type FetchPage = (result: string, offset: number, limit: number, signal: AbortSignal) => Promise<Cell[][]>;

/**
 * One side of the comparison: the record's preview (its first rows, with the diff marks), and when the
 * result has more, an "All N rows" button that runs the query again host-side and swaps in a table paged
 * from the host (never more than maxRows rows per message; the marks cover the preview only).
 */
function previewSide(
  title: string,
  side: 'gold' | 'pred',
  pv: ResultPreview,
  marks: { marks: RowMark[]; diffs: (Set<number> | undefined)[] } | null,
  all: { runAll: RunAll; fetchPage: FetchPage; maxRows: number; onTable: (side: 'gold' | 'pred', t: VirtualTable) => void } | null,
): HTMLElement {
  const count = h('span', { class: 'sl-muted' }, ` · ${fmtInt(pv.row_count)} row${pv.row_count === 1 ? '' : 's'}${pv.row_count > pv.rows.length ? ` (first ${pv.rows.length} shown)` : ''}${pv.truncated ? ' · row cap reached' : ''}`);
  const more =
    !pv.error && all && pv.row_count > pv.rows.length
      ? h('button', { type: 'button', class: 'sl-button slp-all-rows', dataset: { side }, title: `Run the ${side === 'gold' ? 'gold query' : 'prediction'} again and page through all its rows (at most maxRows = ${fmtInt(all.maxRows)})` }, `All ${fmtInt(pv.row_count)} rows`)
      : null;
  const head = h('div', { class: 'sl-diff-head' }, h('strong', null, title), pv.error ? h('span', { class: 'sl-bad' }, ' · error') : count, h('span', { class: 'sl-muted' }, ` · ${fmtMs(pv.elapsed_ms)}`), more ? [' ', more] : null);
  if (pv.error) return h('div', { class: 'sl-diff-side' }, head, h('div', { class: 'sl-error-box' }, h('span', { class: 'sl-mono sl-error-kind' }, pv.error.kind), ' ', pv.error.message));
  const t = new VirtualTable(new StaticSource(pv.columns, pv.rows, marks?.marks, marks?.diffs), `${title} result`, 260);
  const box = h('div', { class: 'sl-diff-side', dataset: { side } }, head, t.el);
  if (more && all) {
    more.addEventListener('click', () => {
      (more as HTMLButtonElement).disabled = true;
      more.textContent = 'Loading…';
      all.runAll(side).then(
        (meta) => {
          if (meta.error) {
            more.textContent = `Failed: ${meta.error.kind}`;
            more.title = meta.error.message;
            return;
          }
          const fetch: PageFetcher = (offset, limit, signal) => all.fetchPage(meta.id, offset, limit, signal);
          const pageRows = Math.min(PAGE_ROWS, all.maxRows);
          const src = marks ? new MarkedPagedSource(meta, fetch, pageRows, pv.rows, marks.marks, marks.diffs) : new PagedSource(meta, fetch, pageRows);
          const full = new VirtualTable(src, `${title} result, all rows`, 260);
          count.textContent = ` · ${fmtInt(meta.rowCount)} row${meta.rowCount === 1 ? '' : 's'}, paged${meta.truncated ? ` (cut at maxRows = ${fmtInt(all.maxRows)})` : ''} · differences marked in the first ${pv.rows.length} only`;
          more.remove();
          t.el.replaceWith(full.el);
          full.draw(true);
          all.onTable(side, full);
        },
        (e: Error) => {
          (more as HTMLButtonElement).disabled = false;
          more.textContent = `All ${fmtInt(pv.row_count)} rows`;
          more.title = `Failed: ${e.message}`;
        },
      );
    });
  }
  return box;
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
): ResultsView {
  let runTable: VirtualTable | null = null;
  const fullTables: { gold?: VirtualTable; pred?: VirtualTable } = {};
  const all = runAll ? { runAll, fetchPage, maxRows, onTable: (side: 'gold' | 'pred', t: VirtualTable) => (fullTables[side] = t) } : null;
  const compare = x
    ? (() => {
        const both = !x.gold.error && !x.pred.error;
        const d = both ? diffPreviews(x.gold, x.pred) : null;
        const onlyG = d ? d.gold.marks.filter((m) => m === 'only').length : 0;
        const onlyP = d ? d.pred.marks.filter((m) => m === 'only').length : 0;
        const changed = d ? d.gold.marks.filter((m) => m === 'changed').length : 0;
        const partial = x.gold.row_count > x.gold.rows.length || x.pred.row_count > x.pred.rows.length;
        const verdict = !both
          ? h('span', { class: 'sl-bad' }, x.gold.error && x.pred.error ? 'both sides failed' : x.gold.error ? 'the gold query failed' : 'the prediction failed')
          : onlyG || onlyP || changed
            ? h(
                'span',
                null,
                [
                  changed ? h('span', { class: 'sl-warn' }, `${changed} row${changed === 1 ? '' : 's'} with differing cells (≠)`) : null,
                  onlyG ? h('span', { class: 'sl-bad' }, `${onlyG} row${onlyG === 1 ? '' : 's'} only in gold (±)`) : null,
                  onlyP ? h('span', { class: 'sl-bad' }, `${onlyP} row${onlyP === 1 ? '' : 's'} only in predicted (±)`) : null,
                ]
                  .filter((x): x is HTMLElement => x !== null)
                  .flatMap((x, i) => (i ? [' · ', x] : [x])),
              )
            : h('span', { class: 'sl-ok' }, x.gold.rows.length ? 'same rows (as bags of cells)' : 'both empty');
        return h(
          'section',
          { class: 'slp-card' },
          h('h3', null, 'Gold vs predicted (as EX compares them)'),
          h('div', { class: 'sl-diff-verdict' }, verdict, partial ? h('span', { class: 'sl-muted' }, ` · previews only: rows past the first ${fmtInt(Math.max(x.gold.rows.length, x.pred.rows.length))} are not compared here (All N rows pages through them)`) : null),
          h('div', { class: 'sl-diff-sides' }, previewSide('Gold', 'gold', x.gold, d?.gold ?? null, all), previewSide('Predicted', 'pred', x.pred, d?.pred ?? null, all)),
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
    steps.filter((st) => st.name !== null).map((st) => h('button', { type: 'button', class: 'sl-button', title: `WITH … SELECT * FROM ${st.name}`, onclick: () => run(st.name) }, `Run ${st.name}`)),
    h('button', { type: 'button', class: 'sl-button', title: 'Run the whole statement', onclick: () => run(null) }, 'Run query'),
    x ? h('button', { type: 'button', class: 'sl-button', title: 'Run the gold query: all its rows, paged', onclick: () => run(null, 'gold') }, 'Run gold query') : null,
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
