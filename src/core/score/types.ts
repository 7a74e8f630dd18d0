// The data contract of a scoring run (`steplens score`): what goes in (input
// records, bad records), what comes out per record (schema
// `steplens.score/2`, one JSON object per line) and the run summary
// (`steplens.summary/1`). docs/score-output.md documents every field; the
// HTML report and the VS Code panel read exactly these shapes.

import type { RecordMetrics } from '../rewards/metrics.ts';
import type { Prf, StructuralScore } from '../structural.ts';

export const SCORE_SCHEMA = 'steplens.score/2';
export const SUMMARY_SCHEMA = 'steplens.summary/1';

// ---------------------------------------------------------------- input

/** One record to score, as read from an input file (any supported format). */
export interface InputRecord {
  /** 0-based position among all records of this input file (bad ones included). */
  index: number;
  /** 1-based line in the input file (JSONL, .txt/.sql, CSV row's first line), or entry number in a JSON array/map. */
  line: number;
  /** Input file name (basename): tells apart systems when several prediction files are scored at once. */
  source: string;
  id: string | number | null;
  db_id: string;
  gold_sql: string;
  /** A bare predicted SQL, when the input has one ... */
  pred_sql?: string;
  /** ... or the model's whole completion (`<think>..</think>`, fenced SQL, `<answer>`). Exactly one of the two is set. */
  completion?: string;
  question?: string;
  evidence?: string;
}

/** An input entry that cannot be scored, with where and why. It still gets an output record. */
export interface BadRecord {
  index: number;
  line: number;
  source: string;
  id: string | number | null;
  db_id: string | null;
  /** `malformed_json`, `not_an_object`, `missing_field`, `invalid_field`, `failed_call`, `db_mismatch`, `no_gold`, `bad_gold`, `missing_prediction`, `duplicate_key` (docs/score-input.md). */
  kind: string;
  /** One line naming the file, line and field: `preds.jsonl line 7: missing field "db_id"`. */
  message: string;
}

export type InputItem = { record: InputRecord } | { bad: BadRecord };

// ---------------------------------------------------------------- output

/** A cell as written to JSON: bigint → exact JSON number, BLOB → `{ "blob": "<hex, at most 64 bytes>", "bytes": n }`. */
export type JsonCell = null | number | bigint | string | { blob: string; bytes: number };

/** The first rows of one executed query, enough to show and diff. */
export interface ResultPreview {
  columns: string[];
  /** At most PREVIEW_ROWS rows. */
  rows: JsonCell[][];
  /** Rows the query returned (up to the pool's row cap). */
  row_count: number;
  /** The row cap cut the result short. */
  truncated: boolean;
  elapsed_ms: number;
  error: { kind: string; message: string } | null;
}

export const PREVIEW_ROWS = 20;

/** A plan's R1 match tree (what RelPM matches), preorder-indexed like the ids in `matches`. */
export interface PlanTree {
  label: string;
  /** Operator node (Project, Filter, Join:inner, ...) rather than an expression; absent on expression nodes (saves space). */
  op?: boolean;
  /** Source range in that side's SQL (pred: in `pred_sql`). */
  range?: [number, number];
  children: PlanTree[];
}

export interface RecordError {
  /** Where it happened: reading the input, finding the database, parsing/planning (structural), executing, the test suite. */
  stage: 'input' | 'database' | 'structural' | 'execution' | 'test_suite' | 'internal';
  /** Which query, for structural / execution / test-suite errors. */
  side?: 'gold' | 'pred';
  /** structural: syntax | resolve | plan | unsupported; execution: syntax | runtime | timeout | readonly | ... | busy | io | db_missing; input: malformed_json | missing_field | ...; database: unknown_db | busy | io */
  kind: string;
  message: string;
  /** For SQL errors: offsets into that side's SQL, and 1-based line/column. */
  start?: number;
  end?: number;
  line?: number;
  column?: number;
  /** The CTE step it is in (null for the main query). */
  step?: string | null;
}

export interface FormatScores {
  /** `<think>…</think><answer>…</answer>` (Think2SQL format_reward, tag=think). */
  format_think: number;
  /** `<reasoning>…</reasoning><answer>…</answer>`. */
  format_reasoning: number;
  tag_count: number;
}

export interface ExecutionScores {
  /** The layout-A metrics the rewards use, then the official `spider_ex` and `bird_soft_f1`. */
  metrics: RecordMetrics;
  format_think: number;
  format_reasoning: number;
  tag_count: number;
  /** TRL float32 weighted sum (default 0.95·QATCH + 0.05·format_think). */
  weighted: number;
  /** Every per-completion registry reward, by registry key (EX, EX_EX, QATCH, qatch_small_update_with_fm, SQL-R1, ...). */
  rewards: Record<string, number>;
  gold: ResultPreview;
  pred: ResultPreview;
}

export interface TestSuiteScore {
  /**
   * The official test-suite EX (test-suite-sql-eval eval_exec_match, as Spider EX) on the
   * record's database and every variant: true iff it holds on all. Null when gold fails on
   * one of them (the official script stops there with an assertion; see `errors`).
   */
  correct: boolean | null;
  /** Variant databases of this db_id (the record's own database comes on top, once). */
  variants: number;
  /** Databases actually run, the record's own first: checking stops after the chunk (of 8) holding the first failure, like the official loop. */
  checked: number;
  /** File name of the database where the prediction first failed or disagreed (empty when correct). */
  failed_on: string[];
}

export interface ReasoningTrace {
  /** Reasoning blocks (`<think>`/`<reasoning>` contents) as [start, end) offsets into `completion`. */
  blocks: [number, number][];
  segments: { start: number; end: number; kind: 'paragraph' | 'item'; label: string | null }[];
  /** Step k (index into `steprtm.steps`) ↔ the reasoning segments that mention it, strongest first. */
  links: { step: number; segments: { segment: number; terms: string[] }[] }[];
}

export interface ScoredRecord {
  schema: typeof SCORE_SCHEMA;
  source: string;
  index: number;
  line: number;
  id: string | number | null;
  db_id: string | null;
  question?: string;
  evidence?: string;
  /**
   * 'bad_record': the input entry could not be read; only `errors` says why.
   * 'infrastructure_error': its database was locked, unreadable or gone (error kinds busy, io, db_missing):
   * not scored (execution, test_suite and reward null), counted apart, retried by `--resume`.
   */
  status: 'scored' | 'bad_record' | 'infrastructure_error';
  gold_sql: string | null;
  /** The SQL that was scored and executed (extracted from the completion when there is one). */
  pred_sql: string | null;
  /** The model's completion, when the input gave one. */
  completion?: string;
  /** [start, end) of `pred_sql` in `completion`. */
  sql_span?: [number, number];
  /** The run's headline reward (`--reward`): its name and value; null when it could not be computed (e.g. no database). */
  reward: { name: string; value: number | null };
  /** Format rewards of the response (the completion, else `pred_sql`); they need no execution, so records without a database have them too. */
  format: FormatScores | null;
  /** Null when nothing was executed (no database, --structural-only, bad record). */
  execution: ExecutionScores | null;
  /** With --test-suite and a suite for this db_id. */
  test_suite: TestSuiteScore | null;
  /** Structural scores (null fields when the gold cannot be parsed/planned). Offsets are into `pred_sql`. */
  relpm: Prf | null;
  astpm: Prf | null;
  /** As in `steplens match`, except `token_rewards` offsets: into the response (`completion` when there is one, else `pred_sql`). */
  steprtm: StructuralScore['steprtm'] | null;
  /** RelPM's node mapping as [gold node, pred node] pairs of preorder ids in `plans.gold` / `plans.pred` (labels and ranges are in the trees). */
  matches: Array<[number, number]>;
  plans: { gold: PlanTree | null; pred: PlanTree | null };
  trace: ReasoningTrace | null;
  errors: RecordError[];
  timing: { total_ms: number; structural_ms: number; execution_ms: number; test_suite_ms: number };
}

// ---------------------------------------------------------------- summary

export interface Distribution {
  count: number;
  mean: number;
  min: number;
  max: number;
  /** Equal-width bins over [lo, hi]: counts[i] counts values in [edges[i], edges[i+1]) (the last bin includes hi). */
  histogram: { edges: number[]; counts: number[] };
}

export interface Accuracy {
  correct: number;
  total: number;
  /** correct / total, 0 when total = 0. */
  rate: number;
}

export interface GroupSummary {
  records: number;
  scored: number;
  /** Layout-A EX (Think2SQL's) of the executed records. */
  ex: Accuracy;
  /** The official Spider EX over the executed records where gold runs as the official evaluator runs it. */
  spider_ex: Accuracy | null;
  /** The official test-suite EX, over the records with a verdict. */
  test_suite: Accuracy | null;
  /** Mean of the headline reward over records that have it. */
  reward_mean: number | null;
  relpm_f1_mean: number | null;
}

export interface ScoreSummary {
  schema: typeof SUMMARY_SCHEMA;
  inputs: string[];
  /** Headline reward name. */
  reward: string;
  records: number;
  scored: number;
  bad_records: number;
  /** Records not scored because their database was locked, unreadable or gone (status 'infrastructure_error'); `--resume` retries them. */
  infrastructure_errors: number;
  /** Records whose prediction and gold were executed. */
  executed: number;
  /** Layout-A EX (Think2SQL's) of the executed records. */
  ex: Accuracy;
  /** The official Spider EX over the executed records where gold runs as the official evaluator runs it. */
  spider_ex: Accuracy | null;
  /** The official test-suite EX, over the records with a verdict. */
  test_suite: Accuracy | null;
  /** Headline reward, every execution metric and reward, relpm_f1, astpm_f1, steprtm_total, outcome. */
  distributions: Record<string, Distribution>;
  /** `stage/side/kind` (or `stage/kind`) → count, e.g. `structural/pred/syntax`, `execution/pred/timeout`, `input/malformed_json`. */
  error_classes: Record<string, number>;
  per_database: Record<string, GroupSummary>;
  /** Per input file (one per system when scoring published prediction files). */
  per_source: Record<string, GroupSummary>;
  timing: { wall_ms: number; records_per_second: number };
}
