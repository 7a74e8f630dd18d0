// Links each SQL step to the reasoning segments that mention it: its CTE
// name, the tables it reads and the columns it uses. Lets a reader jump from a
// step to the thinking that produced it, and back.

import type { Step } from '../sql/steps.ts';
import { tokenize } from '../sql/tokens.ts';
import type { Segment } from './segments.ts';

export interface StepLink {
  step: number;
  /** Segments that mention the step, strongest first. */
  segments: { segment: number; terms: string[]; score: number }[];
}

// Words that are SQL syntax, not names a reasoning text would refer to.
const SQL_WORDS = new Set(('select from where group by order having limit offset join inner left right full outer cross natural on using as and or not in is null like glob between case when then else end distinct all union intersect except with recursive exists asc desc cast collate count sum avg min max total values true false current_date current_time current_timestamp materialized escape filter over partition rows range groups preceding following unbounded current row').split(' '));

/** The names a step uses: its own name first, then tables and columns (aliases like T1 are dropped). */
export function stepTerms(step: Step, completion: string): string[] {
  const terms = new Set<string>();
  if (step.name) terms.add(step.name);
  let tokens;
  try {
    tokens = tokenize(completion.slice(step.bodyStart, step.bodyEnd));
  } catch {
    return [...terms];
  }
  for (const t of tokens) {
    if (t.type !== 'word' && t.type !== 'qident') continue;
    const w = t.value;
    if (SQL_WORDS.has(w.toLowerCase()) || /^t\d+$/i.test(w) || w.length < 3) continue;
    terms.add(w);
  }
  return [...terms];
}

export function linkSteps(steps: Step[], segments: Segment[], completion: string): StepLink[] {
  const lowered = segments.map((s) => s.text.toLowerCase());
  return steps.map((step, k) => {
    const terms = stepTerms(step, completion);
    const hits: StepLink['segments'] = [];
    segments.forEach((seg, i) => {
      const found = terms.filter((term) => mentions(lowered[i], term.toLowerCase()));
      if (!found.length) return;
      // The step's own name is the strongest evidence; then every distinct name it uses.
      const score = found.reduce((acc, t) => acc + (t === step.name ? 3 : 1), 0);
      hits.push({ segment: seg.index, terms: found, score });
    });
    hits.sort((a, b) => b.score - a.score || a.segment - b.segment);
    return { step: k, segments: hits };
  });
}

/** Whole-word (identifier-boundary) occurrence; `_` and digits count as word characters. */
function mentions(text: string, term: string): boolean {
  let from = 0;
  for (;;) {
    const i = text.indexOf(term, from);
    if (i < 0) return false;
    const before = i === 0 ? '' : text[i - 1];
    const after = text[i + term.length] ?? '';
    if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
    from = i + 1;
  }
}
