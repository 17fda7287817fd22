import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/recsys/random";
import { DeSide, deLoss, drawGumbel, newDeGrads } from "@/lib/recsys/distill/de";
import { JsEngine, TfEngine, WasmKernelEngine, type MatmulEngine } from "@/lib/recsys/distill/engine";
import { getTf } from "@/lib/recsys/backend";
import { DeExpertKernel, deExpertModule } from "@/lib/recsys/distill/de-kernel";
import { BlockAdam } from "@/lib/recsys/models/optim";
import { adamKernel } from "@/lib/recsys/kernels/adam";
import { centralDifference } from "../helpers/gradients";

/** a copy of `side` whose experts and their gradient live in the memory of a wasm expert kernel */
async function kernelSide(side: DeSide, capacity: number) {
  const [adamMod, deMod] = [await adamKernel(), await deExpertModule()];
  expect(adamMod && deMod, "wasm SIMD kernels compile in tests").toBeTruthy();
  const copy = Object.assign(Object.create(Object.getPrototypeOf(side)) as DeSide, side);
  const experts = new BlockAdam(side.experts, side.block, { lr: 1e-3, weightDecay: 0 }, adamMod, DeExpertKernel.scratchBytes(side, capacity));
  copy.experts = experts.params;
  copy.selection = side.selection.slice();
  const shared = experts.shared!;
  return { side: copy, gradExperts: experts.gradBuffer(), kernel: new DeExpertKernel(deMod!, shared.memory, shared.gradOffset, shared.offset, side, capacity) };
}

// tiny problem: 3 experts, student dim 2, teacher dim 4 (hidden 3), 5 entities
function setup(seed = 1) {
  const rng = new Rng(seed);
  const side = new DeSide(3, 2, 4, rng);
  const n = 5;
  const hs = Float32Array.from({ length: n * 2 }, () => rng.normal());
  const ht = Float32Array.from({ length: n * 4 }, () => rng.normal());
  const weights = Float32Array.from([1, 1, 0.5, 0.5, 0.5]);
  const gumbel = drawGumbel(rng, n, 3);
  return { side, n, hs, ht, weights, gumbel };
}

function lossOf(s: ReturnType<typeof setup>, tau: number, engine: MatmulEngine, skipBelow = 0) {
  const g = newDeGrads(s.side, s.n);
  const loss = deLoss({ side: s.side, hs: s.hs, ht: s.ht, weights: s.weights, gumbel: s.gumbel, tau, skipBelow, engine, grads: g });
  return { loss, g };
}

/** central finite difference of the loss w.r.t. a[i] (float32 storage, so a moderate step) */
function fd(s: ReturnType<typeof setup>, a: Float32Array, i: number, tau: number, engine: MatmulEngine): number {
  return centralDifference(a, i, 1e-2, () => lossOf(s, tau, engine).loss);
}

function expectClose(analytic: number, numeric: number) {
  expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(2e-2 * Math.max(1, Math.abs(numeric)));
}

describe("DE loss", () => {
  const engine = new JsEngine();

  it("matches a direct evaluation of ‖h_t − Σ s_m E_m(h_s)‖² at τ = 1", () => {
    const s = setup();
    const { loss } = lossOf(s, 1, engine);
    // recompute naively in float64
    const { side, n } = s;
    const { M, ds, dt, dh, block } = side;
    let want = 0;
    for (let e = 0; e < n; e++) {
      const logits = Array.from({ length: M }, (_, m) => {
        let v = side.selection[dt * M + m];
        for (let j = 0; j < dt; j++) v += s.ht[e * dt + j] * side.selection[j * M + m];
        return v;
      });
      const mx = Math.max(...logits);
      const ex = logits.map((l) => Math.exp(l - mx));
      const alpha = ex.map((v) => v / ex.reduce((a, b) => a + b));
      const z = alpha.map((a, m) => Math.log(a + 1e-10) + s.gumbel[e * M + m]);
      const zx = Math.max(...z);
      const sz = z.map((v) => Math.exp(v - zx));
      const sel = sz.map((v) => v / sz.reduce((a, b) => a + b));
      const y = new Array(dt).fill(0);
      for (let m = 0; m < M; m++) {
        const o = m * block;
        const hid = Array.from({ length: dh }, (_, j) => {
          let v = side.experts[o + ds * dh + j];
          for (let k = 0; k < ds; k++) v += s.hs[e * ds + k] * side.experts[o + k * dh + j];
          return Math.max(0, v);
        });
        for (let j = 0; j < dt; j++) {
          let v = side.experts[o + ds * dh + dh + dh * dt + j];
          for (let k = 0; k < dh; k++) v += hid[k] * side.experts[o + ds * dh + dh + k * dt + j];
          y[j] += sel[m] * v;
        }
      }
      let sq = 0;
      for (let j = 0; j < dt; j++) sq += (s.ht[e * dt + j] - y[j]) ** 2;
      want += s.weights[e] * sq;
    }
    expect(loss).toBeCloseTo(want, 4);
  });

  for (const tau of [1, 0.3]) {
    it(`gradients match finite differences (τ = ${tau})`, () => {
      const s = setup(7);
      const { g } = lossOf(s, tau, engine);
      for (let i = 0; i < s.hs.length; i++) expectClose(g.hs[i], fd(s, s.hs, i, tau, engine));
      for (let i = 0; i < s.side.experts.length; i++) expectClose(g.experts[i], fd(s, s.side.experts, i, tau, engine));
      for (let i = 0; i < s.side.selection.length; i++) expectClose(g.selection[i], fd(s, s.side.selection, i, tau, engine));
      // the selection gradient is not trivially zero at τ < ∞
      expect(g.selection.some((v) => Math.abs(v) > 1e-4)).toBe(true);
    });
  }

  it("skipping experts below 1e-6 weight changes the loss by less than that mass", () => {
    const s = setup(3);
    const exact = lossOf(s, 0.01, engine, 0).loss;
    const skipped = lossOf(s, 0.01, engine, 1e-6).loss;
    expect(Math.abs(exact - skipped)).toBeLessThan(1e-3 * Math.max(1, exact));
  });

  it("the tfjs engine computes the same loss and gradients as typed arrays", async () => {
    const tf = await getTf();
    const s = setup(11);
    const a = lossOf(s, 0.5, engine);
    const b = lossOf(s, 0.5, new TfEngine(tf));
    expect(b.loss).toBeCloseTo(a.loss, 4);
    for (let i = 0; i < a.g.experts.length; i++) expect(b.g.experts[i]).toBeCloseTo(a.g.experts[i], 4);
    for (let i = 0; i < a.g.hs.length; i++) expect(b.g.hs[i]).toBeCloseTo(a.g.hs[i], 4);
  });

  it("the direct wasm kernel multiplies like typed arrays, on every shape DE uses and after heap growth", async () => {
    const tf = await getTf();
    const direct = WasmKernelEngine.create(tf);
    expect(direct, "the wasm backend runs in tests, so the direct kernel must be available").not.toBeNull();
    const rng = new Rng(4);
    // the last shape (a 32 MB operand) makes the wasm heap grow mid-sequence
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 20, 110],
      [37, 110, 200],
      [200, 37, 110],
      [5, 200, 30],
      [4000, 2000, 2],
    ] as const) {
      const a = Float32Array.from({ length: m * k }, () => rng.normal());
      const b = Float32Array.from({ length: k * n }, () => rng.normal());
      const want = engine.matmul(a, m, k, b, n);
      const got = direct!.matmul(a, m, k, b, n);
      expect(got.length).toBe(m * n);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
      expect(worst, `${m}x${k}x${n}`).toBeLessThan(1e-4);
    }
  });

  it("the wasm expert kernel computes the same loss and gradients as the matmul engine, soft and nearly one-hot", async () => {
    // dimensions with vector bodies and scalar tails: ds 6, dt 22, hidden 14
    const rng = new Rng(21);
    const side = new DeSide(4, 6, 22, rng);
    const n = 9;
    const hs = Float32Array.from({ length: n * 6 }, () => rng.normal());
    const ht = Float32Array.from({ length: n * 22 }, () => rng.normal());
    const weights = Float32Array.from({ length: n }, (_, e) => (e % 2 ? 0.5 : 1));
    const gumbel = drawGumbel(rng, n, 4);
    const k = await kernelSide(side, 64);
    for (const [tau, maxExperts] of [
      [1, 4],
      [0.05, 2],
    ] as const) {
      const a = newDeGrads(side, n);
      const want = deLoss({ side, hs, ht, weights, gumbel, tau, skipBelow: 1e-6, engine, grads: a, maxExperts });
      const b = newDeGrads(k.side, n);
      k.gradExperts.fill(0);
      b.experts = k.gradExperts;
      const got = deLoss({ side: k.side, hs, ht, weights, gumbel, tau, skipBelow: 1e-6, engine, grads: b, maxExperts, kernel: k.kernel });
      expect(got).toBeCloseTo(want, 3);
      const worst = (x: Float32Array, y: Float32Array) => x.reduce((w, v, i) => Math.max(w, Math.abs(v - y[i]) / (1 + Math.abs(y[i]))), 0);
      expect(worst(b.experts, a.experts), `experts, τ ${tau}`).toBeLessThan(1e-4);
      expect(worst(b.hs, a.hs), `hs, τ ${tau}`).toBeLessThan(1e-4);
      expect(worst(b.selection, a.selection), `selection, τ ${tau}`).toBeLessThan(1e-4);
      expect(Array.from(b.touched)).toEqual(Array.from(a.touched));
    }
  });

  it("falls back to the matmul engine when a call has more pairs than the kernel's scratch", async () => {
    const s = setup(5);
    const k = await kernelSide(s.side, 2); // 5 entities x 3 experts at τ = 1: 15 pairs
    const a = lossOf(s, 1, engine);
    const b = newDeGrads(k.side, s.n);
    k.gradExperts.fill(0);
    b.experts = k.gradExperts;
    const got = deLoss({
      side: k.side,
      hs: s.hs,
      ht: s.ht,
      weights: s.weights,
      gumbel: s.gumbel,
      tau: 1,
      skipBelow: 0,
      engine,
      grads: b,
      maxExperts: 3,
      kernel: k.kernel,
    });
    expect(got).toBeCloseTo(a.loss, 4);
    for (let i = 0; i < a.g.hs.length; i++) expect(b.hs[i]).toBeCloseTo(a.g.hs[i], 4);
  });

  it("never hands a denormal float to the matmuls: the selection gradient is flushed below 1e-30", () => {
    const isDenormal = (x: number) => x !== 0 && Math.abs(x) < 1.1754943508222875e-38;
    // at small τ the Gumbel-softmax weights of the losing experts underflow towards e^-700
    for (const tau of [0.05, 0.02, 0.01]) {
      for (let seed = 1; seed <= 20; seed++) {
        const { g } = lossOf(setup(seed), tau, engine, 1e-6); // skipBelow as in training: no expert with weight < 1e-6 runs
        expect(Array.from(g.selection).some(isDenormal), `τ ${tau}, seed ${seed}`).toBe(false);
        expect(Array.from(g.experts).some(isDenormal), `τ ${tau}, seed ${seed}`).toBe(false);
      }
    }
  });
});
