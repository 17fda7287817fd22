// datasetProfile on a hand-made dataset: popularity ranks and counts, the head cut, per-user bins.
import { describe, expect, it } from "vitest";
import { datasetProfile } from "@/lib/recsys/data/profile";
import type { Dataset } from "@/lib/recsys/types";
import { handDataset } from "../helpers/datasets";

const train = [[0, 1, 2], [0, 1], [0], [0, 3]].map((a) => Int32Array.from(a));
const ds: Dataset = handDataset({
  name: "hand",
  userIds: ["a", "b", "c", "d"],
  itemIds: ["0", "1", "2", "3", "4"],
  trainByUser: train,
});

describe("datasetProfile", () => {
  it("ranks items by training count, marks the head and bins users by activity", () => {
    // counts: item0 4, item1 2, item2 1, item3 1, item4 0 → sorted [4, 2, 1, 1, 0]; positive ranks 1..4
    const p = datasetProfile(ds, { points: 10, bins: 4 });
    expect(p.popularity).toEqual([
      [1, 4],
      [2, 2],
      [3, 1],
      [4, 1],
    ]);
    // head = ceil(0.2 × 5) = 1 item holding 4 of 8 interactions
    expect(p.longTailStartRank).toBe(1);
    expect(p.headInteractionShare).toBe(0.5);
    // per-user counts [3, 2, 1, 2], max 3 → 4 bins of width 1
    expect(p.perUser).toEqual([
      { low: 0, high: 0, users: 0 },
      { low: 1, high: 1, users: 1 },
      { low: 2, high: 2, users: 2 },
      { low: 3, high: 3, users: 1 },
    ]);
  });

  it("keeps at most the requested number of log-spaced points", () => {
    const big: Dataset = {
      ...ds,
      numItems: 5000,
      trainByUser: [Int32Array.from({ length: 5000 }, (_, i) => i)],
      numUsers: 1,
      userIds: ["a"],
      valid: Int32Array.from([-1]),
      test: Int32Array.from([-1]),
    };
    const p = datasetProfile(big, { points: 50 });
    expect(p.popularity.length).toBeLessThanOrEqual(50);
    expect(p.popularity[0][0]).toBe(1);
    expect(p.popularity.at(-1)![0]).toBe(5000);
  });
});
