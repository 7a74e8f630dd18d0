// Plans view: the gold and predicted plan trees (RelPM's R1 match trees) side by side as indented
// outlines (webview/components/plan-tree.ts), both SQL texts under them. Matched nodes are linked
// (hover one: its partner and both SQL ranges light up), gold-only and predicted-only nodes are
// marked, nodes carry the colour of the CTE step that produced them (predicted: the step whose text
// holds the node; gold: the step that matched it first). Collapse / expand, find by text, and a
// click on a node selects its SQL in the editor (through `onReveal`).

import type { PlanTree, ScoredRecord } from '../../src/core/score/types.ts';
import { h, icon, replaceChildren } from '../components/dom.ts';
import { PlanTreeView } from '../components/plan-tree.ts';
import { SqlView } from '../components/sql-view.ts';

/** Gold + predicted SQL up to this length are shown under the trees at once; longer ones start folded. */
export const SQL_OPEN_CHARS = 1200;

export interface PlansOptions {
  collapsed: { gold: number[]; pred: number[] };
  onToggle(side: 'gold' | 'pred', collapsed: number[]): void;
  /** A predicted range (offsets into pred_sql) to select in the editor. */
  onReveal(start: number, end: number): void;
  onStatus(text: string): void;
}

export interface PlansView {
  el: HTMLElement;
  select(k: number | null): void;
  /** Focuses the find box. */
  focusFind(): void;
  readonly gold: PlanTreeView | null;
  readonly pred: PlanTreeView | null;
}

export function preorder(t: PlanTree): PlanTree[] {
  const out: PlanTree[] = [];
  const stack = [t];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/**
 * The step whose text holds each predicted node (the narrowest step containing the node's start); a
 * node without a source range (most expressions) belongs to its parent's step.
 */
export function predStepOf(root: PlanTree | null, steps: readonly { start: number; end: number }[]): (number | null)[] {
  if (!root) return [];
  const own = ownStep(preorder(root), steps);
  const out: (number | null)[] = [];
  const walk = (t: PlanTree, inherited: number | null): void => {
    const k = out.length;
    const step = own[k] ?? inherited;
    out.push(step);
    for (const c of t.children) walk(c, step);
  };
  walk(root, null);
  return out;
}

function ownStep(nodes: readonly PlanTree[], steps: readonly { start: number; end: number }[]): (number | null)[] {
  return nodes.map((n) => {
    if (!n.range) return null;
    let best: number | null = null;
    steps.forEach((st, k) => {
      if (st.start <= n.range![0] && n.range![0] < st.end && (best === null || st.end - st.start < steps[best].end - steps[best].start)) best = k;
    });
    return best;
  });
}

/** The step that matched each gold node first. */
export function goldStepOf(size: number, steps: readonly { new_matches: readonly number[] }[]): (number | null)[] {
  const out: (number | null)[] = new Array(size).fill(null);
  steps.forEach((st, k) => {
    for (const g of st.new_matches) if (g < size && out[g] === null) out[g] = k;
  });
  return out;
}

export function renderPlans(r: ScoredRecord, opts: PlansOptions): PlansView {
  const steps = r.steprtm?.steps ?? [];
  const names = steps.map((st) => st.name ?? 'main query');
  const goldPartner = new Map<number, number>();
  const predPartner = new Map<number, number>();
  for (const [g, p] of r.matches) {
    goldPartner.set(g, p);
    predPartner.set(p, g);
  }
  const goldNodes = r.plans.gold ? preorder(r.plans.gold) : [];
  const predNodes = r.plans.pred ? preorder(r.plans.pred) : [];
  const predStep = predStepOf(r.plans.pred, steps);
  const goldStep = goldStepOf(goldNodes.length, steps);
  // The SQL under the trees is built when first shown: long SQL (the editor beside the panel has it
  // anyway) starts folded, as drawing it costs a third of this view's render (docs/decisions.md).
  let goldSql: SqlView | null = null;
  let predSql: SqlView | null = null;
  const sqlLength = (r.gold_sql?.length ?? 0) + (r.pred_sql?.length ?? 0);
  let selected: number | null = null;

  const reveal = (side: 'gold' | 'pred', k: number): void => {
    const p = side === 'pred' ? k : goldPartner.get(k);
    const range = p === undefined ? undefined : predNodes[p]?.range;
    if (range) opts.onReveal(range[0], range[1]);
    else opts.onStatus(side === 'gold' ? `Gold node #${k} has no predicted partner: nothing to select in the editor.` : `Predicted node #${k} has no source range.`);
  };

  const hover = (side: 'gold' | 'pred', k: number | null): void => {
    if (k === null) {
      gold?.highlight([]);
      pred?.highlight([]);
      goldSql?.highlight([]);
      predSql?.highlight([]);
      return;
    }
    const g = side === 'gold' ? k : predPartner.get(k);
    const p = side === 'pred' ? k : goldPartner.get(k);
    gold?.highlight(g === undefined ? [] : [g], side === 'pred');
    pred?.highlight(p === undefined ? [] : [p], side === 'gold');
    const gr = g === undefined ? undefined : goldNodes[g]?.range;
    const pr = p === undefined ? undefined : predNodes[p]?.range;
    goldSql?.highlight(gr ? [{ start: gr[0], end: gr[1] }] : []);
    predSql?.highlight(pr ? [{ start: pr[0], end: pr[1] }] : []);
  };

  const gold = r.plans.gold
    ? new PlanTreeView(r.plans.gold, {
        side: 'gold',
        partner: goldPartner,
        stepOf: goldStep,
        stepNames: names,
        collapsible: true,
        keyboard: true,
        lean: true,
        collapsed: opts.collapsed.gold,
        onToggle: (c) => opts.onToggle('gold', c),
        onHover: (k) => hover('gold', k),
        onClick: (k) => reveal('gold', k),
      })
    : null;
  const pred = r.plans.pred
    ? new PlanTreeView(r.plans.pred, {
        side: 'pred',
        partner: predPartner,
        stepOf: predStep,
        stepNames: names,
        collapsible: true,
        keyboard: true,
        lean: true,
        collapsed: opts.collapsed.pred,
        onToggle: (c) => opts.onToggle('pred', c),
        onHover: (k) => hover('pred', k),
        onClick: (k) => reveal('pred', k),
      })
    : null;

  // ---- find
  const count = h('span', { class: 'sl-muted slp-find-count', 'aria-live': 'polite' });
  let hits: { side: 'gold' | 'pred'; k: number }[] = [];
  let hitAt = -1;
  const find = h('input', { type: 'search', class: 'sl-input slp-find', placeholder: 'Find node (/)', 'aria-label': 'Find a plan node by text', spellcheck: 'false' });
  const runFind = (): void => {
    const q = find.value;
    const g = gold?.find(q) ?? [];
    const p = pred?.find(q) ?? [];
    gold?.mark('sl-pn-found', g);
    pred?.mark('sl-pn-found', p);
    hits = [...g.map((k) => ({ side: 'gold' as const, k })), ...p.map((k) => ({ side: 'pred' as const, k }))];
    hitAt = -1;
    replaceChildren(count, q.trim() ? `${g.length} gold · ${p.length} predicted` : '');
  };
  const nextHit = (dir: number): void => {
    if (!hits.length) return;
    hitAt = (hitAt + dir + hits.length) % hits.length;
    const hit = hits[hitAt];
    const view = hit.side === 'gold' ? gold : pred;
    view?.mark('sl-pn-current', [hit.k]);
    (hit.side === 'gold' ? pred : gold)?.mark('sl-pn-current', []);
    view?.reveal([hit.k]);
    view?.nodes[hit.k]?.scrollIntoView({ block: 'nearest' });
    replaceChildren(count, `${hitAt + 1} of ${hits.length}`);
  };
  find.addEventListener('input', runFind);
  find.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      nextHit(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape' && find.value) {
      e.stopPropagation();
      find.value = '';
      runFind();
    }
  });

  const both = (f: (v: PlanTreeView) => void) => () => {
    if (gold) f(gold);
    if (pred) f(pred);
  };
  // Zoom: the trees' font size (the indented layout scales with it); 100% is the editor's size.
  let zoom = 1;
  const zoomLabel = h('span', { class: 'sl-muted slp-zoom-label', title: 'Tree zoom (- / + / 0)' }, '100%');
  const setZoom = (z: number): void => {
    zoom = Math.max(0.5, Math.min(2, Math.round(z * 10) / 10));
    el.style.setProperty('--slp-tree-zoom', String(zoom));
    replaceChildren(zoomLabel, `${Math.round(zoom * 100)}%`);
  };
  const toolbar = h(
    'div',
    { class: 'slp-toolbar' },
    find,
    count,
    h('button', { type: 'button', class: 'sl-button', title: 'Zoom out (-)', 'aria-label': 'Zoom out', onclick: () => setZoom(zoom - 0.1) }, icon('zoom-out', '−')),
    zoomLabel,
    h('button', { type: 'button', class: 'sl-button', title: 'Zoom in (+)', 'aria-label': 'Zoom in', onclick: () => setZoom(zoom + 0.1) }, icon('zoom-in', '+')),
    h('button', { type: 'button', class: 'sl-button', title: 'Fit the wider tree to its pane (0)', onclick: () => fit() }, icon('screen-full'), h('span', null, 'Fit')),
    h('button', { type: 'button', class: 'sl-button', title: 'Expand every node', onclick: both((v) => v.expandAll(true)) }, icon('expand-all'), h('span', null, 'Expand all')),
    h('button', { type: 'button', class: 'sl-button', title: 'Collapse to the roots', onclick: both((v) => v.expandAll(false)) }, icon('collapse-all'), h('span', null, 'Collapse all')),
  );
  const legend = h(
    'div',
    { class: 'sl-legend sl-muted' },
    h('span', { class: 'sl-pn-matched sl-legend-item' }, h('span', { class: 'sl-pn-dot' }), 'matched'),
    h('span', { class: 'sl-pn-missed sl-legend-item' }, h('span', { class: 'sl-pn-dot' }), 'gold only (missed)'),
    h('span', { class: 'sl-pn-extra sl-legend-item' }, h('span', { class: 'sl-pn-dot' }), 'predicted only (extra)'),
    names.length > 1 ? names.map((n, k) => h('span', { class: 'sl-legend-item' }, h('span', { class: ['slp-swatch', `sl-cte-c${k % 8}`] }), n)) : null,
  );
  const pane = (title: string, view: PlanTreeView | null, side: 'gold' | 'pred'): HTMLElement => {
    const total = view?.size ?? 0;
    const matched = view?.matchedCount ?? 0;
    return h(
      'div',
      { class: 'sl-tree-side' },
      h(
        'div',
        { class: 'sl-tree-head' },
        h('strong', null, title),
        view
          ? h('span', { class: 'sl-muted' }, ` · ${total} nodes · ${matched} matched · `, h('span', { class: side === 'gold' ? 'sl-bad' : 'sl-warn' }, `${total - matched} ${side === 'gold' ? 'missed' : 'extra'}`))
          : h('span', { class: 'sl-muted' }, ' · no plan'),
      ),
      h('div', { class: 'sl-tree-pane slp-tree-pane', 'aria-label': title }, view ? view.el : h('p', { class: 'sl-muted' }, side === 'gold' ? 'The gold query could not be planned.' : 'The prediction could not be planned (see its errors).')),
    );
  };
  const sqlPane = (title: string, v: SqlView | null): HTMLElement => h('div', { class: 'sl-sql-side' }, h('div', { class: 'sl-tree-head' }, h('strong', null, title)), v ? v.el : h('p', { class: 'sl-muted' }, 'none'));
  const sqlBox = h('details', { class: 'slp-sql-box', open: sqlLength <= SQL_OPEN_CHARS }, h('summary', null, `Gold and predicted SQL (${sqlLength.toLocaleString('en-US')} characters)`));
  const buildSql = (): void => {
    if (goldSql || predSql || !sqlBox.open) return;
    goldSql = r.gold_sql !== null ? new SqlView(r.gold_sql) : null;
    predSql = r.pred_sql !== null ? new SqlView(r.pred_sql, { steps }) : null;
    predSql?.markStep(selected);
    sqlBox.appendChild(h('div', { class: 'sl-two slp-sql' }, sqlPane('Gold SQL', goldSql), sqlPane('Predicted SQL', predSql)));
  };
  sqlBox.addEventListener('toggle', buildSql);
  buildSql();

  const el = h(
    'div',
    { class: 'slp-plans' },
    toolbar,
    legend,
    h('div', { class: 'sl-two sl-trees' }, pane('Gold plan', gold, 'gold'), pane('Predicted plan', pred, 'pred')),
    sqlBox,
  );

  /** The zoom at which the wider tree fits its pane's width (at most 100%). */
  const fit = (): void => {
    const ratios = [gold, pred].flatMap((v) => {
      const pane = v?.el.parentElement;
      return v && pane && v.el.scrollWidth > 0 ? [(pane.clientWidth - 16) / (v.el.scrollWidth / zoom)] : [];
    });
    setZoom(ratios.length ? Math.min(1, ...ratios) : 1);
  };
  el.addEventListener('keydown', (e) => {
    if ((e.target as Element).closest('input')) return;
    if (e.key === '-' ) setZoom(zoom - 0.1);
    else if (e.key === '+' || e.key === '=') setZoom(zoom + 0.1);
    else if (e.key === '0') fit();
    else return;
    e.preventDefault();
  });

  const predByStep = new Map<number, number[]>();
  predStep.forEach((k, i) => {
    if (k !== null) predByStep.set(k, [...(predByStep.get(k) ?? []), i]);
  });
  return {
    el,
    gold,
    pred,
    focusFind: () => find.focus(),
    select(k) {
      selected = k;
      const st = k === null ? null : steps[k];
      gold?.mark('sl-pn-step', st ? st.new_matches : []);
      pred?.mark('sl-pn-step', k === null ? [] : (predByStep.get(k) ?? []));
      predSql?.markStep(k);
    },
  };
}
