// ROC AUC as the Mann-Whitney statistic: the probability that a random positive
// scores higher than a random negative, ties counting 0.5. Used to compare
// structural scores with equivalence labels (spec structural-rewards.md §2.2).

/**
 * AUC of `scores` against binary `labels` (1/true = positive). O(n log n) via
 * average ranks. Returns NaN when either class is empty.
 */
export function rocAuc(scores: readonly number[], labels: readonly (number | boolean)[]): number {
  if (scores.length !== labels.length) throw new RangeError(`rocAuc: ${scores.length} scores for ${labels.length} labels`);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    // A run of tied scores shares the average of its 1-based ranks.
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (Number(labels[order[k]]) === 1) {
        pos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
