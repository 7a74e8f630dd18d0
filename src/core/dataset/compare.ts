// Two `steplens score` outputs of the same dataset, record by record (issue
// 12; `steplens compare`, the review's compare view): records paired by id
// (every record of both files has one; a repeated id pairs its k-th
// occurrences) or else by position, and for each pair what happened to EX,
// the headline reward and StepRTM. Schema `steplens.compare/1`, docs/dataset.md.

import { basename, resolve } from 'node:path';
import { fingerprintPath, readFingerprint } from '../score/output-guard.ts';
import { LineReader, buildLineIndex } from './line-index.ts';
import { isBadLine, scoredRecordFromLine, type BadLine } from './rows.ts';

export const COMPARE_SCHEMA = 'steplens.compare/1';

export type Verdict = 'improved' | 'regressed' | 'changed' | 'unchanged';

export interface SideScores {
  /** 1-based line in that side's file. */
  line: number;
  status: string | null;
  ex: number | null;
  headline: number | null;
  step_rtm: number | null;
}

export interface ComparePair {
  id: string | number | null;
  db_id: string | null;
  question: string | null;
  a: SideScores;
  b: SideScores;
  /** b − a; null when either side lacks the value. */
  delta: { ex: number | null; headline: number | null; step_rtm: number | null };
  verdict: Exclude<Verdict, 'unchanged'>;
}

export interface CompareSide {
  /** The file as given, and absolute. */
  file: string;
  path: string;
  records: number;
  /** Headline reward name(s) of the run. */
  headline: string[];
  /** The run fingerprint beside the file (`<file>.run.json`, written by steplens score), summarised; null when absent. */
  run: { fingerprint: string; inputs: { role: string; path: string; sha256: string }[]; options: Record<string, string | number | boolean | null> } | null;
  bad_lines: BadLine[];
}

export interface CompareResult {
  schema: typeof COMPARE_SCHEMA;
  a: CompareSide;
  b: CompareSide;
  paired_by: 'id' | 'line';
  counts: { pairs: number; changed: number; improved: number; regressed: number; unchanged: number; only_a: number; only_b: number };
  /** The pairs that changed (improved, regressed or changed otherwise), in a's order. */
  changed: ComparePair[];
  /** Records of one side without a partner: id (or null) and line. */
  only_a: { id: string | number | null; line: number }[];
  only_b: { id: string | number | null; line: number }[];
  warnings: string[];
}

interface Rec {
  line: number;
  id: string | number | null;
  db_id: string | null;
  question: string | null;
  status: string | null;
  ex: number | null;
  headline: number | null;
  headline_name: string | null;
  step_rtm: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

async function readSide(file: string): Promise<{ side: CompareSide; recs: Rec[] }> {
  const index = await buildLineIndex(file);
  const reader = new LineReader(index);
  const recs: Rec[] = [];
  const bad: BadLine[] = [];
  const names = new Set<string>();
  const name = basename(file);
  try {
    for (let from = 1; from <= index.lineCount; from += 4096) {
      const texts = reader.lines(from, 4096);
      for (let k = 0; k < texts.length; k++) {
        if (texts[k].trim() === '') continue;
        const line = from + k;
        const r = scoredRecordFromLine(texts[k], line, name);
        if (isBadLine(r)) {
          bad.push(r);
          continue;
        }
        const q = typeof r.question === 'string' ? r.question : null;
        const headlineName = typeof r.reward?.name === 'string' ? r.reward.name : null;
        if (headlineName) names.add(headlineName);
        recs.push({
          line,
          id: typeof r.id === 'string' || num(r.id) !== null ? r.id : null,
          db_id: typeof r.db_id === 'string' ? r.db_id : null,
          question: q && q.length > 200 ? q.slice(0, 199) + '…' : q,
          status: typeof r.status === 'string' ? r.status : null,
          ex: num(r.execution?.metrics?.ex),
          headline: num(r.reward?.value),
          headline_name: headlineName,
          step_rtm: num(r.steprtm?.total),
        });
      }
    }
  } finally {
    reader.close();
  }
  if (recs.length === 0) throw new Error(`${file}: not a steplens score output (no record of schema steplens.score/2${bad.length ? `; ${bad[0].message}` : ''})`);
  const fp = readFingerprint(file);
  const side: CompareSide = {
    file,
    path: resolve(file),
    records: recs.length,
    headline: [...names],
    run: fp ? { fingerprint: fingerprintPath(file), inputs: fp.files.map((f) => ({ role: f.role, path: f.path, sha256: f.sha256 })), options: fp.options } : null,
    bad_lines: bad,
  };
  return { side, recs };
}

const EPS = 1e-12;
function delta(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  const d = b - a;
  return Math.abs(d) < EPS ? 0 : d;
}

/** EX decides, then the headline, then StepRTM; a difference none of them orders (a value appearing, a status change) is `changed`. */
function verdictOf(a: Rec, b: Rec, d: ComparePair['delta']): Verdict {
  for (const x of [d.ex, d.headline, d.step_rtm]) {
    if (x !== null && x !== 0) return x > 0 ? 'improved' : 'regressed';
  }
  const same = (x: number | null, y: number | null) => (x === null ? y === null : y !== null && Math.abs(x - y) < EPS);
  if (!same(a.ex, b.ex) || !same(a.headline, b.headline) || !same(a.step_rtm, b.step_rtm) || a.status !== b.status) return 'changed';
  return 'unchanged';
}

/** Compares two scored outputs of the same dataset (see the file comment). Throws an Error naming the file when one is not a scored output. */
export async function compareRuns(a: string, b: string): Promise<CompareResult> {
  const [A, B] = [await readSide(a), await readSide(b)];
  const warnings: string[] = [];
  const byId = A.recs.every((r) => r.id !== null) && B.recs.every((r) => r.id !== null);
  const keyed = (recs: Rec[]) => {
    const seen = new Map<string, number>();
    return recs.map((r, i) => {
      if (!byId) return String(i);
      const k = `${typeof r.id}:${r.id}`;
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      return `${k}#${n}`;
    });
  };
  const keysA = keyed(A.recs);
  const keysB = keyed(B.recs);
  const posB = new Map(keysB.map((k, i) => [k, i]));
  const usedB = new Uint8Array(B.recs.length);
  const changed: ComparePair[] = [];
  const counts = { pairs: 0, changed: 0, improved: 0, regressed: 0, unchanged: 0, only_a: 0, only_b: 0 };
  const onlyA: CompareResult['only_a'] = [];
  let dbMismatch = 0;
  for (let i = 0; i < A.recs.length; i++) {
    const j = posB.get(keysA[i]);
    const ra = A.recs[i];
    if (j === undefined) {
      onlyA.push({ id: ra.id, line: ra.line });
      continue;
    }
    usedB[j] = 1;
    const rb = B.recs[j];
    if (ra.db_id !== rb.db_id) dbMismatch++;
    counts.pairs++;
    const d = { ex: delta(ra.ex, rb.ex), headline: delta(ra.headline, rb.headline), step_rtm: delta(ra.step_rtm, rb.step_rtm) };
    const v = verdictOf(ra, rb, d);
    if (v === 'unchanged') {
      counts.unchanged++;
      continue;
    }
    counts.changed++;
    if (v === 'improved') counts.improved++;
    if (v === 'regressed') counts.regressed++;
    const side = (r: Rec): SideScores => ({ line: r.line, status: r.status, ex: r.ex, headline: r.headline, step_rtm: r.step_rtm });
    changed.push({ id: ra.id, db_id: ra.db_id, question: ra.question ?? rb.question, a: side(ra), b: side(rb), delta: d, verdict: v });
  }
  const onlyB: CompareResult['only_b'] = [];
  for (let j = 0; j < B.recs.length; j++) if (!usedB[j]) onlyB.push({ id: B.recs[j].id, line: B.recs[j].line });
  counts.only_a = onlyA.length;
  counts.only_b = onlyB.length;
  if (!byId) warnings.push('records paired by position: not every record of both files has an id');
  if (A.side.headline.join() !== B.side.headline.join()) warnings.push(`the headline rewards differ (${A.side.headline.join(', ') || 'none'} in ${basename(a)}, ${B.side.headline.join(', ') || 'none'} in ${basename(b)}): their values are compared as they are`);
  if (dbMismatch) warnings.push(`${dbMismatch} paired records have different db_id: are these runs of the same dataset?`);
  if (counts.pairs === 0) warnings.push('no record of one file pairs with a record of the other: are these runs of the same dataset?');
  for (const s of [A.side, B.side]) if (s.bad_lines.length) warnings.push(`${basename(s.file)}: ${s.bad_lines.length} lines are not scored records (first: ${s.bad_lines[0].message})`);
  return { schema: COMPARE_SCHEMA, a: A.side, b: B.side, paired_by: byId ? 'id' : 'line', counts, changed, only_a: onlyA, only_b: onlyB, warnings };
}
