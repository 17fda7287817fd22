// Relaxed Ranking Distillation (Kang et al., CIKM 2020). Per user and epoch: K "interesting" items sampled
// without replacement from the teacher's top-N with probability ∝ exp(−rank/T) and kept in teacher order,
// L "uninteresting" items uniform among items neither observed nor in the top-N. The loss is the negative
// log-likelihood of the interesting items' order, with the uninteresting ones always below:
//   −Σ_k [ s_{π_k} − log( Σ_{l≥k} e^{s_{π_l}} + Σ_j e^{s_j} ) ].
// The item side (IR-RRD, Kang et al., Information Sciences 2021) is the same loss with the roles swapped:
// per item, K users sampled from the teacher's top-N users of that item and L uniform among the rest,
// ranked over users. Its items are the batch's positives and negatives (`anchors: "batch"`), or, as in the
// IR-RRD authors' code, every item in the user side's sampled lists of the batch's users ("user-lists":
// ~19,000 items a CiteULike batch against ~2,000, so `anchorShare` keeps each with that probability and
// weights it by its inverse, an unbiased estimate at a fraction of the cost). `sampling: "top-k"` takes the
// teacher's first K instead of sampling them (the DE-RRD authors' remark).
import type { Dataset } from "../types";
import type { Rng } from "../random";
import { containsSorted, type BprModel } from "../models/bpr";
import type { BatchContext, Distiller } from "../models/train";
import type { RowGrads } from "../models/optim";
import { topK } from "../topk";
import type { RrdKernel } from "./rrd-kernel";

export const RRD_SAMPLINGS = ["rank", "top-k"] as const;
/** "rank": K of the top-N drawn with P ∝ exp(−rank/T); "top-k": the teacher's first K, in order */
export type RrdSampling = (typeof RRD_SAMPLINGS)[number];

export interface RrdConfig {
  topN: number;
  K: number;
  L: number;
  T: number;
  lambda: number;
  sampling: RrdSampling;
}

/** which entities carry the ranking: "user" ranks items per user (RRD), "item" ranks users per item (IR) */
export type RankingSide = "user" | "item";

export const IR_ANCHORS = ["batch", "user-lists"] as const;
/** the item side's items each batch: the batch's positives and negatives, or those in its users' RRD lists */
export type IrAnchors = (typeof IR_ANCHORS)[number];

/** the item side's settings: RRD's, plus which items carry the loss each batch */
export interface IrConfig extends RrdConfig {
  anchors: IrAnchors;
  /** with anchors "user-lists": the probability each listed item is kept (its loss weighted by 1 / share) */
  anchorShare: number;
}

export const RRD_DEFAULTS: RrdConfig = { topN: 500, K: 40, L: 40, T: 10, lambda: 0.001, sampling: "rank" };
/** the item side's settings in the IR-RRD authors' code (main_IR_RRD.py: I_K, I_L, I_T, IR_reg_lmbda) */
export const IR_DEFAULTS: IrConfig = { topN: 500, K: 20, L: 20, T: 10, lambda: 0.0005, sampling: "rank", anchors: "batch", anchorShare: 1 };

/**
 * Loss of one user from the student's scores of the interesting items (teacher order) and the
 * uninteresting ones; writes d loss / d score into dInt and dUn. Scores are shifted by their maximum so
 * every exponent is ≤ 0; when a suffix sum would lose its range (scores hundreds apart) the loss is
 * recomputed wholly in log space (LSE_k = logaddexp(LSE_{k+1}, s_k)).
 */
export function rrdUserLoss(sInt: ArrayLike<number>, sUn: ArrayLike<number>, dInt: Float64Array, dUn: Float64Array): number {
  const K = sInt.length;
  const L = sUn.length;
  let mx = -Infinity;
  for (let k = 0; k < K; k++) if (sInt[k] > mx) mx = sInt[k];
  for (let j = 0; j < L; j++) if (sUn[j] > mx) mx = sUn[j];
  // one buffer: suffix sums S_k at [0, K), e^{s_πk − mx} at [K, 2K), e^{s_j − mx} at [2K, 2K + L)
  const buf = scratch(2 * K + L);
  let S = 0;
  for (let j = 0; j < L; j++) S += buf[2 * K + j] = Math.exp(sUn[j] - mx);
  let minS = Infinity;
  for (let k = K - 1; k >= 0; k--) {
    S += buf[K + k] = Math.exp(sInt[k] - mx);
    buf[k] = S;
    if (S < minS) minS = S;
  }
  if (!(minS > 1e-200) || !Number.isFinite(mx)) return rrdUserLossLogSpace(sInt, sUn, dInt, dUn);
  let loss = 0;
  // prefix P_k = Σ_{k'≤k} 1/S_k' ; d/ds_πk = −1 + e^{s_πk} P_k ; d/ds_j = e^{s_j} P_K
  let prefix = 0;
  for (let k = 0; k < K; k++) {
    loss -= sInt[k] - mx - Math.log(buf[k]);
    prefix += 1 / buf[k];
    dInt[k] = -1 + buf[K + k] * prefix;
  }
  for (let j = 0; j < L; j++) dUn[j] = buf[2 * K + j] * prefix;
  return loss;
}

let scratchBuf = new Float64Array(64);
function scratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(n);
  return scratchBuf;
}

/** rrdUserLoss wholly in log space: slower, but no sum can underflow whatever the score range */
export function rrdUserLossLogSpace(sInt: ArrayLike<number>, sUn: ArrayLike<number>, dInt: Float64Array, dUn: Float64Array): number {
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
  readonly name: "rrd" | "ir-rrd";
  readonly cfg: RrdConfig;
  /** numAnchors x K candidates per epoch (-1 padded); anchors are users (side "user") or items ("item") */
  readonly interesting: Int32Array;
  /** numAnchors x L candidates per epoch (-1 padded) */
  readonly uninteresting: Int32Array;

  private readonly numAnchors: number;
  private readonly numCandidates: number;
  /** observed candidates of each anchor, sorted */
  private readonly observed: Int32Array[];
  private readonly lossKey: "rrd" | "ir";
  private readonly candStamp: Int32Array;
  private readonly touched: Int32Array;
  private readonly batchAnchors: Int32Array;
  private readonly anchorStamp: Int32Array;
  private stamp = 0;

  constructor(
    private readonly ds: Dataset,
    /** teacher's top-N unobserved candidates per anchor (numAnchors x N, from teacherTopN / teacherTopNUsers) */
    private readonly topN: Int32Array,
    cfg: Partial<RrdConfig> = {},
    /** SIMD score/gradient loops (RrdKernel.create); null: the JS loops */
    private readonly kernel: RrdKernel | null = null,
    readonly side: RankingSide = "user",
    /** side "item" with anchors "user-lists": the user side whose lists name the items, and the share kept */
    private readonly userLists: { from: RrdDistiller; share: number } | null = null,
  ) {
    this.cfg = { ...(side === "user" ? RRD_DEFAULTS : IR_DEFAULTS), ...cfg };
    this.name = side === "user" ? "rrd" : "ir-rrd";
    this.lossKey = side === "user" ? "rrd" : "ir";
    this.numAnchors = side === "user" ? ds.numUsers : ds.numItems;
    this.numCandidates = side === "user" ? ds.numItems : ds.numUsers;
    this.observed = side === "user" ? ds.trainByUser : usersByItem(ds);
    const what = side === "user" ? "users" : "items";
    if (topN.length !== this.numAnchors * this.cfg.topN)
      throw new Error(`teacher top-N has ${topN.length} entries, expected ${this.numAnchors} ${what} x ${this.cfg.topN}`);
    this.interesting = new Int32Array(this.numAnchors * this.cfg.K).fill(-1);
    this.uninteresting = new Int32Array(this.numAnchors * this.cfg.L).fill(-1);
    this.candStamp = new Int32Array(kernel ? this.numCandidates : 0);
    this.touched = new Int32Array(kernel ? this.numCandidates : 0);
    this.batchAnchors = new Int32Array(this.numAnchors);
    this.anchorStamp = new Int32Array(side === "item" ? this.numAnchors : 0);
    if (userLists) {
      if (side !== "item" || userLists.from.side !== "user") throw new RangeError("user-list anchors: an item side fed by a user side");
      if (!(userLists.share > 0 && userLists.share <= 1)) throw new RangeError(`anchorShare must be in (0, 1], got ${userLists.share}`);
    }
  }

  beginEpoch(_epoch: number, _epochs: number, rng: Rng): void {
    const { K, L, T, topN: N, sampling } = this.cfg;
    const nc = this.numCandidates;
    const mark = new Uint8Array(nc);
    const keys = new Float32Array(N);
    for (let u = 0; u < this.numAnchors; u++) {
      const top = this.topN.subarray(u * N, (u + 1) * N);
      let avail = N;
      while (avail > 0 && top[avail - 1] < 0) avail--;
      if (sampling === "top-k") {
        for (let k = 0; k < K; k++) this.interesting[u * K + k] = k < avail ? top[k] : -1;
      } else {
        const ranks = sampleInteresting(rng, avail, K, T, keys);
        for (let k = 0; k < K; k++) this.interesting[u * K + k] = k < ranks.length ? top[ranks[k]] : -1;
      }
      // uninteresting: uniform over candidates neither observed nor in the top-N, without replacement
      for (let r = 0; r < avail; r++) mark[top[r]] = 1;
      const train = this.observed[u];
      const free = nc - avail - train.length;
      const want = Math.min(L, free);
      let got = 0;
      for (let tries = 0; got < want && tries < 50 * L; tries++) {
        const j = rng.int(nc);
        if (mark[j] || containsSorted(train, j)) continue;
        mark[j] = 2;
        this.uninteresting[u * L + got++] = j;
      }
      for (let l = got; l < L; l++) this.uninteresting[u * L + l] = -1;
      for (let r = 0; r < avail; r++) mark[top[r]] = 0;
      for (let l = 0; l < got; l++) mark[this.uninteresting[u * L + l]] = 0;
    }
  }

  /**
   * The batch's anchors: its users (side "user"); or, once each (side "item"), its positive and negative
   * items, or the items its users' RRD lists name, each kept with probability userLists.share.
   */
  private anchorsOf(ctx: BatchContext): Int32Array {
    if (this.side === "user") return ctx.uniqueUsers;
    const stamp = ++this.stamp;
    let n = 0;
    if (this.userLists) {
      const { from, share } = this.userLists;
      for (const [lists, width] of [
        [from.interesting, from.cfg.K],
        [from.uninteresting, from.cfg.L],
      ] as const) {
        for (let b = 0; b < ctx.uniqueUsers.length; b++) {
          const row = ctx.uniqueUsers[b] * width;
          for (let x = row; x < row + width; x++) {
            const a = lists[x];
            if (a < 0 || this.anchorStamp[a] === stamp) continue;
            this.anchorStamp[a] = stamp;
            if (share === 1 || ctx.rng.next() < share) this.batchAnchors[n++] = a;
          }
        }
      }
      return this.batchAnchors.subarray(0, n);
    }
    for (const list of [ctx.uniquePos, ctx.uniqueNeg]) {
      for (let i = 0; i < list.length; i++) {
        const a = list[i];
        if (this.anchorStamp[a] === stamp) continue;
        this.anchorStamp[a] = stamp;
        this.batchAnchors[n++] = a;
      }
    }
    return this.batchAnchors.subarray(0, n);
  }

  /** λ of each anchor's loss: the configured one, over the share of anchors kept */
  private get weight(): number {
    return this.cfg.lambda / (this.userLists?.share ?? 1);
  }

  batch(ctx: BatchContext, model: BprModel): Record<string, number> {
    if (this.kernel && this.kernel.dim === model.dim) return this.batchOnKernel(ctx, model, this.kernel);
    const { K, L } = this.cfg;
    const lambda = this.weight;
    const d = model.dim;
    const userSide = this.side === "user";
    const A = userSide ? model.users : model.items;
    const C = userSide ? model.items : model.users;
    const gradAnchors = userSide ? ctx.gradUsers : ctx.gradItems;
    const gradCands = userSide ? ctx.gradItems : ctx.gradUsers;
    const cands = new Int32Array(K + L);
    const scores = new Float64Array(K + L);
    const dScores = new Float64Array(K + L);
    const ga = new Float64Array(d);
    const anchors = this.anchorsOf(ctx);
    let total = 0;
    for (let i = 0; i < anchors.length; i++) {
      const u = anchors[i];
      const [k, l] = this.samplesOf(u, cands);
      if (k === 0) continue;
      const ub = u * d;
      for (let a = 0; a < k + l; a++) {
        const vb = cands[a] * d;
        let s = 0;
        for (let q = 0; q < d; q++) s += A[ub + q] * C[vb + q];
        scores[a] = s;
      }
      total += lambda * rrdUserLoss(scores.subarray(0, k), scores.subarray(k, k + l), dScores, dScores.subarray(k));
      ga.fill(0);
      for (let a = 0; a < k + l; a++) {
        const g = lambda * dScores[a];
        const vb = cands[a] * d;
        const gi = gradCands.offset(cands[a]);
        const G = gradCands.grad; // read after offset(), which may grow the buffer
        for (let q = 0; q < d; q++) {
          ga[q] += g * C[vb + q];
          G[gi + q] += g * A[ub + q];
        }
      }
      const go = gradAnchors.offset(u);
      const GA = gradAnchors.grad;
      for (let q = 0; q < d; q++) GA[go + q] += ga[q];
    }
    return { [this.lossKey]: total };
  }

  /** copies anchor u's interesting candidates (teacher order), then its uninteresting ones, into `out`; returns both counts */
  private samplesOf(u: number, out: Int32Array): [number, number] {
    const { K, L } = this.cfg;
    let k = 0;
    while (k < K && this.interesting[u * K + k] >= 0) out[k] = this.interesting[u * K + k++];
    let l = 0;
    while (l < L && this.uninteresting[u * L + l] >= 0) out[k + l] = this.uninteresting[u * L + l++];
    return [k, l];
  }

  private batchOnKernel(ctx: BatchContext, model: BprModel, kern: RrdKernel): Record<string, number> {
    const { K, L } = this.cfg;
    const lambda = this.weight;
    const d = model.dim;
    const userSide = this.side === "user";
    const { candStamp, touched } = this;
    kern.U.set(model.users);
    kern.V.set(model.items);
    const cands = kern.items;
    const dScores = new Float64Array(K + L);
    const anchors = this.anchorsOf(ctx);
    const stamp = ++this.stamp;
    const done = new Int32Array(anchors.length);
    let nCands = 0;
    let nAnchors = 0;
    let total = 0;
    for (const u of anchors) {
      const [k, l] = this.samplesOf(u, cands);
      if (k === 0) continue;
      kern.scores(u, k + l, this.side);
      total += lambda * rrdUserLoss(kern.S.subarray(0, k), kern.S.subarray(k, k + l), dScores, dScores.subarray(k));
      for (let a = 0; a < k + l; a++) {
        const g = lambda * dScores[a];
        kern.D[a] = Math.abs(g) < 1e-30 ? 0 : g; // no denormal operands for the SIMD loops
        const c = cands[a];
        if (candStamp[c] !== stamp) {
          candStamp[c] = stamp;
          touched[nCands++] = c;
        }
      }
      kern.grads(u, k + l, this.side);
      done[nAnchors++] = u;
    }
    handOver(userSide ? kern.GU : kern.GV, done, nAnchors, d, userSide ? ctx.gradUsers : ctx.gradItems);
    handOver(userSide ? kern.GV : kern.GU, touched, nCands, d, userSide ? ctx.gradItems : ctx.gradUsers);
    return { [this.lossKey]: total };
  }
}

/** each item's training users, sorted ascending (the item side's "observed") */
export function usersByItem(ds: Dataset): Int32Array[] {
  const counts = new Int32Array(ds.numItems);
  for (const row of ds.trainByUser) for (let k = 0; k < row.length; k++) counts[row[k]]++;
  const out = Array.from({ length: ds.numItems }, (_, i) => new Int32Array(counts[i]));
  const fill = new Int32Array(ds.numItems);
  // users ascending, so each item's list comes out sorted
  for (let u = 0; u < ds.numUsers; u++) {
    const row = ds.trainByUser[u];
    for (let k = 0; k < row.length; k++) out[row[k]][fill[row[k]]++] = u;
  }
  return out;
}

/** adds the dense rows `rows[0..n)` of `dense` to the trainer's gradients and zeroes them for the next batch */
function handOver(dense: Float32Array, rows: Int32Array, n: number, d: number, grads: RowGrads): void {
  for (let i = 0; i < n; i++) {
    const base = rows[i] * d;
    const off = grads.offset(rows[i]);
    const G = grads.grad;
    for (let q = 0; q < d; q++) G[off + q] += dense[base + q];
    dense.fill(0, base, base + d);
  }
}
