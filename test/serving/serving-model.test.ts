import { describe, expect, it } from "vitest";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { BprModel } from "@/lib/recsys/models/bpr";
import { ServableBpr } from "@/lib/recsys/models/servable";
import { Rng } from "@/lib/recsys/random";
import type { ModelManifest } from "@/lib/recsys/types";
import { ServingModel } from "@/lib/serving/serving-model";

const ds = generateSynthetic({ seed: 5, numUsers: 60, numItems: 150 });
const bpr = BprModel.random(ds.numUsers, ds.numItems, 8, new Rng(2), 1);
const model = new ServingModel("m", new ServableBpr(bpr, { dimension: 8 } as ModelManifest, ds.userIds, ds.itemIds), ds);

/** reference: score one user in plain JS and rank everything but the training items */
function reference(u: number, k: number): string[] {
  const scores = new Float32Array(ds.numItems);
  bpr.scoreUser(u, scores);
  const train = new Set(ds.trainByUser[u]);
  return Array.from(scores.keys())
    .filter((i) => !train.has(i))
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, k)
    .map((i) => ds.itemIds[i]);
}

describe("ServingModel micro-batching", () => {
  it("scores concurrent requests together with the same answers as one by one", async () => {
    const users = Array.from({ length: 40 }, (_, j) => j);
    const together = await Promise.all(users.map((u) => model.recommend(ds.userIds[u], 7)));
    const alone: string[][] = [];
    for (const u of users) alone.push((await model.recommend(ds.userIds[u], 7)).items.map((i) => i.itemId));
    expect(together.map((r) => r.items.map((i) => i.itemId))).toEqual(alone);
    users.forEach((u, j) => expect(alone[j]).toEqual(reference(u, 7)));
    // a batch of 32 and one of 8 (MAX_BATCH 32): CPU shared equally within each batch
    expect(new Set(together.slice(0, 32).map((r) => r.cpuUs)).size).toBe(1);
    expect(new Set(together.slice(0, 32).map((r) => r.latencyUs)).size).toBe(1);
    // each request knows the size of the batch whose latency it shares (for the p95 test's effective n)
    expect(together.map((r) => r.batchSize)).toEqual([...Array<number>(32).fill(32), ...Array<number>(8).fill(8)]);
    expect((await model.recommend(ds.userIds[0], 7)).batchSize).toBe(1);
  });

  it("answers as before after the warm-up the loader runs, on the plain and the kernel path", async () => {
    const servable = () => new ServableBpr(bpr, { dimension: 8 } as ModelManifest, ds.userIds, ds.itemIds);
    const users = Array.from({ length: 40 }, (_, j) => j);
    for (const scorer of [servable(), await servable().accelerate("kernel", 32)]) {
      const warmed = new ServingModel("warmed", scorer, ds);
      warmed.warmUp();
      const answers = await Promise.all(users.map((u) => warmed.recommend(ds.userIds[u], 7, u === 5 ? [reference(5, 1)[0]] : [])));
      users.forEach((u, j) => expect(answers[j].items.map((i) => i.itemId)).toEqual(u === 5 ? reference(5, 8).slice(1) : reference(u, 7)));
      expect((await warmed.recommend("unknown user", 3)).fallback).toBe("popularity");
    }
  });

  it("keeps each request's k and exclusions inside a batch", async () => {
    const [a, b] = await Promise.all([model.recommend(ds.userIds[3], 3), model.recommend(ds.userIds[3], 5, [reference(3, 1)[0]])]);
    expect(a.items.map((i) => i.itemId)).toEqual(reference(3, 3));
    expect(b.items.map((i) => i.itemId)).toEqual(reference(3, 6).slice(1));
  });
});
