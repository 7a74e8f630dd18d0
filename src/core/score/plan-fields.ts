// A scored record's bulkiest fields, `matches` and `plans` (most of a record's
// objects on Spider dev), are kept as the JSON text the structural thread
// wrote once per (database, gold, prediction) and parsed only when something
// reads them (the HTML report, the panel). A run keeps thousands of these
// results in its cache; as one string each they cost the main thread's
// garbage collector nothing, and the writer splices the text into the line
// instead of serializing the trees again for every record.
//
// On a record built by emptyRecord() the two fields are accessors, defined
// last: reading, spreading, cloning or comparing the record sees plain values
// (parsed on first use); recordLine() writes the other fields and appends the
// stored text, so `matches` and `plans` are always the last fields of a line.

import type { ScoredRecord } from './types.ts';

type PlanFields = Pick<ScoredRecord, 'matches' | 'plans'>;

interface Backing {
  /** The members' JSON text, `"matches":[...],"plans":{...}` (no braces); null after a field was assigned. */
  json: string | null;
  value: PlanFields | null;
}

const BACKING = Symbol('steplens.planFields');

export const EMPTY_PLAN_FIELDS_JSON = '"matches":[],"plans":{"gold":null,"pred":null}';

/** The members' JSON text of `matches` and `plans`, as recordLine() writes them. */
export function planFieldsJson(fields: PlanFields): string {
  return planFieldsText(JSON.stringify(fields.matches), JSON.stringify(fields.plans.gold), JSON.stringify(fields.plans.pred));
}

/** The same from each part's JSON text (a gold tree's text is written once and reused). */
export function planFieldsText(matches: string, goldPlan: string, predPlan: string): string {
  return `"matches":${matches},"plans":{"gold":${goldPlan},"pred":${predPlan}}`;
}

/** Gives `r` lazily parsed `matches` and `plans` backed by `json` (see planFieldsJson). */
export function definePlanFields(r: object, json: string): void {
  const b: Backing = { json, value: null };
  const parsed = (): PlanFields => (b.value ??= JSON.parse(`{${b.json}}`) as PlanFields);
  const assign = (next: PlanFields): void => {
    b.value = next;
    b.json = null;
  };
  Object.defineProperty(r, BACKING, { value: b });
  Object.defineProperty(r, 'matches', {
    enumerable: true,
    configurable: true,
    get: () => parsed().matches,
    set: (matches: PlanFields['matches']) => assign({ ...parsed(), matches }),
  });
  Object.defineProperty(r, 'plans', {
    enumerable: true,
    configurable: true,
    get: () => parsed().plans,
    set: (plans: PlanFields['plans']) => assign({ ...parsed(), plans }),
  });
}

/** Replaces the text behind a record's plan fields (the record must come from definePlanFields). */
export function setPlanFieldsJson(r: ScoredRecord, json: string): void {
  const b = (r as unknown as { [BACKING]?: Backing })[BACKING];
  if (!b) throw new TypeError('setPlanFieldsJson: the record has no lazy plan fields');
  b.json = json;
  b.value = null;
}

/**
 * The record split for writing: its other fields (a shallow copy, the plan
 * fields not read) and the plan fields' JSON text; null when the plan fields
 * are ordinary properties (a record parsed from a file, a test fixture).
 */
export function splitPlanFields(r: ScoredRecord): { rest: object; json: string } | null {
  const b = (r as unknown as { [BACKING]?: Backing })[BACKING];
  if (!b) return null;
  const rest: Record<string, unknown> = {};
  for (const k in r) if (k !== 'matches' && k !== 'plans') rest[k] = (r as unknown as Record<string, unknown>)[k];
  return { rest, json: (b.json ??= planFieldsJson(b.value!)) };
}
