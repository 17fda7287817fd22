// Relaxed Ranking Distillation (Kang et al., CIKM 2020). Per user and epoch: K "interesting" items sampled
// without replacement from the teacher's top-N with probability ∝ exp(−rank/T) and kept in teacher order,
// L "uninteresting" items uniform among items neither observed nor in the top-N. The loss is the negative
// log-likelihood of the interesting items' order, with the uninteresting ones always below:
//   −Σ_k [ s_{π_k} − log( Σ_{l≥k} e^{s_{π_l}} + Σ_j e^{s_j} ) ].
import type { Dataset } from "../types";
import type { Rng } from "../random";
import { containsSorted, type BprModel } from "../models/bpr";
import type { BatchContext, Distiller } from "../models/train";
import { topK } from "../topk";

export interface RrdConfig {
  topN: number;
  K: number;
  L: number;
  T: number;
  lambda: number;
}

export const RRD_DEFAULTS: RrdConfig = { topN: 500, K: 40, L: 40, T: 10, lambda: 0.001 };

/**
 * Loss of one user from the student's scores of the interesting items (teacher order) and the
 * uninteresting ones; writes d loss / d score into dInt and dUn. Everything stays in log space
 * (LSE_k = logaddexp(LSE_{k+1}, s_k)), so no exponent is ever positive, whatever the score range.
 */
export function rrdUserLoss(sInt: ArrayLike<number>, sUn: ArrayLike<number>, dInt: Float64Array, dUn: Float64Array): number {
  const K = sInt.length;
  const L = sUn.length;
  let lse = -Infinity;
  for (let j = 0; j < L; j++) lse = logAddExp(lse, sUn[j]);
  const lseK = new Float64Array(K);
  for (let k = K - 1; k >= 0; k--) lseK[k] = lse = logAddExp(lse, sInt[k]);
  let loss = 0;
  // prefix = log Σ_{k'≤k} e^{−LSE_k'};  s_k ≤ LSE_k' for k' ≤ k, so e^{s_k + prefix} ≤ k + 1
  let prefix = -Infinity;
  for (let k = 0; k < K; k++) {
    loss -= sInt[k] - lseK[k];
    prefix = logAddExp(prefix, -lseK[k]);
    dInt[k] = -1 + Math.exp(sInt[k] + prefix);
  }
  for (let j = 0; j < L; j++) dUn[j] = Math.exp(sUn[j] + prefix);
  return loss;
}

/** log(e^a + e^b) without overflow */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * K of N ranks without replacement with P ∝ exp(−(rank+1)/T) (Gumbel-top-k: the K largest perturbed
 * log-weights are a sample without replacement), returned ascending, i.e. in teacher order.
 */
export function sampleInteresting(rng: Rng, N: number, K: number, T: number, keys = new Float32Array(N)): Int32Array {
  for (let r = 0; r < N; r++) keys[r] = -(r + 1) / T + rng.gumbel();
  return topK(keys.subarray(0, N), Math.min(K, N)).sort();
}

export class RrdDistiller implements Distiller {
  readonly name = "rrd";
  readonly cfg: RrdConfig;
  /** numUsers x K items per epoch (-1 padded) */
  readonly interesting: Int32Array;
  /** numUsers x L items per epoch (-1 padded) */
  readonly uninteresting: Int32Array;

  constructor(
    private readonly ds: Dataset,
    /** teacher's top-N unobserved items per user (numUsers x N, from teacherTopN) */
    private readonly topN: Int32Array,
    cfg: Partial<RrdConfig> = {},
  ) {
    this.cfg = { ...RRD_DEFAULTS, ...cfg };
    if (topN.length !== ds.numUsers * this.cfg.topN) throw new Error(`teacher top-N has ${topN.length} entries, expected ${ds.numUsers} x ${this.cfg.topN}`);
    this.interesting = new Int32Array(ds.numUsers * this.cfg.K).fill(-1);
    this.uninteresting = new Int32Array(ds.numUsers * this.cfg.L).fill(-1);
  }

  beginEpoch(_epoch: number, _epochs: number, rng: Rng): void {
    const { K, L, T, topN: N } = this.cfg;
    const mark = new Uint8Array(this.ds.numItems);
    const keys = new Float32Array(N);
    for (let u = 0; u < this.ds.numUsers; u++) {
      const top = this.topN.subarray(u * N, (u + 1) * N);
      let avail = N;
      while (avail > 0 && top[avail - 1] < 0) avail--;
      const ranks = sampleInteresting(rng, avail, K, T, keys);
      for (let k = 0; k < K; k++) this.interesting[u * K + k] = k < ranks.length ? top[ranks[k]] : -1;
      // uninteresting: uniform over items neither observed nor in the top-N, without replacement
      for (let r = 0; r < avail; r++) mark[top[r]] = 1;
      const train = this.ds.trainByUser[u];
      const free = this.ds.numItems - avail - train.length;
      const want = Math.min(L, free);
      let got = 0;
      for (let tries = 0; got < want && tries < 50 * L; tries++) {
        const j = rng.int(this.ds.numItems);
        if (mark[j] || containsSorted(train, j)) continue;
        mark[j] = 2;
        this.uninteresting[u * L + got++] = j;
      }
      for (let l = got; l < L; l++) this.uninteresting[u * L + l] = -1;
      for (let r = 0; r < avail; r++) mark[top[r]] = 0;
      for (let l = 0; l < got; l++) mark[this.uninteresting[u * L + l]] = 0;
    }
  }

  batch(ctx: BatchContext, model: BprModel): Record<string, number> {
    const { K, L, lambda } = this.cfg;
    const d = model.dim;
    const U = model.users;
    const V = model.items;
    const sInt = new Float64Array(K);
    const sUn = new Float64Array(L);
    const dInt = new Float64Array(K);
    const dUn = new Float64Array(L);
    let total = 0;
    for (const u of ctx.uniqueUsers) {
      let k = 0;
      while (k < K && this.interesting[u * K + k] >= 0) k++;
      let l = 0;
      while (l < L && this.uninteresting[u * L + l] >= 0) l++;
      if (k === 0) continue;
      const ub = u * d;
      for (let a = 0; a < k; a++) sInt[a] = dot(U, ub, V, this.interesting[u * K + a] * d, d);
      for (let a = 0; a < l; a++) sUn[a] = dot(U, ub, V, this.uninteresting[u * L + a] * d, d);
      total += lambda * rrdUserLoss(sInt.subarray(0, k), sUn.subarray(0, l), dInt, dUn);
      const gu = ctx.gradUsers.offset(u);
      for (let a = 0; a < k + l; a++) {
        const item = a < k ? this.interesting[u * K + a] : this.uninteresting[u * L + a - k];
        const g = lambda * (a < k ? dInt[a] : dUn[a - k]);
        const gi = ctx.gradItems.offset(item);
        const GU = ctx.gradUsers.grad;
        const GI = ctx.gradItems.grad;
        const vb = item * d;
        for (let q = 0; q < d; q++) {
          GU[gu + q] += g * V[vb + q];
          GI[gi + q] += g * U[ub + q];
        }
      }
    }
    return { rrd: total };
  }
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[ao + k] * b[bo + k];
  return s;
}
