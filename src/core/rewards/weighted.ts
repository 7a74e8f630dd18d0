// The scalar reward TRL's GRPOTrainer trains on (spec execution-rewards.md §4.5):
// each reward function's outputs go into a float32 tensor, are multiplied by
// float32 weights and nansum-med, so every step is rounded to float32.

export interface RewardWeight {
  /** Registry key (see registry.ts). */
  key: string;
  weight: number;
}

/** Think2SQL `scripts/grpo.sh`: the 95:5 mix of QATCH and format_think. */
export const DEFAULT_WEIGHTS: readonly RewardWeight[] = Object.freeze([
  { key: 'QATCH', weight: 0.95 },
  { key: 'format_think', weight: 0.05 },
]);

/** Other configurations found in the Think2SQL repository. */
export const KNOWN_WEIGHTINGS: Readonly<Record<string, readonly RewardWeight[]>> = Object.freeze({
  'grpo.sh': DEFAULT_WEIGHTS,
  'train_grpo.sh': [
    { key: 'QATCH', weight: 0.9 },
    { key: 'format', weight: 0.1 },
  ],
  'config_train_grpo.yaml': [
    { key: 'EX', weight: 0.85 },
    { key: 'format', weight: 0.15 },
  ],
  'train_grpo_multi_node.sh': [{ key: 'qatch_small_update_with_fm', weight: 1 }],
});

function isMissing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

/**
 * TRL: R = nansum_i fl32(fl32(w_i) · fl32(r_i)), accumulated left to right in
 * float32. A missing reward (null/NaN, TRL's None) contributes nothing. Exact for
 * one or two terms; with more, torch may sum in another order on GPU.
 */
export function weightedSumFloat32(values: readonly (number | null | undefined)[], weights: readonly number[]): number {
  if (values.length !== weights.length) throw new RangeError(`${values.length} reward values for ${weights.length} weights`);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    sum = Math.fround(sum + Math.fround(Math.fround(weights[i]) * Math.fround(v)));
  }
  return sum;
}

/** The same sum in binary64 (what a Python `0.95 * qa + 0.05 * ft` gives). */
export function weightedSum64(values: readonly (number | null | undefined)[], weights: readonly number[]): number {
  if (values.length !== weights.length) throw new RangeError(`${values.length} reward values for ${weights.length} weights`);
  let sum = 0;
  let first = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    const term = weights[i] * v;
    sum = first ? term : sum + term;
    first = false;
  }
  return sum;
}

/** Looks the weighted keys up in a reward record and sums them like TRL. */
export function weightedReward(rewards: Readonly<Record<string, number>>, weights: readonly RewardWeight[] = DEFAULT_WEIGHTS): number {
  return weightedSumFloat32(
    weights.map((w) => {
      if (!(w.key in rewards)) throw new RangeError(`no reward "${w.key}" (known: ${Object.keys(rewards).join(', ')})`);
      return rewards[w.key];
    }),
    weights.map((w) => w.weight),
  );
}

/** Parses "QATCH=0.95,format_think=0.05" (a CLI/config form of the weights). */
export function parseWeights(spec: string): RewardWeight[] {
  const out: RewardWeight[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*([^\s]+)\s*$/.exec(part);
    const weight = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(weight)) throw new RangeError(`bad weight "${part.trim()}" (expected key=number)`);
    out.push({ key: m[1], weight });
  }
  return out;
}
