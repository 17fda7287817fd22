import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/recsys/random";
import {
  rrdUserLoss,
  rrdUserLossLogSpace,
  RrdDistiller,
  sampleInteresting,
  usersByItem,
  IR_DEFAULTS,
  type RankingSide,
  type RrdConfig,
} from "@/lib/recsys/distill/rrd";
import { teacherTopNUsers } from "@/lib/recsys/distill/teacher";
import { RrdKernel } from "@/lib/recsys/distill/rrd-kernel";
import { BprModel } from "@/lib/recsys/models/bpr";
import { RowGrads } from "@/lib/recsys/models/optim";
import type { Dataset } from "@/lib/recsys/types";
import { centralDifference, expectSameRowGrads } from "../helpers/gradients";
import { handDataset, ids, trainOnlyDataset } from "../helpers/datasets";

/**
 * The JS loops and the SIMD kernel, from the same epoch start, give the same loss and row gradients; two
 * batches each, so the kernel must start the second from zeroed gradient tables.
 */
async function expectKernelMatchesJs(
  ds: Dataset,
  topN: Int32Array,
  cfg: Partial<RrdConfig> & { K: number; L: number },
  side: RankingSide,
  model: BprModel,
  batch: (d: RrdDistiller, gu: RowGrads, gi: RowGrads) => number,
  userLists: { from: RrdDistiller; share: number } | null = null,
) {
  const kernel = await RrdKernel.create(ds.numUsers, ds.numItems, model.dim, cfg.K + cfg.L);
  expect(kernel).not.toBeNull();
  const js = new RrdDistiller(ds, topN, cfg, null, side, userLists);
  const simd = new RrdDistiller(ds, topN, cfg, kernel, side, userLists);
  js.beginEpoch(1, 1, new Rng(5));
  simd.beginEpoch(1, 1, new Rng(5));
  const [a, b] = [js, simd].map((d) => {
    const gu = new RowGrads(ds.numUsers, model.dim);
    const gi = new RowGrads(ds.numItems, model.dim);
    let loss = 0;
    for (let k = 0; k < 2; k++) loss = batch(d, gu, gi);
    return { loss, gu, gi };
  });
  expect(b.loss).toBeCloseTo(a.loss, 4);
  expectSameRowGrads(
    [
      [a.gu, b.gu, ds.numUsers],
      [a.gi, b.gi, ds.numItems],
    ],
    model.dim,
  );
}

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
    const big = rrdUserLoss(
      sInt.map((s) => s + 800),
      sUn.map((s) => s + 800),
      dI,
      dU,
    );
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
    for (let k = 0; k < 6; k++)
      expect(dI[k]).toBeCloseTo(
        centralDifference(sInt, k, h, () => naive(sInt, sUn)),
        6,
      );
    for (let j = 0; j < 4; j++)
      expect(dU[j]).toBeCloseTo(
        centralDifference(sUn, j, h, () => naive(sInt, sUn)),
        6,
      );
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
    const ds: Dataset = handDataset({
      name: "tiny",
      userIds: ["a", "b"],
      itemIds: ids("i", numItems),
      trainByUser,
    });
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
    const check = (table: Float32Array, idx: number, analytic: number) =>
      expect(analytic).toBeCloseTo(
        centralDifference(table, idx, h, () => run().loss),
        3,
      );
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
    const ds: Dataset = trainOnlyDataset("small", trainByUser, numItems);
    const N = 12;
    const topN = new Int32Array(numUsers * N);
    for (let u = 0; u < numUsers; u++) for (let r = 0; r < N; r++) topN[u * N + r] = 30 + ((u * 7 + r * 3) % 30);
    const cfg = { topN: N, K: 5, L: 7, T: 3, lambda: 0.3 };
    const model = BprModel.random(numUsers, numItems, dim, rng, 0.5);
    const users = Int32Array.of(0, 2, 3, 5);
    const ctx = { epoch: 1, users, pos: users, neg: users, from: 0, to: 4, uniqueUsers: users, uniquePos: users, uniqueNeg: users, rng };
    await expectKernelMatchesJs(ds, topN, cfg, "user", model, (d, gu, gi) => d.batch({ ...ctx, gradUsers: gu, gradItems: gi }, model).rrd);
  });

  describe("IR-RRD item side", () => {
    // 5 users x 12 items; each item's teacher top-N lists users
    const numUsers = 7;
    const numItems = 12;
    const trainByUser = [[0, 3], [1, 2, 5], [0, 7], [4], [2, 9, 11], [6, 8], [10]].map((r) => Int32Array.from(r));
    const ds: Dataset = trainOnlyDataset("tiny-items", trainByUser, numItems);
    const N = 3;
    // top-N users per item: never the item's own training users
    const byItem = usersByItem(ds);
    const topN = new Int32Array(numItems * N);
    for (let i = 0; i < numItems; i++) {
      let r = 0;
      for (let u = (i * 3) % numUsers; r < N; u = (u + 1) % numUsers) if (!byItem[i].includes(u)) topN[i * N + r++] = u;
    }
    const cfg = { topN: N, K: 2, L: 2, T: 2, lambda: 0.6, sampling: "rank" as const };

    it("lists each item's training users, sorted", () => {
      expect(Array.from(byItem[0])).toEqual([0, 2]);
      expect(Array.from(byItem[2])).toEqual([1, 4]);
      expect(Array.from(byItem[11])).toEqual([4]);
      expect(byItem.reduce((a, r) => a + r.length, 0)).toBe(trainByUser.reduce((a, r) => a + r.length, 0));
    });

    it("defaults to the authors' settings (I_K = I_L = 20, T = 10, λ_IR = 5e-4, top-500)", () => {
      expect(IR_DEFAULTS).toEqual({ topN: 500, K: 20, L: 20, T: 10, lambda: 0.0005, sampling: "rank", anchors: "batch", anchorShare: 1 });
    });

    const ctxOf = (gu: RowGrads, gi: RowGrads, rng: Rng) => ({
      epoch: 1,
      users: Int32Array.of(0, 1, 4),
      pos: Int32Array.of(3, 5, 9),
      neg: Int32Array.of(6, 3, 10),
      from: 0,
      to: 3,
      uniqueUsers: Int32Array.of(0, 1, 4),
      uniquePos: Int32Array.of(3, 5, 9),
      uniqueNeg: Int32Array.of(6, 3, 10),
      gradUsers: gu,
      gradItems: gi,
      rng,
    });

    it("samples users per item outside its observed users and top-N; loss and embedding gradients match finite differences", () => {
      const d = new RrdDistiller(ds, topN, cfg, null, "item");
      expect(d.name).toBe("ir-rrd");
      const rng = new Rng(4);
      d.beginEpoch(1, 1, rng);
      for (let i = 0; i < numItems; i++) {
        const top = Array.from(topN.subarray(i * N, (i + 1) * N));
        const int = Array.from(d.interesting.subarray(i * 2, i * 2 + 2));
        expect(int.every((u) => top.includes(u))).toBe(true);
        expect(top.indexOf(int[0])).toBeLessThan(top.indexOf(int[1])); // teacher order
        for (const u of d.uninteresting.subarray(i * 2, i * 2 + 2)) {
          expect(byItem[i]).not.toContain(u);
          expect(top).not.toContain(u);
        }
      }
      const model = BprModel.random(numUsers, numItems, 3, new Rng(9), 0.5);
      const run = () => {
        const gu = new RowGrads(numUsers, 3);
        const gi = new RowGrads(numItems, 3);
        const parts = d.batch(ctxOf(gu, gi, rng), model);
        return { loss: parts.ir, gu, gi, parts };
      };
      const first = run();
      expect(Object.keys(first.parts)).toEqual(["ir"]);
      expect(first.loss).toBeGreaterThan(0);
      // the loss is λ·Σ over the batch's items (3, 5, 9, 6, 10 once each) of the listwise loss over their users
      let expected = 0;
      for (const i of [3, 5, 9, 6, 10]) {
        const s = (u: number) => {
          let x = 0;
          for (let q = 0; q < 3; q++) x += model.items[i * 3 + q] * model.users[u * 3 + q];
          return x;
        };
        expected += cfg.lambda * naive(Array.from(d.interesting.subarray(i * 2, i * 2 + 2), s), Array.from(d.uninteresting.subarray(i * 2, i * 2 + 2), s));
      }
      expect(first.loss).toBeCloseTo(expected, 6);
      const h = 1e-3;
      const check = (table: Float32Array, idx: number, analytic: number) =>
        expect(analytic).toBeCloseTo(
          centralDifference(table, idx, h, () => run().loss),
          3,
        );
      const { gu, gi } = first;
      let checkedUsers = 0;
      for (let u = 0; u < numUsers; u++) {
        if (gu.slots[u] < 0) continue;
        checkedUsers++;
        for (let k = 0; k < 3; k++) check(model.users, u * 3 + k, gu.grad[gu.offset(u) + k]);
      }
      expect(checkedUsers).toBeGreaterThan(2);
      for (const i of [3, 5, 9, 6, 10]) for (let k = 0; k < 3; k++) check(model.items, i * 3 + k, gi.grad[gi.offset(i) + k]);
      // items outside the batch get no gradient
      expect(gi.slots[0]).toBeLessThan(0);
    });

    it("the SIMD kernel computes the JS loops' item-side loss and gradients", async () => {
      const model = BprModel.random(numUsers, numItems, 8, new Rng(8), 0.5);
      await expectKernelMatchesJs(ds, topN, cfg, "item", model, (d, gu, gi) => d.batch(ctxOf(gu, gi, new Rng(1)), model).ir);
    });

    describe("anchors from the user side's lists (the authors' item set)", () => {
      // the user side: each user's teacher top-3 items outside its training items
      const userTop = new Int32Array(numUsers * N);
      for (let u = 0; u < numUsers; u++) {
        let r = 0;
        for (let i = (u * 5) % numItems; r < N; i = (i + 1) % numItems) if (!trainByUser[u].includes(i)) userTop[u * N + r++] = i;
      }
      const userCfg = { topN: N, K: 2, L: 2, T: 2, lambda: 0.1, sampling: "rank" as const };
      const model = BprModel.random(numUsers, numItems, 3, new Rng(9), 0.5);
      const setUp = (share: number) => {
        const users = new RrdDistiller(ds, userTop, userCfg);
        const items = new RrdDistiller(ds, topN, cfg, null, "item", { from: users, share });
        users.beginEpoch(1, 1, new Rng(3));
        items.beginEpoch(1, 1, new Rng(4));
        return { users, items };
      };
      const batchLoss = (d: RrdDistiller, rng: Rng) => {
        const gu = new RowGrads(numUsers, 3);
        const gi = new RowGrads(numItems, 3);
        return { loss: d.batch(ctxOf(gu, gi, rng), model).ir, gi };
      };
      const listedItems = (users: RrdDistiller) => {
        const listed = new Set<number>();
        for (const u of [0, 1, 4])
          for (const x of [...users.interesting.subarray(u * 2, u * 2 + 2), ...users.uninteresting.subarray(u * 2, u * 2 + 2)]) if (x >= 0) listed.add(x);
        return [...listed];
      };
      const itemLoss = (d: RrdDistiller, i: number) => {
        const s = (u: number) => {
          let x = 0;
          for (let q = 0; q < 3; q++) x += model.items[i * 3 + q] * model.users[u * 3 + q];
          return x;
        };
        return naive(Array.from(d.interesting.subarray(i * 2, i * 2 + 2), s), Array.from(d.uninteresting.subarray(i * 2, i * 2 + 2), s));
      };

      it("at share 1: λ·Σ of the listwise loss over every item the batch's users' RRD lists name, once each", () => {
        const { users, items } = setUp(1);
        const listed = listedItems(users);
        expect(listed.length).toBeGreaterThan(5);
        const expected = listed.reduce((a, i) => a + cfg.lambda * itemLoss(items, i), 0);
        const { loss, gi } = batchLoss(items, new Rng(1));
        expect(loss).toBeCloseTo(expected, 6);
        for (let i = 0; i < numItems; i++) expect(gi.slots[i] >= 0).toBe(listed.includes(i));
      });

      it("at share 0.4: a subset of those items, weighted by 1/0.4, whose mean over batches is the share-1 loss", () => {
        const { users, items } = setUp(0.4);
        const listed = listedItems(users);
        const full = listed.reduce((a, i) => a + cfg.lambda * itemLoss(items, i), 0);
        const rng = new Rng(11);
        let sum = 0;
        const draws = 4000;
        for (let b = 0; b < draws; b++) {
          const { loss, gi } = batchLoss(items, rng);
          sum += loss;
          if (b < 20) for (let i = 0; i < numItems; i++) if (gi.slots[i] >= 0) expect(listed).toContain(i);
        }
        expect(Math.abs(sum / draws - full) / full).toBeLessThan(0.03);
      });

      it("the SIMD kernel computes the JS loops' loss and gradients over the same listed items", async () => {
        const { users } = setUp(0.5);
        const wide = BprModel.random(numUsers, numItems, 8, new Rng(8), 0.5);
        await expectKernelMatchesJs(ds, topN, cfg, "item", wide, (d, gu, gi) => d.batch(ctxOf(gu, gi, new Rng(1)), wide).ir, { from: users, share: 0.5 });
      });

      it("refuses a share outside (0, 1] and a user side that is not one", () => {
        const users = new RrdDistiller(ds, userTop, userCfg);
        expect(() => new RrdDistiller(ds, topN, cfg, null, "item", { from: users, share: 0 })).toThrow(/anchorShare/);
        expect(() => new RrdDistiller(ds, topN, cfg, null, "item", { from: users, share: 1.5 })).toThrow(/anchorShare/);
        const other = new RrdDistiller(ds, topN, cfg, null, "item");
        expect(() => new RrdDistiller(ds, topN, cfg, null, "item", { from: other, share: 1 })).toThrow(/user side/);
      });
    });

    it("the teacher's top-N users of an item are its highest-scoring unobserved users, best first", async () => {
      const teacher = BprModel.random(numUsers, numItems, 4, new Rng(2), 1);
      const top = await teacherTopNUsers(teacher, ds, 3);
      for (const i of [0, 5, 11]) {
        const scores = Array.from({ length: numUsers }, (_, u) => {
          let x = 0;
          for (let q = 0; q < 4; q++) x += teacher.items[i * 4 + q] * teacher.users[u * 4 + q];
          return { u, x };
        })
          .filter(({ u }) => !byItem[i].includes(u))
          .sort((p, q) => q.x - p.x);
        expect(Array.from(top.subarray(i * 3, i * 3 + 3))).toEqual(scores.slice(0, 3).map((s) => s.u));
      }
    });
  });

  it("sampling top-k takes the teacher's first K items in order, every epoch", () => {
    const numItems = 20;
    const ds: Dataset = handDataset({
      name: "tiny",
      userIds: ["a"],
      itemIds: ids("i", numItems),
      trainByUser: [Int32Array.from([0])],
    });
    const topN = Int32Array.from([9, 4, 12, 7, 3, 15]);
    const d = new RrdDistiller(ds, topN, { topN: 6, K: 3, L: 4, T: 2, lambda: 1, sampling: "top-k" });
    for (const seed of [1, 2, 3]) {
      d.beginEpoch(1, 1, new Rng(seed));
      expect(Array.from(d.interesting)).toEqual([9, 4, 12]);
      for (const j of d.uninteresting) expect([0, 9, 4, 12, 7, 3, 15]).not.toContain(j);
    }
  });
});
