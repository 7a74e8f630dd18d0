// The run summary (`steplens.summary/1`): headline counts and accuracies, the
// reward histograms, error classes and the per-source / per-database
// breakdowns. Clicking a bar, an error class or a group row asks the host to
// filter the sample table (`onFilter`).

import type { Accuracy, Distribution, GroupSummary, ScoreSummary } from '../../src/core/score/types.ts';
import { METRIC_INFO } from '../../src/core/rewards/metric-names.ts';
import { fmtInt, fmtMs, fmtNum, fmtPct, h, valueChip, valueClass } from './dom.ts';
import { renderHistogram } from './histogram.ts';

/** Numeric sample-table fields a distribution maps to (for click-to-filter). */
export type RangeField = 'reward' | 'ex' | 'qa' | 'relpmF1' | 'rtm';

export interface SummaryFilter {
  source?: string;
  db?: string;
  status?: string;
  range?: { field: RangeField; lo: number; hi: number; hiInclusive: boolean; label: string };
}

export interface SummaryViewOptions {
  onFilter?: (f: SummaryFilter) => void;
}

/** Distribution key → table field, for the distributions the table has a column for. */
export function fieldOfDistribution(summary: ScoreSummary, key: string): RangeField | null {
  if (key === summary.reward) return 'reward';
  switch (key) {
    case 'qa':
    case 'QATCH':
      return 'qa';
    case 'ex':
    case 'EX_EX':
      return 'ex';
    case 'relpm_f1':
      return 'relpmF1';
    case 'steprtm_total':
      return 'rtm';
    default:
      return null;
  }
}

const PREFERRED = ['ex', 'qa', 'relpm_f1', 'astpm_f1', 'steprtm_total', 'steprtm_outcome', 'test_suite', 'bird_ex', 'f1', 'weighted'];

const LABELS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(METRIC_INFO).map(([k, v]) => [k, v.label])),
  relpm_f1: 'RelPM F1',
  astpm_f1: 'AstPM F1',
  steprtm_total: 'StepRTM total',
  steprtm_outcome: 'StepRTM outcome',
  weighted: 'Weighted (TRL)',
};

export const distributionLabel = (key: string): string => LABELS[key] ?? key;

const rangeOf = (d: Distribution): [number, number] => [d.histogram.edges[0] ?? 0, d.histogram.edges[d.histogram.edges.length - 1] ?? 1];

function stat(label: string, value: string, detail?: string, cls?: string): HTMLElement {
  return h('div', { class: ['sl-stat', cls] }, h('div', { class: 'sl-stat-label' }, label), h('div', { class: 'sl-stat-value' }, value), detail ? h('div', { class: 'sl-stat-detail' }, detail) : null);
}

function accuracyStat(label: string, a: Accuracy | null): HTMLElement {
  if (!a) return stat(label, '–', 'not run');
  return stat(label, fmtPct(a.rate), `${fmtInt(a.correct)} / ${fmtInt(a.total)}`, valueClass(a.rate));
}

function rateBar(a: Accuracy | null): HTMLElement {
  if (!a || a.total === 0) return h('span', { class: 'sl-muted' }, '–');
  return h(
    'span',
    { class: 'sl-rate', title: `${fmtInt(a.correct)} / ${fmtInt(a.total)}` },
    h('span', { class: 'sl-rate-track' }, h('span', { class: ['sl-rate-fill', valueClass(a.rate)], style: { width: `${(a.rate * 100).toFixed(1)}%` } })),
    h('span', { class: 'sl-rate-text' }, fmtPct(a.rate)),
  );
}

function groupTable(title: string, groups: Record<string, GroupSummary>, onPick: ((name: string) => void) | undefined, kind: string): HTMLElement {
  const names = Object.keys(groups).sort((a, b) => groups[b].records - groups[a].records || a.localeCompare(b));
  const anyTs = names.some((n) => groups[n].test_suite);
  const anySpider = names.some((n) => groups[n].spider_ex);
  const head = h(
    'tr',
    null,
    h('th', null, kind),
    h('th', { class: 'sl-num' }, 'records'),
    h('th', { class: 'sl-num' }, 'scored'),
    anySpider ? h('th', null, 'Spider EX') : null,
    h('th', null, 'layout-A EX'),
    anyTs ? h('th', null, 'test-suite EX') : null,
    h('th', { class: 'sl-num' }, 'reward'),
    h('th', { class: 'sl-num' }, 'RelPM F1'),
  );
  const body = names.map((n) => {
    const g = groups[n];
    return h(
      'tr',
      {
        class: onPick && 'sl-clickable',
        title: onPick ? `Show only ${kind} ${n} in the sample table` : undefined,
        tabindex: onPick ? '0' : undefined,
        onclick: onPick ? () => onPick(n) : undefined,
        onkeydown: onPick ? (e: KeyboardEvent) => e.key === 'Enter' && onPick(n) : undefined,
      },
      h('td', { class: 'sl-group-name', title: n }, n),
      h('td', { class: 'sl-num' }, fmtInt(g.records)),
      h('td', { class: 'sl-num' }, fmtInt(g.scored)),
      anySpider ? h('td', null, rateBar(g.spider_ex)) : null,
      h('td', null, rateBar(g.ex)),
      anyTs ? h('td', null, rateBar(g.test_suite)) : null,
      h('td', { class: 'sl-num' }, valueChip(g.reward_mean)),
      h('td', { class: 'sl-num' }, valueChip(g.relpm_f1_mean)),
    );
  });
  return h(
    'section',
    { class: 'sl-card sl-groups' },
    h('h3', null, title, h('span', { class: 'sl-count' }, String(names.length))),
    names.length ? h('div', { class: 'sl-scroll' }, h('table', { class: 'sl-grid-table' }, h('thead', null, head), h('tbody', null, body))) : h('p', { class: 'sl-muted' }, 'none'),
  );
}

function errorClasses(summary: ScoreSummary, onPick: ((cls: string) => void) | undefined): HTMLElement {
  const entries = Object.entries(summary.error_classes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const max = Math.max(1, ...entries.map((e) => e[1]));
  const total = entries.reduce((a, e) => a + e[1], 0);
  return h(
    'section',
    { class: 'sl-card sl-errors-summary' },
    h('h3', null, 'Error classes', h('span', { class: 'sl-count' }, fmtInt(total))),
    entries.length
      ? h(
          'div',
          { class: 'sl-scroll' },
          h(
            'table',
            { class: 'sl-grid-table' },
            h(
              'tbody',
              null,
              entries.map(([cls, count]) =>
                h(
                  'tr',
                  { class: onPick && 'sl-clickable', tabindex: onPick ? '0' : undefined, title: onPick ? `Show only records with a ${cls} error` : undefined, onclick: onPick ? () => onPick(cls) : undefined, onkeydown: onPick ? (e: KeyboardEvent) => e.key === 'Enter' && onPick(cls) : undefined },
                  h('td', { class: 'sl-mono sl-error-class' }, cls),
                  h('td', { class: 'sl-bar-cell' }, h('span', { class: 'sl-bar sl-bar-bad', style: { width: `${((100 * count) / max).toFixed(1)}%` } })),
                  h('td', { class: 'sl-num' }, fmtInt(count)),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'sl-muted' }, 'No errors.'),
  );
}

export function renderSummary(summary: ScoreSummary, opts: SummaryViewOptions = {}): HTMLElement {
  const onFilter = opts.onFilter;
  const dists = summary.distributions ?? {};
  const headline: Distribution | undefined = dists[summary.reward];
  const errorsTotal = Object.values(summary.error_classes ?? {}).reduce((a, b) => a + b, 0);

  const histFor = (key: string, large = false): HTMLElement => {
    const field = fieldOfDistribution(summary, key);
    const label = key === summary.reward ? `${key} (headline reward)` : distributionLabel(key);
    return renderHistogram(dists[key], {
      title: label,
      subtitle: key,
      large,
      onBin:
        onFilter && field
          ? (lo, hi, i) => onFilter({ range: { field, lo, hi, hiInclusive: i === dists[key].histogram.counts.length - 1, label: key === summary.reward ? key : distributionLabel(key) } })
          : undefined,
    });
  };

  const others = Object.keys(dists).filter((k) => k !== summary.reward);
  const main = PREFERRED.filter((k) => others.includes(k)).slice(0, 7);
  const rest = others.filter((k) => !main.includes(k)).sort();

  const stats = h(
    'div',
    { class: 'sl-stats' },
    stat('Records', fmtInt(summary.records), `${fmtInt(summary.scored)} scored · ${fmtInt(summary.bad_records)} bad`),
    // Counted apart: a locked, unreadable or vanished database says nothing about the model (older summaries lack the field).
    summary.infrastructure_errors
      ? stat('Not scored', fmtInt(summary.infrastructure_errors), 'infrastructure errors (database locked, unreadable or gone; --resume retries)', 'sl-stat-infra')
      : null,
    stat('Executed', fmtInt(summary.executed), summary.records ? `${fmtPct(summary.executed / summary.records)} of records` : undefined),
    // Named as the benchmarks name them (METRIC_INFO); Spider EX only in summaries that have it.
    summary.spider_ex ? accuracyStat('Spider EX', summary.spider_ex) : null,
    accuracyStat('test-suite EX', summary.test_suite),
    accuracyStat('layout-A EX', summary.ex),
    headline ? stat('Mean reward', fmtNum(headline.mean), summary.reward, valueClass(headline.mean, ...rangeOf(headline))) : stat('Mean reward', '–', summary.reward),
    stat('Errors', fmtInt(errorsTotal), `${Object.keys(summary.error_classes ?? {}).length} classes`, errorsTotal ? 'sl-stat-bad' : undefined),
    summary.timing ? stat('Wall time', fmtMs(summary.timing.wall_ms), `${fmtNum(summary.timing.records_per_second, 1)} records/s`) : null,
  );

  return h(
    'div',
    { class: 'sl-summary' },
    stats,
    h(
      'div',
      { class: 'sl-summary-row' },
      h(
        'section',
        { class: 'sl-card sl-dists' },
        h('h3', null, 'Reward distributions', onFilter ? h('span', { class: 'sl-hint' }, 'click a bar to filter') : null),
        h('div', { class: 'sl-hist-grid' }, headline ? histFor(summary.reward, true) : h('p', { class: 'sl-muted' }, `no distribution for ${summary.reward}`), main.map((k) => histFor(k))),
        rest.length ? h('details', { class: 'sl-more' }, h('summary', null, `${rest.length} more distributions`), h('div', { class: 'sl-hist-grid' }, rest.map((k) => histFor(k)))) : null,
      ),
      errorClasses(summary, onFilter ? (cls) => onFilter({ status: `class:${cls}` }) : undefined),
    ),
    h(
      'div',
      { class: 'sl-summary-row sl-summary-groups' },
      groupTable('Per source (system)', summary.per_source ?? {}, onFilter ? (n) => onFilter({ source: n }) : undefined, 'source'),
      groupTable('Per database', summary.per_database ?? {}, onFilter ? (n) => onFilter({ db: n }) : undefined, 'db_id'),
    ),
    summary.inputs?.length ? h('p', { class: 'sl-inputs sl-muted' }, `Inputs: ${summary.inputs.join(', ')}`) : null,
  );
}
