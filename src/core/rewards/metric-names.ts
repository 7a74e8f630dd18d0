// The execution metric names in their canonical order, in a module with no
// dependencies so that the report page (a browser bundle) can share it.

import type { ExecutionMetrics, RecordMetrics } from './metrics.ts';

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

/** The metrics of a scored record's `execution.metrics`, in output order: layout A, then the official ones. */
export const RECORD_METRIC_NAMES = [...METRIC_NAMES, 'spider_ex', 'bird_soft_f1'] as const satisfies readonly (keyof RecordMetrics)[];

export type RecordMetricName = (typeof RECORD_METRIC_NAMES)[number];

/** The order the report and the panel list them in: the official benchmark metrics first, then the layout-A ones the rewards use. */
export const METRIC_DISPLAY_ORDER = ['spider_ex', 'ex', 'bird_ex', 'bird_soft_f1', 'qa', 'cell_precision', 'cell_recall', 'f1', 'tuple_cardinality', 'tuple_constraint', 'tuple_order'] as const satisfies readonly RecordMetricName[];

/**
 * Each metric as people know it, with one line on what it measures: the CLI
 * summary, the report and the panel all name them from here (docs/rewards.md).
 */
export const METRIC_INFO: Record<RecordMetricName | 'test_suite', { label: string; what: string }> = {
  spider_ex: { label: 'Spider EX', what: 'The official Spider execution match (test-suite-sql-eval) on this database: DISTINCT removed, rows in order iff gold says ORDER BY, equal bags of rows up to a column permutation.' },
  test_suite: { label: 'test-suite EX', what: 'Spider EX on the record’s database and every test-suite variant of it (test-suite-sql-eval): 1 iff it holds on all.' },
  ex: { label: 'layout-A EX', what: 'Think2SQL’s EX (NL2SQLEvaluator layout A): same number of rows and the same set of rows once each row’s cells are sorted; both failing counts as 1.' },
  bird_ex: { label: 'BIRD EX', what: 'The set of predicted rows equals the set of gold rows (column order matters, duplicates do not); as BIRD’s evaluation.py, except that both failing counts as 1 here.' },
  bird_soft_f1: { label: 'Soft-F1', what: 'BIRD mini-dev Soft-F1: deduplicated rows paired by position, F1 of the cells each pair shares; any error is 0.' },
  qa: { label: 'QA', what: 'QATCH score: the mean of cell precision, cell recall and tuple cardinality.' },
  cell_precision: { label: 'cell precision', what: 'Share of the predicted result’s cells that also occur in the gold result.' },
  cell_recall: { label: 'cell recall', what: 'Share of the gold result’s cells that occur in the predicted result.' },
  f1: { label: 'cell F1', what: 'Harmonic mean of cell precision and cell recall.' },
  tuple_cardinality: { label: 'tuple cardinality', what: 'Smaller row count over larger row count: 1 when both results have as many rows.' },
  tuple_constraint: { label: 'tuple constraint', what: 'Share of distinct gold rows that occur exactly as often in the prediction.' },
  tuple_order: { label: 'tuple order', what: 'Rank correlation of the common rows’ order, mapped to [0, 1] (0.5: unrelated order).' },
};
