// Infrastructure errors (issue 14, finding 10): a database that is locked,
// unreadable or gone says nothing about the model. Such a record is neither a
// match nor a mismatch: its status is 'infrastructure_error', its execution
// rewards are null, the summary counts it apart and `score --resume` retries it.

import type { RecordError, ScoredRecord } from './types.ts';

/**
 * Error kinds that are the machine's fault: `busy` (locked longer than the busy
 * timeout), `io` (a read error, a file corrupted or truncated under us),
 * `db_missing` (the database was there when the run looked it up, then gone).
 */
export const INFRASTRUCTURE_ERROR_KINDS: ReadonlySet<string> = new Set(['busy', 'io', 'db_missing']);

/** Exit code of `score` and `reward` when records could not be scored for such a reason (sysexits EX_TEMPFAIL: try again). */
export const EXIT_INFRASTRUCTURE = 75;

const STAGES: ReadonlySet<string> = new Set(['database', 'execution', 'test_suite']);

export function isInfrastructureError(e: RecordError): boolean {
  return STAGES.has(e.stage) && INFRASTRUCTURE_ERROR_KINDS.has(e.kind);
}

/**
 * Marks a finished record whose database failed it. An execution `no_database`
 * means the file vanished after the run found it (the lookup refuses missing
 * files before anything runs), so it is renamed `db_missing`. The structural
 * scores stay (they need no database file); execution, test suite and the
 * headline become null so that nothing counts the record as right or wrong.
 */
export function applyInfrastructureStatus(out: ScoredRecord): void {
  let infra = false;
  for (const e of out.errors) {
    if ((e.stage === 'execution' || e.stage === 'test_suite') && e.kind === 'no_database') e.kind = 'db_missing';
    if (isInfrastructureError(e)) infra = true;
  }
  if (!infra || out.status === 'bad_record') return;
  out.status = 'infrastructure_error';
  out.execution = null;
  out.test_suite = null;
  out.reward.value = null;
}
