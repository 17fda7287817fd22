// The pure pieces of the loop: interactions.tsv round trip, folding live interactions into a snapshot
// (ids kept, retention, untimed rows, the split), PSI, the live drift decision, the offline gate's view
// of a production model, warm starts and the settings' validation.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateSynthetic } from "@/lib/recsys/data";
import { foldLiveInteractions, rowsFromSplit } from "@/lib/recsys/data/fold";
import { readInteractions, writeInteractions } from "@/lib/recsys/data/interactions-tsv";
import { InteractionColumns } from "@/lib/recsys/data/split";
import { replayInteractions } from "@/lib/recsys/data/replay";
import { liveDriftDecision, popularityBins, psi } from "@/lib/drift/live";
import { asDeployed } from "@/lib/recsys/eval/gate";
import { applyWarmStart } from "@/lib/recsys/pipeline";
import { BprModel } from "@/lib/recsys/models/bpr";
import { Rng } from "@/lib/recsys/random";
import { cronForMinutes, loopSettingsInput } from "@/lib/db/loop-settings";
import { cronForHours } from "@/lib/jobs/loop-schedules";

const dir = mkdtempSync(path.join(os.tmpdir(), "understudy-fold-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = generateSynthetic({ seed: 3, numUsers: 40, numItems: 60, interactionsPerUser: 8 });

describe("interactions.tsv", () => {
  it("round-trips timed and untimed rows", () => {
    const rows = new InteractionColumns();
    rows.push(0, 1, 1700000000000);
    rows.push(2, 0, NaN);
    writeInteractions(dir, rows);
    const back = readInteractions(dir, { numUsers: 3, numItems: 2 })!;
    expect([Array.from(back.users.subarray(0, 2)), Array.from(back.items.subarray(0, 2)), back.times[0], Number.isNaN(back.times[1])]).toEqual([
      [0, 2],
      [1, 0],
      1700000000000,
      true,
    ]);
  });

  it("names file and line of a bad row, and is null when absent", () => {
    writeFileSync(path.join(dir, "interactions.tsv"), "user\titem\ttimestamp\n0\t1\t5\n0\t9\t6\n");
    expect(() => readInteractions(dir, { numUsers: 1, numItems: 2 })).toThrow(/interactions.tsv:3: item '9' is not a dense index below 2/);
    expect(readInteractions(path.join(dir, "nowhere"), { numUsers: 1, numItems: 1 })).toBeNull();
  });
});

describe("foldLiveInteractions", () => {
  it("keeps the parent's ids as a prefix, appends unknown users and items, and holds out the latest new interaction", () => {
    const t0 = Date.UTC(2026, 0, 1);
    const events = [
      { userId: "u0", itemId: "i5", time: t0 + 2 },
      { userId: "u0", itemId: "brand-new", time: t0 + 3 },
      { userId: "stranger", itemId: "i1", time: t0 + 1 },
    ];
    const { dataset, lineage } = foldLiveInteractions({ name: "next", parent: base, parentRows: null, events, retainSince: 0 });
    expect(dataset.userIds.slice(0, base.numUsers)).toEqual(base.userIds);
    expect(dataset.itemIds.slice(0, base.numItems)).toEqual(base.itemIds);
    expect(dataset.userIds.slice(base.numUsers)).toEqual(["stranger"]);
    expect(dataset.itemIds.slice(base.numItems)).toEqual(["brand-new"]);
    expect(lineage).toMatchObject({ newInteractions: 3, newUsers: 1, newItems: 1, parentRowsReconstructed: true, droppedByRetention: 0 });
    expect(lineage.untimedParentInteractions).toBe(rowsFromSplit(base).length);
    // u0's latest interaction is the new item: it is the test item, the one before it the validation item
    expect(dataset.itemIds[dataset.test[0]]).toBe("brand-new");
    expect(dataset.itemIds[dataset.valid[0]]).toBe("i5");
    // a user without new interactions keeps the parent's held-out items
    expect([dataset.valid[1], dataset.test[1]]).toEqual([base.valid[1], base.test[1]]);
  });

  it("drops timed parent rows older than the retention window, never untimed ones, and says so", () => {
    const replay = replayInteractions(base, { startMs: 1000 });
    const rows = new InteractionColumns();
    replay.forEach((e) => rows.push(Number(e.userId.slice(1)), Number(e.itemId.slice(1)), e.timestamp));
    rows.push(0, 7, NaN);
    const { lineage } = foldLiveInteractions({
      name: "x",
      parent: base,
      parentRows: rows,
      events: [{ userId: "u1", itemId: "i2", time: 10_000_000 }],
      retainSince: 3500,
    });
    const old = replay.filter((e) => e.timestamp < 3500).length;
    expect(old).toBeGreaterThan(0);
    expect(lineage.droppedByRetention).toBe(old);
    expect(lineage.untimedParentInteractions).toBe(1);
    expect(lineage.notes[0]).toMatch(/1 interactions .* no timestamp: the retention window does not apply/);
  });

  it("applies a seeded random leave-one-out when the parent was split that way, and a time cut-off by the import's split", () => {
    const random = foldLiveInteractions({ name: "r", parent: base, parentRows: null, events: [], retainSince: 0, split: { kind: "loo-random", seed: 4 } });
    expect(random.lineage.split.applied).toEqual({ kind: "loo-random", seed: 4 });
    const cutoff = foldLiveInteractions({
      name: "c",
      parent: base,
      parentRows: null,
      events: [],
      retainSince: 0,
      split: { kind: "time-cutoff", cutoff: "2026-01-01" },
    });
    expect(cutoff.lineage.split.applied).toEqual({ kind: "time-cutoff", cutoff: "2026-01-01" });
  });
});

describe("live drift signals", () => {
  it("PSI is 0 for equal shares and grows with the shift (hand-computed)", () => {
    expect(psi([10, 10], [5, 5])).toBe(0);
    // (0.8−0.5)·ln(0.8/0.5) + (0.2−0.5)·ln(0.2/0.5)
    expect(psi([1, 1], [4, 1])).toBeCloseTo(0.3 * Math.log(1.6) + -0.3 * Math.log(0.4), 12);
  });

  it("bins items by reference popularity, unseen items in the last bin", () => {
    const ref = new Map([
      ["a", 6],
      ["b", 3],
      ["c", 1],
    ]);
    const bins = popularityBins(
      ref,
      new Map([
        ["a", 1],
        ["z", 2],
      ]),
      2,
    );
    expect(bins).toEqual({ reference: [6, 4, 0], live: [1, 0, 2] });
  });

  it("the same world replayed is no drift; the drifted world breaches popularity and unknown items", () => {
    const known = (ds: typeof base) => ({ u: new Set(ds.userIds), i: new Set(ds.itemIds) });
    const k = known(base);
    const decide = (ds: typeof base) => {
      const r = replayInteractions(ds, { startMs: 0 });
      return liveDriftDecision({
        reference: base,
        live: { userIds: r.map((e) => e.userId), itemIds: r.map((e) => e.itemId) },
        knownUser: (id) => k.u.has(id),
        knownItem: (id) => k.i.has(id),
        agreement10: { value: 0.9, users: 10 },
        kpi: { test: null, baseline: { exposures: 0, clicks: 0 }, recent: { exposures: 0, clicks: 0 } },
      });
    };
    const same = decide(base);
    expect(same.driftDetected).toBe(false);
    expect(same.signals.find((s) => s.key === "unknownItemShare")!.value).toBe(0);
    const drifted = decide(generateSynthetic({ seed: 3, numUsers: 40, numItems: 60, interactionsPerUser: 8, drift: { phase: 1, newItemFraction: 0.3 } }));
    expect(drifted.driftDetected).toBe(true);
    expect(drifted.signals.filter((s) => s.breached).map((s) => s.key)).toEqual(expect.arrayContaining(["popularityPsi", "unknownItemShare"]));
    expect(drifted.signals.find((s) => s.key === "kpiDrift")).toMatchObject({ value: null, breached: false });
  });
});

describe("the gate's view of the production model", () => {
  it("scores unknown items −∞ and answers unknown users with its popularity fallback", () => {
    const ds = { ...base, numUsers: 2, numItems: 3, userIds: ["a", "new"], itemIds: ["x", "y", "fresh"] };
    const model = {
      numItems: 2,
      scoreUser: (_u: number, out: Float32Array) => out.set([0.5, 0.25]),
      userIndex: (id: string) => (id === "a" ? 0 : undefined),
      itemIndex: (id: string) => ({ x: 0, y: 1 })[id],
    };
    const scorer = asDeployed(
      model,
      ds,
      new Map([
        ["x", 1],
        ["y", 7],
      ]),
    );
    const out = new Float32Array(3);
    scorer.scoreUser(0, out);
    expect(Array.from(out)).toEqual([0.5, 0.25, -Infinity]);
    scorer.scoreUser(1, out);
    expect(Array.from(out)).toEqual([1, 7, -Infinity]);
    expect(scorer.unknownUsers(Int32Array.from([0, 1]))).toBe(1);
  });
});

describe("warm start", () => {
  it("copies the rows of users and items the earlier model knows, by external id", () => {
    const warm = BprModel.random(2, 2, 3, new Rng(1));
    const init = BprModel.random(3, 2, 3, new Rng(2));
    const ds = { ...base, userIds: ["b", "new", "a"], itemIds: ["j", "zz"] };
    const before = init.users.slice(3, 6);
    expect(applyWarmStart(init, ds, { model: warm, userIds: ["a", "b"], itemIds: ["j", "k"] })).toEqual({ users: 2, items: 1 });
    expect(Array.from(init.users.subarray(0, 3))).toEqual(Array.from(warm.users.subarray(3, 6)));
    expect(Array.from(init.users.subarray(6, 9))).toEqual(Array.from(warm.users.subarray(0, 3)));
    expect(Array.from(init.users.subarray(3, 6))).toEqual(Array.from(before));
    expect(Array.from(init.items.subarray(0, 3))).toEqual(Array.from(warm.items.subarray(0, 3)));
  });
});

describe("loop settings", () => {
  it("turns intervals into crons and refuses ones a cron cannot repeat evenly, naming the field", () => {
    expect([cronForMinutes(15), cronForMinutes(60), cronForMinutes(180), cronForMinutes(1440)]).toEqual([
      "*/15 * * * *",
      "0 */1 * * *",
      "0 */3 * * *",
      "0 0 * * *",
    ]);
    expect([cronForHours(24), cronForHours(6), cronForHours(48)]).toEqual(["5 0 */1 * *", "5 */6 * * *", "5 0 */2 * *"]);
    const bad = loopSettingsInput.safeParse({ driftIntervalMinutes: 7, thresholds: { unknownItemShare: 2 }, gate: { ndcgTolerance: -1 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(["driftIntervalMinutes", "thresholds.unknownItemShare", "gate.ndcgTolerance"]);
    expect(loopSettingsInput.safeParse({ nope: 1 }).success).toBe(false);
  });
});
