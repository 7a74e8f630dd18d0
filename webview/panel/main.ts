// The StepLens panel's webview (bundled to dist/webview/panel.js; hosted by src/extension/panel/host.ts).
// It shows one statement's `steplens/inspect` record in four views (Rewards, Plans, Reasoning, Results),
// follows the editor (`select` moves the selected step), selects ranges in the editor (`revealRange`),
// pages Run Step results from the host, and keeps its state with setState so a reload restores it.
// Every string from the record is put in the page as text (webview/components/dom.ts).

import { isKnownStatus, PROTOCOL_VERSION, readPanelState, type PanelState, type ResultMeta, type ShowParams } from '../../src/extension/panel/protocol.ts';
import type { ScoredRecord } from '../../src/core/score/types.ts';
import { fmtNum, h, icon, replaceChildren } from '../components/dom.ts';
import { SqlView } from '../components/sql-view.ts';
import { TraceView } from '../components/trace-view.ts';
import { renderPlans, type PlansView } from './plans.ts';
import { renderResults, type ResultsView } from './results.ts';
import { renderRewards, type RewardsView } from './rewards.ts';
import { Cancelled, Rpc } from './rpc.ts';

type ViewName = PanelState['view'];
const VIEWS: { id: ViewName; label: string; key: string; icon: string }[] = [
  { id: 'rewards', label: 'Rewards', key: '1', icon: 'graph' },
  { id: 'plans', label: 'Plans', key: '2', icon: 'type-hierarchy' },
  { id: 'reasoning', label: 'Reasoning', key: '3', icon: 'comment-discussion' },
  { id: 'results', label: 'Results', key: '4', icon: 'table' },
];

const SHORTCUTS: [string, string][] = [
  ['1 – 4', 'Rewards, Plans, Reasoning, Results'],
  ['j / k', 'next / previous step'],
  ['Esc', 'clear the selected step'],
  ['/', 'find a plan node'],
  ['- / + / 0', 'zoom the plan trees out, in, to fit'],
  ['Enter / Space', 'select the focused step, node or segment (a node: its SQL in the editor)'],
  ['↑ ↓ ← →', 'move in trees and tables; ← / → collapse / expand tree nodes'],
  ['PageUp / PageDown, Home / End', 'page in result tables'],
  ['p', 'pin the panel (stop following the editor)'],
  ['r', 'inspect again'],
  ['?', 'show / hide these shortcuts'],
];

export interface PanelProbe {
  /** performance.now() after the last `show` was fully rendered, and how long rendering took. */
  renderedAt: number;
  renderMs: number;
  shows: number;
  protocolErrors: string[];
  selectStep(k: number | null): void;
  results: ResultsView | null;
  plans: PlansView | null;
}

declare global {
  interface Window {
    __steplensPanel?: PanelProbe;
  }
}

/**
 * A record that is not plainly scored says so above everything else. An infrastructure error (the
 * database was locked, unreadable or gone) is its own status: neither a match nor a mismatch.
 */
function statusBanner(r: ScoredRecord): HTMLElement | null {
  const status: string = r.status;
  if (status === 'scored') return null;
  if (status === 'infrastructure_error') {
    const kinds = [...new Set(r.errors.filter((e) => e.stage === 'database' || e.stage === 'execution' || e.stage === 'test_suite').map((e) => e.kind))];
    return h(
      'div',
      { class: 'slp-banner slp-banner-infra', role: 'note', dataset: { status } },
      h('strong', null, 'Not scored: infrastructure error'),
      ` — the database was locked, unreadable or gone${kinds.length ? ` (${kinds.join(', ')})` : ''}. This is neither a match nor a mismatch: execution rewards are not computed (structural scores are). Refresh (r) once the database is available.`,
    );
  }
  if (status === 'bad_record') return h('div', { class: 'slp-banner slp-banner-bad', role: 'note', dataset: { status } }, h('strong', null, 'Bad record'), ' — it could not be read; the errors below say why.');
  return h('div', { class: 'slp-banner', role: 'note', dataset: { status } }, h('strong', null, `Status ${status}`), isKnownStatus(status) ? null : ' (from a newer StepLens: shown as it is).');
}

function defaultState(): PanelState {
  return { uri: null, statement: null, position: null, view: 'rewards', step: null, pinned: false, collapsed: { gold: [], pred: [] } };
}

function main(): void {
  const api = acquireVsCodeApi();
  const rpc = new Rpc(api);
  let state: PanelState = readPanelState(api.getState()) ?? defaultState();
  const save = (): void => api.setState(state);

  const probe: PanelProbe = { renderedAt: 0, renderMs: 0, shows: 0, protocolErrors: [], selectStep: (k) => selectStep(k, 'panel'), results: null, plans: null };
  window.__steplensPanel = probe;

  // ---- chrome
  const title = h('div', { class: 'slp-title' }, h('strong', null, 'StepLens'), h('span', { class: 'sl-muted' }, ' · waiting for a statement'));
  const status = h('div', { class: 'slp-status sl-muted', role: 'status', 'aria-live': 'polite' });
  const pin = h('button', { type: 'button', class: 'sl-button slp-pin', 'aria-pressed': 'false', title: 'Pin: stop following the editor (p)' }, icon('pin'), h('span', null, 'Pin'));
  const refresh = h('button', { type: 'button', class: 'sl-button', title: 'Inspect again (r)' }, icon('refresh'), h('span', null, 'Refresh'));
  const help = h('button', { type: 'button', class: 'sl-button', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts', 'aria-expanded': 'false' }, icon('keyboard', '?'));
  const tabs = VIEWS.map((v) =>
    h('button', { type: 'button', role: 'tab', class: 'slp-tab', id: `slp-tab-${v.id}`, 'aria-controls': `slp-view-${v.id}`, dataset: { view: v.id }, title: `${v.label} (${v.key})` }, icon(v.icon), h('span', null, v.label)),
  );
  const tablist = h('div', { class: 'slp-tabs', role: 'tablist', 'aria-label': 'Views' }, tabs);
  const panes = new Map<ViewName, HTMLElement>(VIEWS.map((v) => [v.id, h('div', { class: 'slp-view', id: `slp-view-${v.id}`, role: 'tabpanel', 'aria-labelledby': `slp-tab-${v.id}`, tabindex: '-1' })]));
  const shortcuts = h(
    'div',
    { class: 'slp-shortcuts', hidden: true, role: 'dialog', 'aria-label': 'Keyboard shortcuts' },
    h('h3', null, 'Keyboard'),
    h('table', { class: 'sl-grid-table' }, h('tbody', null, SHORTCUTS.map(([k, what]) => h('tr', null, h('th', { scope: 'row' }, h('kbd', null, k)), h('td', null, what))))),
  );
  const header = h('header', { class: 'slp-header' }, title, h('div', { class: 'slp-actions' }, refresh, pin, help));
  const question = h('div', { class: 'slp-question' });
  const stepBar = h('div', { class: 'slp-stepbar', role: 'toolbar', 'aria-label': 'Steps' });
  const app = h('div', { class: 'slp-app' }, header, question, stepBar, tablist, shortcuts, status, [...panes.values()]);
  replaceChildren(document.body, app);

  const setStatus = (text: string, bad = false): void => {
    status.textContent = text;
    status.classList.toggle('sl-bad', bad);
  };
  rpc.onProtocolError = (m) => {
    probe.protocolErrors.push(m);
    setStatus(`Dropped a message that does not fit the panel protocol: ${m}`, true);
  };

  const showView = (v: ViewName, focus = false): void => {
    state.view = v;
    save();
    ensureView(v);
    for (const t of tabs) {
      const on = t.dataset.view === v;
      // Only what changes: rewriting the focused tab's tabindex makes Chromium restyle at once.
      if (t.getAttribute('aria-selected') !== String(on)) t.setAttribute('aria-selected', String(on));
      if (t.tabIndex !== (on ? 0 : -1)) t.tabIndex = on ? 0 : -1;
      t.classList.toggle('slp-tab-on', on);
    }
    for (const [id, p] of panes) if (p.hidden !== (id !== v)) p.hidden = id !== v;
    if (focus) tabs.find((t) => t.dataset.view === v)?.focus();
  };
  tablist.addEventListener('click', (e) => {
    const t = (e.target as Element).closest<HTMLElement>('[data-view]');
    if (t) showView(t.dataset.view as ViewName, true);
  });
  tablist.addEventListener('keydown', (e) => {
    const at = VIEWS.findIndex((v) => v.id === state.view);
    let to = -1;
    if (e.key === 'ArrowRight') to = (at + 1) % VIEWS.length;
    else if (e.key === 'ArrowLeft') to = (at + VIEWS.length - 1) % VIEWS.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = VIEWS.length - 1;
    if (to < 0) return;
    e.preventDefault();
    showView(VIEWS[to].id, true);
  });
  const setPinned = (p: boolean): void => {
    state.pinned = p;
    save();
    pin.setAttribute('aria-pressed', String(p));
    replaceChildren(pin, icon(p ? 'pinned' : 'pin'), h('span', null, p ? 'Pinned' : 'Pin'));
    pin.classList.toggle('slp-pin-on', p);
  };
  pin.addEventListener('click', () => {
    setPinned(!state.pinned);
    rpc.notify('pin', { pinned: state.pinned });
  });
  const doRefresh = (): void => {
    setStatus('Inspecting…');
    rpc.request('refresh', {}).catch((e: Error) => setStatus(`Refresh failed: ${e.message}`, true));
  };
  refresh.addEventListener('click', doRefresh);
  const toggleHelp = (): void => {
    shortcuts.hidden = !shortcuts.hidden;
    help.setAttribute('aria-expanded', String(!shortcuts.hidden));
  };
  help.addEventListener('click', toggleHelp);

  // ---- the shown record and its linked views
  let shown: ShowParams | null = null;
  let record: ScoredRecord | null = null;
  let rewards: RewardsView | null = null;
  let plans: PlansView | null = null;
  let trace: TraceView | null = null;
  let traceSql: SqlView | null = null;
  let results: ResultsView | null = null;
  let stepChips: HTMLElement[] = [];
  let pendingResult: ResultMeta | null = null;
  let builders: Partial<Record<ViewName, () => void>> = {};
  const built = new Set<ViewName>();
  const ensureView = (v: ViewName): void => {
    if (built.has(v)) return;
    built.add(v);
    builders[v]?.();
  };
  const steps = () => record?.steprtm?.steps ?? [];

  /** Selects step k everywhere; `from` says who asked (only a panel selection moves the editor). */
  function selectStep(k: number | null, from: 'panel' | 'editor' | 'trace' | 'restore'): void {
    const st = steps();
    if (k !== null && (k < 0 || k >= st.length)) k = null;
    state.step = k;
    save();
    rewards?.select(k);
    plans?.select(k);
    if (from !== 'trace') trace?.selectStep(k);
    traceSql?.markStep(k);
    stepChips.forEach((c, i) => {
      c.classList.toggle('sl-active', i === k);
      c.setAttribute('aria-pressed', String(i === k));
    });
    if (from === 'panel' || from === 'trace') {
      if (k !== null) rpc.notify('revealRange', { in: 'sql', start: st[k].start, end: st[k].end });
    }
  }

  const fetchPage = (result: string, offset: number, limit: number, signal: AbortSignal) =>
    rpc.request('rows', { result, offset, limit }, signal);
  const run = (step: string | null, side: 'gold' | 'pred' = 'pred'): void => {
    const what = side === 'gold' ? 'The gold query' : (step ?? 'The statement');
    setStatus(`Running ${side === 'gold' ? 'the gold query' : (step ?? 'the statement')}…`);
    rpc.request('runStep', side === 'gold' ? { step: null, side } : { step }).then(
      (meta) => {
        landResult(meta);
        setStatus(meta.error ? `${what} failed: ${meta.error.kind}` : `${what}: ${meta.rowCount} row${meta.rowCount === 1 ? '' : 's'}`, Boolean(meta.error));
      },
      (e: Error) => setStatus(e instanceof Cancelled ? 'Run cancelled.' : `Run failed: ${e.message}`, !(e instanceof Cancelled)),
    );
  };
  function landResult(meta: ResultMeta): void {
    if (!record) {
      pendingResult = meta;
      return;
    }
    showView('results');
    results?.showResult(meta);
  }

  function render(p: ShowParams): void {
    const t0 = performance.now();
    const sameStatement = shown !== null && shown.uri === p.uri && shown.statement === p.statement;
    record = p.record;
    rpc.maxRows = p.maxRows;
    // The first show after a reload restores the saved state when it is about the same statement.
    const restoring = !shown && state.uri === p.uri && state.statement === p.statement;
    if (!sameStatement && !restoring) {
      state.collapsed = { gold: [], pred: [] };
      state.step = null;
    }
    shown = p;
    state.uri = p.uri;
    state.statement = p.statement;
    state.position = p.range.start;
    setPinned(p.pinned);
    document.body.classList.remove('slp-loading');
    replaceChildren(title, h('strong', null, p.title), h('span', { class: 'sl-muted' }, ` · statement ${p.statement + 1} · lines ${p.range.start.line + 1}–${p.range.end.line + 1}`));
    const r = p.record;
    if (!r) {
      rewards = plans = null;
      trace = null;
      traceSql = null;
      results = null;
      builders = {};
      built.clear();
      stepChips = [];
      replaceChildren(question);
      replaceChildren(stepBar);
      for (const pane of panes.values()) replaceChildren(pane, h('p', { class: 'slp-empty' }, p.reason ?? 'Nothing to show.'));
      setStatus(p.reason ?? '');
      finish(t0);
      return;
    }
    replaceChildren(
      question,
      statusBanner(r),
      r.question ? h('p', { class: 'sl-question-text' }, r.question) : null,
      r.errors.length ? h('ul', { class: 'slp-errors' }, r.errors.map((e) => h('li', null, h('span', { class: 'sl-mono sl-bad' }, `${e.stage}${e.side ? `/${e.side}` : ''}/${e.kind}`), ' ', e.message))) : null,
    );
    const st = steps();
    const names = st.map((s) => s.name ?? 'main query');
    stepChips = st.map((s, k) =>
      h(
        'button',
        { type: 'button', class: ['sl-step-chip', 'slp-chip', `sl-cte-c${k % 8}`], 'aria-pressed': 'false', title: `${names[k]}: StepRTM ${fmtNum(s.reward)} (j / k)`, onclick: () => selectStep(state.step === k ? null : k, 'panel') },
        h('span', { class: 'slp-swatch' }),
        h('span', null, names[k]),
        h('span', { class: 'sl-step-chip-reward' }, fmtNum(s.reward, 2)),
      ),
    );
    replaceChildren(stepBar, st.length ? [h('span', { class: 'sl-muted' }, 'Steps'), stepChips] : null);

    // Each view is built the first time it is shown (the visible one now): a statement's data arrives
    // often (every cursor move to another statement) and most of it is looked at in one view.
    rewards = plans = null;
    trace = traceSql = null;
    results = null;
    probe.results = probe.plans = null;
    for (const pane of panes.values()) replaceChildren(pane);
    builders = {
      rewards: () => {
        rewards = renderRewards(r, (k) => selectStep(k, 'panel'));
        replaceChildren(panes.get('rewards')!, rewards.el);
        rewards.select(state.step);
      },
      plans: () => {
        plans = renderPlans(r, {
          collapsed: state.collapsed,
          onToggle: (side, c) => {
            state.collapsed[side] = c;
            save();
          },
          onReveal: (start, end) => rpc.notify('revealRange', { in: 'sql', start, end }),
          onStatus: (t) => setStatus(t),
        });
        replaceChildren(panes.get('plans')!, plans.el);
        plans.select(state.step);
        probe.plans = plans;
      },
      reasoning: () => {
        if (r.completion === undefined) {
          replaceChildren(panes.get('reasoning')!, h('p', { class: 'slp-empty' }, 'This statement is plain SQL: there is no reasoning trace. Open a model completion (a .completion file, or text with <think> / <answer>) to see one.'));
          return;
        }
        traceSql = r.pred_sql !== null ? new SqlView(r.pred_sql, { steps: st }) : null;
        trace = new TraceView(r.completion, r.trace, {
          sqlSpan: r.sql_span,
          steps: st.map((s) => ({ name: s.name ?? 'main', reward: s.reward })),
          collapsible: true,
          onStep: (k) => selectStep(k, 'trace'),
          onSegment: (seg, linked) => {
            const segment = r.trace?.segments[seg];
            traceSql?.highlight(linked.map((k) => st[k]), 'sl-hl-step');
            stepChips.forEach((c, i) => c.classList.toggle('sl-linked', linked.includes(i)));
            plans?.select(linked.length === 1 ? linked[0] : null);
            rewards?.select(linked.length === 1 ? linked[0] : null);
            if (linked.length) rpc.notify('revealRange', { in: 'sql', start: Math.min(...linked.map((k) => st[k].start)), end: Math.max(...linked.map((k) => st[k].end)) });
            setStatus(segment ? `Segment ${seg + 1} mentions ${linked.length ? linked.map((k) => names[k]).join(', ') : 'no step'}.` : '');
          },
        });
        const first = trace.segments.find(Boolean);
        if (first) first.tabIndex = 0;
        replaceChildren(panes.get('reasoning')!, h('div', { class: 'slp-reasoning' }, trace.el, traceSql ? h('div', { class: 'sl-sql-side' }, h('div', { class: 'sl-tree-head' }, h('strong', null, 'The SQL that was scored')), traceSql.el) : null));
        trace.selectStep(state.step);
        traceSql?.markStep(state.step);
      },
      results: () => {
        // "All N rows" on a side of the comparison: that side's whole query, run again host-side and paged.
        const runAll = (side: 'gold' | 'pred') => rpc.request('runStep', side === 'gold' ? { step: null, side } : { step: null });
        // With both sides executed, "All N rows" runs both and diffs every row host-side.
        const compareAll = () => rpc.request('compareAll', {});
        results = renderResults(r.execution, st, fetchPage, run, p.maxRows, r.status === 'infrastructure_error', runAll, compareAll);
        replaceChildren(panes.get('results')!, results.el);
        probe.results = results;
      },
    };
    built.clear();
    if (pendingResult) {
      const m = pendingResult;
      pendingResult = null;
      landResult(m);
    }
    selectStep(state.step, 'restore');
    setStatus('');
    finish(t0);
  }

  function finish(t0: number): void {
    showView(state.view);
    save();
    probe.shows++;
    probe.renderMs = performance.now() - t0;
    probe.renderedAt = performance.now();
  }

  rpc.on('show', render);
  rpc.on('loading', () => {
    document.body.classList.add('slp-loading');
    setStatus('Inspecting…');
  });
  rpc.on('empty', (p) => {
    document.body.classList.remove('slp-loading');
    setStatus(p.reason);
    if (!shown) for (const pane of panes.values()) replaceChildren(pane, h('p', { class: 'slp-empty' }, p.reason));
  });
  rpc.on('select', (p) => {
    if (!record) return;
    const off = p.in === 'completion' && record.sql_span ? p.offset - record.sql_span[0] : p.offset;
    const st = steps();
    // The narrowest step holding the cursor.
    let best: number | null = null;
    st.forEach((s, k) => {
      if (s.start <= off && off <= s.end && (best === null || s.end - s.start < st[best].end - st[best].start)) best = k;
    });
    if (best !== state.step) selectStep(best, 'editor');
  });
  rpc.on('result', (meta) => {
    landResult(meta);
    setStatus(`Run Step: ${meta.step ?? 'the statement'} · ${meta.rowCount} row${meta.rowCount === 1 ? '' : 's'}`);
  });
  rpc.on('pinned', (p) => setPinned(p.pinned));

  // ---- keyboard
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (t.closest('input, textarea, select, [contenteditable="true"]') || e.ctrlKey || e.metaKey || e.altKey) return;
    const v = VIEWS.find((x) => x.key === e.key);
    if (v) showView(v.id, true);
    else if (e.key === 'j' || e.key === 'k') {
      const n = steps().length;
      if (!n) return;
      const at = state.step ?? (e.key === 'j' ? -1 : n);
      selectStep(Math.max(0, Math.min(n - 1, at + (e.key === 'j' ? 1 : -1))), 'panel');
    } else if (e.key === 'Escape') {
      if (!shortcuts.hidden) toggleHelp();
      else selectStep(null, 'panel');
    } else if (e.key === '/') {
      showView('plans');
      plans?.focusFind();
    } else if (e.key === '?') toggleHelp();
    else if (e.key === 'p') pin.click();
    else if (e.key === 'r') doRefresh();
    else return;
    e.preventDefault();
  });

  showView(state.view);
  setPinned(state.pinned);
  rpc.notify('ready', { version: PROTOCOL_VERSION });
}

try {
  main();
} catch (e) {
  document.body.textContent = `StepLens panel failed to start: ${(e as Error).message}`;
}
