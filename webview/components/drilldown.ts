// Everything about one scored sample (`steplens.score/2` record): question,
// errors, every score, gold and predicted SQL (CTE steps shaded), the StepRTM
// steps, both plan trees with the RelPM matching, the reasoning trace and the
// result diff. The parts are linked: hover a plan node to see its partner and
// its SQL; pick a step to see its range, the gold nodes it matched first and
// the reasoning that mentions it.

import type { RecordError, ScoredRecord } from '../../src/core/score/types.ts';
import { METRIC_DISPLAY_ORDER, METRIC_INFO } from '../../src/core/rewards/metric-names.ts';
import { fmtMs, fmtNum, h, icon, valueChip, valueClass } from './dom.ts';
import { PlanTreeView } from './plan-tree.ts';
import { renderResultDiff } from './result-diff.ts';
import { SqlView, type SqlMark } from './sql-view.ts';
import { TraceView } from './trace-view.ts';

export interface DrilldownOptions {
  /** "n of total" in the current list. */
  position?: { at: number; total: number };
  onPrev?: () => void;
  onNext?: () => void;
  onClose?: () => void;
  /** Colour scale of the headline reward. */
  rewardRange?: [number, number];
}

/** Value ranges of rewards that are not in [0, 1] (for colouring). */
const RANGES: Record<string, [number, number]> = {
  'SQL-R1': [-1, 7.5],
  'SQL-R1-EX': [-1, 7.5],
  penalty_no_format: [-1, 0],
  steprtm_outcome: [-1, 1],
};

const METRIC_LABELS: [string, string][] = METRIC_DISPLAY_ORDER.map((k) => [k, METRIC_INFO[k].label]);

function kv(label: string, value: Node | string, title?: string): Node[] {
  return [h('dt', { title: title ?? label }, label), h('dd', null, value)];
}

function scoreGroup(title: string, rows: Node[][], cls?: string): HTMLElement {
  return h('div', { class: ['sl-score-group', cls] }, h('h4', null, title), h('dl', { class: 'sl-kv' }, rows));
}

function section(title: string, ...body: (Node | null | false)[]): HTMLElement {
  return h('section', { class: 'sl-dd-section' }, h('h3', null, title), body);
}

function errorPosition(e: RecordError): string {
  const parts: string[] = [];
  if (e.line !== undefined) parts.push(`line ${e.line}${e.column !== undefined ? `:${e.column}` : ''}`);
  if (e.start !== undefined) parts.push(`@${e.start}${e.end !== undefined && e.end !== e.start ? `–${e.end}` : ''}`);
  if (e.step) parts.push(`step ${e.step}`);
  return parts.join(' · ');
}

function errorsTable(errors: readonly RecordError[]): HTMLElement {
  return h(
    'table',
    { class: 'sl-grid-table sl-errors' },
    h('thead', null, h('tr', null, h('th', null, 'stage'), h('th', null, 'kind'), h('th', null, 'message'), h('th', null, 'position'))),
    h(
      'tbody',
      null,
      errors.map((e) => h('tr', null, h('td', { class: 'sl-mono' }, e.side ? `${e.stage}/${e.side}` : e.stage), h('td', { class: 'sl-mono sl-bad' }, e.kind), h('td', { class: 'sl-error-msg' }, e.message), h('td', { class: 'sl-mono sl-muted' }, errorPosition(e)))),
    ),
  );
}

/** Errors located in one side's SQL text. */
const marks = (errors: readonly RecordError[], side: 'gold' | 'pred'): SqlMark[] =>
  errors.filter((e) => e.side === side && e.start !== undefined).map((e) => ({ start: e.start!, end: e.end ?? e.start!, message: `${e.kind}: ${e.message}` }));

export function renderDrilldown(r: ScoredRecord, opts: DrilldownOptions = {}): HTMLElement {
  const x = r.execution;
  const steps = r.steprtm?.steps ?? [];
  const [rlo, rhi] = opts.rewardRange ?? RANGES[r.reward.name] ?? [0, 1];
  const errors = r.errors ?? [];
  const bad = r.status === 'bad_record';
  // Structural scoring ran (even if a side failed to plan): worth showing the plan panes.
  const structuralRan = Boolean(r.plans?.gold || r.plans?.pred || r.relpm || r.steprtm);

  // ---- header
  const nav = h(
    'div',
    { class: 'sl-dd-nav' },
    opts.position ? h('span', { class: 'sl-muted' }, `${opts.position.at + 1} of ${opts.position.total}`) : null,
    opts.onPrev ? h('button', { type: 'button', class: 'sl-button', title: 'Previous sample (k / ↑ in the table)', onclick: opts.onPrev }, icon('chevron-left', '‹'), ' Prev') : null,
    opts.onNext ? h('button', { type: 'button', class: 'sl-button', title: 'Next sample (j / ↓ in the table)', onclick: opts.onNext }, 'Next ', icon('chevron-right', '›')) : null,
    opts.onClose ? h('button', { type: 'button', class: 'sl-button', title: 'Close (Esc)', 'aria-label': 'Close', onclick: opts.onClose }, icon('close', '×')) : null,
  );
  const badges = h(
    'div',
    { class: 'sl-dd-badges' },
    h('span', { class: 'sl-badge' }, h('span', { class: 'sl-muted' }, `${r.reward.name} `), h('span', { class: ['sl-chip', valueClass(r.reward.value, rlo, rhi)] }, fmtNum(r.reward.value))),
    x ? h('span', { class: ['sl-badge', x.metrics.ex === 1 ? 'sl-badge-ok' : 'sl-badge-bad'] }, 'EX ', x.metrics.ex === 1 ? icon('check', '✓') : icon('close', '✗')) : r.status === 'infrastructure_error' ? null : h('span', { class: 'sl-badge' }, 'not executed'),
    r.test_suite && r.test_suite.correct !== null ? h('span', { class: ['sl-badge', r.test_suite.correct ? 'sl-badge-ok' : 'sl-badge-bad'] }, 'test-suite ', r.test_suite.correct ? icon('check', '✓') : icon('close', '✗')) : null,
    r.status === 'bad_record' ? h('span', { class: 'sl-badge sl-badge-bad' }, 'bad record') : null,
    r.status === 'infrastructure_error'
      ? h('span', { class: 'sl-badge sl-badge-infra', title: 'Its database was locked, unreadable or gone: neither a match nor a mismatch; `steplens score --resume` scores it again.' }, 'infrastructure error · not scored')
      : null,
    errors.length ? h('span', { class: 'sl-badge sl-badge-bad' }, `${errors.length} error${errors.length === 1 ? '' : 's'}`) : null,
  );
  const header = h(
    'header',
    { class: 'sl-dd-header' },
    h(
      'div',
      { class: 'sl-dd-title' },
      h('h2', null, `Sample ${r.id !== null ? String(r.id) : `#${r.index}`}`),
      h('div', { class: 'sl-muted sl-dd-where' }, [r.source, r.db_id ?? 'no db_id', `record ${r.index}, line ${r.line}`].join(' · ')),
    ),
    badges,
    nav,
  );

  const question = r.question || r.evidence
    ? h(
        'div',
        { class: 'sl-question' },
        r.question ? h('p', { class: 'sl-question-text' }, r.question) : null,
        r.evidence ? h('p', { class: 'sl-evidence' }, h('span', { class: 'sl-muted' }, 'Evidence: '), r.evidence) : null,
      )
    : null;

  // ---- scores
  const groups: HTMLElement[] = [];
  // Small groups share one grid column.
  const side: HTMLElement[] = [];
  if (x) {
    groups.push(
      scoreGroup(
        'Execution',
        METRIC_LABELS.map(([k, label]) => kv(label, valueChip((x.metrics as unknown as Record<string, number | undefined>)[k] ?? null), k)),
      ),
    );
    side.push(
      scoreGroup('Format & weighted', [
        kv('format_think', valueChip(x.format_think)),
        kv('format_reasoning', valueChip(x.format_reasoning)),
        kv('tag_count', valueChip(x.tag_count)),
        kv('weighted', valueChip(x.weighted), 'TRL float32 weighted sum'),
      ]),
    );
    const rw = Object.entries(x.rewards);
    if (rw.length) groups.push(scoreGroup(`Rewards (${rw.length})`, rw.map(([k, v]) => kv(k, valueChip(v, ...(RANGES[k] ?? [0, 1])))), 'sl-score-rewards'));
  } else if (r.format) {
    // Not executed (no database): the format rewards still apply to the response.
    side.push(
      scoreGroup('Format', [
        kv('format_think', valueChip(r.format.format_think)),
        kv('format_reasoning', valueChip(r.format.format_reasoning)),
        kv('tag_count', valueChip(r.format.tag_count)),
      ]),
    );
  }
  const structural: Node[][] = [];
  if (r.relpm) structural.push(kv('RelPM', h('span', { title: 'precision · recall · F1' }, valueChip(r.relpm.precision), ' ', valueChip(r.relpm.recall), ' ', valueChip(r.relpm.f1))));
  else structural.push(kv('RelPM', h('span', { class: 'sl-muted' }, 'no gold plan')));
  if (r.astpm) structural.push(kv('AstPM', h('span', { title: 'precision · recall · F1' }, valueChip(r.astpm.precision), ' ', valueChip(r.astpm.recall), ' ', valueChip(r.astpm.f1))));
  if (r.steprtm) {
    structural.push(kv('StepRTM total', valueChip(r.steprtm.total), 'Σ step rewards = |∪ M_k| / |V*|'));
    structural.push(kv('outcome', h('span', null, valueChip(r.steprtm.outcome, -1, 1), h('span', { class: 'sl-muted' }, ` ${r.steprtm.outcome_scorer}`))));
  }
  groups.push(scoreGroup('Structural', structural));
  if (r.test_suite) {
    groups.push(
      scoreGroup('Test suite', [
        kv(
          'test-suite EX',
          r.test_suite.correct === null ? h('span', { class: 'sl-muted' }, 'no verdict (gold fails)') : r.test_suite.correct ? h('span', { class: 'sl-ok' }, icon('check', '✓'), ' yes') : h('span', { class: 'sl-bad' }, icon('close', '✗'), ' no'),
        ),
        kv('variants', String(r.test_suite.variants)),
        r.test_suite.failed_on.length ? kv('failed on', h('span', { class: 'sl-mono sl-small' }, r.test_suite.failed_on.join(', '))) : [],
      ]),
    );
  }
  if (r.timing) {
    side.push(
      scoreGroup('Timing', [
        kv('total', fmtMs(r.timing.total_ms)),
        kv('structural', fmtMs(r.timing.structural_ms)),
        kv('execution', fmtMs(r.timing.execution_ms)),
        kv('test suite', fmtMs(r.timing.test_suite_ms)),
      ]),
    );
  }

  if (side.length) groups.splice(Math.min(1, groups.length), 0, h('div', { class: 'sl-score-stack' }, side));

  // ---- SQL, trees, steps, trace: linked views
  const goldSql = r.gold_sql !== null ? new SqlView(r.gold_sql, { errors: marks(errors, 'gold') }) : null;
  const predSql =
    r.pred_sql !== null
      ? new SqlView(r.pred_sql, {
          steps,
          errors: marks(errors, 'pred'),
          onStep: (k) => selectStep(k),
        })
      : null;

  const goldPartner = new Map<number, number>();
  const predPartner = new Map<number, number>();
  for (const [g, p] of r.matches ?? []) {
    goldPartner.set(g, p);
    predPartner.set(p, g);
  }
  const goldNodes = r.plans?.gold ? flatten(r.plans.gold) : [];
  const predNodes = r.plans?.pred ? flatten(r.plans.pred) : [];
  let goldTree: PlanTreeView | null = null;
  let predTree: PlanTreeView | null = null;
  let stepHighlight: { start: number; end: number }[] = [];
  let selectedStep: number | null = null;

  const hoverNode = (side: 'gold' | 'pred', k: number | null): void => {
    if (k === null) {
      goldTree?.highlight(selectedStep !== null ? steps[selectedStep].new_matches : []);
      predTree?.highlight([]);
      goldSql?.highlight([]);
      predSql?.highlight(stepHighlight, 'sl-hl-step');
      return;
    }
    const g = side === 'gold' ? k : predPartner.get(k);
    const p = side === 'pred' ? k : goldPartner.get(k);
    goldTree?.highlight(g === undefined ? [] : [g], side === 'pred');
    predTree?.highlight(p === undefined ? [] : [p], side === 'gold');
    const gr = g === undefined ? undefined : goldNodes[g]?.range;
    const pr = p === undefined ? undefined : predNodes[p]?.range;
    goldSql?.highlight(gr ? [{ start: gr[0], end: gr[1] }] : []);
    predSql?.highlight(pr ? [{ start: pr[0], end: pr[1] }] : []);
  };

  if (r.plans?.gold) goldTree = new PlanTreeView(r.plans.gold, { side: 'gold', partner: goldPartner, onHover: (k) => hoverNode('gold', k) });
  if (r.plans?.pred) predTree = new PlanTreeView(r.plans.pred, { side: 'pred', partner: predPartner, onHover: (k) => hoverNode('pred', k) });

  const stepRows: HTMLElement[] = [];
  let trace: TraceView | null = null;
  const selectStep = (k: number | null, fromTrace = false): void => {
    selectedStep = k;
    stepRows.forEach((row, i) => row.classList.toggle('sl-active', i === k));
    const s = k === null ? undefined : steps[k];
    stepHighlight = s ? [{ start: s.start, end: s.end }] : [];
    predSql?.highlight(stepHighlight, 'sl-hl-step');
    goldTree?.highlight(s ? s.new_matches : [], true);
    if (!fromTrace) trace?.selectStep(k);
  };

  const stepsTable = steps.length
    ? h(
        'table',
        { class: 'sl-grid-table sl-steps' },
        h(
          'thead',
          null,
          h('tr', null, h('th', null, '#'), h('th', null, 'step'), h('th', null, 'range'), h('th', null, 'reward'), h('th', null, 'new matches'), h('th', null, 'error')),
        ),
        h(
          'tbody',
          null,
          steps.map((s, k) => {
            const row = h(
              'tr',
              {
                class: 'sl-clickable',
                tabindex: '0',
                title: 'Show this step in the SQL, its first matches in the gold plan and the reasoning that mentions it',
                onclick: () => selectStep(selectedStep === k ? null : k),
                onkeydown: (e: KeyboardEvent) => e.key === 'Enter' && selectStep(selectedStep === k ? null : k),
              },
              h('td', { class: 'sl-num' }, String(k + 1)),
              h('td', { class: 'sl-mono' }, h('span', { class: ['sl-step-swatch', `sl-step-c${k % 4}`] }), s.name ?? 'main query'),
              h('td', { class: 'sl-mono sl-muted' }, `${s.start}–${s.end}`),
              h(
                'td',
                null,
                h('span', { class: 'sl-rate' }, h('span', { class: 'sl-rate-track' }, h('span', { class: 'sl-rate-fill', style: { width: `${Math.max(0, Math.min(1, s.reward)) * 100}%` } })), h('span', { class: 'sl-rate-text' }, fmtNum(s.reward))),
              ),
              h(
                'td',
                { class: 'sl-mono', title: s.new_matches.map((n) => `#${n} ${goldNodes[n]?.label ?? ''}`).join('\n') },
                s.new_matches.length ? `${s.new_matches.length} / ${s.gold_nodes}` : h('span', { class: 'sl-muted' }, `0 / ${s.gold_nodes}`),
              ),
              h('td', { class: s.error ? 'sl-bad' : 'sl-muted' }, s.error ? `${s.error.kind}: ${s.error.message}` : '–'),
            );
            stepRows.push(row);
            return row;
          }),
        ),
      )
    : null;

  if (r.completion !== undefined) {
    trace = new TraceView(r.completion, r.trace, {
      sqlSpan: r.sql_span,
      steps: steps.map((s) => ({ name: s.name ?? 'main', reward: s.reward })),
      onStep: (k) => selectStep(k, true),
    });
  }

  const treePane = (title: string, view: PlanTreeView | null, side: 'gold' | 'pred'): HTMLElement => {
    const total = view?.size ?? 0;
    const matched = view?.matchedCount ?? 0;
    const unmatched = total - matched;
    return h(
      'div',
      { class: 'sl-tree-side' },
      h(
        'div',
        { class: 'sl-tree-head' },
        h('strong', null, title),
        view
          ? h('span', { class: 'sl-muted' }, ` · ${total} nodes · ${matched} matched · `, h('span', { class: side === 'gold' ? 'sl-bad' : 'sl-warn' }, `${unmatched} ${side === 'gold' ? 'missed' : 'extra'}`))
          : h('span', { class: 'sl-muted' }, ' · no plan'),
      ),
      h('div', { class: 'sl-tree-pane' }, view ? view.el : h('p', { class: 'sl-muted' }, side === 'gold' ? 'The gold query could not be planned.' : 'The prediction could not be planned (see errors).')),
    );
  };

  const sqlPane = (title: string, view: SqlView | null, extra?: Node | null): HTMLElement =>
    h('div', { class: 'sl-sql-side' }, h('div', { class: 'sl-tree-head' }, h('strong', null, title), extra ?? null), view ? view.el : h('p', { class: 'sl-muted' }, 'none'));

  const el = h(
    'article',
    { class: 'sl-drilldown', tabindex: '-1', 'aria-label': `Sample ${r.id ?? r.index}` },
    header,
    question,
    errors.length ? section(`Errors (${errors.length})`, errorsTable(errors)) : null,
    bad ? null : section('Scores', h('div', { class: 'sl-score-groups' }, groups)),
    r.gold_sql === null && r.pred_sql === null ? null : section(
      'SQL',
      h(
        'div',
        { class: 'sl-two' },
        sqlPane('Gold', goldSql),
        sqlPane('Predicted', predSql, steps.length > 1 ? h('span', { class: 'sl-muted' }, ` · ${steps.length} steps`) : null),
      ),
    ),
    stepsTable ? section('Steps (StepRTM)', stepsTable) : null,
    !structuralRan ? null : section(
      'Plans (RelPM matching)',
      h(
        'div',
        { class: 'sl-legend sl-muted' },
        h('span', { class: 'sl-pn-matched sl-legend-item' }, h('span', { class: 'sl-pn-dot' }), 'matched'),
        h('span', { class: 'sl-pn-missed sl-legend-item' }, h('span', { class: 'sl-pn-dot' }), 'gold only (missed)'),
        h('span', { class: 'sl-pn-extra sl-legend-item' }, h('span', { class: 'sl-pn-dot' }), 'predicted only (extra)'),
        h('span', null, ' · hover a node to see its partner and its SQL'),
      ),
      h('div', { class: 'sl-two sl-trees' }, treePane('Gold plan', goldTree, 'gold'), treePane('Predicted plan', predTree, 'pred')),
    ),
    trace ? section('Reasoning', trace.el) : null,
    x ? section('Result', renderResultDiff(x.gold, x.pred)) : null,
    h(
      'details',
      { class: 'sl-raw' },
      h('summary', null, 'Record JSON'),
      h('pre', { class: 'sl-raw-json' }, JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)),
    ),
  );
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && opts.onClose) opts.onClose();
  });
  return el;
}

function flatten(t: { label: string; range?: [number, number]; children: readonly unknown[] }): { label: string; range?: [number, number] }[] {
  const out: { label: string; range?: [number, number] }[] = [];
  const walk = (n: { label: string; range?: [number, number]; children: readonly unknown[] }): void => {
    out.push(n);
    for (const c of n.children) walk(c as typeof n);
  };
  walk(t);
  return out;
}
