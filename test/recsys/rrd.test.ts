import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/recsys/random";
import { rrdUserLoss, rrdUserLossLogSpace, RrdDistiller, sampleInteresting } from "@/lib/recsys/distill/rrd";
import { RrdKernel } from "@/lib/recsys/distill/rrd-kernel";
import { BprModel } from "@/lib/recsys/models/bpr";
import { RowGrads } from "@/lib/recsys/models/optim";
import type { Dataset } from "@/lib/recsys/types";

function naive(sInt: number[], sUn: number[]): number {
  let loss = 0;
  for (let k = 0; k < sInt.length; k++) {
    let below = 0;
    for (let l = k; l < sInt.length; l++) below += Math.exp(sInt[l]);
    for (const s of sUn) below += Math.exp(s);
    loss -= sInt[k] - Math.log(below);
  }
  return loss;
}

describe("RRD loss", () => {
  const rng = new Rng(5);
  const sInt = Array.from({ length: 6 }, () => rng.normal());
  const sUn = Array.from({ length: 4 }, () => rng.normal());

  it("equals the direct formula and is stable for large scores", () => {
    const dI = new Float64Array(6);
    const dU = new Float64Array(4);
    expect(rrdUserLoss(sInt, sUn, dI, dU)).toBeCloseTo(naive(sInt, sUn), 10);
    const big = rrdUserLoss(sInt.map((s) => s + 800), sUn.map((s) => s + 800), dI, dU);
    expect(big).toBeCloseTo(naive(sInt, sUn), 8); // shift-invariant, no overflow
    expect(Number.isFinite(rrdUserLoss([1000, -1000], [0], new Float64Array(2), new Float64Array(1)))).toBe(true);
  });

  it("takes the same values and gradients on its shifted-exponent path as in log space", () => {
    const fast = [new Float64Array(6), new Float64Array(4)] as const;
    const slow = [new Float64Array(6), new Float64Array(4)] as const;
    // the spread of 600 forces rrdUserLoss onto its log-space fallback: both must still agree
    for (const spread of [1, 30, 600]) {
      const a = sInt.map((s) => s * spread);
      const b = sUn.map((s) => s * spread);
      expect(rrdUserLoss(a, b, fast[0], fast[1])).toBeCloseTo(rrdUserLossLogSpace(a, b, slow[0], slow[1]), 8);
      for (let k = 0; k < 6; k++) expect(fast[0][k]).toBeCloseTo(slow[0][k], 10);
      for (let j = 0; j < 4; j++) expect(fast[1][j]).toBeCloseTo(slow[1][j], 10);
    }
  });

  it("gradients match finite differences", () => {
    const dI = new Float64Array(6);
    const dU = new Float64Array(4);
    rrdUserLoss(sInt, sUn, dI, dU);
    const h = 1e-6;
    for (let k = 0; k < 6; k++) {
      const up = sInt.slice();
      up[k] += h;
      const dn = sInt.slice();
      dn[k] -= h;
      expect(dI[k]).toBeCloseTo((naive(up, sUn) - naive(dn, sUn)) / (2 * h), 6);
    }
    for (let j = 0; j < 4; j++) {
      const up = sUn.slice();
      up[j] += h;
      const dn = sUn.slice();
      dn[j] -= h;
      expect(dU[j]).toBeCloseTo((naive(sInt, up) - naive(sInt, dn)) / (2 * h), 6);
    }
  });

  it("samples interesting ranks without replacement, in teacher order, favouring the top", () => {
    const r = new Rng(1);
    const counts = new Float64Array(50);
    for (let t = 0; t < 2000; t++) {
      const ranks = sampleInteresting(r, 50, 5, 10);
      expect(ranks.length).toBe(5);
      for (let i = 1; i < 5; i++) expect(ranks[i]).toBeGreaterThan(ranks[i - 1]);
      for (const x of ranks) counts[x]++;
    }
    expect(counts[0]).toBeGreaterThan(counts[10]);
    expect(counts[10]).toBeGreaterThan(counts[40]);
  });

  it("distiller: uninteresting items are never observed nor in the top-N; embedding gradients match finite differences", () => {
    const numItems = 30;
    const trainByUser = [Int32Array.from([0, 3, 7]), Int32Array.from([1, 2])];
    const ds: Dataset = {
      name: "tiny",
      numUsers: 2,
      numItems,
      userIds: ["a", "b"],
      itemIds: Array.from({ length: numItems }, (_, i) => `i${i}`),
      trainByUser,
      valid: Int32Array.from([-1, -1]),
      test: Int32Array.from([-1, -1]),
      source: { kind: "synthetic" },
    };
    const N = 8;
    const topN = Int32Array.from([10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 25, 26, 27]);
    const d = new RrdDistiller(ds, topN, { topN: N, K: 4, L: 5, T: 2, lambda: 0.7 });
    const rng = new Rng(3);
    d.beginEpoch(1, 1, rng);
    for (let u = 0; u < 2; u++) {
      const un = Array.from(d.uninteresting.subarray(u * 5, u * 5 + 5));
      for (const j of un) {
        expect(Array.from(trainByUser[u])).not.toContain(j);
        expect(Array.from(topN.subarray(u * N, (u + 1) * N))).not.toContain(j);
      }
      expect(new Set(un).size).toBe(5);
    }
    const model = BprModel.random(2, numItems, 3, new Rng(9), 0.5);
    const run = () => {
      const gu = new RowGrads(2, 3);
      const gi = new RowGrads(numItems, 3);
      const parts = d.batch(
        {
          epoch: 1,
          users: Int32Array.of(0, 1),
          pos: Int32Array.of(0, 1),
          neg: Int32Array.of(5, 6),
          from: 0,
          to: 2,
          uniqueUsers: Int32Array.of(0, 1),
          uniquePos: Int32Array.of(0, 1),
          uniqueNeg: Int32Array.of(5, 6),
          gradUsers: gu,
          gradItems: gi,
          rng,
        },
        model,
      );
      return { loss: parts.rrd, gu, gi };
    };
    const { gu, gi } = run();
    const h = 1e-3;
    const check = (table: Float32Array, idx: number, analytic: number) => {
      const x = table[idx];
      table[idx] = x + h;
      const up = run().loss;
      table[idx] = x - h;
      const dn = run().loss;
      table[idx] = x;
      expect(analytic).toBeCloseTo((up - dn) / (2 * h), 3);
    };
    for (let u = 0; u < 2; u++) for (let k = 0; k < 3; k++) check(model.users, u * 3 + k, gu.grad[gu.offset(u) + k]);
    for (const item of [d.interesting[0], d.uninteresting[0], d.interesting[5]]) {
      for (let k = 0; k < 3; k++) check(model.items, item * 3 + k, gi.grad[gi.offset(item) + k]);
    }
  });

  it("the SIMD kernel computes the JS loops' loss and gradients", async () => {
    const numUsers = 6;
    const numItems = 60;
    const dim = 8;
    const rng = new Rng(21);
    const trainByUser = Array.from({ length: numUsers }, (_, u) => Int32Array.from([u, u + 10, u + 20]).sort());
    const ds: Dataset = {
      name: "small",
      numUsers,
      numItems,
      userIds: Array.from({ length: numUsers }, (_, u) => `u${u}`),
      itemIds: Array.from({ length: numItems }, (_, i) => `i${i}`),
      trainByUser,
      valid: new Int32Array(numUsers).fill(-1),
      test: new Int32Array(numUsers).fill(-1),
      source: { kind: "synthetic" },
    };
    const N = 12;
    const topN = new Int32Array(numUsers * N);
    for (let u = 0; u < numUsers; u++) for (let r = 0; r < N; r++) topN[u * N + r] = 30 + ((u * 7 + r * 3) % 30);
    const cfg = { topN: N, K: 5, L: 7, T: 3, lambda: 0.3 };
    const kernel = await RrdKernel.create(numUsers, numItems, dim, cfg.K + cfg.L);
    expect(kernel).not.toBeNull();
    const js = new RrdDistiller(ds, topN, cfg);
    const simd = new RrdDistiller(ds, topN, cfg, kernel);
    js.beginEpoch(1, 1, new Rng(5));
    simd.beginEpoch(1, 1, new Rng(5));
    const model = BprModel.random(numUsers, numItems, dim, rng, 0.5);
    const results = [js, simd].map((d) => {
      const gu = new RowGrads(numUsers, dim);
      const gi = new RowGrads(numItems, dim);
      const users = Int32Array.of(0, 2, 3, 5);
      // two batches: the kernel must start the second from zeroed gradient tables
      let loss = 0;
      for (let b = 0; b < 2; b++) {
        loss = d.batch({ epoch: 1, users, pos: users, neg: users, from: 0, to: 4, uniqueUsers: users, uniquePos: users, uniqueNeg: users, gradUsers: gu, gradItems: gi, rng }, model).rrd;
      }
      return { loss, gu, gi };
    });
    const [a, b] = results;
    expect(b.loss).toBeCloseTo(a.loss, 4);
    for (const [ga, gb, rows] of [[a.gu, b.gu, numUsers], [a.gi, b.gi, numItems]] as const) {
      for (let r = 0; r < rows; r++) {
        const sa = ga.slots[r];
        const sb = gb.slots[r];
        expect(sb < 0, `row ${r} touched by one path only`).toBe(sa < 0);
        if (sa < 0) continue;
        for (let q = 0; q < dim; q++) expect(gb.grad[sb * dim + q]).toBeCloseTo(ga.grad[sa * dim + q], 5);
      }
    }
  });
});
