// The §2.2 forest matching written straightforwardly from the spec's
// pseudo-code: a fresh memo per anchoring round, mappings carried along with the
// scores, no pruning. The optimised src/core/match/forest-match.ts must give
// exactly its result (test/unit/match-forest.test.ts); the benchmark reports
// the speed-up.
import type { Anchorable } from '../../src/core/match/forest-match.ts';
import { preorder } from '../../src/core/match/tree.ts';
import type { MatchNode } from '../../src/core/match/tree.ts';

interface Sim {
  score: number;
  mapping: Array<[number, number]>;
}

/** The specification, straightforwardly: no cross-round caching, no pruning. */
export function referenceForestMatch(gold: MatchNode, pred: MatchNode, anchorable: Anchorable): Array<[number, number]> {
  const gn = preorder(gold);
  const pn = preorder(pred);
  const gIdx = new Map(gn.map((n, i) => [n, i]));
  const pIdx = new Map(pn.map((n, i) => [n, i]));
  const isAnchor = (n: MatchNode, i: number) => (anchorable === 'op' ? n.op : anchorable === 'root' ? i === 0 : anchorable(n, i));
  const usedG = new Set<number>();
  const usedP = new Set<number>();
  const pairs: Array<[number, number]> = [];
  for (;;) {
    const memo = new Map<string, Sim>();
    const sim = (g: number, p: number): Sim => {
      if (usedG.has(g) || usedP.has(p) || gn[g].label !== pn[p].label) return { score: 0, mapping: [] };
      const key = `${g},${p}`;
      const hit = memo.get(key);
      if (hit) return hit;
      const cands: Array<{ i: number; j: number; r: Sim }> = [];
      gn[g].children.forEach((gc, i) =>
        pn[p].children.forEach((pc, j) => {
          if (gc.slot !== pc.slot) return;
          const r = sim(gIdx.get(gc)!, pIdx.get(pc)!);
          if (r.score > 0) cands.push({ i, j, r });
        }),
      );
      cands.sort((x, y) => y.r.score - x.r.score || x.i - y.i || x.j - y.j);
      const ti = new Set<number>();
      const tj = new Set<number>();
      const out: Sim = { score: 1, mapping: [[g, p]] };
      for (const c of cands) {
        if (ti.has(c.i) || tj.has(c.j)) continue;
        ti.add(c.i);
        tj.add(c.j);
        out.score += c.r.score;
        out.mapping.push(...c.r.mapping);
      }
      memo.set(key, out);
      return out;
    };
    let best: Sim | undefined;
    for (let g = 0; g < gn.length; g++) {
      if (usedG.has(g) || !isAnchor(gn[g], g)) continue;
      for (let p = 0; p < pn.length; p++) {
        if (usedP.has(p) || !isAnchor(pn[p], p) || gn[g].label !== pn[p].label) continue;
        const r = sim(g, p);
        if (!best || r.score > best.score) best = r;
      }
    }
    if (!best || best.score === 0) break;
    for (const [g, p] of best.mapping) {
      pairs.push([g, p]);
      usedG.add(g);
      usedP.add(p);
    }
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}
