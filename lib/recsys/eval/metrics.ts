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
  for (const k of cutoffs) {
    out[`H@${k}`] = meanAt(ranks, k, hitAt);
    out[`N@${k}`] = meanAt(ranks, k, ndcgAt);
    out[`M@${k}`] = meanAt(ranks, k, mrrAt);
  }
  return out;
}

/** full-catalogue Recall@k and NDCG@k with one relevant item, keyed "R@20", "N@20" */
export function fullMetrics(ranks: ArrayLike<number>, cutoffs: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of cutoffs) {
    out[`R@${k}`] = meanAt(ranks, k, hitAt);
    out[`N@${k}`] = meanAt(ranks, k, ndcgAt);
  }
  return out;
}

/** a per-user metric at cutoff k averaged over users (0 for none) */
function meanAt(ranks: ArrayLike<number>, k: number, metric: (rank: number, k: number) => number): number {
  const n = ranks.length;
  let sum = 0;
  for (let j = 0; j < n; j++) sum += metric(ranks[j], k);
  return n === 0 ? 0 : sum / n;
}
