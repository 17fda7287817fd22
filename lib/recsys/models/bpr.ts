// BPR matrix factorisation: score(u, i) = <p_u, q_i>. Tables are row-major Float32Arrays so the
// trainer, the distillers and the artifact writer share them without copies.
import type { Scorer } from "../types";
import type { Rng } from "../random";
import type { RowGrads } from "./optim";

export class BprModel implements Scorer {
  constructor(
    readonly numUsers: number,
    readonly numItems: number,
    readonly dim: number,
    /** numUsers x dim */
    readonly users: Float32Array,
    /** numItems x dim */
    readonly items: Float32Array,
  ) {
    if (users.length !== numUsers * dim || items.length !== numItems * dim) {
      throw new Error(`BprModel: table sizes do not match ${numUsers}x${dim} users and ${numItems}x${dim} items`);
    }
  }

  /** N(0, std²) initialisation (the authors' BPR uses std 0.01) */
  static random(numUsers: number, numItems: number, dim: number, rng: Rng, std = 0.01): BprModel {
    const users = new Float32Array(numUsers * dim);
    const items = new Float32Array(numItems * dim);
    for (let i = 0; i < users.length; i++) users[i] = rng.normal() * std;
    for (let i = 0; i < items.length; i++) items[i] = rng.normal() * std;
    return new BprModel(numUsers, numItems, dim, users, items);
  }

  get parameterCount(): number {
    return (this.numUsers + this.numItems) * this.dim;
  }

  clone(): BprModel {
    return new BprModel(this.numUsers, this.numItems, this.dim, this.users.slice(), this.items.slice());
  }

  /** copy another model's weights (same shape) into this one */
  copyFrom(other: BprModel): void {
    this.users.set(other.users);
    this.items.set(other.items);
  }

  scoreUser(user: number, out: Float32Array): void {
    const d = this.dim;
    const U = this.users;
    const V = this.items;
    const ub = user * d;
    for (let i = 0, vb = 0; i < this.numItems; i++, vb += d) {
      let s = 0;
      for (let k = 0; k < d; k++) s += U[ub + k] * V[vb + k];
      out[i] = s;
    }
  }

  /** scores of the listed items only: out[j] = score(user, items[j]) */
  scoreItems(user: number, items: ArrayLike<number>, out: Float32Array): void {
    const d = this.dim;
    const U = this.users;
    const V = this.items;
    const ub = user * d;
    for (let j = 0; j < items.length; j++) {
      const vb = items[j] * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += U[ub + k] * V[vb + k];
      out[j] = s;
    }
  }
}

/** log(1 + e^x) without overflow */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** logistic sigmoid without overflow */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** true when `item` is in the ascending array `sorted` */
export function containsSorted(sorted: Int32Array, item: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid];
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** a uniformly random item the user never interacted with in training (rejection sampling) */
export function sampleUnobserved(rng: Rng, numItems: number, observed: Int32Array): number {
  if (observed.length >= numItems) throw new Error("sampleUnobserved: the user has interacted with every item");
  for (;;) {
    const j = rng.int(numItems);
    if (!containsSorted(observed, j)) return j;
  }
}

/**
 * BPR loss Σ softplus(-(s_ui - s_uj)) = -Σ log σ(s_ui - s_uj) over pairs [from, to), with its gradient
 * scaled by `weight` accumulated into gu/gi (weight also scales the returned loss). Summed, not averaged,
 * as in the authors' code, so the distillation weights keep their meaning.
 */
export function bprLoss(
  model: BprModel,
  users: Int32Array,
  pos: Int32Array,
  neg: Int32Array,
  from: number,
  to: number,
  gu: RowGrads,
  gi: RowGrads,
  weight = 1,
  pairWeights?: Float32Array,
): number {
  const d = model.dim;
  const U = model.users;
  const V = model.items;
  let loss = 0;
  for (let n = from; n < to; n++) {
    const u = users[n];
    const i = pos[n];
    const j = neg[n];
    const ub = u * d;
    const ib = i * d;
    const jb = j * d;
    let x = 0;
    for (let k = 0; k < d; k++) x += U[ub + k] * (V[ib + k] - V[jb + k]);
    const w = pairWeights ? weight * pairWeights[n] : weight;
    loss += w * softplus(-x);
    const g = -w * sigmoid(-x);
    const gub = gu.offset(u);
    const gib = gi.offset(i);
    const gjb = gi.offset(j);
    const GU = gu.grad;
    const GI = gi.grad;
    for (let k = 0; k < d; k++) {
      const uk = U[ub + k];
      GU[gub + k] += g * (V[ib + k] - V[jb + k]);
      GI[gib + k] += g * uk;
      GI[gjb + k] -= g * uk;
    }
  }
  return loss;
}
