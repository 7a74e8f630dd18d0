// Safe SQLite execution: a pool of read-only worker processes with timeouts,
// a gold-result cache and test-suite execution accuracy. See docs/execution.md.
export { ExecPool, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_MAX_RESULT_BYTES, DEFAULT_MAX_RESULT_CELLS, DEFAULT_TIMEOUT_MS, clampWorkers, defaultWorkerPath, referenceTimeoutMs } from './pool.ts';
export type { ExecPoolOptions, ExecPoolStats, ExecQuery } from './pool.ts';
export { ERROR_KINDS, INFRASTRUCTURE_KINDS } from './protocol.ts';
export type { Cell, ErrorKind, ExecError, ExecResult, RowCapMode } from './protocol.ts';
export { ResultCache } from './cache.ts';
export { VerdictCache } from './official-run.ts';
export type { ResultCacheOptions } from './cache.ts';
export { exLayoutA, outcomeOf, sameResultLayoutA, testSuiteExecutionAccuracy, variantDatabases } from './testsuite.ts';
export type { TestSuiteOptions, TestSuiteVerdict, VariantOutcome } from './testsuite.ts';
