// Distillation Experts (Kang et al., CIKM 2020). Per side (users, items): M experts, each an MLP
// d_s → (d_s+d_t)/2 → d_t with ReLU, and a selection net α = softmax(W·h_t + b). For each entity the
// Gumbel-softmax s = softmax((log(α+1e-10) + g)/τ) mixes the experts' reconstructions of the teacher
// embedding from the student's, and the loss is w_e·‖h_t − Σ_m s_m·E_m(h_s)‖².
// Experts whose weight s_m is below `skipBelow` are not evaluated (once τ is small, s is one-hot and this
// cuts the expert math M-fold); the mixture loses less than skipBelow·M of its mass.
import type { Rng } from "../random";
import type { BprModel } from "../models/bpr";
import { BlockAdam, type AdamConfig } from "../models/optim";
import type { BatchContext, Distiller } from "../models/train";
import type { RowGrads } from "../models/optim";
import { transpose, type MatmulEngine } from "./engine";
import { temperatureAt } from "./schedule";
import { DeExpertKernel } from "./de-kernel";
import { OpInputError, checkScalar, checkTensor, checkVector } from "./op-inputs";

export interface DeConfig {
  experts: number;
  lambda: number;
  tauStart: number;
  tauEnd: number;
  /** experts with Gumbel-softmax weight below this are skipped (forward and backward) */
  skipBelow: number;
  /**
   * at most this many experts (the highest-weight ones) are evaluated per entity; default M (exact).
   * A cap makes the early, soft-τ epochs affordable on a CPU: the mixture is truncated to its top weights.
   */
  maxExperts: number;
  /**
   * share of each batch's unique entities the DE loss is computed on, sampled uniformly and scaled by
   * 1/share so the loss and its gradient stay unbiased; default 1 (every entity, as specified).
   */
  entityFraction: number;
}

export const DE_DEFAULTS: DeConfig = { experts: 30, lambda: 0.01, tauStart: 1, tauEnd: 1e-10, skipBelow: 1e-6, maxExperts: 30, entityFraction: 1 };

const LOG_EPS = 1e-10;
/**
 * (entity, expert) pairs the wasm expert kernel has room for per call: a batch's unique items with two experts
 * each (batch 1024) fit; larger calls (all 30 experts while τ is high) take the matmul engine, whose fixed
 * cost per call is then small beside the rows it multiplies.
 */
const EXPERT_KERNEL_PAIRS = 8192;

/** Parameters of one side: experts packed one block each [W1 ds×dh | b1 dh | W2 dh×dt | b2 dt], selection [W dt×M | b M]. */
export class DeSide {
  readonly dh: number;
  readonly block: number;
  /** rebound by DeDistiller to its optimiser's storage (wasm memory when the Adam kernel runs) */
  experts: Float32Array;
  selection: Float32Array;

  constructor(
    readonly M: number,
    readonly ds: number,
    readonly dt: number,
    rng: Rng,
  ) {
    this.dh = Math.floor((ds + dt) / 2);
    const { dh } = this;
    this.block = ds * dh + dh + dh * dt + dt;
    this.experts = new Float32Array(M * this.block);
    this.selection = new Float32Array(dt * M + M);
    // PyTorch nn.Linear initialisation: U(−1/√fan_in, 1/√fan_in) for weights and biases
    const fill = (a: Float32Array, from: number, len: number, fanIn: number) => {
      const bound = 1 / Math.sqrt(fanIn);
      for (let i = from; i < from + len; i++) a[i] = (rng.next() * 2 - 1) * bound;
    };
    for (let m = 0; m < M; m++) {
      const o = m * this.block;
      fill(this.experts, o, ds * dh + dh, ds);
      fill(this.experts, o + ds * dh + dh, dh * dt + dt, dh);
    }
    fill(this.selection, 0, this.selection.length, dt);
  }

  get parameterCount(): number {
    return this.experts.length + this.selection.length;
  }
}

export interface DeGrads {
  experts: Float32Array;
  selection: Float32Array;
  /** gradient w.r.t. each entity's student embedding, n x ds */
  hs: Float32Array;
  /** 1 for experts that received gradient */
  touched: Uint8Array;
}

export function newDeGrads(side: DeSide, n: number): DeGrads {
  return {
    experts: new Float32Array(side.experts.length),
    selection: new Float32Array(side.selection.length),
    hs: new Float32Array(n * side.ds),
    touched: new Uint8Array(side.M),
  };
}

/** The inputs of `deLoss` for n entities of one side (M experts, student dim ds, teacher dim dt). */
export interface DeLossInputs {
  side: DeSide;
  /** student embeddings, float32 [n, ds] */
  hs: Float32Array;
  /** teacher embeddings, float32 [n, dt] */
  ht: Float32Array;
  /** loss weight of each entity, [n]; its length is n */
  weights: ArrayLike<number>;
  /** standard Gumbel draws, float64 [n, M] */
  gumbel: Float64Array;
  /** Gumbel-softmax temperature, > 0 */
  tau: number;
  /** experts weighted below this are skipped, in [0, 1] */
  skipBelow: number;
  engine: MatmulEngine;
  /** written: zeroed by the caller before each call; grads.hs has at least n rows */
  grads: DeGrads;
  /** at most this many experts per entity, ≥ 1 (M or more: all); default M */
  maxExperts?: number;
  /** the wasm expert kernel over this side's weights and gradient (grads.experts), used while its scratch suffices */
  kernel?: DeExpertKernel | null;
}

function checkDeLossInputs(x: DeLossInputs): number {
  const op = "deLoss";
  if (!(x.side instanceof DeSide)) throw new OpInputError(op, "side", "must be a DeSide");
  const { M, ds, dt } = x.side;
  checkVector(op, "weights", x.weights);
  const n = x.weights.length;
  checkTensor(op, "hs", x.hs, Float32Array, [n, ds]);
  checkTensor(op, "ht", x.ht, Float32Array, [n, dt]);
  checkTensor(op, "gumbel", x.gumbel, Float64Array, [n, M]);
  checkScalar(op, "tau", x.tau, { min: 0, exclusiveMin: true });
  checkScalar(op, "skipBelow", x.skipBelow, { min: 0, max: 1 });
  // a cap of M or more keeps every expert
  if (x.maxExperts !== undefined) checkScalar(op, "maxExperts", x.maxExperts, { min: 1, integer: true });
  checkTensor(op, "grads.experts", x.grads?.experts, Float32Array, [x.side.experts.length]);
  checkTensor(op, "grads.selection", x.grads.selection, Float32Array, [x.side.selection.length]);
  checkTensor(op, "grads.hs", x.grads.hs, Float32Array, [n, ds], { atLeast: true });
  checkTensor(op, "grads.touched", x.grads.touched, Uint8Array, [M]);
  return n;
}

/**
 * Loss Σ_e w_e‖h_t,e − Σ_m s_em E_m(h_s,e)‖² and its gradients, written into `grads`. Each input is checked
 * first (an `OpInputError` names the one that does not fit).
 */
export function deLoss(inputs: DeLossInputs): number {
  const n = checkDeLossInputs(inputs);
  const { side, hs, ht, weights, gumbel, tau, skipBelow, engine, grads, maxExperts = side.M, kernel = null } = inputs;
  const { M, dt } = side;
  if (n === 0) return 0;
  const W = side.selection;
  const selB = dt * M;

  // selection net: logits = Ht·Wsel + b
  const logits = engine.matmul(ht, n, dt, W, M);
  const alpha = new Float64Array(n * M);
  const s = new Float64Array(n * M);
  const counts = new Int32Array(M);
  let allOneHot = true;
  for (let e = 0; e < n; e++) {
    const o = e * M;
    let mx = -Infinity;
    for (let m = 0; m < M; m++) {
      const l = logits[o + m] + W[selB + m];
      alpha[o + m] = l;
      if (l > mx) mx = l;
    }
    let sum = 0;
    for (let m = 0; m < M; m++) sum += alpha[o + m] = Math.exp(alpha[o + m] - mx);
    let zmx = -Infinity;
    for (let m = 0; m < M; m++) {
      alpha[o + m] /= sum;
      const z = (Math.log(alpha[o + m] + LOG_EPS) + gumbel[o + m]) / tau;
      s[o + m] = z;
      if (z > zmx) zmx = z;
    }
    let zs = 0;
    for (let m = 0; m < M; m++) {
      const a = s[o + m] - zmx;
      zs += s[o + m] = a < -745 ? 0 : Math.exp(a); // e^a underflows to 0 below -745 anyway
    }
    let active = 0;
    for (let m = 0; m < M; m++) {
      s[o + m] /= zs;
      if (s[o + m] >= skipBelow) active++;
      else s[o + m] = -s[o + m]; // negative marks a skipped expert; its magnitude is kept for the backward pass
    }
    if (active !== 1 || zs !== 1) allOneHot = false;
    if (active > maxExperts) {
      // keep the maxExperts largest weights
      const order = Array.from({ length: M }, (_, m) => m).sort((a, b) => s[o + b] - s[o + a]);
      for (let r = maxExperts; r < M; r++) if (s[o + order[r]] > 0) s[o + order[r]] = -s[o + order[r]];
    }
    for (let m = 0; m < M; m++) if (s[o + m] > 0) counts[m]++;
  }

  // group (entity, expert) pairs by expert
  const offsets = new Int32Array(M + 1);
  for (let m = 0; m < M; m++) offsets[m + 1] = offsets[m] + counts[m];
  const pairEntity = new Int32Array(offsets[M]);
  const fillPos = offsets.slice(0, M);
  for (let e = 0; e < n; e++) {
    for (let m = 0; m < M; m++) if (s[e * M + m] > 0) pairEntity[fillPos[m]++] = e;
  }

  // forward through the active experts, then mix their outputs
  const useKernel = kernel !== null && offsets[M] <= kernel.capacity;
  const { X, H, Y } = useKernel ? kernelForward(kernel, side, counts, offsets, pairEntity, hs) : engineForward(side, counts, offsets, pairEntity, hs, engine);
  const yhat = new Float64Array(n * dt);
  for (let m = 0; m < M; m++) {
    const y = Y[m];
    if (!y) continue;
    for (let r = 0; r < counts[m]; r++) {
      const e = pairEntity[offsets[m] + r];
      const w = s[e * M + m];
      const yb = r * dt;
      const eb = e * dt;
      for (let j = 0; j < dt; j++) yhat[eb + j] += w * y[yb + j];
    }
  }

  // loss and d loss / d yhat
  let loss = 0;
  const dyhat = new Float64Array(n * dt);
  for (let e = 0; e < n; e++) {
    const w = weights[e];
    let sq = 0;
    for (let j = 0; j < dt; j++) {
      const r = ht[e * dt + j] - yhat[e * dt + j];
      sq += r * r;
      dyhat[e * dt + j] = -2 * w * r;
    }
    loss += w * sq;
  }

  // With every selection exactly one-hot (float64), d s / d logits is exactly zero: skip the selection backward.
  if (!allOneHot) selectionBackward({ side, ht, s, alpha, routing: { counts, offsets, pairEntity }, Y, dyhat, tau, engine, grads });
  for (let i = 0; i < s.length; i++) if (s[i] < 0) s[i] = 0;

  if (useKernel) kernelBackward(kernel, side, counts, offsets, pairEntity, s, dyhat, grads);
  else expertsBackward(side, counts, offsets, pairEntity, s, X, H, dyhat, engine, grads);
  return loss;
}

interface ExpertActivations {
  /** per expert (null when idle): its pair rows' inputs, hidden activations and outputs */
  X: (Float32Array | null)[];
  H: (Float32Array | null)[];
  Y: (Float32Array | null)[];
}

function noActivations(M: number): ExpertActivations {
  return { X: new Array(M).fill(null), H: new Array(M).fill(null), Y: new Array(M).fill(null) };
}

function engineForward(
  side: DeSide,
  counts: Int32Array,
  offsets: Int32Array,
  pairEntity: Int32Array,
  hs: Float32Array,
  engine: MatmulEngine,
): ExpertActivations {
  const { M, ds, dt, dh, block } = side;
  const { X, H, Y } = noActivations(M);
  for (let m = 0; m < M; m++) {
    const cnt = counts[m];
    if (cnt === 0) continue;
    const o = m * block;
    const W1 = side.experts.subarray(o, o + ds * dh);
    const b1 = o + ds * dh;
    const W2 = side.experts.subarray(b1 + dh, b1 + dh + dh * dt);
    const b2 = b1 + dh + dh * dt;
    const x = new Float32Array(cnt * ds);
    for (let r = 0; r < cnt; r++) x.set(hs.subarray(pairEntity[offsets[m] + r] * ds, (pairEntity[offsets[m] + r] + 1) * ds), r * ds);
    const h = engine.matmul(x, cnt, ds, W1, dh);
    for (let r = 0; r < cnt; r++) {
      for (let j = 0; j < dh; j++) {
        const v = h[r * dh + j] + side.experts[b1 + j];
        h[r * dh + j] = v > 0 ? v : 0;
      }
    }
    const y = engine.matmul(h, cnt, dh, W2, dt);
    for (let r = 0; r < cnt; r++) for (let j = 0; j < dt; j++) y[r * dt + j] += side.experts[b2 + j];
    X[m] = x;
    H[m] = h;
    Y[m] = y;
  }
  return { X, H, Y };
}

function kernelForward(
  kernel: DeExpertKernel,
  side: DeSide,
  counts: Int32Array,
  offsets: Int32Array,
  pairEntity: Int32Array,
  hs: Float32Array,
): ExpertActivations {
  const { M, ds, dt, dh } = side;
  const pairs = offsets[M];
  for (let p = 0; p < pairs; p++) kernel.X.set(hs.subarray(pairEntity[p] * ds, (pairEntity[p] + 1) * ds), p * ds);
  const { X, H, Y } = noActivations(M);
  for (let m = 0; m < M; m++) {
    const cnt = counts[m];
    if (cnt === 0) continue;
    const from = offsets[m];
    kernel.forward(m, from, cnt);
    X[m] = kernel.X.subarray(from * ds, (from + cnt) * ds);
    H[m] = kernel.H.subarray(from * dh, (from + cnt) * dh);
    Y[m] = kernel.Y.subarray(from * dt, (from + cnt) * dt);
  }
  return { X, H, Y };
}

function kernelBackward(
  kernel: DeExpertKernel,
  side: DeSide,
  counts: Int32Array,
  offsets: Int32Array,
  pairEntity: Int32Array,
  s: Float64Array,
  dyhat: Float64Array,
  grads: DeGrads,
): void {
  const { M, ds, dt } = side;
  const { DY, DX } = kernel;
  for (let m = 0; m < M; m++) {
    const cnt = counts[m];
    if (cnt === 0) continue;
    grads.touched[m] = 1;
    const from = offsets[m];
    for (let p = from; p < from + cnt; p++) {
      const e = pairEntity[p];
      const w = s[e * M + m];
      const eb = e * dt;
      const pb = p * dt;
      for (let j = 0; j < dt; j++) DY[pb + j] = w * dyhat[eb + j];
    }
    kernel.backward(m, from, cnt);
    for (let p = from; p < from + cnt; p++) {
      const eb = pairEntity[p] * ds;
      const pb = p * ds;
      for (let k = 0; k < ds; k++) grads.hs[eb + k] += DX[pb + k];
    }
  }
}

/** Which experts each entity's pairs go to: per expert its pair count, the pairs grouped by expert, each pair's entity. */
interface ExpertRouting {
  /** pairs per expert, int32 [M] */
  counts: Int32Array;
  /** start of each expert's pairs, int32 [M + 1] */
  offsets: Int32Array;
  /** the entity of each pair, int32 [pairs] */
  pairEntity: Int32Array;
}

interface SelectionBackwardInputs {
  side: DeSide;
  /** teacher embeddings, float32 [n, dt] */
  ht: Float32Array;
  /** Gumbel-softmax weights, float64 [n, M]; negative marks a skipped expert (its magnitude is the weight) */
  s: Float64Array;
  /** selection softmax, float64 [n, M] */
  alpha: Float64Array;
  routing: ExpertRouting;
  /** each evaluated expert's outputs, float32 [counts[m], dt], null for idle experts; [M] */
  Y: (Float32Array | null)[];
  /** d loss / d mixture, float64 [n, dt] */
  dyhat: Float64Array;
  tau: number;
  engine: MatmulEngine;
  /** grads.selection receives the selection net's gradient */
  grads: DeGrads;
}

function checkSelectionBackwardInputs(x: SelectionBackwardInputs): number {
  const op = "selectionBackward";
  const { M, dt } = x.side;
  const n = Math.floor((x.alpha?.length ?? 0) / M);
  checkTensor(op, "alpha", x.alpha, Float64Array, [n, M]);
  checkTensor(op, "ht", x.ht, Float32Array, [n, dt]);
  checkTensor(op, "s", x.s, Float64Array, [n, M]);
  checkTensor(op, "routing.counts", x.routing.counts, Int32Array, [M]);
  checkTensor(op, "routing.offsets", x.routing.offsets, Int32Array, [M + 1]);
  checkTensor(op, "routing.pairEntity", x.routing.pairEntity, Int32Array, [x.routing.offsets[M]]);
  if (!Array.isArray(x.Y) || x.Y.length !== M) throw new OpInputError(op, "Y", `must list M = ${M} experts' outputs, got ${x.Y?.length ?? "none"}`);
  for (let m = 0; m < M; m++) if (x.Y[m] !== null) checkTensor(op, `Y[${m}]`, x.Y[m], Float32Array, [x.routing.counts[m], dt]);
  checkTensor(op, "dyhat", x.dyhat, Float64Array, [n, dt]);
  checkScalar(op, "tau", x.tau, { min: 0, exclusiveMin: true });
  checkTensor(op, "grads.selection", x.grads.selection, Float32Array, [x.side.selection.length]);
  return n;
}

function selectionBackward(inputs: SelectionBackwardInputs): void {
  const n = checkSelectionBackwardInputs(inputs);
  const { side, ht, s, alpha, Y, dyhat, tau, engine, grads } = inputs;
  const { counts, offsets, pairEntity } = inputs.routing;
  const { M, dt } = side;
  const selB = dt * M;
  // d loss / d s for evaluated pairs (0 for skipped experts), then through the Gumbel-softmax and the selection softmax
  const dsel = new Float64Array(n * M);
  for (let m = 0; m < M; m++) {
    const y = Y[m];
    if (!y) continue;
    for (let r = 0; r < counts[m]; r++) {
      const e = pairEntity[offsets[m] + r];
      let acc = 0;
      for (let j = 0; j < dt; j++) acc += dyhat[e * dt + j] * y[r * dt + j];
      dsel[e * M + m] = acc;
    }
  }
  const dlogits = new Float32Array(n * M);
  for (let e = 0; e < n; e++) {
    const o = e * M;
    let sds = 0;
    for (let m = 0; m < M; m++) if (s[o + m] > 0) sds += s[o + m] * dsel[o + m];
    // dz_m = s_m (ds_m − Σ s ds) / τ ;  a_m = dz_m · α_m/(α_m+eps) ;  dl_j = a_j − α_j Σ a
    let asum = 0;
    const a = new Float64Array(M);
    for (let m = 0; m < M; m++) {
      const sm = Math.abs(s[o + m]);
      const dz = (sm * (dsel[o + m] - sds)) / tau;
      a[m] = (dz * alpha[o + m]) / (alpha[o + m] + LOG_EPS);
      asum += a[m];
    }
    for (let m = 0; m < M; m++) {
      // |dl| < 1e-30 is flushed to 0: as f32 it would be denormal, and a single denormal operand slows the
      // wasm matmul below ~10x (measured: DE epochs went from 6 to 20 s once τ < 0.1)
      const raw = a[m] - alpha[o + m] * asum;
      const dl = Math.abs(raw) < 1e-30 ? 0 : raw;
      dlogits[o + m] = dl;
      grads.selection[selB + m] += dl;
    }
  }
  const dWsel = engine.matmul(transpose(ht.subarray(0, n * dt), n, dt), dt, n, dlogits, M);
  for (let i = 0; i < dt * M; i++) grads.selection[i] += dWsel[i];
}

function expertsBackward(
  side: DeSide,
  counts: Int32Array,
  offsets: Int32Array,
  pairEntity: Int32Array,
  s: Float64Array,
  X: (Float32Array | null)[],
  H: (Float32Array | null)[],
  dyhat: Float64Array,
  engine: MatmulEngine,
  grads: DeGrads,
): void {
  const { M, ds, dt, dh, block } = side;
  for (let m = 0; m < M; m++) {
    const h = H[m];
    const x = X[m];
    if (!h || !x) continue;
    const cnt = counts[m];
    const o = m * block;
    const b1 = o + ds * dh;
    const w2o = b1 + dh;
    const b2 = w2o + dh * dt;
    grads.touched[m] = 1;
    const dy = new Float32Array(cnt * dt);
    for (let r = 0; r < cnt; r++) {
      const e = pairEntity[offsets[m] + r];
      const w = s[e * M + m];
      for (let j = 0; j < dt; j++) {
        const v = w * dyhat[e * dt + j];
        dy[r * dt + j] = v;
        grads.experts[b2 + j] += v;
      }
    }
    const dW2 = engine.matmul(transpose(h, cnt, dh), dh, cnt, dy, dt);
    grads.experts.set(dW2, w2o); // each expert appears once per call and grads start at zero
    const W2T = transpose(side.experts.subarray(w2o, w2o + dh * dt), dh, dt);
    const dh_ = engine.matmul(dy, cnt, dt, W2T, dh);
    for (let i = 0; i < cnt * dh; i++) if (h[i] <= 0) dh_[i] = 0;
    for (let r = 0; r < cnt; r++) for (let j = 0; j < dh; j++) grads.experts[b1 + j] += dh_[r * dh + j];
    const dW1 = engine.matmul(transpose(x, cnt, ds), ds, cnt, dh_, dh);
    grads.experts.set(dW1, o);
    const W1T = transpose(side.experts.subarray(o, o + ds * dh), ds, dh);
    const dx = engine.matmul(dh_, cnt, dh, W1T, ds);
    for (let r = 0; r < cnt; r++) {
      const e = pairEntity[offsets[m] + r];
      for (let k = 0; k < ds; k++) grads.hs[e * ds + k] += dx[r * ds + k];
    }
  }
}

/** fills n x M standard Gumbel draws */
export function drawGumbel(rng: Rng, n: number, M: number, out?: Float64Array): Float64Array {
  const g = out && out.length >= n * M ? out : new Float64Array(n * M);
  for (let i = 0; i < n * M; i++) g[i] = rng.gumbel();
  return g;
}

/** DE as a Distiller on the BPR training loop: user side on the batch's unique users (weight 1), item side on
 * its unique positive and unique negative items (weight ½ each), all scaled by λ_DE. */
export class DeDistiller implements Distiller {
  readonly name = "de";
  readonly users: DeSide;
  readonly items: DeSide;
  private tau = 1;
  private readonly adam: { side: DeSide; experts: BlockAdam; selection: BlockAdam; grads: DeGrads; kernel: DeExpertKernel | null }[];
  private readonly cfg: DeConfig;

  constructor(
    private readonly teacher: BprModel,
    studentDim: number,
    cfg: Partial<DeConfig>,
    adam: AdamConfig,
    rng: Rng,
    private readonly engine: MatmulEngine,
    adamKernel: WebAssembly.Module | null = null,
    expertKernel: WebAssembly.Module | null = null,
  ) {
    this.cfg = { ...DE_DEFAULTS, ...cfg };
    this.users = new DeSide(this.cfg.experts, studentDim, teacher.dim, rng.fork());
    this.items = new DeSide(this.cfg.experts, studentDim, teacher.dim, rng.fork());
    this.adam = [this.users, this.items].map((side) => {
      const scratch = expertKernel ? DeExpertKernel.scratchBytes(side, EXPERT_KERNEL_PAIRS) : 0;
      const experts = new BlockAdam(side.experts, side.block, adam, adamKernel, scratch);
      const selection = new BlockAdam(side.selection, side.selection.length, adam, adamKernel);
      // parameters and gradients live where the optimiser steps them: no copies per batch
      side.experts = experts.params;
      side.selection = selection.params;
      const grads = newDeGrads(side, 0);
      grads.experts = experts.gradBuffer();
      grads.selection = selection.gradBuffer();
      const shared = experts.shared;
      const kernel =
        expertKernel && shared ? new DeExpertKernel(expertKernel, shared.memory, shared.gradOffset, shared.offset, side, EXPERT_KERNEL_PAIRS) : null;
      return { side, experts, selection, grads, kernel };
    });
  }

  /** where the expert math runs */
  get expertMath(): string {
    return this.adam[0].kernel ? "wasm-simd" : this.engine.name;
  }

  get parameterCount(): number {
    return this.users.parameterCount + this.items.parameterCount;
  }

  get temperature(): number {
    return this.tau;
  }

  beginEpoch(epoch: number, epochs: number): void {
    this.tau = temperatureAt(epoch - 1, epochs, this.cfg.tauStart, this.cfg.tauEnd);
  }

  batch(ctx: BatchContext, model: BprModel): Record<string, number> {
    const lam = this.cfg.lambda;
    const userW = new Float32Array(ctx.uniqueUsers.length).fill(lam);
    const items = new Int32Array(ctx.uniquePos.length + ctx.uniqueNeg.length);
    items.set(ctx.uniquePos);
    items.set(ctx.uniqueNeg, ctx.uniquePos.length);
    const itemW = new Float32Array(items.length).fill(lam * 0.5);
    let loss = this.side(0, ctx.uniqueUsers, userW, this.teacher.users, model.users, ctx.gradUsers, ctx.rng);
    loss += this.side(1, items, itemW, this.teacher.items, model.items, ctx.gradItems, ctx.rng);
    return { de: loss };
  }

  private side(
    which: number,
    entities: Int32Array,
    weights: Float32Array,
    teacherTable: Float32Array,
    studentTable: Float32Array,
    grad: RowGrads,
    rng: Rng,
  ): number {
    const st = this.adam[which];
    const side = st.side;
    const { ds, dt, M } = side;
    const rho = this.cfg.entityFraction;
    if (rho < 1) {
      // unbiased subsample: keep each entity with probability rho, weight 1/rho
      let k = 0;
      const kept = new Int32Array(entities.length);
      const w = new Float32Array(entities.length);
      for (let e = 0; e < entities.length; e++) {
        if (rng.next() < rho) {
          kept[k] = entities[e];
          w[k++] = weights[e] / rho;
        }
      }
      entities = kept.subarray(0, k);
      weights = w.subarray(0, k);
    }
    const n = entities.length;
    const hs = new Float32Array(n * ds);
    const ht = new Float32Array(n * dt);
    for (let e = 0; e < n; e++) {
      const r = entities[e];
      hs.set(studentTable.subarray(r * ds, (r + 1) * ds), e * ds);
      ht.set(teacherTable.subarray(r * dt, (r + 1) * dt), e * dt);
    }
    const g = st.grads;
    // only the experts the last batch touched hold gradient
    for (let m = 0; m < M; m++) if (g.touched[m]) g.experts.fill(0, m * side.block, (m + 1) * side.block);
    g.selection.fill(0);
    g.touched.fill(0);
    if (g.hs.length < n * ds) g.hs = new Float32Array(n * ds);
    else g.hs.fill(0, 0, n * ds);
    const loss = deLoss({
      side,
      hs,
      ht,
      weights,
      gumbel: drawGumbel(rng, n, M),
      tau: this.tau,
      skipBelow: this.cfg.skipBelow,
      engine: this.engine,
      grads: g,
      maxExperts: this.cfg.maxExperts,
      kernel: st.kernel,
    });
    for (let e = 0; e < n; e++) {
      const off = grad.offset(entities[e]);
      const G = grad.grad;
      for (let k = 0; k < ds; k++) G[off + k] += g.hs[e * ds + k];
    }
    return loss;
  }

  setLearningRate(lr: number): void {
    for (const st of this.adam) st.experts.lr = st.selection.lr = lr;
  }

  step(): void {
    for (const st of this.adam) {
      st.experts.step(st.grads.experts, st.grads.touched);
      st.selection.step(st.grads.selection);
    }
  }
}
