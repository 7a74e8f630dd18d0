// Public surface of the execution metrics and rewards (Think2SQL / QATCH, layout A).
export type { Cell, Row } from './values.ts';
export { cellKey, rowKey, sortedRowKey, sortRow, compareCodePoints, pyBytesRepr, formatCell, bytesToHex, cellsEqual } from './values.ts';
export { round3 } from './round3.ts';
export type { QueryOutcome, ExecutionMetrics } from './metrics.ts';
export {
  computeMetrics,
  computeMetricsFromRows,
  executionAccuracy,
  birdExecutionAccuracy,
  rowsOk,
  failed,
  METRIC_NAMES,
} from './metrics.ts';
export type { RewardInput, RewardFn, RewardSpec, RewardKey, GroupRewardFn } from './registry.ts';
export { REWARDS, REWARD_SPECS, GROUP_REWARDS, computeRewards, rewardKeys, applyDynamicLengthPenalty } from './registry.ts';
export type { RewardWeight } from './weighted.ts';
export { DEFAULT_WEIGHTS, KNOWN_WEIGHTINGS, weightedSumFloat32, weightedSum64, weightedReward, parseWeights } from './weighted.ts';
export type { ScoreInput, CompletionScore } from './score.ts';
export { scoreCompletion, sqlToExecute } from './score.ts';
export { parseRowsJson, rowsToJson, CellJsonError } from './cell-json.ts';
