// compareModels: every model ranks the same negatives; segments, agreement and latency per model.
import { describe, expect, it } from "vitest";
import { activitySegments, compareModels } from "@/lib/recsys/eval/compare";
import { buildEvalPlan, evaluate, sampledMetrics } from "@/lib/recsys/eval";
import { generateSynthetic, popularityScorer } from "@/lib/recsys/data";
import { Rng } from "@/lib/recsys/random";
import type { Scorer } from "@/lib/recsys/types";

const ds = generateSynthetic({ seed: 3, numUsers: 200, numItems: 150, interactionsPerUser: 12 });

function noisy(base: Scorer, seed: number, noise: number): Scorer {
  const rng = new Rng(seed);
  const table = new Float32Array(base.numUsers * base.numItems);
  const row = new Float32Array(base.numItems);
  for (let u = 0; u < base.numUsers; u++) {
    base.scoreUser(u, row);
    for (let i = 0; i < base.numItems; i++) table[u * base.numItems + i] = row[i] + noise * rng.next();
  }
  return { numUsers: base.numUsers, numItems: base.numItems, scoreUser: (u, out) => out.set(table.subarray(u * base.numItems, (u + 1) * base.numItems)) };
}

describe("compareModels", () => {
  const teacher = popularityScorer(ds);
  const student = noisy(teacher, 1, 5);

  it("gives each model the metrics a lone evaluation on the same plan gives", () => {
    const { protocol, results } = compareModels({ id: "t", scorer: teacher }, [{ id: "s", scorer: student }], ds, {
      split: "test",
      negatives: 50,
      seed: 7,
      latencyUsers: 20,
    });
    expect(protocol).toMatchObject({ split: "test", negatives: 50, seed: 7, coldMaxInteractions: 5, heavyShare: 0.1, cutoffs: [5, 10, 20] });
    for (const [id, scorer] of [
      ["t", teacher],
      ["s", student],
    ] as const) {
      const alone = evaluate(scorer, ds, { split: "test", negatives: 50, seed: 7 });
      const r = results.get(id)!;
      expect(r.sampled).toEqual(alone.sampled);
      expect(r.full).toEqual(alone.full);
      expect(r.longTail).toEqual(alone.longTail);
      expect(r.coverage10).toBe(alone.coverage);
      expect(r.latency.samples).toBe(20);
      expect(r.throughputUsersPerSec).toBeCloseTo(1e6 / r.latency.cpuMeanUs, 6);
    }
    expect(results.get("t")!.agreement10).toBe(1);
    const agree = results.get("s")!.agreement10;
    expect(agree).toBeGreaterThan(0);
    expect(agree).toBeLessThan(1);
  });

  it("splits users into cold (≤ 5 training items) and heavy (the most active 10%) and scores each segment", () => {
    const plan = buildEvalPlan(ds, { split: "test", negatives: 50, seed: 7 });
    const seg = activitySegments(ds, plan, 5, 0.1);
    const counts = Array.from(plan.users, (u) => ds.trainByUser[u].length);
    expect(Array.from(seg.cold).every((p) => counts[p] <= 5)).toBe(true);
    expect(seg.cold.length).toBe(counts.filter((c) => c <= 5).length);
    expect(Array.from(seg.heavy).every((p) => counts[p] >= seg.heavyMin)).toBe(true);
    expect(seg.heavy.length).toBeGreaterThanOrEqual(Math.ceil(0.1 * counts.length));
    expect(seg.heavy.length).toBeLessThan(counts.length / 2);

    const { results } = compareModels({ id: "t", scorer: teacher }, [], ds, { split: "test", negatives: 50, seed: 7, latencyUsers: 5 });
    const alone = evaluate(teacher, ds, { split: "test", negatives: 50, seed: 7, full: false, keepRanks: true });
    const expectHeavy = sampledMetrics(
      Int32Array.from(seg.heavy, (p) => alone.ranks!.sampled[p]),
      [5, 10, 20],
    );
    expect(results.get("t")!.segments.heavy).toEqual({ users: seg.heavy.length, metrics: expectHeavy });
    expect(results.get("t")!.segments.cold.users).toBe(seg.cold.length);
  });

  it("rejects a heavy share outside (0, 1)", () => {
    expect(() => compareModels({ id: "t", scorer: teacher }, [], ds, { split: "test", heavyShare: 1 })).toThrow(/heavyShare/);
  });
});
