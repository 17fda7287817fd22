// Ranking metrics with one relevant item per user (leave-one-out), from its 0-based rank.

/** HR@k: 1 when rank < k */
export function hitAt(rank: number, k: number): number {
  return rank < k ? 1 : 0;
}

/** NDCG@k with one relevant item: 1/log2(rank + 2) when rank < k (the ideal DCG is 1) */
export function ndcgAt(rank: number, k: number): number {
  return rank < k ? 1 / Math.log2(rank + 2) : 0;
}

/** MRR@k: 1/(rank + 1) when rank < k */
export function mrrAt(rank: number, k: number): number {
  return rank < k ? 1 / (rank + 1) : 0;
}

/**
 * Mean HR/NDCG/MRR over users, keyed "H@5", "N@5", "M@5", ... in cutoff order.
 * An empty rank list gives zeros (a model is not credited for users it was never asked about).
 */
export function sampledMetrics(ranks: ArrayLike<number>, cutoffs: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const n = ranks.length;
  for (const k of cutoffs) {
    let h = 0;
    let nd = 0;
    let m = 0;
    for (let j = 0; j < n; j++) {
      const r = ranks[j];
      if (r < k) {
        h += 1;
        nd += 1 / Math.log2(r + 2);
        m += 1 / (r + 1);
      }
    }
    out[`H@${k}`] = n === 0 ? 0 : h / n;
    out[`N@${k}`] = n === 0 ? 0 : nd / n;
    out[`M@${k}`] = n === 0 ? 0 : m / n;
  }
  return out;
}

/** full-catalogue Recall@k and NDCG@k with one relevant item, keyed "R@20", "N@20" */
export function fullMetrics(ranks: ArrayLike<number>, cutoffs: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const n = ranks.length;
  for (const k of cutoffs) {
    let r = 0;
    let nd = 0;
    for (let j = 0; j < n; j++) {
      r += hitAt(ranks[j], k);
      nd += ndcgAt(ranks[j], k);
    }
    out[`R@${k}`] = n === 0 ? 0 : r / n;
    out[`N@${k}`] = n === 0 ? 0 : nd / n;
  }
  return out;
}
