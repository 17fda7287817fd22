import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  agreement,
  buildEvalPlan,
  cachedEvalPlan,
  evaluate,
  fullMetrics,
  headItems,
  sampledMetrics,
  scoringLatency,
  type BatchScorer,
  type CandidateScorer,
} from "@/lib/recsys/eval";
import { generateSynthetic, popularityScorer } from "@/lib/recsys/data";
import { Rng } from "@/lib/recsys/random";
import type { Dataset, Scorer } from "@/lib/recsys/types";
import { handDataset } from "../helpers/datasets";

/** a scorer with a fixed score table (one row per user) */
function tableScorer(rows: number[][]): Scorer {
  return {
    numUsers: rows.length,
    numItems: rows[0].length,
    scoreUser: (u, out) => out.set(rows[u]),
  };
}

/** a scorer whose every call keeps the CPU busy for `ms` of wall time */
function spinningScorer(ds: Dataset, ms: number): Scorer {
  const ns = BigInt(ms * 1_000_000);
  return {
    numUsers: ds.numUsers,
    numItems: ds.numItems,
    scoreUser: (_u, out) => {
      const until = process.hrtime.bigint() + ns;
      while (process.hrtime.bigint() < until) out.fill(0);
    },
  };
}

function tiny(): Dataset {
  // 3 users × 6 items. User 2 has too few interactions for a held-out item.
  return handDataset({
    name: "tiny",
    userIds: ["a", "b", "c"],
    itemIds: ["0", "1", "2", "3", "4", "5"],
    trainByUser: [Int32Array.from([0]), Int32Array.from([3, 4]), Int32Array.from([0, 1])],
    valid: Int32Array.from([1, 5, -1]),
    test: Int32Array.from([2, 0, -1]),
  });
}

// item:      0  1  2  3  4  5
const SCORES = [
  [9, 8, 5, 7, 5, 1], // user 0
  [1, 3, 2, 9, 9, 0], // user 1
  [0, 0, 0, 0, 0, 0], // user 2 (never evaluated)
];

describe("evaluate on hand-computed rankings", () => {
  it("computes HR/NDCG/MRR, full-catalogue metrics, long tail and coverage", () => {
    const ds = tiny();
    // 499 negatives asked, fewer unobserved exist: every unobserved item is a negative.
    // user 0, test item 2 (score 5) vs unobserved {3:7, 4:5, 5:1}: 3 beats it; 4 ties but has the
    //   higher index so it does not -> rank 1. Full catalogue minus train {0} and valid {1}: same, rank 1.
    // user 1, test item 0 (score 1) vs unobserved {1:3, 2:2} -> rank 2. Full minus {3,4} and valid {5}: rank 2.
    // ranks [1, 2]:
    //   H@1 = 0, H@2 = 1/2, H@3 = 1
    //   N@2 = (1/log2(3))/2 = 0.315465, N@3 = (1/log2(3) + 1/log2(4))/2 = 0.565465
    //   M@2 = (1/2)/2 = 0.25, M@3 = (1/2 + 1/3)/2 = 0.416667
    // head (20% of 6 items -> 2): training counts 0:2, 1:1, 3:1, 4:1 -> {0, 1}; user 0's test item 2 is
    //   long tail, user 1's test item 0 is head -> long-tail ranks [1].
    // coverage@1: user 0's top-1 outside {0, 1} is 3, user 1's outside {3, 4, 5} is 1 -> 2 of 6 items.
    const r = evaluate(tableScorer(SCORES), ds, { split: "test", cutoffs: [1, 2, 3], fullCutoffs: [1, 3], coverageK: 1 });
    expect(r.users).toBe(2);
    expect(r.sampled["H@1"]).toBe(0);
    expect(r.sampled["H@2"]).toBeCloseTo(0.5, 10);
    expect(r.sampled["H@3"]).toBeCloseTo(1, 10);
    expect(r.sampled["N@2"]).toBeCloseTo(0.315465, 6);
    expect(r.sampled["N@3"]).toBeCloseTo(0.565465, 6);
    expect(r.sampled["M@2"]).toBeCloseTo(0.25, 10);
    expect(r.sampled["M@3"]).toBeCloseTo(0.416667, 6);
    expect(r.full).toEqual({ "R@1": 0, "N@1": 0, "R@3": 1, "N@3": expect.closeTo(0.565465, 6) });
    expect(r.longTailUsers).toBe(1);
    expect(r.longTail["H@2"]).toBe(1);
    expect(r.longTail["N@2"]).toBeCloseTo(1 / Math.log2(3), 10);
    expect(r.coverage).toBeCloseTo(2 / 6, 10);
    expect(r.ranks).toBeUndefined();
    const withRanks = evaluate(tableScorer(SCORES), ds, { split: "test", keepRanks: true });
    expect(withRanks.ranks).toEqual({ users: Int32Array.from([0, 1]), sampled: Int32Array.from([1, 2]), full: Int32Array.from([1, 2]) });
    expect(Object.keys(evaluate(tableScorer(SCORES), ds, { split: "test" }).sampled)).toEqual([
      "H@5",
      "N@5",
      "M@5",
      "H@10",
      "N@10",
      "M@10",
      "H@20",
      "N@20",
      "M@20",
    ]);
  });

  it("ranks the validation item against everything outside train for the valid split", () => {
    // user 0: valid item 1 (8) vs {3, 4, 5} -> rank 0; full catalogue minus {0} -> rank 0
    // user 1: valid item 5 (0) vs unobserved {1, 2} -> rank 2; full minus {3, 4}: 0, 1, 2 beat it -> rank 3
    const r = evaluate(tableScorer(SCORES), tiny(), { split: "valid", cutoffs: [1, 3], fullCutoffs: [3, 4] });
    expect(r.sampled["H@1"]).toBeCloseTo(0.5, 10);
    expect(r.sampled["H@3"]).toBeCloseTo(1, 10);
    expect(r.full!["R@3"]).toBeCloseTo(0.5, 10);
    expect(r.full!["R@4"]).toBeCloseTo(1, 10);
    expect(r.full!["N@4"]).toBeCloseTo((1 + 1 / Math.log2(5)) / 2, 10);
  });

  it("metric helpers agree with the definitions", () => {
    expect(sampledMetrics([0, 4, 9, 30], [5])).toEqual({
      "H@5": 0.5,
      "N@5": expect.closeTo((1 + 1 / Math.log2(6)) / 4, 10),
      "M@5": expect.closeTo((1 + 1 / 5) / 4, 10),
    });
    expect(fullMetrics([], [20])).toEqual({ "R@20": 0, "N@20": 0 });
  });

  it("rejects a scorer of another shape", () => {
    expect(() => evaluate(tableScorer([[1, 2, 3]]), tiny(), { split: "test" })).toThrow(/scorer covers 1 users × 3 items/);
  });
});

describe("evaluation plan", () => {
  const ds = generateSynthetic({ seed: 5, numUsers: 120, numItems: 300, interactionsPerUser: 12 });

  it("samples distinct never-observed negatives, the same for every model and seed", () => {
    const plan = buildEvalPlan(ds, { split: "test", negatives: 99, seed: 3 });
    expect(plan.users.length).toBe(ds.numUsers);
    for (let p = 0; p < plan.users.length; p++) {
      const u = plan.users[p];
      const negs = Array.from(plan.negativeItems.subarray(plan.negativeOffsets[p], plan.negativeOffsets[p + 1]));
      expect(negs.length).toBe(99);
      expect(new Set(negs).size).toBe(99);
      const observed = new Set([...ds.trainByUser[u], ds.valid[u], ds.test[u]]);
      for (const i of negs) expect(observed.has(i)).toBe(false);
      expect(Array.from(plan.fullExclude[p])).toEqual([...ds.trainByUser[u], ds.valid[u]].sort((a, b) => a - b));
    }
    const again = buildEvalPlan(ds, { split: "test", negatives: 99, seed: 3 });
    expect(Array.from(again.negativeItems)).toEqual(Array.from(plan.negativeItems));
    const otherSeed = buildEvalPlan(ds, { split: "test", negatives: 99, seed: 4 });
    expect(Array.from(otherSeed.negativeItems)).not.toEqual(Array.from(plan.negativeItems));
    expect(cachedEvalPlan(ds, { split: "test", seed: 3 })).toBe(cachedEvalPlan(ds, { split: "test", seed: 3 }));
  });

  it("selects long-tail users by the held-out item's training popularity", () => {
    const plan = buildEvalPlan(ds, { split: "test" });
    const head = headItems(ds, 0.2);
    const counts = new Array<number>(ds.numItems).fill(0);
    ds.trainByUser.forEach((items) => items.forEach((i) => counts[i]++));
    const headCount = Array.from(head).reduce((a, b) => a + b, 0);
    expect(headCount).toBe(Math.ceil(0.2 * ds.numItems));
    // every head item is at least as popular as every tail item
    const minHead = Math.min(...counts.filter((_, i) => head[i]));
    const maxTail = Math.max(...counts.filter((_, i) => !head[i]));
    expect(minHead).toBeGreaterThanOrEqual(maxTail);
    const expected = Array.from(plan.users.keys()).filter((p) => !head[ds.test[plan.users[p]]]);
    expect(Array.from(plan.longTailPositions)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("gives the same result through scoreUser, a batch scorer and a candidate scorer", () => {
    const rng = new Rng(9);
    const table = Array.from({ length: ds.numUsers }, () => Array.from({ length: ds.numItems }, () => rng.next()));
    const single = tableScorer(table);
    const batch: BatchScorer = {
      ...single,
      scoreUsers(users, out) {
        users.forEach((u, j) => out.set(table[u], j * ds.numItems));
      },
    };
    const a = evaluate(single, ds, { split: "valid" });
    const b = evaluate(batch, ds, { split: "valid" });
    expect({ ...b, seconds: 0 }).toEqual({ ...a, seconds: 0 });
    // sampled-only evaluation scores just the held-out item and its negatives when it can
    let itemsScored = 0;
    const candidates: CandidateScorer = {
      ...single,
      scoreUser: () => {
        throw new Error("full scoring not expected");
      },
      scoreItems(u, items, out) {
        itemsScored += items.length;
        items.forEach((i, j) => (out[j] = table[u][i]));
      },
    };
    const c = evaluate(candidates, ds, { split: "valid", full: false });
    expect(c.sampled).toEqual(a.sampled);
    expect(c.longTail).toEqual(a.longTail);
    expect([c.full, c.coverage]).toEqual([null, null]);
    // 300 items: fewer than 499 unobserved per user, so every unobserved item is a negative
    const plan = cachedEvalPlan(ds, { split: "valid" });
    expect(itemsScored).toBe(plan.negativeItems.length + plan.users.length);
    expect(itemsScored).toBeLessThan(ds.numUsers * ds.numItems);
    // a random scorer lands near chance: H@10 of 10/500
    expect(a.sampled["H@10"]).toBeLessThan(0.1);
  });
});

describe("agreement and latency", () => {
  const ds = tiny();

  it("measures top-k overlap with training items excluded", () => {
    const a = tableScorer(SCORES);
    expect(agreement(a, a, ds, 2)).toBe(1);
    // reversed scores: user 0 lists (train {0} excluded) a: [1, 3] vs b: [5, 2] -> 0;
    // user 1 (train {3, 4}) a: [1, 2] vs b: [5, 0] -> 0; user 2 (train {0, 1}) ties -> [2, 3] both -> 1
    const b = tableScorer(SCORES.map((row) => row.map((s) => -s)));
    expect(agreement(a, b, ds, 2)).toBeCloseTo(1 / 3, 10);
    expect(agreement(a, b, ds, 2, { users: Int32Array.from([2]) })).toBe(1);
  });

  it("reports latency percentiles of a full-catalogue top-k", () => {
    const lat = scoringLatency(popularityScorer(ds), ds, { users: 50, k: 3 });
    expect(lat.samples).toBe(50);
    expect(lat.p50us).toBeGreaterThan(0);
    expect(lat.p99us).toBeGreaterThanOrEqual(lat.p50us);
  });

  // The cost figure must be CPU time: a call that waits without running (as a descheduled one does)
  // costs wall time but no CPU, while a call that spins costs both.
  it("measures the mean CPU time per call apart from the wall-clock latency", () => {
    const items = ds.numItems;
    const blocker = new Int32Array(new SharedArrayBuffer(4));
    const blocking: Scorer = {
      numUsers: ds.numUsers,
      numItems: items,
      scoreUser: (_u, out) => {
        Atomics.wait(blocker, 0, 0, 2); // blocks the thread ~2 ms without using the CPU
        out.fill(0);
      },
    };
    const waited = scoringLatency(blocking, ds, { users: 20, warmup: 0, k: 3 });
    expect(waited.meanUs).toBeGreaterThanOrEqual(1900);
    expect(waited.cpuMeanUs).toBeLessThan(waited.meanUs / 10);

    const busy = scoringLatency(spinningScorer(ds, 2), ds, { users: 20, warmup: 0, k: 3 });
    expect(busy.meanUs).toBeGreaterThanOrEqual(1900);
    // CPU ≈ wall; below it only by the time the OS took the core away from this process
    expect(busy.cpuMeanUs).toBeGreaterThan(busy.meanUs / 3);
    expect(busy.cpuMeanUs).toBeLessThan(busy.meanUs * 1.05);
  });

  // process.cpuUsage counts every thread: another thread's work must not land on the call timed
  it("does not charge a call for CPU that another thread of the process uses meanwhile", async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4)); // 0 starting, 1 spinning, 2 stop
    const other = new Worker(
      `const { workerData } = require("node:worker_threads");
       const flag = new Int32Array(workerData);
       Atomics.store(flag, 0, 1);
       Atomics.notify(flag, 0);
       let x = 0;
       while (Atomics.load(flag, 0) !== 2) x++;`,
      { eval: true, workerData: flag.buffer },
    );
    try {
      Atomics.wait(flag, 0, 0, 10_000);
      expect(Atomics.load(flag, 0)).toBe(1);
      const cpu0 = process.cpuUsage();
      const busy = scoringLatency(spinningScorer(ds, 1), ds, { users: 20, warmup: 0, k: 3 });
      const cpu = process.cpuUsage(cpu0);
      // the process as a whole used more CPU than the calls took, yet the calls are charged only their own
      expect(cpu.user + cpu.system).toBeGreaterThan(busy.meanUs * 20 * 1.3);
      expect(busy.cpuMeanUs).toBeLessThan(busy.meanUs * 1.05);
    } finally {
      Atomics.store(flag, 0, 2);
      await other.terminate();
    }
  });
});
