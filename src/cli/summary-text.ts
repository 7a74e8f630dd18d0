// The end-of-run summary of `steplens score` as a person reads it on stderr:
// counts, accuracy, the headline reward with a one-line histogram, the
// structural means, per-system and per-database tables, error classes.

import type { Distribution, GroupSummary, ScoreSummary } from '../core/score/types.ts';

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(d: Distribution): string {
  const max = Math.max(...d.histogram.counts);
  return d.histogram.counts.map((c) => (c === 0 ? ' ' : BARS[Math.min(7, Math.floor((c / max) * 7.999))])).join('');
}

const pct = (x: number): string => (100 * x).toFixed(1) + '%';
const num = (x: number | null): string => (x === null ? '-' : x.toFixed(3));

function distLine(name: string, d: Distribution | undefined): string | null {
  if (!d || d.count === 0) return null;
  const [lo, hi] = [d.histogram.edges[0], d.histogram.edges[d.histogram.edges.length - 1]];
  return `  ${name.padEnd(40)} mean ${num(d.mean)}  n=${d.count}  ${lo} |${sparkline(d)}| ${hi}`;
}

function table(title: string, groups: Record<string, GroupSummary>, limit: number): string[] {
  const keys = Object.keys(groups);
  if (keys.length === 0) return [];
  const width = Math.min(48, Math.max(8, ...keys.map((k) => k.length)));
  const hasTs = keys.some((k) => groups[k].test_suite);
  const hasSpider = keys.some((k) => groups[k].spider_ex);
  const head = `  ${'name'.padEnd(width)}  records  scored${hasSpider ? ' SpiderEX' : ''}  A-EX${hasTs ? '   TS-EX' : ''}  reward   RelPM`;
  const rows = keys.slice(0, limit).map((k) => {
    const g = groups[k];
    const spider = hasSpider ? (g.spider_ex ? pct(g.spider_ex.rate).padStart(9) : '        -') : '';
    const ex = spider + (g.ex.total ? pct(g.ex.rate).padStart(7) : '      -');
    const ts = hasTs ? (g.test_suite ? pct(g.test_suite.rate).padStart(8) : '       -') : '';
    const name = k.length > width ? '…' + k.slice(k.length - width + 1) : k;
    return `  ${name.padEnd(width)}  ${String(g.records).padStart(7)}  ${String(g.scored).padStart(6)}  ${ex}${ts}  ${num(g.reward_mean).padStart(6)}  ${num(g.relpm_f1_mean).padStart(6)}`;
  });
  if (keys.length > limit) rows.push(`  ... ${keys.length - limit} more (see --summary-json)`);
  return ['', title, head, ...rows];
}

export function formatSummary(s: ScoreSummary): string {
  const lines: string[] = [];
  lines.push(
    `StepLens score: ${s.records} record${s.records === 1 ? '' : 's'} from ${s.inputs.length} file${s.inputs.length === 1 ? '' : 's'}: ` +
      `${s.scored} scored, ${s.bad_records} bad, ${s.executed} executed  (${s.timing.records_per_second.toFixed(0)} records/s)`,
  );
  if (s.infrastructure_errors) {
    lines.push(`  ${s.infrastructure_errors} not scored: infrastructure errors (database locked, unreadable or gone; see busy/io/db_missing below), retried by --resume`);
  }
  // Named as the benchmarks name them (METRIC_INFO, docs/rewards.md).
  const acc = (label: string, a: { rate: number; correct: number; total: number }): string => `${label} ${pct(a.rate)} (${a.correct}/${a.total})`;
  const headline = [s.spider_ex ? acc('Spider EX', s.spider_ex) : null, s.test_suite ? acc('test-suite EX', s.test_suite) : null, s.ex.total ? acc('layout-A EX', s.ex) : null].filter((x) => x !== null);
  if (headline.length) lines.push(`  ${headline.join('   ')}`);
  lines.push('', 'Rewards (headline first):');
  const others = ['QATCH', 'EX', 'weighted', 'format_think', 'test_suite', 'relpm_f1', 'astpm_f1', 'steprtm_total', 'steprtm_outcome'].filter((n) => n !== s.reward);
  for (const name of [s.reward, ...others]) {
    const l = distLine(name === s.reward ? `${name} (headline)` : name, s.distributions[name]);
    if (l) lines.push(l);
  }
  if (Object.keys(s.per_source).length > 1) lines.push(...table('Per input file:', s.per_source, 50));
  lines.push(...table('Per database:', s.per_database, 25));
  const errs = Object.entries(s.error_classes);
  if (errs.length) {
    lines.push('', 'Errors (records per class):');
    for (const [k, n] of errs.slice(0, 20)) lines.push(`  ${k.padEnd(40)} ${n}`);
    if (errs.length > 20) lines.push(`  ... ${errs.length - 20} more classes (see --summary-json)`);
  }
  return lines.join('\n') + '\n';
}
