// The execution metric names in their canonical order, in a module with no
// dependencies so that the report page (a browser bundle) can share it.

import type { ExecutionMetrics } from './metrics.ts';

export const METRIC_NAMES = [
  'cell_precision',
  'cell_recall',
  'tuple_cardinality',
  'tuple_constraint',
  'tuple_order',
  'qa',
  'f1',
  'ex',
  'bird_ex',
] as const satisfies readonly (keyof ExecutionMetrics)[];
