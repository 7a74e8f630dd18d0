// Structural scores depend only on (database, gold SQL, predicted SQL), and a
// dataset repeats them a lot: many predictions share one gold (Spider's 15
// systems: 15,510 records, 564 distinct gold queries) and systems often agree
// (7,888 distinct triples). Both levels are cached; bounded, oldest out first.

import type { Schema } from '../plan/schema.ts';
import { prepareGold, scoreStructuralWithTrees, type GoldSide, type StructuralScore } from '../structural.ts';
import type { MatchNode } from '../match/tree.ts';
import type { PlanTree } from './types.ts';
import { EMPTY_PLAN_FIELDS_JSON, planFieldsText } from './plan-fields.ts';
import type { StructuralPool } from './structural-pool.ts';

export interface StructuralResult {
  /** The scores without their verbose `matches`: the output keeps only the node ids. */
  score: Omit<StructuralScore, 'matches'>;
  /** The record's `matches` ([gold node, pred node] preorder ids into `plans`) and `plans`, as JSON members (see plan-fields.ts). */
  planFieldsJson: string;
}

export class StructuralCache {
  private readonly golds = new Map<string, { side: GoldSide; planJson: string }>();
  private readonly results = new Map<string, StructuralResult | Promise<StructuralResult>>();
  private readonly maxEntries: number;
  private readonly maxResults: number;
  /** Characters of keys and plan JSON the finished results may hold (the keys hold the whole SQL). */
  private readonly maxResultChars: number;
  private resultChars = 0;
  private readonly pool: StructuralPool | null;
  hits = 0;
  misses = 0;

  /**
   * With a pool, misses are computed on its threads (`scoreAsync`); `maxResults` 1 turns the triple level off.
   * `maxResultChars` bounds the triple level by size as well: hostile predictions have plans of megabytes.
   */
  constructor(maxEntries = 50_000, maxResults = maxEntries, pool: StructuralPool | null = null, maxResultChars = 16 * 1024 * 1024) {
    this.maxEntries = maxEntries;
    this.maxResults = maxResults;
    this.maxResultChars = maxResultChars;
    this.pool = pool;
  }

  score(dbId: string, schema: Schema, gold: string, pred: string): StructuralResult {
    const key = `${dbId}\u0000${gold}\u0000${pred}`;
    const hit = this.results.get(key);
    if (hit && !(hit instanceof Promise)) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const result = this.compute(dbId, schema, gold, pred);
    this.keep(key, result);
    return result;
  }

  /** Like score(), on the pool's threads when there is a pool (inline if a thread fails). */
  scoreAsync(dbId: string, schema: Schema, gold: string, pred: string): Promise<StructuralResult> {
    if (!this.pool) return Promise.resolve(this.score(dbId, schema, gold, pred));
    const key = `${dbId}\u0000${gold}\u0000${pred}`;
    const hit = this.results.get(key);
    if (hit) {
      this.hits++;
      return Promise.resolve(hit);
    }
    this.misses++;
    const p = this.pool.score(dbId, gold, pred).catch(() => this.compute(dbId, schema, gold, pred));
    this.results.set(key, p);
    this.evict();
    p.then(
      (r) => {
        if (this.results.get(key) !== p) return;
        this.results.delete(key);
        this.keep(key, r);
      },
      () => this.results.delete(key), // the caller sees the rejection; this branch only keeps it from going unhandled
    );
    return p;
  }

  stats(): { golds: number; results: number; resultChars: number; hits: number; misses: number } {
    return { golds: this.golds.size, results: this.results.size, resultChars: this.resultChars, hits: this.hits, misses: this.misses };
  }

  /** Keeps a finished result, oldest out first by count and by size. */
  private keep(key: string, r: StructuralResult): void {
    const size = key.length + r.planFieldsJson.length;
    if (size > this.maxResultChars / 4) return; // one huge result would push out a thousand ordinary ones
    this.results.set(key, r);
    this.resultChars += size;
    this.evict();
  }

  private evict(): void {
    while (this.results.size > this.maxResults || this.resultChars > this.maxResultChars) {
      const [oldKey, old] = this.results.entries().next().value!;
      this.results.delete(oldKey);
      if (!(old instanceof Promise)) this.resultChars -= oldKey.length + old.planFieldsJson.length;
    }
  }

  /** Never throws: a failure of the analysis itself becomes the record's structural error (the run goes on). */
  private compute(dbId: string, schema: Schema, gold: string, pred: string): StructuralResult {
    try {
      return this.computeOrThrow(dbId, schema, gold, pred);
    } catch (err) {
      const message = `internal error while analyzing: ${(err as Error)?.message ?? String(err)}`;
      return {
        score: {
          relpm: null,
          astpm: null,
          steprtm: { steps: [], total: 0, outcome: null, outcome_scorer: 'relpm_f1', token_rewards: [] },
          errors: [{ side: 'pred', step: null, kind: 'internal', message, start: 0, end: 0, line: 1, column: 1 }],
          gold_nodes: 0,
          pred_nodes: 0,
        },
        planFieldsJson: EMPTY_PLAN_FIELDS_JSON,
      };
    }
  }

  private computeOrThrow(dbId: string, schema: Schema, gold: string, pred: string): StructuralResult {
    const g = this.gold(dbId, schema, gold);
    const s = scoreStructuralWithTrees({ gold_sql: gold, pred_sql: pred }, schema, { gold: g.side });
    const { matches, ...score } = s.score;
    // Written here, once per triple; the gold tree's text once per gold query.
    const pairs = JSON.stringify(matches.map((m) => [m.gold.node, m.pred.node]));
    const predPlan = s.predTree ? JSON.stringify(planTree(s.predTree)) : 'null';
    return { score, planFieldsJson: planFieldsText(pairs, g.planJson, predPlan) };
  }

  private gold(dbId: string, schema: Schema, gold: string): { side: GoldSide; planJson: string } {
    const key = `${dbId}\u0000${gold}`;
    let g = this.golds.get(key);
    if (!g) {
      const side = prepareGold(gold, schema);
      g = { side, planJson: side.tree ? JSON.stringify(planTree(side.tree)) : 'null' };
      bounded(this.golds, key, g, this.maxEntries);
    }
    return g;
  }
}

function bounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** The R1 tree as written to the output (compact: `op` only on operators, ranges as pairs). */
export function planTree(n: MatchNode): PlanTree {
  const t: PlanTree = { label: n.label, children: n.children.map(planTree) };
  if (n.op) t.op = true;
  if (n.range) t.range = [n.range.start, n.range.end];
  return t;
}
