// Compare two runs (bundled to dist/webview/compare.js; hosted by src/extension/dataset/compare.ts):
// each side labelled with its file and run, the counts, the changed pairs (improved / regressed /
// changed) with their deltas, paged from the server through the host. Enter (or a double click) on a
// pair opens both records side by side in the review editor. Model text is always text.

import { fmtInt, fmtNum, h, icon, replaceChildren, valueClass } from '../components/dom.ts';
import { acquireApi } from './rpc.ts';

interface Side { file: string; path: string; records: number; headline: string[]; run: { fingerprint: string; options: Record<string, unknown> } | null; bad_lines: { line: number; message: string }[] }
interface Summary { id: string; a: Side; b: Side; paired_by: 'id' | 'line'; counts: Record<string, number>; warnings: string[] }
interface Scores { line: number; status: string | null; ex: number | null; headline: number | null; step_rtm: number | null }
interface Pair { id: string | number | null; db_id: string | null; question: string | null; a: Scores; b: Scores; delta: { ex: number | null; headline: number | null; step_rtm: number | null }; verdict: string }

const api = acquireApi();
const VERDICTS = [['', 'All changed'], ['improved', 'Improved'], ['regressed', 'Regressed'], ['changed', 'Changed']] as const;
/** A pair's verdict as a codicon. */
const VERDICT_ICON: Record<string, string> = { improved: 'arrow-up', regressed: 'arrow-down', changed: 'diff-modified' };
let summary: Summary | null = null;
let verdict = '';
let pairs: Pair[] = [];
let total = 0;
let selected = 0;
let nextId = 1;
const pending = new Map<number, (v: unknown) => void>();
const failures = new Map<number, (e: Error) => void>();

const request = <T>(method: string, params: Record<string, unknown>): Promise<T> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, resolve as (v: unknown) => void);
    failures.set(id, reject);
    api.postMessage({ t: 'req', id, method, params });
  });

const head = h('header', { class: 'sld-header' }, h('strong', null, 'Compare runs'));
const sides = h('div', { class: 'slc-sides' });
const tabs = h('div', { class: 'sld-queues', role: 'tablist' }, VERDICTS.map(([v, label]) => h('button', { type: 'button', class: 'sld-queue', dataset: { verdict: v } }, v ? icon(VERDICT_ICON[v]) : null, h('span', null, label))));
const table = h('table', { class: 'sl-grid-table slc-pairs' });
const more = h('button', { type: 'button', class: 'sl-button', hidden: true }, 'More');
const status = h('div', { class: 'sld-error sl-bad', role: 'alert', hidden: true });
const help = h('p', { class: 'sl-muted' }, 'j / k move · Enter opens both records side by side in the review editor');
replaceChildren(document.body, h('div', { class: 'sld-app slc-app' }, head, status, sides, tabs, help, h('div', { class: 'slc-scroll' }, table, more)));

const delta = (d: number | null): string => (d === null ? '–' : d > 0 ? `+${fmtNum(d)}` : fmtNum(d));
const sideCard = (label: string, s: Side): HTMLElement =>
  h(
    'div',
    { class: 'slc-side' },
    h('div', null, h('strong', null, `${label}: `), h('span', { title: s.path }, s.file)),
    h('div', { class: 'sl-muted' }, `${fmtInt(s.records)} records · headline ${s.headline.join(', ') || '–'}${s.bad_lines.length ? ` · ${s.bad_lines.length} malformed` : ''}`),
    s.run ? h('div', { class: 'sl-muted' }, `run ${s.run.fingerprint.slice(0, 12)} · ${Object.entries(s.run.options).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`) : h('div', { class: 'sl-muted' }, 'no run fingerprint beside the file'),
  );

function draw(): void {
  if (!summary) return;
  const c = summary.counts;
  replaceChildren(sides, sideCard('A', summary.a), sideCard('B', summary.b), h('div', { class: 'slc-counts' }, `${fmtInt(c.pairs)} pairs by ${summary.paired_by} · ${fmtInt(c.improved)} improved · ${fmtInt(c.regressed)} regressed · ${fmtInt(c.changed)} changed · ${fmtInt(c.unchanged)} unchanged · only in A ${fmtInt(c.only_a)} · only in B ${fmtInt(c.only_b)}`), summary.warnings.map((w) => h('div', { class: 'sl-bad' }, w)));
  for (const t of Array.from(tabs.querySelectorAll<HTMLElement>('[data-verdict]'))) t.classList.toggle('sld-queue-on', t.dataset.verdict === verdict);
  replaceChildren(
    table,
    h('thead', null, h('tr', null, ['Verdict', 'Id', 'Database', 'Question', 'EX A→B', 'Reward A→B', 'Δ', 'StepRTM A→B', 'Δ'].map((x) => h('th', null, x)))),
    h(
      'tbody',
      null,
      pairs.map((p, i) =>
        h(
          'tr',
          { class: ['slc-pair', i === selected && 'sld-selected'], dataset: { i: String(i) } },
          h('td', { class: `slc-${p.verdict}` }, VERDICT_ICON[p.verdict] ? icon(VERDICT_ICON[p.verdict]) : null, h('span', null, p.verdict)),
          h('td', null, p.id === null ? '' : String(p.id)),
          h('td', null, p.db_id ?? ''),
          h('td', { class: 'slc-q', title: p.question ?? '' }, p.question ?? ''),
          h('td', null, `${p.a.ex ?? '–'} → ${p.b.ex ?? '–'}`),
          h('td', null, `${fmtNum(p.a.headline)} → ${fmtNum(p.b.headline)}`),
          h('td', { class: valueClass(p.delta.headline === null ? null : (p.delta.headline + 1) / 2) }, delta(p.delta.headline)),
          h('td', null, `${fmtNum(p.a.step_rtm)} → ${fmtNum(p.b.step_rtm)}`),
          h('td', null, delta(p.delta.step_rtm)),
        ),
      ),
    ),
  );
  more.hidden = pairs.length >= total;
  table.querySelector('.sld-selected')?.scrollIntoView({ block: 'nearest' });
}

async function load(reset: boolean): Promise<void> {
  if (!summary) return;
  if (reset) {
    pairs = [];
    selected = 0;
  }
  try {
    const r = await request<{ total: number; pairs: Pair[] }>('pairs', { verdict: verdict || null, offset: pairs.length, count: 200 });
    total = r.total;
    pairs = pairs.concat(r.pairs);
    draw();
  } catch (e) {
    status.textContent = (e as Error).message;
    status.hidden = false;
  }
}

const openPair = (): void => {
  const p = pairs[selected];
  if (p) api.postMessage({ t: 'note', method: 'openPair', params: { a: p.a.line, b: p.b.line } });
};

tabs.addEventListener('click', (e) => {
  const t = (e.target as Element).closest<HTMLElement>('[data-verdict]');
  if (!t) return;
  verdict = t.dataset.verdict ?? '';
  void load(true);
});
more.addEventListener('click', () => void load(false));
table.addEventListener('click', (e) => {
  const tr = (e.target as Element).closest<HTMLElement>('[data-i]');
  if (!tr) return;
  selected = Number(tr.dataset.i);
  draw();
});
table.addEventListener('dblclick', openPair);
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  if (e.key === 'j' || e.key === 'ArrowDown') selected = Math.min(pairs.length - 1, selected + 1);
  else if (e.key === 'k' || e.key === 'ArrowUp') selected = Math.max(0, selected - 1);
  else if (e.key === 'Enter') return openPair();
  else return;
  e.preventDefault();
  draw();
  if (selected >= pairs.length - 5 && pairs.length < total) void load(false);
});

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as { t?: string; id?: number; ok?: boolean; result?: unknown; error?: { message?: unknown }; method?: string; params?: unknown };
  if (!m || typeof m !== 'object') return;
  if (m.t === 'res' && typeof m.id === 'number') {
    const ok = pending.get(m.id);
    const bad = failures.get(m.id);
    pending.delete(m.id);
    failures.delete(m.id);
    if (m.ok) ok?.(m.result);
    else bad?.(new Error(typeof m.error?.message === 'string' ? m.error.message : 'request failed'));
  } else if (m.t === 'note' && m.method === 'init' && m.params && typeof m.params === 'object') {
    summary = m.params as Summary;
    void load(true);
  } else if (m.t === 'note' && m.method === 'error' && m.params && typeof (m.params as { message?: unknown }).message === 'string') {
    status.textContent = (m.params as { message: string }).message;
    status.hidden = false;
  }
});
api.postMessage({ t: 'note', method: 'ready', params: {} });
