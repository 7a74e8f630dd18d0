// The sample list: a filter bar and a virtualized, sortable table. Only the
// rows in view (plus a few) exist in the DOM, so 15,000+ samples scroll and
// filter instantly. Keyboard: ↑/↓ or j/k move, PgUp/PgDn, Home/End, Enter
// opens; a click selects and opens.

import type { SampleRow } from '../../src/report/payload.ts';
import { fmtInt, fmtNum, h, icon, replaceChildren, valueClass } from './dom.ts';
import type { RangeField } from './summary-view.ts';

export type ColumnKey = 'i' | 'source' | 'db' | 'id' | 'question' | 'reward' | 'ex' | 'qa' | 'relpmF1' | 'rtm' | 'steps' | 'errors';

export interface TableFilter {
  /** Case-insensitive substring of question, evidence, predicted/gold SQL, id, db_id or source. */
  text: string;
  source: string;
  db: string;
  /** '' | errors | ex-wrong | ex-right | ts-wrong | ts-right | no-exec | bad | infra | class:<stage/kind> */
  status: string;
  rewardMin: number | null;
  rewardMax: number | null;
  /** A range on one numeric column (set by clicking a histogram bar). */
  range: { field: RangeField; lo: number; hi: number; hiInclusive: boolean; label: string } | null;
}

export const EMPTY_FILTER: TableFilter = { text: '', source: '', db: '', status: '', rewardMin: null, rewardMax: null, range: null };

export interface SortState {
  key: ColumnKey;
  dir: 1 | -1;
}

export interface SampleTableOptions {
  /** Open a sample (click or Enter). */
  onOpen?: (row: SampleRow) => void;
  /** The selection moved (keyboard or click). */
  onSelect?: (row: SampleRow | null) => void;
  /** The filtered/sorted list changed. */
  onChange?: (visible: readonly SampleRow[]) => void;
  /** Colour scale of the headline reward (default [0, 1]). */
  rewardRange?: [number, number];
  /** Error classes offered by the status filter. */
  errorClasses?: string[];
  /** Height of the scrolling area in px (default: 28 rows). */
  height?: number;
}

interface Column {
  key: ColumnKey;
  label: string;
  title: string;
  width: string;
  num?: boolean;
  /** Sort value (null sorts last). */
  value: (r: SampleRow) => number | string | null;
  cell: (r: SampleRow) => Node | string;
}

export const ROW_HEIGHT = 26;
const OVERSCAN = 8;

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function scoreCell(x: number | null, lo = 0, hi = 1): Node | string {
  if (x === null) return h('span', { class: 'sl-muted' }, '–');
  return h('span', { class: ['sl-chip', valueClass(x, lo, hi)] }, fmtNum(x));
}

function exCell(x: number | null, infra = false): Node | string {
  // Not a wrong answer: the database was locked, unreadable or gone (status infrastructure_error).
  if (infra) return h('span', { class: 'sl-warn', title: 'Not scored: infrastructure error (database locked, unreadable or gone)' }, icon('warning', '⚠'));
  if (x === null) return h('span', { class: 'sl-muted' }, '–');
  return x === 1 ? h('span', { class: 'sl-ok', title: 'EX correct' }, icon('check', '✓')) : h('span', { class: 'sl-bad', title: 'EX wrong' }, icon('close', '✗'));
}

function matchesStatus(r: SampleRow, status: string): boolean {
  switch (status) {
    case '':
      return true;
    case 'errors':
      return r.errors.length > 0;
    case 'ex-wrong':
      return r.ex === 0;
    case 'ex-right':
      return r.ex === 1;
    case 'ts-wrong':
      return r.ts === false;
    case 'ts-right':
      return r.ts === true;
    case 'no-exec':
      return r.ex === null && !r.bad && !r.infra;
    case 'bad':
      return r.bad;
    case 'infra':
      return r.infra;
    default:
      return status.startsWith('class:') ? r.errors.includes(status.slice(6)) : true;
  }
}

export class SampleTable {
  readonly el: HTMLElement;
  private readonly rows: readonly SampleRow[];
  private readonly opts: SampleTableOptions;
  private readonly columns: Column[];
  private visibleRows: SampleRow[] = [];
  private filter: TableFilter = { ...EMPTY_FILTER };
  private sortState: SortState = { key: 'i', dir: 1 };
  private selected: number | null = null; // SampleRow.i
  private haystacks: string[] | null = null;
  private readonly viewport: HTMLElement;
  private readonly body: HTMLElement;
  private readonly head: HTMLElement;
  private readonly countEl: HTMLElement;
  private readonly chipEl: HTMLElement;
  private readonly inputs: { text: HTMLInputElement; source: HTMLSelectElement; db: HTMLSelectElement; status: HTMLSelectElement; min: HTMLInputElement; max: HTMLInputElement };
  private frame = 0;
  private textTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(rows: readonly SampleRow[], opts: SampleTableOptions = {}) {
    this.rows = rows;
    this.opts = opts;
    const [rlo, rhi] = opts.rewardRange ?? [0, 1];
    const sources = [...new Set(rows.map((r) => r.source))].sort(collator.compare);
    const dbs = [...new Set(rows.map((r) => r.db).filter((d): d is string => d !== null))].sort(collator.compare);
    const rewardName = rows.find((r) => r.rewardName)?.rewardName ?? 'reward';

    const all: Column[] = [
      { key: 'i', label: '#', title: 'Position in the report', width: '52px', num: true, value: (r) => r.i, cell: (r) => String(r.i + 1) },
      { key: 'source', label: 'source', title: 'Input file (system)', width: 'minmax(70px, 1.1fr)', value: (r) => r.source, cell: (r) => r.source },
      { key: 'db', label: 'db_id', title: 'Database', width: 'minmax(70px, 0.9fr)', value: (r) => r.db, cell: (r) => r.db ?? '–' },
      { key: 'id', label: 'id', title: 'Record id', width: 'minmax(56px, 0.7fr)', value: (r) => (r.id === null ? null : String(r.id)), cell: (r) => (r.id === null ? '–' : String(r.id)) },
      {
        key: 'question',
        label: 'question',
        title: 'Question (or the predicted SQL when there is none)',
        width: 'minmax(160px, 4fr)',
        value: (r) => r.question ?? r.predSql,
        cell: (r) => (r.question !== null ? r.question : h('span', { class: 'sl-mono sl-muted' }, r.predSql ?? (r.bad ? 'bad record' : ''))),
      },
      { key: 'reward', label: rewardName.length <= 12 ? rewardName : 'reward', title: `Headline reward: ${rewardName}`, width: '74px', num: true, value: (r) => r.reward, cell: (r) => scoreCell(r.reward, rlo, rhi) },
      { key: 'ex', label: 'EX', title: 'Execution accuracy (layout A)', width: '40px', num: true, value: (r) => r.ex, cell: (r) => exCell(r.ex, r.infra) },
      { key: 'qa', label: 'QA', title: 'QATCH cp·cr·tc', width: '64px', num: true, value: (r) => r.qa, cell: (r) => scoreCell(r.qa) },
      { key: 'relpmF1', label: 'RelPM F1', title: 'RelPM F1 (plan match)', width: '72px', num: true, value: (r) => r.relpmF1, cell: (r) => scoreCell(r.relpmF1) },
      { key: 'rtm', label: 'StepRTM', title: 'StepRTM total (Σ step rewards)', width: '72px', num: true, value: (r) => r.rtm, cell: (r) => scoreCell(r.rtm) },
      { key: 'steps', label: 'steps', title: 'Number of steps (CTEs + main query)', width: '50px', num: true, value: (r) => r.steps, cell: (r) => (r.steps ? String(r.steps) : '–') },
      {
        key: 'errors',
        label: 'errors',
        title: 'Errors (stage/kind)',
        width: 'minmax(80px, 1.2fr)',
        value: (r) => r.errors.length || null,
        cell: (r) => (r.errors.length ? h('span', { class: 'sl-bad sl-mono', title: r.errors.join('\n') }, r.errors.length > 1 ? `${r.errors[0]} +${r.errors.length - 1}` : r.errors[0]) : ''),
      },
    ];
    // One source (or one database) only: the column would say the same thing on every row.
    this.columns = all.filter((c) => !(c.key === 'source' && sources.length <= 1) && !(c.key === 'db' && dbs.length <= 1));
    const template = this.columns.map((c) => c.width).join(' ');

    // ---- filter bar
    const option = (value: string, label: string) => h('option', { value }, label);
    const text = h('input', { type: 'search', class: 'sl-input sl-search', placeholder: 'Search question, SQL, id, db…', 'aria-label': 'Search', spellcheck: 'false' });
    const source = h('select', { class: 'sl-input', 'aria-label': 'Source' }, option('', `All sources (${sources.length})`), sources.map((s) => option(s, s)));
    const db = h('select', { class: 'sl-input', 'aria-label': 'Database' }, option('', `All databases (${dbs.length})`), dbs.map((d) => option(d, d)));
    const classes = opts.errorClasses ?? [...new Set(rows.flatMap((r) => r.errors))].sort();
    const status = h(
      'select',
      { class: 'sl-input', 'aria-label': 'Status' },
      option('', 'Any status'),
      option('errors', 'With errors'),
      option('ex-wrong', 'EX wrong'),
      option('ex-right', 'EX right'),
      option('ts-wrong', 'Test-suite wrong'),
      option('ts-right', 'Test-suite right'),
      option('no-exec', 'Not executed'),
      option('bad', 'Bad records'),
      option('infra', 'Infrastructure errors'),
      classes.length ? h('optgroup', { label: 'Error class' }, classes.map((c) => option(`class:${c}`, c))) : null,
    );
    const min = h('input', { type: 'number', class: 'sl-input sl-num-input', step: 'any', placeholder: 'min', 'aria-label': `${rewardName} at least` });
    const max = h('input', { type: 'number', class: 'sl-input sl-num-input', step: 'any', placeholder: 'max', 'aria-label': `${rewardName} at most` });
    this.inputs = { text, source, db, status, min, max };
    text.addEventListener('input', () => {
      clearTimeout(this.textTimer);
      this.textTimer = setTimeout(() => {
        this.textTimer = undefined;
        this.setFilter({ text: text.value });
      }, this.rows.length > 3000 ? 120 : 0);
    });
    source.addEventListener('change', () => this.setFilter({ source: source.value }));
    db.addEventListener('change', () => this.setFilter({ db: db.value }));
    status.addEventListener('change', () => this.setFilter({ status: status.value }));
    const num = (el: HTMLInputElement) => (el.value.trim() === '' || Number.isNaN(Number(el.value)) ? null : Number(el.value));
    min.addEventListener('input', () => this.setFilter({ rewardMin: num(min) }));
    max.addEventListener('input', () => this.setFilter({ rewardMax: num(max) }));
    this.countEl = h('span', { class: 'sl-table-count', 'aria-live': 'polite' });
    this.chipEl = h('span', { class: 'sl-filter-chips' });
    const reset = h('button', { type: 'button', class: 'sl-button', onclick: () => this.setFilter({ ...EMPTY_FILTER }) }, 'Reset');
    const bar = h(
      'div',
      { class: 'sl-filterbar' },
      text,
      sources.length > 1 ? source : null,
      dbs.length > 1 ? db : null,
      status,
      h('label', { class: 'sl-range', title: `Headline reward ${rewardName} range` }, h('span', null, 'reward'), min, h('span', null, '–'), max),
      this.chipEl,
      reset,
      this.countEl,
    );

    // ---- table
    this.head = h(
      'div',
      { class: 'sl-thead', role: 'row', style: { 'grid-template-columns': template } },
      this.columns.map((c) =>
        h(
          'div',
          {
            class: ['sl-th', c.num && 'sl-num'],
            role: 'columnheader',
            title: `${c.title} (click to sort)`,
            dataset: { key: c.key },
            onclick: () => this.sort(c.key),
          },
          h('span', { class: 'sl-th-label' }, c.label),
          h('span', { class: 'sl-sort-mark' }),
        ),
      ),
    );
    this.body = h('div', { class: 'sl-tbody', role: 'rowgroup' });
    this.viewport = h(
      'div',
      {
        class: 'sl-viewport',
        tabindex: '0',
        role: 'grid',
        'aria-label': 'Samples',
        // Few samples: just tall enough; many: most of the window, leaving the drill-down a peek.
        style: { height: opts.height ? `${opts.height}px` : rows.length <= 18 ? `${Math.max(5, rows.length + 1) * ROW_HEIGHT + 34}px` : `min(62vh, ${ROW_HEIGHT * 26 + 34}px)` },
      },
      this.head,
      this.body,
    );
    this.viewport.addEventListener('scroll', () => this.schedule());
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('click', (e) => {
      const rowEl = (e.target as Element).closest<HTMLElement>('.sl-tr');
      if (!rowEl) return;
      const row = this.rows[Number(rowEl.dataset.i)];
      this.selectRow(row.i, true);
      this.viewport.focus({ preventScroll: true });
      this.opts.onOpen?.(row);
    });
    this.el = h('div', { class: 'sl-table' }, bar, this.viewport);
    this.apply();
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** The filtered, sorted rows. */
  get visible(): readonly SampleRow[] {
    return this.visibleRows;
  }

  get currentFilter(): TableFilter {
    return { ...this.filter };
  }

  get selectedRow(): SampleRow | null {
    return this.selected === null ? null : this.rows[this.selected];
  }

  setFilter(f: Partial<TableFilter>): void {
    // Text typed but not yet applied (debounced) is part of this filter; otherwise
    // syncing the inputs below would put the old text back into the search box.
    if (this.textTimer !== undefined) {
      clearTimeout(this.textTimer);
      this.textTimer = undefined;
      if (f.text === undefined) f = { ...f, text: this.inputs.text.value };
    }
    this.filter = { ...this.filter, ...f };
    const i = this.inputs;
    if (i.text.value !== this.filter.text) i.text.value = this.filter.text;
    i.source.value = this.filter.source;
    i.db.value = this.filter.db;
    i.status.value = this.filter.status;
    if (f.rewardMin !== undefined && document.activeElement !== i.min) i.min.value = this.filter.rewardMin === null ? '' : String(this.filter.rewardMin);
    if (f.rewardMax !== undefined && document.activeElement !== i.max) i.max.value = this.filter.rewardMax === null ? '' : String(this.filter.rewardMax);
    this.apply();
  }

  sort(key: ColumnKey, dir?: 1 | -1): void {
    const d = dir ?? (this.sortState.key === key ? (-this.sortState.dir as 1 | -1) : this.columns.find((c) => c.key === key)?.num && key !== 'i' ? -1 : 1);
    this.sortState = { key, dir: d };
    this.apply();
  }

  get sortedBy(): SortState {
    return { ...this.sortState };
  }

  /** Moves the selection by `delta` visible rows (clamped); opens it when asked. */
  move(delta: number, open = false): void {
    if (!this.visibleRows.length) return;
    const at = this.cursor();
    const next = Math.max(0, Math.min(this.visibleRows.length - 1, at < 0 ? (delta > 0 ? 0 : this.visibleRows.length - 1) : at + delta));
    const row = this.visibleRows[next];
    this.selectRow(row.i, true);
    if (open) this.opts.onOpen?.(row);
  }

  /** Selects the sample with report position `i` (when visible) and scrolls it into view. */
  selectRow(i: number | null, scroll = false): void {
    this.selected = i;
    if (scroll) this.scrollToCursor();
    this.render();
    this.opts.onSelect?.(this.selectedRow);
  }

  focus(): void {
    this.viewport.focus();
  }

  private cursor(): number {
    if (this.selected === null) return -1;
    return this.visibleRows.findIndex((r) => r.i === this.selected);
  }

  private scrollToCursor(): void {
    const at = this.cursor();
    if (at < 0) return;
    const headH = this.head.offsetHeight;
    const top = at * ROW_HEIGHT;
    const viewH = this.viewport.clientHeight - headH;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > this.viewport.scrollTop + viewH) this.viewport.scrollTop = top + ROW_HEIGHT - viewH;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor((this.viewport.clientHeight - this.head.offsetHeight) / ROW_HEIGHT) - 1);
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        this.move(1);
        break;
      case 'ArrowUp':
      case 'k':
        this.move(-1);
        break;
      case 'PageDown':
        this.move(page);
        break;
      case 'PageUp':
        this.move(-page);
        break;
      case 'Home':
        this.move(-Infinity);
        break;
      case 'End':
        this.move(Infinity);
        break;
      case 'Enter': {
        const row = this.selectedRow;
        if (row && this.cursor() >= 0) this.opts.onOpen?.(row);
        else this.move(0, true);
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  private haystack(i: number): string {
    if (!this.haystacks) {
      this.haystacks = this.rows.map((r) =>
        [r.question ?? '', r.evidence ?? '', r.predSql ?? '', r.goldSql ?? '', r.id === null ? '' : String(r.id), r.db ?? '', r.source].join('\n').toLowerCase(),
      );
    }
    return this.haystacks[i];
  }

  private apply(): void {
    const f = this.filter;
    const needle = f.text.trim().toLowerCase();
    const range = f.range;
    const out: SampleRow[] = [];
    for (const r of this.rows) {
      if (f.source && r.source !== f.source) continue;
      if (f.db && r.db !== f.db) continue;
      if (f.status && !matchesStatus(r, f.status)) continue;
      if (f.rewardMin !== null && (r.reward === null || r.reward < f.rewardMin)) continue;
      if (f.rewardMax !== null && (r.reward === null || r.reward > f.rewardMax)) continue;
      if (range) {
        const v = r[range.field];
        if (v === null || v < range.lo || v > range.hi || (v === range.hi && !range.hiInclusive)) continue;
      }
      if (needle && !this.haystack(r.i).includes(needle)) continue;
      out.push(r);
    }
    const col = this.columns.find((c) => c.key === this.sortState.key) ?? this.columns[0];
    const dir = this.sortState.dir;
    if (col.key !== 'i' || dir !== 1) {
      const keyed = out.map((r) => ({ r, v: col.value(r) }));
      keyed.sort((a, b) => {
        // Missing values last in both directions; ties keep report order.
        if (a.v === null || b.v === null) return a.v === b.v ? a.r.i - b.r.i : a.v === null ? 1 : -1;
        const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : collator.compare(String(a.v), String(b.v));
        return c !== 0 ? c * dir : a.r.i - b.r.i;
      });
      for (let k = 0; k < out.length; k++) out[k] = keyed[k].r;
    }
    this.visibleRows = out;

    // Header sort marks, count, chips.
    for (const th of Array.from(this.head.children)) {
      const el = th as HTMLElement;
      const on = el.dataset.key === this.sortState.key;
      el.classList.toggle('sl-sorted', on);
      el.setAttribute('aria-sort', on ? (dir === 1 ? 'ascending' : 'descending') : 'none');
      replaceChildren(el.lastChild as HTMLElement, on ? (dir === 1 ? icon('arrow-up', '▲') : icon('arrow-down', '▼')) : null);
    }
    this.countEl.textContent = out.length === this.rows.length ? `${fmtInt(out.length)} samples` : `${fmtInt(out.length)} of ${fmtInt(this.rows.length)}`;
    replaceChildren(
      this.chipEl,
      range
        ? h(
            'span',
            { class: 'sl-filter-chip' },
            `${range.label} ∈ [${fmtNum(range.lo)}, ${fmtNum(range.hi)}${range.hiInclusive ? ']' : ')'}`,
            h('button', { type: 'button', class: 'sl-chip-x', title: 'Remove this filter', 'aria-label': 'Remove range filter', onclick: () => this.setFilter({ range: null }) }, icon('close', '×')),
          )
        : null,
    );
    this.body.style.height = `${out.length * ROW_HEIGHT}px`;
    this.viewport.setAttribute('aria-rowcount', String(out.length + 1));
    if (this.viewport.scrollTop > out.length * ROW_HEIGHT) this.viewport.scrollTop = 0;
    this.render();
    this.opts.onChange?.(out);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const headH = this.head.offsetHeight || ROW_HEIGHT + 4;
    const scroll = Math.max(0, this.viewport.scrollTop);
    const viewH = Math.max(ROW_HEIGHT * 10, this.viewport.clientHeight - headH);
    const first = Math.max(0, Math.floor(scroll / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.visibleRows.length, Math.ceil((scroll + viewH) / ROW_HEIGHT) + OVERSCAN);
    const template = this.columns.map((c) => c.width).join(' ');
    const frag = document.createDocumentFragment();
    for (let k = first; k < last; k++) {
      const r = this.visibleRows[k];
      const sel = r.i === this.selected;
      const row = h(
        'div',
        {
          class: ['sl-tr', sel && 'sl-selected', r.bad && 'sl-bad-row', r.infra && 'sl-infra-row', k % 2 === 1 && 'sl-odd'],
          role: 'row',
          'aria-rowindex': String(k + 2),
          'aria-selected': sel ? 'true' : 'false',
          dataset: { i: String(r.i) },
          style: { top: `${k * ROW_HEIGHT}px`, 'grid-template-columns': template },
        },
        this.columns.map((c) => {
          const content = c.cell(r);
          const title = typeof content === 'string' && content.length > 12 ? content : undefined;
          return h('div', { class: ['sl-td', c.num && 'sl-num', `sl-col-${c.key}`], role: 'gridcell', title }, content);
        }),
      );
      frag.appendChild(row);
    }
    replaceChildren(this.body, frag);
    if (!this.visibleRows.length) this.body.appendChild(h('div', { class: 'sl-empty' }, 'No sample matches the filters.'));
  }
}
