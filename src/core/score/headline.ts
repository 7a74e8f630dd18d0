// The headline reward of a scoring run (`steplens score --reward <name>`): the
// one number the summary, histograms and report table lead with. Any registry
// reward, any execution metric, the weighted sum, or a structural score.

import { REWARD_SPECS } from '../rewards/registry.ts';
import { METRIC_NAMES } from '../rewards/metrics.ts';
import type { ScoredRecord } from './types.ts';

/** Think2SQL's best-performing reward: QA + small update + format gate. */
export const DEFAULT_HEADLINE = 'qatch_small_update_with_fm';

const STRUCTURAL = {
  relpm_f1: (r: ScoredRecord) => r.relpm?.f1 ?? null,
  astpm_f1: (r: ScoredRecord) => r.astpm?.f1 ?? null,
  steprtm_total: (r: ScoredRecord) => r.steprtm?.total ?? null,
  steprtm_outcome: (r: ScoredRecord) => r.steprtm?.outcome ?? null,
} as const satisfies Record<string, (r: ScoredRecord) => number | null>;

const STRUCTURAL_NAMES = Object.keys(STRUCTURAL) as (keyof typeof STRUCTURAL)[];
const REWARD_KEYS = REWARD_SPECS.map((s) => s.key);

/** Every name `--reward` accepts, grouped for the help text. */
export const HEADLINE_NAMES = {
  rewards: REWARD_KEYS,
  metrics: [...METRIC_NAMES],
  other: ['weighted', 'test_suite', ...STRUCTURAL_NAMES],
};

export function isHeadlineName(name: string): boolean {
  return REWARD_KEYS.includes(name) || (METRIC_NAMES as readonly string[]).includes(name) || HEADLINE_NAMES.other.includes(name);
}

/** Whether the reward needs execution (a structural-only run cannot report it). */
export function headlineNeedsExecution(name: string): boolean {
  return !(STRUCTURAL_NAMES as string[]).includes(name);
}

/** The record's value of reward `name`; null when it was not computed. */
export function headlineValue(name: string, r: ScoredRecord): number | null {
  if (name in STRUCTURAL) return STRUCTURAL[name as keyof typeof STRUCTURAL](r);
  if (name === 'test_suite') return r.test_suite ? (r.test_suite.correct ? 1 : 0) : null;
  const e = r.execution;
  if (!e) return null;
  if (name === 'weighted') return e.weighted;
  if (name in e.rewards) return e.rewards[name];
  if ((METRIC_NAMES as readonly string[]).includes(name)) return e.metrics[name as (typeof METRIC_NAMES)[number]];
  return null;
}

/** Smallest and largest value of a reward, for histogram bins ([0, 1] unless the registry says otherwise). */
export function headlineRange(name: string): readonly [number, number] {
  const spec = REWARD_SPECS.find((s) => s.key === name);
  if (spec) return spec.range;
  if (name === 'steprtm_outcome') return [-1, 1];
  return [0, 1];
}
