// Results served from a cache come back as the same objects, so anything
// computed from a (gold, prediction) pair of results (EX, the metrics) can be
// remembered per pair. Weakly held: an entry goes when either result does.

import type { ExecResult } from './protocol.ts';

export class ResultPairMemo<T> {
  private readonly byGold = new WeakMap<ExecResult, WeakMap<ExecResult, T>>();

  get(gold: ExecResult, pred: ExecResult, compute: () => T): T {
    let byPred = this.byGold.get(gold);
    if (byPred?.has(pred)) return byPred.get(pred)!;
    const value = compute();
    if (!byPred) this.byGold.set(gold, (byPred = new WeakMap()));
    byPred.set(pred, value);
    return value;
  }
}
