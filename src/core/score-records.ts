// Records of a scoring run (`steplens score`): one JSON object per line with
// `db_id`, the gold SQL (`gold_sql`, Spider's `query` or BIRD's `SQL`) and the
// prediction (`pred_sql`), and optionally an `id`. A line that is not such a
// record yields an error naming the line and the reason, so a run can report
// it and go on.

export interface ScoreRecord {
  /** 1-based line number in the input file. */
  line: number;
  /** The input's `id`, when it has one. */
  id?: string | number;
  db_id: string;
  gold_sql: string;
  pred_sql: string;
}

export type ParsedRecord = { record: ScoreRecord } | { line: number; id?: string | number; error: string };

const GOLD_FIELDS = ['gold_sql', 'query', 'SQL'] as const;

/** Reads one line (without its newline). Returns null for a blank line. */
export function parseScoreRecord(text: string, line: number): ParsedRecord | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { line, error: `line ${line}: malformed JSON (${(err as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { line, error: `line ${line}: expected a JSON object` };
  const o = value as Record<string, unknown>;
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : undefined;
  const fail = (reason: string): ParsedRecord => (id === undefined ? { line, error: `line ${line}: ${reason}` } : { line, id, error: `line ${line}: ${reason}` });
  if (typeof o.db_id !== 'string' || o.db_id === '') return fail('missing field "db_id"');
  const goldField = GOLD_FIELDS.find((f) => typeof o[f] === 'string');
  if (!goldField) return fail('missing field "gold_sql" (or "query" / "SQL")');
  if (typeof o.pred_sql !== 'string') return fail('missing field "pred_sql"');
  const record: ScoreRecord = { line, db_id: o.db_id, gold_sql: o[goldField] as string, pred_sql: o.pred_sql };
  if (id !== undefined) record.id = id;
  return { record };
}
