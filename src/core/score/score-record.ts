// The per-record report object's pieces that `steplens score` and the editor
// share: what a record is scored against (ScoreContext), an empty record in
// schema order, the record of an unreadable input entry, result previews.
// The scoring itself is src/core/inspect.ts (inspectRecord), the one entry
// point of the CLI, the language server and the panel.

import type { ExecPool, ExecResult, ResultCache, VerdictCache } from '../exec/index.ts';
import type { OfficialFlags } from '../exec/official.ts';
import type { RewardWeight } from '../rewards/weighted.ts';
import type { Schema } from '../plan/schema.ts';
import { formatReward, tagCountReward } from '../trace/completion.ts';
import { definePlanFields, EMPTY_PLAN_FIELDS_JSON } from './plan-fields.ts';
import type { StructuralCache } from './structural-cache.ts';
import {
  PREVIEW_ROWS,
  SCORE_SCHEMA,
  type BadRecord,
  type FormatScores,
  type JsonCell,
  type RecordError,
  type ResultPreview,
  type ScoredRecord,
} from './types.ts';

/**
 * Where a record's database lives: a schema always; a file to execute on when
 * there is one; the test-suite variants when a suite was asked for (empty: the
 * suite has none for this database).
 */
export type DatabaseLookup =
  | { schema: Schema; dbPath: string | null; testSuite: readonly string[] | null }
  /** kind: 'unknown_db' (default), or an infrastructure kind (busy, io) when the file exists but could not be read now. */
  | { error: string; kind?: string };

export interface ScoreContext {
  database(dbId: string): DatabaseLookup;
  /** Null: structural scores only. */
  pool: ExecPool | null;
  goldCache?: ResultCache;
  /** Identical predictions (many systems agree) run once. */
  predCache?: ResultCache;
  /** Official verdicts (Spider EX, test-suite EX) of repeated texts on the same databases computed once. */
  verdictCache?: VerdictCache;
  /** Structural scores of repeated (database, gold, prediction) triples computed once. */
  structuralCache?: StructuralCache;
  timeoutMs?: number;
  weights?: readonly RewardWeight[];
  /** Headline reward name (see headline.ts). */
  reward: string;
  /** The official Spider evaluator's flags for spider_ex and test_suite (default: as its script, DISTINCT removed). */
  official?: OfficialFlags;
}

/** The output record of an input entry that could not be read. */
export function badRecordOutput(b: BadRecord, reward: string): ScoredRecord {
  const out = emptyRecord(b, reward, [{ stage: 'input', kind: b.kind, message: b.message, line: b.line }]);
  out.status = 'bad_record';
  return out;
}

/** A record with nothing scored yet: every score null or empty, fields in schema order (`matches` and `plans`, lazy, last). */
export function emptyRecord(
  at: { source: string; index: number; line: number; id: string | number | null; db_id: string | null; question?: string; evidence?: string },
  reward: string,
  errors: RecordError[] = [],
  sql: { gold_sql: string | null; pred_sql: string | null; completion?: string; sql_span?: [number, number] } = { gold_sql: null, pred_sql: null },
): ScoredRecord {
  const out: Omit<ScoredRecord, 'matches' | 'plans'> = {
    schema: SCORE_SCHEMA,
    source: at.source,
    index: at.index,
    line: at.line,
    id: at.id,
    db_id: at.db_id,
    ...(at.question !== undefined ? { question: at.question } : {}),
    ...(at.evidence !== undefined ? { evidence: at.evidence } : {}),
    status: 'scored',
    gold_sql: sql.gold_sql,
    pred_sql: sql.pred_sql,
    ...(sql.completion !== undefined ? { completion: sql.completion, sql_span: sql.sql_span } : {}),
    reward: { name: reward, value: null },
    format: null,
    execution: null,
    test_suite: null,
    relpm: null,
    astpm: null,
    steprtm: null,
    trace: null,
    errors,
    timing: { total_ms: 0, structural_ms: 0, execution_ms: 0, test_suite_ms: 0 },
  };
  definePlanFields(out, EMPTY_PLAN_FIELDS_JSON);
  return out as ScoredRecord;
}

/** The format rewards of a response that was not executed (scoreCompletion computes them otherwise). */
export function formatScores(response: string): FormatScores {
  return { format_think: formatReward(response, 'think'), format_reasoning: formatReward(response, 'reasoning'), tag_count: tagCountReward(response) };
}

export function preview(r: ExecResult): ResultPreview {
  const n = Math.min(r.rows.length, PREVIEW_ROWS);
  const rows = new Array<JsonCell[]>(n);
  for (let i = 0; i < n; i++) rows[i] = r.rows[i].map(jsonCell);
  return {
    columns: r.columns,
    rows,
    row_count: r.rows.length,
    truncated: r.truncated,
    elapsed_ms: round2(r.elapsed_ms),
    error: r.error ? { kind: r.error.kind, message: r.error.message } : null,
  };
}

const MAX_BLOB_PREVIEW = 64;

function jsonCell(c: ExecResult['rows'][number][number]): JsonCell {
  if (c instanceof Uint8Array) return { blob: Buffer.from(c.subarray(0, MAX_BLOB_PREVIEW)).toString('hex'), bytes: c.length };
  if (typeof c === 'number' && !Number.isFinite(c)) return String(c); // JSON has no NaN/Infinity
  return c;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;
