// Drift signals on hand-computed examples and on the seeded synthetic world before and after drift.
import { describe, expect, it } from "vitest";
import { compareSnapshots, jensenShannon, type DriftScorer } from "@/lib/drift";
import { generateSynthetic } from "@/lib/recsys/data";
import type { Dataset } from "@/lib/recsys/types";

const world = { seed: 7, numUsers: 400, numItems: 300, interactionsPerUser: 20 };

/** Scores items by their training popularity in `ds`: a real model-like scorer keyed by external ids. */
function popularityScorer(ds: Dataset): DriftScorer {
  const counts = new Float32Array(ds.numItems);
  for (const items of ds.trainByUser) for (const i of items) counts[i]++;
  const users = new Map(ds.userIds.map((id, u) => [id, u]));
  const items = new Map(ds.itemIds.map((id, i) => [id, i]));
  return {
    numUsers: ds.numUsers,
    numItems: ds.numItems,
    userIds: ds.userIds,
    itemIds: ds.itemIds,
    userIndex: (id) => users.get(id),
    itemIndex: (id) => items.get(id),
    scoreUser: (_u, out) => out.set(counts),
  };
}

describe("jensenShannon", () => {
  it("matches hand-computed values", () => {
    // P = (½, ½, 0), Q = (0, ½, ½), M = (¼, ½, ¼): KL(P‖M) = ½·log2(2) = ½ = KL(Q‖M) → JSD = ½
    expect(
      jensenShannon(
        new Map([
          ["a", 1],
          ["b", 1],
        ]),
        new Map([
          ["b", 5],
          ["c", 5],
        ]),
      ),
    ).toBeCloseTo(0.5, 12);
    // P = (¾, ¼), Q = (¼, ¾), M = (½, ½): KL = ¾·log2(1.5) + ¼·log2(0.5) = 0.188721875540867
    expect(
      jensenShannon(
        new Map([
          ["a", 3],
          ["b", 1],
        ]),
        new Map([
          ["a", 1],
          ["b", 3],
        ]),
      ),
    ).toBeCloseTo(0.188721875540867, 12);
    expect(
      jensenShannon(
        new Map([
          ["a", 2],
          ["b", 1],
        ]),
        new Map([
          ["b", 10],
          ["a", 20],
        ]),
      ),
    ).toBe(0);
    expect(jensenShannon(new Map([["a", 1]]), new Map([["b", 1]]))).toBe(1);
    expect(jensenShannon(new Map(), new Map())).toBe(0);
    expect(() => jensenShannon(new Map([["a", -1]]), new Map())).toThrow(/>= 0/);
  });
});

describe("compareSnapshots", () => {
  const reference = generateSynthetic(world);

  it("finds no drift between a snapshot and the same world at phase 0", () => {
    const same = generateSynthetic({ ...world, drift: { phase: 0 } });
    const d = compareSnapshots(reference, same, { model: popularityScorer(reference) });
    expect(d.signals.popularity.jsd).toBe(0);
    expect(d.signals.newItems.share).toBe(0);
    expect(d.signals.userActivity.relativeChange).toBe(0);
    expect(d.signals.quality!.relativeDrop).toBe(0);
    expect(d.signals.quality!.current.skippedUnknownItems).toBe(0);
    expect(d.driftDetected).toBe(false);
    expect(d.score).toBe(0);
    expect(d.reasons).toEqual([]);
    // two phase-0 snapshots of the same seed are the same data
    const again = compareSnapshots(same, generateSynthetic({ ...world, drift: { phase: 0 } }));
    expect([again.driftDetected, again.score]).toEqual([false, 0]);
  });

  it("detects drift when tastes, popularity and the catalogue move (phase 0.6, new items)", () => {
    const drifted = generateSynthetic({ ...world, drift: { phase: 0.6, newItemFraction: 0.2 } });
    const d = compareSnapshots(reference, drifted, { model: popularityScorer(reference) });
    expect(d.driftDetected).toBe(true);
    expect(d.score).toBeGreaterThan(1);
    expect(d.signals.popularity.jsd).toBeGreaterThan(0.05);
    expect(d.signals.newItems.share).toBeGreaterThan(0.1);
    expect(d.signals.newItems.items).toBeGreaterThan(0);
    expect(d.reasons.join("\n")).toMatch(/popularity shifted/);
    expect(d.reasons.join("\n")).toMatch(/unseen in the reference/);
    // the reference's popularity no longer ranks the held-out items well, and new items are unknown to it
    const q = d.signals.quality!;
    expect(q.current.hr10).toBeLessThan(q.reference.hr10);
    expect(q.current.skippedUnknownItems).toBeGreaterThan(0);
    expect(q.current.users + q.current.skippedUnknownItems).toBe(world.numUsers);
  });

  it("a stricter threshold alone can flag a mild drift; bad thresholds are refused", () => {
    const mild = generateSynthetic({ ...world, drift: { phase: 0.05, newItemFraction: 0 } });
    const lenient = compareSnapshots(reference, mild);
    const strict = compareSnapshots(reference, mild, { thresholds: { popularityJsd: lenient.signals.popularity.jsd / 2 } });
    expect(strict.driftDetected).toBe(true);
    expect(strict.ratios.popularityJsd).toBeCloseTo(2, 10);
    expect(() => compareSnapshots(reference, mild, { thresholds: { newItemShare: 0 } })).toThrow(/newItemShare/);
  });
});
