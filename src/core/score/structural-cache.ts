// Structural scores depend only on (database, gold SQL, predicted SQL), and a
// dataset repeats them a lot: many predictions share one gold (Spider's 15
// systems: 15,510 records, 564 distinct gold queries) and systems often agree
// (7,888 distinct triples). Both levels are cached; bounded, oldest out first.

import type { Schema } from '../plan/schema.ts';
import { prepareGold, scoreStructuralWithTrees, type GoldSide, type StructuralScore } from '../structural.ts';
import type { MatchNode } from '../match/tree.ts';
import type { PlanTree } from './types.ts';

export interface StructuralResult {
  score: StructuralScore;
  plans: { gold: PlanTree | null; pred: PlanTree | null };
}

export class StructuralCache {
  private readonly golds = new Map<string, { side: GoldSide; plan: PlanTree | null }>();
  private readonly results = new Map<string, StructuralResult>();
  private readonly maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 50_000) {
    this.maxEntries = maxEntries;
  }

  score(dbId: string, schema: Schema, gold: string, pred: string): StructuralResult {
    const key = `${dbId}\u0000${gold}\u0000${pred}`;
    const hit = this.results.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const g = this.gold(dbId, schema, gold);
    const s = scoreStructuralWithTrees({ gold_sql: gold, pred_sql: pred }, schema, { gold: g.side });
    const result = { score: s.score, plans: { gold: g.plan, pred: s.predTree ? planTree(s.predTree) : null } };
    bounded(this.results, key, result, this.maxEntries);
    return result;
  }

  private gold(dbId: string, schema: Schema, gold: string): { side: GoldSide; plan: PlanTree | null } {
    const key = `${dbId}\u0000${gold}`;
    let g = this.golds.get(key);
    if (!g) {
      const side = prepareGold(gold, schema);
      g = { side, plan: side.tree ? planTree(side.tree) : null };
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
