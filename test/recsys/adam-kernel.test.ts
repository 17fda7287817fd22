import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/recsys/random";
import { adamKernel } from "@/lib/recsys/kernels/adam";
import { BlockAdam, RowGrads, SparseAdam } from "@/lib/recsys/models/optim";

// The wasm SIMD Adam must take the same steps as the JS loops (f32 arithmetic against f64: after 25 steps of lr 0.01 they agree to ~1e-6).
describe("wasm Adam kernel", () => {
  const cfg = { lr: 0.01, weightDecay: 0.001 };
  const rows = 9;
  const dim = 7; // not a multiple of 4: the scalar tail runs on every row

  function table(seed: number): Float32Array {
    const rng = new Rng(seed);
    return Float32Array.from({ length: rows * dim }, () => rng.normal() * 0.1);
  }

  function grads(step: number): RowGrads {
    const rng = new Rng(100 + step);
    const g = new RowGrads(rows, dim, 2);
    for (const r of [step % 4, (3 * step + 1) % 4, 5]) {
      // rows 4, 6, 7, 8 never get a gradient
      const o = g.offset(r);
      for (let k = 0; k < dim; k++) g.grad[o + k] += rng.normal();
    }
    return g;
  }

  it("compiles here (wasm SIMD is part of Node 20)", async () => {
    expect(await adamKernel()).not.toBeNull();
  });

  for (const mode of ["dense", "lazy"] as const) {
    it(`${mode} steps match the JS loop over 25 steps, untouched rows included`, async () => {
      const kernel = await adamKernel();
      const js = table(1);
      const a = new SparseAdam(js, dim, cfg);
      const b = new SparseAdam(table(1), dim, cfg, kernel);
      const wasm = b.table; // with the kernel the table lives in its memory
      for (let step = 1; step <= 25; step++) {
        const g = grads(step);
        if (mode === "dense") {
          a.stepDense(g);
          b.stepDense(g);
        } else {
          a.step(g);
          b.step(g);
        }
      }
      const start = table(1);
      let moved = 0;
      for (let i = 0; i < js.length; i++) {
        expect(wasm[i]).toBeCloseTo(js[i], 5);
        if (js[i] !== start[i]) moved++;
      }
      // dense Adam moves every weight (weight decay); lazy Adam only rows some batch touched
      if (mode === "dense") expect(moved).toBe(js.length);
      else expect(moved).toBeLessThan(js.length);
    });
  }

  it("block steps match the JS loop and skip untouched blocks", async () => {
    const kernel = await adamKernel();
    const js = table(2);
    const a = new BlockAdam(js, dim, cfg);
    const b = new BlockAdam(table(2), dim, cfg, kernel);
    const wasm = b.params; // with the kernel the parameters live in its memory
    expect(wasm).not.toBe(js);
    const rng = new Rng(3);
    const touched = Uint8Array.from({ length: rows }, (_, r) => (r % 3 === 0 ? 0 : 1));
    const shared = b.gradBuffer();
    for (let step = 0; step < 10; step++) {
      const g = Float32Array.from({ length: rows * dim }, () => rng.normal());
      a.step(g, touched);
      // odd steps: a gradient from outside; even steps: written into the kernel's own buffer
      if (step % 2) b.step(g, touched);
      else {
        shared.set(g);
        b.step(shared, touched);
      }
    }
    const start = table(2);
    for (let i = 0; i < js.length; i++) {
      expect(wasm[i]).toBeCloseTo(js[i], 5);
      if (touched[Math.floor(i / dim)] === 0) expect(wasm[i]).toBe(start[i]);
    }
  });

  it("treats gradients below 1e-15 as zero (their squares would be denormal floats, ~100x slower in wasm)", async () => {
    const kernel = await adamKernel();
    // zero weights and no weight decay: an unflushed 1e-25 gradient would move them by ≈ −lr·1e-25/eps = −1e-19
    const a = new SparseAdam(new Float32Array(rows * dim), dim, { lr: 0.01, weightDecay: 0 }, kernel);
    const b = new SparseAdam(new Float32Array(rows * dim), dim, { lr: 0.01, weightDecay: 0 }, kernel);
    const [tiny, zero] = [a.table, b.table];
    for (let step = 0; step < 5; step++) {
      const gt = new RowGrads(rows, dim);
      const gz = new RowGrads(rows, dim);
      const o = gt.offset(2);
      gz.offset(2);
      gt.grad.fill(1e-25, o, o + dim);
      a.stepDense(gt);
      b.stepDense(gz);
    }
    expect(Array.from(zero).every((x) => x === 0)).toBe(true);
    expect(Array.from(tiny)).toEqual(Array.from(zero));
  });
});
