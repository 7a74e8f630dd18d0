// Rewards view: the headline reward with the branch it took, each step's StepRTM reward and the
// running total (a small SVG chart and a table; a step is selectable), RelPM / AstPM, every execution
// metric with a line on what it measures, test-suite EX, the format rewards and every registry reward.

import type { ScoredRecord } from '../../src/core/score/types.ts';
import { fmtNum, h, icon, s, valueChip } from '../components/dom.ts';
import { METRIC_DISPLAY_ORDER, METRIC_INFO, type RecordMetricName } from '../../src/core/rewards/metric-names.ts';

export const METRICS: { key: RecordMetricName; label: string; what: string }[] = METRIC_DISPLAY_ORDER.map((key) => ({ key, ...METRIC_INFO[key] }));

const RANGES: Record<string, [number, number]> = { 'SQL-R1': [-1, 7.5], 'SQL-R1-EX': [-1, 7.5], penalty_no_format: [-1, 0] };

/** Why the headline reward has its value, for the gated small-update family (docs/rewards.md). */
export function rewardBranch(r: ScoredRecord): string | null {
  const x = r.execution;
  const name = r.reward.name;
  const m = /^(qatch|ex)_small_update(_with_fm|_fm_with_buckets)?$/.exec(name);
  if (r.status === 'infrastructure_error') return 'not scored: the database was locked, unreadable or gone (an infrastructure error, not a mismatch)';
  if (!m) return x ? null : 'not executed: no database for this statement';
  if (!x) return 'not executed: no database for this statement';
  const base = m[1] === 'qatch' ? 'QA' : 'BIRD EX';
  const score = m[1] === 'qatch' ? x.metrics.qa : x.metrics.bird_ex;
  if (x.gold.error || x.pred.error) return `${x.pred.error ? 'the prediction' : 'the gold query'} failed to execute → 0`;
  if (score === 1) return `${base} = 1: a perfect result → 1 (no format needed)`;
  if (m[2] && x.format_think !== 1) return `${base} = ${fmtNum(score)} < 1 and the format gate failed (format_think = ${fmtNum(x.format_think)}) → 0`;
  const gate = m[2] ? ', format gate passed' : '';
  if (m[2] === '_fm_with_buckets') return `${base} = ${fmtNum(score)}${gate} → bucket ${fmtNum(r.reward.value)}`;
  return score > 0.1 ? `${base} = ${fmtNum(score)} > 0.1${gate} → ${base}` : `${base} = ${fmtNum(score)} ≤ 0.1${gate} → the 0.1 floor for an executable query`;
}

export interface RewardsView {
  el: HTMLElement;
  /** Marks step k (null: none). */
  select(k: number | null): void;
}

function card(title: string, ...body: (Node | string | null)[]): HTMLElement {
  return h('section', { class: 'slp-card' }, h('h3', null, title), body);
}

/** The per-step chart: a bar per step (its StepRTM reward) and the running total as a line, both on [0, 1]. */
function stepChart(rewards: readonly number[], names: readonly string[], onPick: (k: number) => void): { el: SVGSVGElement; bars: SVGElement[] } {
  const n = rewards.length;
  const W = Math.max(220, n * 44 + 40);
  const H = 120;
  const left = 30;
  const top = 8;
  const ph = H - top - 22;
  const bw = (W - left - 8) / Math.max(1, n);
  const y = (v: number): number => top + ph * (1 - Math.max(0, Math.min(1, v)));
  const bars: SVGElement[] = [];
  const grid = [0, 0.5, 1].map((v) => [
    s('line', { x1: String(left), x2: String(W - 4), y1: String(y(v)), y2: String(y(v)), class: 'slp-grid' }),
    s('text', { x: String(left - 4), y: String(y(v) + 3), class: 'slp-axis', 'text-anchor': 'end' }, String(v)),
  ]);
  let total = 0;
  const pts: string[] = [];
  const groups = rewards.map((v, k) => {
    total += v;
    const x = left + k * bw;
    pts.push(`${x + bw / 2},${y(total)}`);
    const bar = s(
      'rect',
      { x: String(x + bw * 0.18), y: String(y(v)), width: String(bw * 0.64), height: String(Math.max(1, y(0) - y(v))), class: `slp-bar sl-cte-c${k % 8}`, dataset: { step: String(k) } },
      s('title', null, `${names[k]}: StepRTM ${fmtNum(v)} · running total ${fmtNum(total)}`),
    );
    bar.addEventListener('click', () => onPick(k));
    bars.push(bar);
    return [bar, s('text', { x: String(x + bw / 2), y: String(H - 8), class: 'slp-axis', 'text-anchor': 'middle' }, String(k + 1))];
  });
  const line = s('polyline', { points: pts.join(' '), class: 'slp-total' });
  const dots = pts.map((p) => {
    const [cx, cy] = p.split(',');
    return s('circle', { cx, cy, r: '2.5', class: 'slp-total-dot' });
  });
  const el = s('svg', { viewBox: `0 0 ${W} ${H}`, width: String(W), height: String(H), class: 'slp-chart', role: 'img', 'aria-label': `StepRTM per step and running total ${fmtNum(total)}` }, grid, groups, line, dots);
  return { el, bars };
}

export function renderRewards(r: ScoredRecord, onStep: (k: number | null) => void): RewardsView {
  const steps = r.steprtm?.steps ?? [];
  const names = steps.map((st) => st.name ?? 'main query');
  const x = r.execution;
  const [lo, hi] = RANGES[r.reward.name] ?? [0, 1];
  const branch = rewardBranch(r);

  const headline = h(
    'section',
    { class: 'slp-card slp-headline' },
    h('div', { class: 'slp-headline-name' }, r.reward.name),
    h('div', { class: 'slp-headline-value' }, valueChip(r.reward.value, lo, hi)),
    branch ? h('div', { class: 'sl-muted slp-branch' }, branch) : null,
    x
      ? h('span', { class: ['sl-badge', x.metrics.ex === 1 ? 'sl-badge-ok' : 'sl-badge-bad'] }, 'EX ', x.metrics.ex === 1 ? icon('check', '✓') : icon('close', '✗'))
      : h('span', { class: ['sl-badge', r.status === 'infrastructure_error' && 'sl-badge-infra'] }, r.status === 'infrastructure_error' ? 'infrastructure error' : 'not executed'),
  );

  // ---- steps
  const rows: HTMLElement[] = [];
  let chart: { el: SVGSVGElement; bars: SVGElement[] } | null = null;
  let stepsCard: HTMLElement | null = null;
  if (steps.length) {
    chart = stepChart(steps.map((st) => st.reward), names, (k) => onStep(k));
    let run = 0;
    const tbody = h(
      'tbody',
      null,
      steps.map((st, k) => {
        run += st.reward;
        const row = h(
          'tr',
          { class: 'sl-clickable', tabindex: k === 0 ? '0' : '-1', dataset: { step: String(k) }, 'aria-selected': 'false' },
          h('td', { class: 'sl-num' }, String(k + 1)),
          h('td', { class: 'sl-mono' }, h('span', { class: ['slp-swatch', `sl-cte-c${k % 8}`] }), names[k]),
          h('td', null, h('span', { class: 'sl-rate' }, h('span', { class: 'sl-rate-track' }, h('span', { class: 'sl-rate-fill', style: { width: `${Math.max(0, Math.min(1, st.reward)) * 100}%` } })), h('span', { class: 'sl-rate-text' }, fmtNum(st.reward)))),
          h('td', { class: 'sl-num' }, fmtNum(run)),
          h('td', { class: 'sl-mono' }, `${st.new_matches.length} / ${st.gold_nodes}`),
          h('td', { class: st.error ? 'sl-bad' : 'sl-muted' }, st.error ? `${st.error.kind}: ${st.error.message}` : '–'),
        );
        row.addEventListener('click', () => onStep(k));
        rows.push(row);
        return row;
      }),
    );
    const table = h(
      'table',
      { class: 'sl-grid-table slp-steps', role: 'grid', 'aria-label': 'Steps' },
      h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'step'), h('th', null, 'StepRTM'), h('th', { title: 'Σ of the rewards up to this step' }, 'running Σ'), h('th', { title: 'gold nodes this step matched first / gold nodes' }, 'new gold nodes'), h('th', null, 'error'))),
      tbody,
    );
    table.addEventListener('keydown', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('tr[data-step]');
      if (!row) return;
      const k = Number(row.dataset.step);
      let to: number | null = null;
      if (e.key === 'ArrowDown') to = Math.min(rows.length - 1, k + 1);
      else if (e.key === 'ArrowUp') to = Math.max(0, k - 1);
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = rows.length - 1;
      else if (e.key === 'Enter' || e.key === ' ') onStep(k);
      else return;
      e.preventDefault();
      if (to !== null) {
        rows[k].tabIndex = -1;
        rows[to].tabIndex = 0;
        rows[to].focus();
        onStep(to);
      }
    });
    stepsCard = card(
      `StepRTM · ${steps.length} step${steps.length === 1 ? '' : 's'} · Σ ${fmtNum(r.steprtm!.total)}`,
      h('p', { class: 'sl-muted slp-what' }, 'Each step’s reward is the share of gold plan nodes it matched first; the running total ends at |∪ matched| / |gold nodes|.'),
      h('div', { class: 'slp-chart-wrap' }, chart.el),
      table,
    );
  }

  // ---- structural
  const prfRow = (label: string, v: { precision: number; recall: number; f1: number } | null, what: string): HTMLElement =>
    h('tr', null, h('th', { scope: 'row' }, label), v ? [h('td', null, valueChip(v.precision)), h('td', null, valueChip(v.recall)), h('td', null, valueChip(v.f1))] : h('td', { colspan: '3', class: 'sl-muted' }, 'no gold tree'), h('td', { class: 'sl-muted slp-what' }, what));
  const structural = card(
    'Structure',
    h(
      'table',
      { class: 'sl-grid-table slp-prf' },
      h('thead', null, h('tr', null, h('th', null, ''), h('th', null, 'precision'), h('th', null, 'recall'), h('th', null, 'F1'), h('th', null, ''))),
      h(
        'tbody',
        null,
        prfRow('RelPM', r.relpm, 'Matched relational plan nodes (operators and expressions) between the gold and predicted plans.'),
        prfRow('AstPM', r.astpm, 'Matched syntax tree nodes between the two queries.'),
      ),
    ),
    r.steprtm
      ? h('p', { class: 'slp-outcome' }, 'Outcome reward ', valueChip(r.steprtm.outcome, -1, 1), h('span', { class: 'sl-muted' }, ` (${r.steprtm.outcome_scorer}; −1 syntax error, −0.6 no plan)`))
      : null,
  );

  // ---- execution
  const metric = (label: string, v: number | null | undefined, what: string, key: string): HTMLElement =>
    h('tr', { dataset: { metric: key } }, h('th', { scope: 'row' }, label), h('td', null, valueChip(v)), h('td', { class: 'sl-muted slp-what' }, what));
  const exec = x
    ? card(
        'Execution',
        h(
          'table',
          { class: 'sl-grid-table slp-metrics' },
          h(
            'tbody',
            null,
            // A record written before the official metrics lacks spider_ex / bird_soft_f1: shown as –.
            METRICS.map((m) => metric(m.label, x.metrics[m.key] ?? null, m.what, m.key)),
            r.test_suite
              ? metric(
                  METRIC_INFO.test_suite.label,
                  r.test_suite.correct === null ? null : r.test_suite.correct ? 1 : 0,
                  `${METRIC_INFO.test_suite.what} ${r.test_suite.checked} of ${r.test_suite.variants + 1} databases run${r.test_suite.failed_on.length ? `; fails on ${r.test_suite.failed_on.join(', ')}` : ''}${r.test_suite.correct === null ? '; no verdict: gold fails on one of them' : ''}.`,
                  'test_suite',
                )
              : null,
          ),
        ),
      )
    : card(
        'Execution',
        h(
          'p',
          { class: 'sl-muted' },
          r.status === 'infrastructure_error'
            ? 'Not scored: the database was locked, unreadable or gone, so there are no execution metrics (this is not a mismatch).'
            : 'Not executed: the statement has no database file (schema only), so there are no execution metrics.',
        ),
      );

  // ---- format
  const f = x ? { format_think: x.format_think, format_reasoning: x.format_reasoning, tag_count: x.tag_count } : r.format;
  const format =
    f && r.completion !== undefined
      ? card(
          'Format',
          h(
            'table',
            { class: 'sl-grid-table slp-metrics' },
            h(
              'tbody',
              null,
              metric('format_think', f.format_think, '<think>…</think> then <answer>…</answer>, nothing else.', 'format_think'),
              metric('format_reasoning', f.format_reasoning, '<reasoning>…</reasoning> then <answer>…</answer>.', 'format_reasoning'),
              metric('tag_count', f.tag_count, '0.25 for each of the four think/answer tags present exactly once.', 'tag_count'),
              x ? metric('weighted', x.weighted, 'The trainer’s weighted sum (default 0.95·QATCH + 0.05·format_think).', 'weighted') : null,
            ),
          ),
        )
      : null;

  const all = x
    ? h(
        'details',
        { class: 'slp-card slp-all' },
        h('summary', null, `Every reward (${Object.keys(x.rewards).length})`),
        h('table', { class: 'sl-grid-table slp-metrics' }, h('tbody', null, Object.entries(x.rewards).map(([k, v]) => h('tr', null, h('th', { scope: 'row', class: 'sl-mono' }, k), h('td', null, valueChip(v, ...(RANGES[k] ?? [0, 1]))))))),
      )
    : null;

  const el = h('div', { class: 'slp-rewards' }, headline, stepsCard, structural, exec, format, all);
  return {
    el,
    select(k) {
      rows.forEach((row, i) => {
        row.classList.toggle('sl-active', i === k);
        row.setAttribute('aria-selected', String(i === k));
      });
      chart?.bars.forEach((b, i) => b.classList.toggle('slp-bar-on', i === k));
    },
  };
}
