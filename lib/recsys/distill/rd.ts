// Ranking Distillation (Tang & Wang, KDD 2018) adapted to BPR: for each user of a batch, the teacher's
// top-K unobserved items are extra positives, each paired with a uniformly sampled unobserved negative,
// weighted by rank w_r ∝ exp(−r/μ) (normalised to sum 1 per user) and by λ_RD.
import type { Dataset } from "../types";
import { bprLoss, sampleUnobserved, type BprModel } from "../models/bpr";
import type { BatchContext, Distiller } from "../models/train";

export interface RdConfig {
  K: number;
  mu: number;
  lambda: number;
}

export const RD_DEFAULTS: RdConfig = { K: 10, mu: 5, lambda: 0.5 };

export class RdDistiller implements Distiller {
  readonly name = "rd";
  readonly cfg: RdConfig;
  private readonly rankWeights: Float32Array;

  constructor(
    private readonly ds: Dataset,
    /** teacher's top-N per user (numUsers x N, N ≥ K), best first */
    private readonly topN: Int32Array,
    private readonly N: number,
    cfg: Partial<RdConfig> = {},
  ) {
    this.cfg = { ...RD_DEFAULTS, ...cfg };
    if (this.cfg.K > N) throw new Error(`rd: K=${this.cfg.K} exceeds the teacher list length ${N}`);
    const w = Array.from({ length: this.cfg.K }, (_, r) => Math.exp(-r / this.cfg.mu));
    const sum = w.reduce((a, b) => a + b, 0);
    this.rankWeights = Float32Array.from(w, (x) => x / sum);
  }

  batch(ctx: BatchContext, model: BprModel): Record<string, number> {
    const { K, lambda } = this.cfg;
    const n = ctx.uniqueUsers.length * K;
    const users = new Int32Array(n);
    const pos = new Int32Array(n);
    const neg = new Int32Array(n);
    const w = new Float32Array(n);
    let p = 0;
    for (const u of ctx.uniqueUsers) {
      for (let r = 0; r < K; r++) {
        const item = this.topN[u * this.N + r];
        if (item < 0) break;
        users[p] = u;
        pos[p] = item;
        neg[p] = sampleUnobserved(ctx.rng, this.ds.numItems, this.ds.trainByUser[u]);
        w[p++] = this.rankWeights[r];
      }
    }
    return { rd: bprLoss(model, users, pos, neg, 0, p, ctx.gradUsers, ctx.gradItems, lambda, w) };
  }
}
