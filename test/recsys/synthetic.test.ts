import { describe, expect, it } from "vitest";
import { contentHash, datasetStats, DatasetError, generateSynthetic, itemTrainCounts, popularityScorer } from "@/lib/recsys/data";
import { buildEvalPlan, evaluate } from "@/lib/recsys/eval";
import type { Dataset, Scorer } from "@/lib/recsys/types";

function topItems(ds: Dataset, n: number): number[] {
  const counts = itemTrainCounts(ds);
  return Array.from(counts.keys())
    .sort((a, b) => counts[b] - counts[a] || a - b)
    .slice(0, n);
}

/** item-to-item co-occurrence scorer: personal, no training; used to show the data carries personal signal */
function coOccurrenceScorer(ds: Dataset): Scorer {
  const n = ds.numItems;
  const co = new Float32Array(n * n);
  for (const items of ds.trainByUser) for (const a of items) for (const b of items) if (a !== b) co[a * n + b] += 1;
  return {
    numUsers: ds.numUsers,
    numItems: n,
    scoreUser(u, out) {
      out.fill(0);
      for (const a of ds.trainByUser[u]) for (let i = 0; i < n; i++) out[i] += co[a * n + i];
    },
  };
}

describe("generateSynthetic", () => {
  it("is deterministic by seed", () => {
    const a = generateSynthetic({ seed: 1 });
    const b = generateSynthetic({ seed: 1 });
    const c = generateSynthetic({ seed: 2 });
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).not.toBe(contentHash(c));
    expect(a.source).toMatchObject({ kind: "synthetic", params: { seed: 1, numUsers: 600, numItems: 1000 } });
  });

  it("has the requested shape, a held-out pair for every user, and power-law popularity", () => {
    const ds = generateSynthetic({ seed: 3, numUsers: 200, numItems: 400, interactionsPerUser: 20 });
    const s = datasetStats(ds);
    expect([s.users, s.items, s.testUsers, s.validUsers]).toEqual([200, 400, 200, 200]);
    expect(s.meanItemsPerUser).toBeGreaterThan(14);
    expect(s.meanItemsPerUser).toBeLessThan(26);
    for (let u = 0; u < ds.numUsers; u++) {
      const train = Array.from(ds.trainByUser[u]);
      expect(train).toEqual([...new Set(train)].sort((x, y) => x - y));
      expect(train).not.toContain(ds.test[u]);
      expect(train).not.toContain(ds.valid[u]);
      expect(ds.valid[u]).not.toBe(ds.test[u]);
    }
    expect(s.popularityGini).toBeGreaterThan(0.3);
    // a flatter popularity law gives a lower Gini
    const flat = datasetStats(generateSynthetic({ seed: 3, numUsers: 200, numItems: 400, interactionsPerUser: 20, popularityExponent: 0 }));
    expect(flat.popularityGini).toBeLessThan(s.popularityGini);
  });

  it("gives niche users long-tail items: more niche users, more long-tail test items", () => {
    const tail = (fraction: number) => {
      const ds = generateSynthetic({ seed: 4, nicheUserFraction: fraction });
      return buildEvalPlan(ds, { split: "test" }).longTailPositions.length / ds.numUsers;
    };
    expect(tail(0.5)).toBeGreaterThan(tail(0) + 0.1);
  });

  it("rewards personal models: co-occurrence beats popularity clearly", () => {
    const ds = generateSynthetic({ seed: 0 });
    const pop = evaluate(popularityScorer(ds), ds, { split: "test", full: false });
    const personal = evaluate(coOccurrenceScorer(ds), ds, { split: "test", full: false });
    expect(personal.sampled["H@10"]).toBeGreaterThan(pop.sampled["H@10"] + 0.1);
  });

  it("drift keeps user and item ids, adds new items, and shifts popularity", () => {
    const base = generateSynthetic({ seed: 7 });
    const still = generateSynthetic({ seed: 7, drift: { phase: 0, newItemFraction: 0.1 } });
    const moved = generateSynthetic({ seed: 7, drift: { phase: 0.5, newItemFraction: 0.1 } });
    expect(still.userIds).toEqual(base.userIds);
    expect(moved.userIds).toEqual(base.userIds);
    expect(moved.itemIds.slice(0, base.numItems)).toEqual(base.itemIds);
    expect(moved.numItems).toBe(1100);
    // phase 0: the same interactions as without drift; the new items exist but nobody has met them yet
    expect(still.trainByUser.map((t) => Array.from(t))).toEqual(base.trainByUser.map((t) => Array.from(t)));
    expect(Array.from(still.test)).toEqual(Array.from(base.test));
    expect(
      itemTrainCounts(still)
        .subarray(1000)
        .every((c) => c === 0),
    ).toBe(true);
    // phase 0.5: the most popular items change, and new items are among them
    const before = new Set(topItems(base, 50));
    const after = topItems(moved, 50);
    expect(after.filter((i) => before.has(i)).length).toBeLessThan(30);
    expect(after.some((i) => i >= 1000)).toBe(true);
    expect(contentHash(moved)).toBe(contentHash(generateSynthetic({ seed: 7, drift: { phase: 0.5, newItemFraction: 0.1 } })));
  });

  it("scales the cluster and activity defaults down for a small catalogue", () => {
    const ds = generateSynthetic({ seed: 1, numUsers: 20, numItems: 12 });
    expect(ds.source.params).toMatchObject({ numClusters: 1, interactionsPerUser: 3 });
    expect(ds.trainByUser.every((t) => t.length >= 3)).toBe(true);
    expect(generateSynthetic({ numItems: 120 }).source.params).toMatchObject({ numClusters: 12, interactionsPerUser: 30 });
  });

  it("rejects impossible options with a DatasetError naming the option", () => {
    expect(() => generateSynthetic({ numUsers: 0 })).toThrow(DatasetError);
    expect(() => generateSynthetic({ numUsers: 0 })).toThrow(/numUsers/);
    expect(() => generateSynthetic({ interactionsPerUser: 900 })).toThrow(/interactionsPerUser/);
    expect(() => generateSynthetic({ numItems: 20, numClusters: 30 })).toThrow(/numClusters/);
    expect(() => generateSynthetic({ nicheUserFraction: 2 })).toThrow(/nicheUserFraction/);
    expect(() => generateSynthetic({ drift: { phase: 1.5 } })).toThrow(/drift\.phase/);
  });
});
