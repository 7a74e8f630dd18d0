// The compact form of a scoring run that the HTML report embeds, and its
// decoder. Shared by the Node side (src/report/html.ts builds and gzips it) and
// the page (webview/report/ decodes it): pure TypeScript, no Node or DOM APIs.
//
// Three kinds of parts, each gzipped JSON in the page:
// - `meta`: what the first screen needs: the summary, an interned string table
//   and one short tuple per record (the sample table's columns);
// - `shared`: plan trees and result previews used by two or more records (the
//   gold side is the same for every system scoring the same question);
// - `chunks`: per-record details (scores, steps, matches, plans, trace, errors),
//   CHUNK_SIZE records each, decoded only when a record is opened.
//
// `expandRecord` rebuilds a ScoredRecord from these, so the drill-down
// components take the real `steplens.score/2` shape (the VS Code panel passes
// records it read itself). Dropped on the way: `token_rewards` (derivable from
// the steps, not shown) and float digits beyond 1e-6.

import { RECORD_METRIC_NAMES } from '../core/rewards/metric-names.ts';
import {
  SCORE_SCHEMA,
  type ExecutionScores,
  type JsonCell,
  type PlanTree,
  type ReasoningTrace,
  type RecordError,
  type ResultPreview,
  type ScoreSummary,
  type ScoredRecord,
  type TestSuiteScore,
} from '../core/score/types.ts';
import type { RecordMetrics } from '../core/rewards/metrics.ts';
import type { Prf, StructuralStep } from '../core/structural.ts';

export const PAYLOAD_VERSION = 1;
export const CHUNK_SIZE = 200;

/** Metric keys in the order `ExecEnc` stores them. */
export const METRIC_KEYS = RECORD_METRIC_NAMES;

// ---------------------------------------------------------------- shapes

/** One sample table row: what the list shows, sorts and filters on. */
export interface SampleRow {
  /** Position in the report (0-based); the table's `#` shows i + 1. */
  i: number;
  source: string;
  db: string | null;
  id: string | number | null;
  /** Record index and line in its input file. */
  index: number;
  line: number;
  question: string | null;
  evidence: string | null;
  goldSql: string | null;
  predSql: string | null;
  bad: boolean;
  /** Status 'infrastructure_error': its database was locked, unreadable or gone; neither right nor wrong (not scored). */
  infra: boolean;
  rewardName: string;
  reward: number | null;
  /** Layout-A EX (0/1); null when nothing was executed. */
  ex: number | null;
  /** QATCH cp_cr_tc. */
  qa: number | null;
  relpmF1: number | null;
  rtm: number | null;
  steps: number;
  /** `stage/side/kind` of each error. */
  errors: string[];
  /** Test-suite verdict; null without a suite. */
  ts: boolean | null;
}

/** Row tuple: [source, db, id, index, line, question, evidence, gold, pred, status (0 scored, 1 bad_record, 2 infrastructure_error), rewardName, reward, ex, qa, relpmF1, rtm, steps, errors, ts]. Strings are indices into `texts` (-1 = null). */
export type RowEnc = [
  number, number, string | number | null, number, number,
  number, number, number, number,
  number, number, number | null, number | null, number | null, number | null, number | null,
  number, number[], number,
];

/** A plan node: [label, op (0/1), children, start?, end?]. */
export type PlanEnc = [string, number, PlanEnc[]] | [string, number, PlanEnc[], number, number];
/** A preview without its timing: [columns, rows, row_count, truncated (0/1), error]. */
export type PreviewEnc = [string[], JsonCell[][], number, number, { kind: string; message: string } | null];
/** A number is an index into the shared pool, anything else the value itself. */
export type Ref<T> = number | T;

/** [metrics (METRIC_KEYS order), format_think, format_reasoning, tag_count, weighted, rewards (payload `rewardKeys` order, null = absent), gold, pred, gold elapsed_ms, pred elapsed_ms] */
export type ExecEnc = [(number | null)[], number, number, number, number, (number | null)[], Ref<PreviewEnc>, Ref<PreviewEnc>, number, number];
/** [name, start, end, credit_offset, reward, new_matches, gold_nodes, error] */
export type StepEnc = [string | null, number, number, number, number, number[], number, StructuralStep['error']];

export interface DetailEnc {
  /** completion */
  c?: string;
  /** sql_span */
  sp?: [number, number];
  x: ExecEnc | null;
  /** Format rewards [think, reasoning, tag_count] of a record without execution (otherwise they are in `x`). */
  f?: [number, number, number];
  ts: TestSuiteScore | null;
  rp: [number, number, number] | null;
  ap: [number, number, number] | null;
  /** steprtm: steps, total, outcome, scorer */
  st: { s: StepEnc[]; t: number; o: number | null; sc: string } | null;
  /** Matched pairs, flat: gold node, pred node, gold node, ... */
  m: number[];
  pg: Ref<PlanEnc> | null;
  pp: Ref<PlanEnc> | null;
  /** trace: blocks, segments [start, end, item (0/1), label], links [step, [segment, terms][]] */
  tr: { b: [number, number][]; s: [number, number, number, string | null][]; l: [number, [number, string[]][]][] } | null;
  e: RecordError[];
  /** timing: total, structural, execution, test_suite (ms) */
  tm: [number, number, number, number];
}

export interface MetaPart {
  v: typeof PAYLOAD_VERSION;
  title: string;
  /** ISO date of the report. */
  created: string;
  summary: ScoreSummary;
  texts: string[];
  rows: RowEnc[];
  rewardKeys: string[];
  chunkSize: number;
  chunks: number;
}

export interface SharedPart {
  plans: PlanEnc[];
  previews: PreviewEnc[];
}

/** Records per chunk, in report order. */
export type ChunkPart = DetailEnc[];

export interface Payload {
  meta: MetaPart;
  shared: SharedPart;
  chunks: ChunkPart[];
}

// ---------------------------------------------------------------- building

/** Rounds to 1e-6 (what the report shows, with room to spare); keeps integers and non-finite values. */
export function round6(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  return Math.round(x * 1e6) / 1e6;
}

const r6OrNull = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : round6(x));

/** `stage/side/kind` (or `stage/kind`) of an error, as in `summary.error_classes` (same rule as core/score/summary.ts, kept here so the page bundle stays small). */
export const errorClass = (e: RecordError): string => (e.side ? `${e.stage}/${e.side}/${e.kind}` : `${e.stage}/${e.kind}`);

/** The table row of a full record (the VS Code panel builds its rows with this). */
export function rowOf(r: ScoredRecord, i: number): SampleRow {
  const m = r.execution?.metrics;
  return {
    i,
    source: r.source ?? '',
    db: r.db_id ?? null,
    id: r.id ?? null,
    index: r.index,
    line: r.line,
    question: r.question ?? null,
    evidence: r.evidence ?? null,
    goldSql: r.gold_sql ?? null,
    predSql: r.pred_sql ?? null,
    bad: r.status === 'bad_record',
    infra: r.status === 'infrastructure_error',
    rewardName: r.reward?.name ?? '',
    reward: r.reward?.value ?? null,
    ex: m ? m.ex : null,
    qa: m ? m.qa : null,
    relpmF1: r.relpm ? r.relpm.f1 : null,
    rtm: r.steprtm ? r.steprtm.total : null,
    steps: r.steprtm ? r.steprtm.steps.length : 0,
    errors: (r.errors ?? []).map(errorClass),
    ts: r.test_suite ? r.test_suite.correct : null,
  };
}

class Interner {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    let k = this.ids.get(s);
    if (k === undefined) {
      k = this.list.length;
      this.list.push(s);
      this.ids.set(s, k);
    }
    return k;
  }
}

/** Values seen twice or more go to the shared pool; the rest stay inline. */
class Pool<T> {
  private readonly seen = new Map<string, { value: T; count: number; id: number }>();
  readonly list: T[] = [];
  count(value: T): string {
    const key = JSON.stringify(value);
    const e = this.seen.get(key);
    if (e) e.count++;
    else this.seen.set(key, { value, count: 1, id: -1 });
    return key;
  }
  ref(key: string): Ref<T> {
    const e = this.seen.get(key)!;
    if (e.count < 2) return e.value;
    if (e.id < 0) {
      e.id = this.list.length;
      this.list.push(e.value);
    }
    return e.id;
  }
}

export function encodePlan(t: PlanTree): PlanEnc {
  const children = t.children.map(encodePlan);
  return t.range ? [t.label, t.op ? 1 : 0, children, t.range[0], t.range[1]] : [t.label, t.op ? 1 : 0, children];
}

/** JSON-safe cells: bigint becomes its decimal digits (exact), everything else stays. */
function cell(c: JsonCell): JsonCell {
  if (typeof c === 'bigint') return Number.isSafeInteger(Number(c)) ? Number(c) : c.toString();
  return c;
}

export function encodePreview(p: ResultPreview): PreviewEnc {
  return [p.columns, p.rows.map((row) => row.map(cell)), p.row_count, p.truncated ? 1 : 0, p.error];
}

const prf = (p: Prf | null | undefined): [number, number, number] | null => (p ? [round6(p.precision), round6(p.recall), round6(p.f1)] : null);

export interface BuildOptions {
  title?: string;
  /** Report date (default now). */
  created?: Date;
  chunkSize?: number;
}

/** Builds the report payload. Never mutates the records. */
export function buildPayload(records: readonly ScoredRecord[], summary: ScoreSummary, options: BuildOptions = {}): Payload {
  const texts = new Interner();
  const plans = new Pool<PlanEnc>();
  const previews = new Pool<PreviewEnc>();
  const chunkSize = options.chunkSize ?? CHUNK_SIZE;

  // Reward keys: the union over records, in first-seen order.
  const rewardKeys: string[] = [];
  const rewardIndex = new Map<string, number>();
  for (const r of records) {
    for (const k of Object.keys(r.execution?.rewards ?? {})) {
      if (!rewardIndex.has(k)) {
        rewardIndex.set(k, rewardKeys.length);
        rewardKeys.push(k);
      }
    }
  }

  // First pass: count plans and previews to find the shared ones.
  const keys = records.map((r) => ({
    pg: r.plans?.gold ? plans.count(encodePlan(r.plans.gold)) : null,
    pp: r.plans?.pred ? plans.count(encodePlan(r.plans.pred)) : null,
    xg: r.execution ? previews.count(encodePreview(r.execution.gold)) : null,
    xp: r.execution ? previews.count(encodePreview(r.execution.pred)) : null,
  }));

  const rows: RowEnc[] = [];
  const details: DetailEnc[] = [];
  records.forEach((r, i) => {
    const row = rowOf(r, i);
    rows.push([
      texts.id(row.source),
      texts.id(row.db),
      row.id,
      row.index,
      row.line,
      texts.id(row.question),
      texts.id(row.evidence),
      texts.id(row.goldSql),
      texts.id(row.predSql),
      // The record's status: 0 scored, 1 bad_record, 2 infrastructure_error.
      row.bad ? 1 : row.infra ? 2 : 0,
      texts.id(row.rewardName),
      r6OrNull(row.reward),
      row.ex,
      r6OrNull(row.qa),
      r6OrNull(row.relpmF1),
      r6OrNull(row.rtm),
      row.steps,
      row.errors.map((e) => texts.id(e)),
      row.ts === null ? -1 : row.ts ? 1 : 0,
    ]);

    const k = keys[i];
    const x = r.execution;
    const d: DetailEnc = {
      x: x
        ? [
            // An output written before the official metrics has no spider_ex / bird_soft_f1: null.
            METRIC_KEYS.map((m) => (typeof x.metrics[m] === 'number' ? round6(x.metrics[m]) : null)),
            round6(x.format_think),
            round6(x.format_reasoning),
            round6(x.tag_count),
            round6(x.weighted),
            rewardKeys.map((key) => (key in x.rewards ? round6(x.rewards[key]) : null)),
            previews.ref(k.xg!),
            previews.ref(k.xp!),
            round2(x.gold.elapsed_ms),
            round2(x.pred.elapsed_ms),
          ]
        : null,
      ts: r.test_suite ?? null,
      rp: prf(r.relpm),
      ap: prf(r.astpm),
      st: r.steprtm
        ? {
            s: r.steprtm.steps.map((s) => [s.name, s.start, s.end, s.credit_offset, round6(s.reward), s.new_matches, s.gold_nodes, s.error]),
            t: round6(r.steprtm.total),
            o: r6OrNull(r.steprtm.outcome),
            sc: r.steprtm.outcome_scorer,
          }
        : null,
      m: (r.matches ?? []).flat(),
      pg: k.pg === null ? null : plans.ref(k.pg),
      pp: k.pp === null ? null : plans.ref(k.pp),
      tr: r.trace && r.trace.segments
        ? {
            b: r.trace.blocks ?? [],
            s: r.trace.segments.map((s) => [s.start, s.end, s.kind === 'item' ? 1 : 0, s.label]),
            l: (r.trace.links ?? []).map((l) => [l.step, l.segments.map((s) => [s.segment, s.terms])]),
          }
        : null,
      e: r.errors ?? [],
      tm: [round2(r.timing?.total_ms ?? 0), round2(r.timing?.structural_ms ?? 0), round2(r.timing?.execution_ms ?? 0), round2(r.timing?.test_suite_ms ?? 0)],
    };
    if (!x && r.format) d.f = [round6(r.format.format_think), round6(r.format.format_reasoning), round6(r.format.tag_count)];
    if (r.completion !== undefined) d.c = r.completion;
    if (r.sql_span) d.sp = r.sql_span;
    details.push(d);
  });

  const chunks: ChunkPart[] = [];
  for (let at = 0; at < details.length; at += chunkSize) chunks.push(details.slice(at, at + chunkSize));

  return {
    meta: {
      v: PAYLOAD_VERSION,
      title: options.title ?? 'StepLens report',
      created: (options.created ?? new Date()).toISOString(),
      summary,
      texts: texts.list,
      rows,
      rewardKeys,
      chunkSize,
      chunks: chunks.length,
    },
    shared: { plans: plans.list, previews: previews.list },
    chunks,
  };
}

function round2(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : x;
}

// ---------------------------------------------------------------- decoding

const text = (texts: readonly string[], k: number): string | null => (k < 0 ? null : texts[k]);

export function decodeRow(e: RowEnc, i: number, texts: readonly string[]): SampleRow {
  return {
    i,
    source: texts[e[0]],
    db: text(texts, e[1]),
    id: e[2],
    index: e[3],
    line: e[4],
    question: text(texts, e[5]),
    evidence: text(texts, e[6]),
    goldSql: text(texts, e[7]),
    predSql: text(texts, e[8]),
    bad: e[9] === 1,
    infra: e[9] === 2,
    rewardName: texts[e[10]],
    reward: e[11],
    ex: e[12],
    qa: e[13],
    relpmF1: e[14],
    rtm: e[15],
    steps: e[16],
    errors: e[17].map((k) => texts[k]),
    ts: e[18] < 0 ? null : e[18] === 1,
  };
}

export function decodePlan(e: PlanEnc): PlanTree {
  const t: PlanTree = { label: e[0], children: e[2].map(decodePlan) };
  if (e[1] === 1) t.op = true;
  if (e.length === 5) t.range = [e[3], e[4]];
  return t;
}

export function decodePreview(e: PreviewEnc, elapsed: number): ResultPreview {
  return { columns: e[0], rows: e[1], row_count: e[2], truncated: e[3] === 1, elapsed_ms: elapsed, error: e[4] };
}

/** The ScoredRecord a row and its detail stand for (see the header for what is dropped). */
export function expandRecord(row: SampleRow, d: DetailEnc, rewardKeys: readonly string[], shared: SharedPart): ScoredRecord {
  const plan = (ref: Ref<PlanEnc> | null): PlanTree | null => (ref === null ? null : decodePlan(typeof ref === 'number' ? shared.plans[ref] : ref));
  const preview = (ref: Ref<PreviewEnc>, elapsed: number): ResultPreview => decodePreview(typeof ref === 'number' ? shared.previews[ref] : ref, elapsed);
  const prfOf = (p: [number, number, number] | null): Prf | null => (p ? { precision: p[0], recall: p[1], f1: p[2] } : null);

  const gold = plan(d.pg);
  const pred = plan(d.pp);
  const matches: Array<[number, number]> = [];
  for (let k = 0; k + 1 < d.m.length; k += 2) matches.push([d.m[k], d.m[k + 1]]);

  let execution: ExecutionScores | null = null;
  if (d.x) {
    const [mv, ft, fr, tc, w, rv, g, p, ge, pe] = d.x;
    const metrics = Object.fromEntries(METRIC_KEYS.map((k, j) => [k, mv[j]])) as unknown as RecordMetrics;
    const rewards: Record<string, number> = {};
    rewardKeys.forEach((k, j) => {
      if (rv[j] !== null && rv[j] !== undefined) rewards[k] = rv[j]!;
    });
    execution = { metrics, format_think: ft, format_reasoning: fr, tag_count: tc, weighted: w, rewards, gold: preview(g, ge), pred: preview(p, pe) };
  }

  const format = execution
    ? { format_think: execution.format_think, format_reasoning: execution.format_reasoning, tag_count: execution.tag_count }
    : d.f
      ? { format_think: d.f[0], format_reasoning: d.f[1], tag_count: d.f[2] }
      : null;

  let trace: ReasoningTrace | null = null;
  if (d.tr) {
    trace = {
      blocks: d.tr.b,
      segments: d.tr.s.map(([start, end, item, label]) => ({ start, end, kind: item ? 'item' : 'paragraph', label })),
      links: d.tr.l.map(([step, segs]) => ({ step, segments: segs.map(([segment, terms]) => ({ segment, terms })) })),
    };
  }

  const r: ScoredRecord = {
    schema: SCORE_SCHEMA,
    source: row.source,
    index: row.index,
    line: row.line,
    id: row.id,
    db_id: row.db,
    status: row.bad ? 'bad_record' : row.infra ? 'infrastructure_error' : 'scored',
    gold_sql: row.goldSql,
    pred_sql: row.predSql,
    reward: { name: row.rewardName, value: row.reward },
    format,
    execution,
    test_suite: d.ts,
    relpm: prfOf(d.rp),
    astpm: prfOf(d.ap),
    steprtm: d.st
      ? {
          steps: d.st.s.map(([name, start, end, credit_offset, reward, new_matches, gold_nodes, error]) => ({ name, start, end, credit_offset, reward, new_matches, gold_nodes, error })),
          total: d.st.t,
          outcome: d.st.o,
          outcome_scorer: d.st.sc,
          token_rewards: [],
        }
      : null,
    matches,
    plans: { gold, pred },
    trace,
    errors: d.e,
    timing: { total_ms: d.tm[0], structural_ms: d.tm[1], execution_ms: d.tm[2], test_suite_ms: d.tm[3] },
  };
  if (row.question !== null) r.question = row.question;
  if (row.evidence !== null) r.evidence = row.evidence;
  if (d.c !== undefined) r.completion = d.c;
  if (d.sp) r.sql_span = d.sp;
  return r;
}
