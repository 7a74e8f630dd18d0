// The summary of a scoring run, built incrementally as records are written
// (so a run interrupted half way still summarizes what it has): counts, the
// distribution of every reward, EX and test-suite accuracy, error classes, and
// breakdowns per database and per input file (system).

import { RECORD_METRIC_NAMES } from '../rewards/metrics.ts';
import { REWARD_SPECS } from '../rewards/registry.ts';
import { headlineRange } from './headline.ts';
import { SUMMARY_SCHEMA, type Accuracy, type Distribution, type GroupSummary, type RecordError, type ScoreSummary, type ScoredRecord } from './types.ts';

const BINS = 10;

class DistributionBuilder {
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly counts = new Array<number>(BINS).fill(0);
  private readonly lo: number;
  private readonly hi: number;
  constructor(lo: number, hi: number) {
    this.lo = lo;
    this.hi = hi;
  }

  add(x: number): void {
    if (!Number.isFinite(x)) return;
    this.count++;
    this.sum += x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const t = (x - this.lo) / (this.hi - this.lo);
    this.counts[Math.min(BINS - 1, Math.max(0, Math.floor(t * BINS)))]++;
  }

  finish(): Distribution {
    const edges = Array.from({ length: BINS + 1 }, (_, i) => round6(this.lo + ((this.hi - this.lo) * i) / BINS));
    return {
      count: this.count,
      mean: this.count ? round6(this.sum / this.count) : 0,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
      histogram: { edges, counts: [...this.counts] },
    };
  }
}

class AccuracyBuilder {
  correct = 0;
  total = 0;
  add(ok: boolean): void {
    this.total++;
    if (ok) this.correct++;
  }
  finish(): Accuracy {
    return { correct: this.correct, total: this.total, rate: this.total ? round6(this.correct / this.total) : 0 };
  }
}

class GroupBuilder {
  records = 0;
  scored = 0;
  readonly ex = new AccuracyBuilder();
  readonly spiderEx = new AccuracyBuilder();
  readonly testSuite = new AccuracyBuilder();
  private rewardSum = 0;
  private rewardN = 0;
  private relpmSum = 0;
  private relpmN = 0;

  add(r: ScoredRecord): void {
    this.records++;
    if (r.status !== 'scored') return;
    this.scored++;
    if (r.execution) addOfficial(this.ex, this.spiderEx, r);
    if (r.test_suite && r.test_suite.correct !== null) this.testSuite.add(r.test_suite.correct);
    if (r.reward.value !== null) {
      this.rewardSum += r.reward.value;
      this.rewardN++;
    }
    if (r.relpm) {
      this.relpmSum += r.relpm.f1;
      this.relpmN++;
    }
  }

  finish(): GroupSummary {
    return {
      records: this.records,
      scored: this.scored,
      ex: this.ex.finish(),
      spider_ex: this.spiderEx.total ? this.spiderEx.finish() : null,
      test_suite: this.testSuite.total ? this.testSuite.finish() : null,
      reward_mean: this.rewardN ? round6(this.rewardSum / this.rewardN) : null,
      relpm_f1_mean: this.relpmN ? round6(this.relpmSum / this.relpmN) : null,
    };
  }
}

/** Layout-A EX of an executed record, and Spider EX where it has a verdict (null: gold failed there). */
function addOfficial(ex: AccuracyBuilder, spiderEx: AccuracyBuilder, r: ScoredRecord): void {
  const m = r.execution!.metrics;
  ex.add(m.ex === 1);
  // Outputs written before Spider EX existed have no such field.
  if (m.spider_ex !== null && m.spider_ex !== undefined) spiderEx.add(m.spider_ex === 1);
}

/** Every value a record contributes to the distributions, by name. */
function values(r: ScoredRecord): [string, number | null][] {
  const out: [string, number | null][] = [[r.reward.name, r.reward.value]];
  if (r.format) out.push(['format_think', r.format.format_think], ['format_reasoning', r.format.format_reasoning], ['tag_count', r.format.tag_count]);
  const e = r.execution;
  if (e) {
    for (const m of RECORD_METRIC_NAMES) out.push([m, e.metrics[m]]);
    out.push(['weighted', e.weighted]);
    for (const s of REWARD_SPECS) if (!s.needs) out.push([s.key, e.rewards[s.key] ?? null]);
  }
  if (r.test_suite) out.push(['test_suite', r.test_suite.correct === null ? null : r.test_suite.correct ? 1 : 0]);
  out.push(['relpm_f1', r.relpm?.f1 ?? null], ['astpm_f1', r.astpm?.f1 ?? null]);
  out.push(['steprtm_total', r.steprtm?.total ?? null], ['steprtm_outcome', r.steprtm?.outcome ?? null]);
  return out;
}

/** `stage/side/kind`, the key errors are counted under. */
export function errorClass(e: RecordError): string {
  return e.side ? `${e.stage}/${e.side}/${e.kind}` : `${e.stage}/${e.kind}`;
}

export class SummaryBuilder {
  private readonly start = performance.now();
  private records = 0;
  private scored = 0;
  private bad = 0;
  private infrastructure = 0;
  private executed = 0;
  private readonly ex = new AccuracyBuilder();
  private readonly spiderEx = new AccuracyBuilder();
  private readonly testSuite = new AccuracyBuilder();
  private readonly distributions = new Map<string, DistributionBuilder>();
  private readonly errorClasses = new Map<string, number>();
  private readonly perDatabase = new Map<string, GroupBuilder>();
  private readonly perSource = new Map<string, GroupBuilder>();

  private readonly inputs: readonly string[];
  private readonly reward: string;

  constructor(inputs: readonly string[], reward: string) {
    this.inputs = inputs;
    this.reward = reward;
    // The headline first, so it leads every listing.
    this.distribution(reward);
  }

  add(r: ScoredRecord): void {
    this.records++;
    if (r.status === 'bad_record') this.bad++;
    else if (r.status === 'infrastructure_error') this.infrastructure++;
    else this.scored++;
    if (r.execution) {
      this.executed++;
      addOfficial(this.ex, this.spiderEx, r);
    }
    if (r.test_suite && r.test_suite.correct !== null) this.testSuite.add(r.test_suite.correct);
    if (r.status === 'scored') {
      // The headline is also a registry reward or metric: count each name once.
      const seen = new Set<string>();
      for (const [name, v] of values(r)) {
        if (v === null || seen.has(name)) continue;
        seen.add(name);
        this.distribution(name).add(v);
      }
    }
    // One count per class per record: a failing CTE reported at two steps is one error class hit.
    for (const c of new Set(r.errors.map(errorClass))) this.errorClasses.set(c, (this.errorClasses.get(c) ?? 0) + 1);
    group(this.perDatabase, r.db_id ?? '(unknown)').add(r);
    group(this.perSource, r.source).add(r);
  }

  finish(): ScoreSummary {
    const wall = performance.now() - this.start;
    const dists: Record<string, Distribution> = {};
    for (const [k, d] of this.distributions) {
      const f = d.finish();
      if (f.count > 0 || k === this.reward) dists[k] = f;
    }
    return {
      schema: SUMMARY_SCHEMA,
      inputs: [...this.inputs],
      reward: this.reward,
      records: this.records,
      scored: this.scored,
      bad_records: this.bad,
      infrastructure_errors: this.infrastructure,
      executed: this.executed,
      ex: this.ex.finish(),
      spider_ex: this.spiderEx.total ? this.spiderEx.finish() : null,
      test_suite: this.testSuite.total ? this.testSuite.finish() : null,
      distributions: dists,
      error_classes: Object.fromEntries([...this.errorClasses].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
      per_database: finishGroups(this.perDatabase),
      per_source: finishGroups(this.perSource),
      timing: { wall_ms: Math.round(wall), records_per_second: wall > 0 ? round6((this.records * 1000) / wall) : 0 },
    };
  }

  private distribution(name: string): DistributionBuilder {
    let d = this.distributions.get(name);
    if (!d) {
      const [lo, hi] = headlineRange(name);
      d = new DistributionBuilder(lo, hi);
      this.distributions.set(name, d);
    }
    return d;
  }
}

function group(map: Map<string, GroupBuilder>, key: string): GroupBuilder {
  let g = map.get(key);
  if (!g) map.set(key, (g = new GroupBuilder()));
  return g;
}

function finishGroups(map: Map<string, GroupBuilder>): Record<string, GroupSummary> {
  return Object.fromEntries([...map.keys()].sort().map((k) => [k, map.get(k)!.finish()]));
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
