import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/recsys/random";
import { BprModel, bprLoss, containsSorted, sampleUnobserved, softplus } from "@/lib/recsys/models/bpr";
import { RowGrads, SparseAdam } from "@/lib/recsys/models/optim";
import { trainBpr, TRAIN_DEFAULTS, TrainingAborted, type Distiller } from "@/lib/recsys/models/train";
import type { Dataset } from "@/lib/recsys/types";
import { centralDifference } from "../helpers/gradients";
import { handDataset, ids } from "../helpers/datasets";

function tinyDataset(): Dataset {
  // 4 users, 12 items; user 3 has observed all but two items
  const trainByUser = [Int32Array.from([0, 1, 2]), Int32Array.from([3, 4]), Int32Array.from([0, 5, 6, 7]), Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])];
  return handDataset({
    name: "tiny",
    userIds: ["u0", "u1", "u2", "u3"],
    itemIds: ids("i", 12),
    trainByUser,
  });
}

describe("BPR", () => {
  it("never samples an observed item as a negative", () => {
    const ds = tinyDataset();
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let t = 0; t < 5000; t++) {
      const j = sampleUnobserved(rng, ds.numItems, ds.trainByUser[3]);
      expect(containsSorted(ds.trainByUser[3], j)).toBe(false);
      seen.add(j);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 11]);
    expect(() => sampleUnobserved(rng, 3, Int32Array.from([0, 1, 2]))).toThrow(/every item/);
  });

  it("the training loop's negatives are never observed (checked through a distiller hook)", async () => {
    const ds = tinyDataset();
    let pairs = 0;
    const spy: Distiller = {
      name: "spy",
      batch(ctx) {
        for (let p = ctx.from; p < ctx.to; p++) {
          expect(containsSorted(ds.trainByUser[ctx.users[p]], ctx.neg[p])).toBe(false);
          expect(containsSorted(ds.trainByUser[ctx.users[p]], ctx.pos[p])).toBe(true);
          pairs++;
        }
        return {};
      },
    };
    await trainBpr(ds, { ...TRAIN_DEFAULTS, dim: 4, epochs: 20, batchSize: 5 }, { distillers: [spy] });
    expect(pairs).toBe(20 * 19);
  });

  it("loss gradient matches finite differences", () => {
    const model = BprModel.random(3, 5, 4, new Rng(2), 0.5);
    const users = Int32Array.of(0, 1, 2, 0);
    const pos = Int32Array.of(1, 2, 3, 4);
    const neg = Int32Array.of(0, 4, 1, 2);
    const run = () => {
      const gu = new RowGrads(3, 4);
      const gi = new RowGrads(5, 4);
      return { loss: bprLoss(model, users, pos, neg, 0, 4, gu, gi), gu, gi };
    };
    const { gu, gi } = run();
    const h = 1e-3;
    for (const [table, grads, rows] of [
      [model.users, gu, 3],
      [model.items, gi, 5],
    ] as const) {
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < 4; k++)
          expect(grads.grad[grads.offset(r) + k]).toBeCloseTo(
            centralDifference(table, r * 4 + k, h, () => run().loss),
            3,
          );
      }
    }
  });

  it("softplus is stable at extreme inputs", () => {
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(softplus(0)).toBeCloseTo(Math.log(2), 12);
  });

  it("lazy Adam touches only the rows of the batch; dense Adam decays every row", () => {
    const table = Float32Array.from({ length: 12 }, (_, i) => i + 1);
    const before = table.slice();
    const g = new RowGrads(4, 3);
    const o = g.offset(2);
    g.grad.set([1, -1, 0.5], o);
    new SparseAdam(table, 3, { lr: 0.1, weightDecay: 0.01 }).step(g);
    for (let r = 0; r < 4; r++) {
      const same = Array.from(table.subarray(r * 3, r * 3 + 3)).every((v, k) => v === before[r * 3 + k]);
      expect(same).toBe(r !== 2);
    }
    const dense = before.slice();
    new SparseAdam(dense, 3, { lr: 0.1, weightDecay: 0.01 }).stepDense(g);
    for (let i = 0; i < 12; i++) expect(dense[i]).toBeLessThan(before[i] + (i >= 6 && i < 9 ? 1 : 0));
  });

  it("aborting stops training with TrainingAborted", async () => {
    const ds = tinyDataset();
    const ac = new AbortController();
    ac.abort();
    await expect(trainBpr(ds, { ...TRAIN_DEFAULTS, dim: 4, epochs: 5 }, { signal: ac.signal })).rejects.toBeInstanceOf(TrainingAborted);
  });

  it("early stopping waits while the selection metric improves, even when the watched hit rates stall", async () => {
    const ds = tinyDataset();
    const cfg = { ...TRAIN_DEFAULTS, dim: 4, epochs: 12, evalEvery: 1, patience: 3, watch: ["H@10"], selectBy: "N@10" };
    // H@10 flat from the start; N@10 rising until epoch 8, then flat
    let calls = 0;
    const rising = await trainBpr(ds, cfg, {
      validate: () => {
        calls++;
        return { "H@10": 0.5, "N@10": Math.min(calls, 8) / 10 };
      },
    });
    expect(rising.bestEpoch).toBe(8);
    expect(rising.epochsRun).toBe(11); // three validations without improvement after epoch 8
    expect(rising.stoppedEarly).toBe(true);
    const flat = await trainBpr(ds, cfg, { validate: () => ({ "H@10": 0.5, "N@10": 0.3 }) });
    expect(flat.epochsRun).toBe(4);
    expect(flat.bestEpoch).toBe(1);
  });

  it("a cosine schedule sets each epoch's rate on the embeddings' optimiser and on the distillers", async () => {
    const ds = tinyDataset();
    const seen: number[] = [];
    const spy: Distiller = { name: "spy", batch: () => ({}), setLearningRate: (lr) => seen.push(lr) };
    const res = await trainBpr(ds, { ...TRAIN_DEFAULTS, dim: 4, epochs: 5, lr: 0.01, lrSchedule: "cosine", lrFloor: 0.2 }, { distillers: [spy] });
    expect(res.history.map((h) => h.lr)).toEqual(seen);
    expect(seen[0]).toBeCloseTo(0.01, 12);
    expect(seen[4]).toBeCloseTo(0.002, 12);
    // the same seed with a constant rate moves the weights differently
    const constant = await trainBpr(ds, { ...TRAIN_DEFAULTS, dim: 4, epochs: 5, lr: 0.01 });
    expect(Array.from(constant.model.users)).not.toEqual(Array.from(res.model.users));
  });

  it("scores are inner products", () => {
    const m = BprModel.random(2, 3, 2, new Rng(4));
    const out = new Float32Array(3);
    m.scoreUser(1, out);
    for (let i = 0; i < 3; i++) expect(out[i]).toBeCloseTo(m.users[2] * m.items[2 * i] + m.users[3] * m.items[2 * i + 1], 7);
  });
});
