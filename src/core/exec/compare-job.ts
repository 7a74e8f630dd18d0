// A compare job, run inside an execution worker: gold, then the prediction, on
// one database, compared as the official Spider evaluator compares them
// (eval_exec_match's loop body). Only the verdict goes back to the parent: the
// test-suite EX of one record runs ~70 queries, and moving their rows to the
// parent to compare them there made the parent's one thread the bottleneck
// (docs/decisions.md, "Test-suite EX in the workers").

import { executeJob, type ConnectionCache } from './execute.ts';
import { resultEq, typeAmbiguous, VOLATILE } from './official.ts';
import { fromWire, type WireJob, type WireResult } from './protocol.ts';

/**
 * The job's statements share one timeout; when it passes, the parent runs them
 * again one by one, each with its own (official-run.ts), so the verdict names
 * the statement that was slow.
 */
export function executeCompareJob(conns: ConnectionCache, job: WireJob): WireResult {
  const { compare, ...goldJob } = job;
  if (!compare) throw new Error('executeCompareJob: not a compare job');
  const t0 = performance.now();
  const verdict = (predError: WireResult['error'], same: boolean, truncated: boolean): WireResult => ({
    columns: [],
    types: [],
    cells: [],
    rowCount: 0,
    elapsed_ms: performance.now() - t0,
    truncated,
    error: null,
    compare: { predError, same },
  });

  const g = executeJob(conns, goldJob);
  // As the official loop: gold must run (the parent reports why it did not), then the prediction.
  if (g.error) return { ...g, cells: [], rowCount: 0 };
  // The same text on the same read-only database gives the same rows (result_eq of a
  // result with itself is true), unless the statement may answer differently each time.
  if (compare.sql === goldJob.sql && !VOLATILE.test(compare.sql)) return verdict(null, true, g.truncated);
  const predJob = { ...goldJob, sql: compare.sql };
  const p = executeJob(conns, predJob);
  if (p.error) return verdict(p.error, false, false);
  const gRows = fromWire(g).rows;
  const pRows = fromWire(p).rows;
  if (typeAmbiguous(gRows) || typeAmbiguous(pRows)) {
    // Numbers lose INTEGER vs REAL on the way out of SQLite as JS numbers; result_eq's
    // row sort can tell 2 from 2.0, so both are read again with SQLite's types.
    const eg = executeJob(conns, { ...goldJob, exactIntegers: true });
    const ep = executeJob(conns, { ...predJob, exactIntegers: true });
    const same = !eg.error && !ep.error ? resultEq(fromWire(eg).rows, fromWire(ep).rows, compare.orderMatters, true) : resultEq(gRows, pRows, compare.orderMatters);
    return verdict(null, same, g.truncated || p.truncated);
  }
  return verdict(null, resultEq(gRows, pRows, compare.orderMatters), g.truncated || p.truncated);
}
