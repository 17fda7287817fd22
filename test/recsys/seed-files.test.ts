import { describe, expect, it } from "vitest";
import { ndcgAt } from "@/lib/recsys/eval/metrics";
import { pairedOverSeeds } from "@/lib/recsys/eval/seeds";
import { poolSeedFiles, summarizePooled } from "@/lib/recsys/eval/seed-files";

const USERS = { test: [0, 1, 2, 3, 4], valid: [0, 1, 2, 4] };
const n10 = (ranks: number[]) => ranks.map((r) => ndcgAt(r, 10));
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** a model row as bench:distill writes it, its metrics computed from the ranks */
function model(name: string, test: number[], valid: number[], tailH10 = 0.3, perUser = true) {
  return {
    name,
    role: name === "teacher" ? "teacher" : "student",
    method: name === "teacher" ? null : name.replace("student-", ""),
    epochs: 10,
    trainSeconds: 5,
    test: { "N@10": mean(n10(test)), "H@10": mean(test.map((r) => (r < 10 ? 1 : 0))) },
    valid: { "N@10": mean(n10(valid)) },
    full: { "R@20": null },
    longTail: { "H@10": tailH10 },
    ...(perUser && { perUser: { test, valid } }),
  };
}

function file(seed: number, models: ReturnType<typeof model>[], extra: Record<string, unknown> = {}) {
  return { seed, evalSeed: 0, dataset: "tiny", negatives: 499, wallSeconds: 100, trainWallSeconds: 90, perUserUsers: USERS, models, ...extra };
}

const teacher0 = model("teacher", [0, 1, 0, 3, 2], [0, 0, 1, 2]);
const teacher1 = model("teacher", [1, 0, 0, 2, 2], [0, 1, 1, 0]);
const none0 = model("student-none", [3, 12, 0, 40, 9], [2, 30, 1, 5], 0.2);
const none1 = model("student-none", [5, 2, 11, 40, 1], [1, 9, 3, 2], 0.25);
const deRrd0 = model("student-de-rrd", [1, 4, 0, 12, 3], [0, 4, 1, 3], 0.3);
const deRrd1 = model("student-de-rrd", [0, 2, 5, 20, 0], [1, 2, 0, 2], 0.2);
const ir0 = model("student-ir-rrd", [0, 3, 1, 9, 2], [0, 3, 0, 2], 0.35);

describe("multi-seed summaries from seed files", () => {
  it("pools seeds from several files: mean ± sd per model, paired N@10 on test and valid from the stored ranks", () => {
    const pooled = poolSeedFiles([
      { file: "a.seed0.json", json: file(0, [teacher0, none0, deRrd0]) },
      { file: "a.seed1.json", json: file(1, [teacher1, none1, deRrd1]) },
      // a later session: another method against seed 0's saved teacher
      { file: "b.seed0.json", json: file(0, [teacher0, ir0], { wallSeconds: 40 }) },
    ]);
    expect(pooled.seeds.map((s) => [s.seed, [...s.models.keys()]])).toEqual([
      [0, ["teacher", "student-none", "student-de-rrd", "student-ir-rrd"]],
      [1, ["teacher", "student-none", "student-de-rrd"]],
    ]);
    const s = summarizePooled(pooled);
    const deRrd = s.models.find((m) => m.name === "student-de-rrd")!;
    expect(deRrd.seeds).toEqual([0, 1]);
    expect(deRrd.test["N@10"].mean).toBeCloseTo((deRrd0.test["N@10"] + deRrd1.test["N@10"]) / 2, 12);
    expect(deRrd.full["R@20"]).toBeUndefined(); // null (NaN) metrics are left out, not averaged as 0
    expect(s.models.find((m) => m.name === "student-ir-rrd")!.seeds).toEqual([0]);
    expect(s.perSeed.map((p) => p.wallSeconds)).toEqual([140, 100]);

    const p = s.paired.find((x) => x.model === "student-de-rrd" && x.against === "student-none" && x.split === "test")!;
    const want = pairedOverSeeds([n10(deRrd0.perUser!.test), n10(deRrd1.perUser!.test)], [n10(none0.perUser!.test), n10(none1.perUser!.test)]);
    expect(p).toMatchObject({ seedList: [0, 1], users: 5, seeds: 2 });
    expect(p.meanDiff).toBeCloseTo(want.meanDiff, 12);
    expect(p.ci[1]).toBeCloseTo(want.ci[1], 12);
    const v = s.paired.find((x) => x.model === "student-de-rrd" && x.against === "student-none" && x.split === "valid")!;
    expect(v.users).toBe(4);
    expect(v.meanDiff).toBeCloseTo(
      mean(n10(deRrd0.perUser!.valid).map((x, i) => x - n10(none0.perUser!.valid)[i])) / 2 +
        mean(n10(deRrd1.perUser!.valid).map((x, i) => x - n10(none1.perUser!.valid)[i])) / 2,
      12,
    );
    // ir-rrd exists on seed 0 only: its comparisons use that seed alone
    expect(s.paired.find((x) => x.model === "student-ir-rrd" && x.against === "student-de-rrd")!.seedList).toEqual([0]);

    expect(s.longTailAboveNone["student-de-rrd"]).toEqual({ seeds: [0], of: [0, 1], every: false });
    expect(s.longTailAboveNone["student-ir-rrd"]).toEqual({ seeds: [0], of: [0], every: true });
  });

  it("files without per-user ranks (older runs) give means but no paired comparisons", () => {
    const s = summarizePooled(
      poolSeedFiles([
        { file: "old.json", json: file(0, [model("teacher", [0], [0], 0.3, false), model("student-none", [3], [2], 0.2, false)], { perUserUsers: undefined }) },
      ]),
    );
    expect(s.models.map((m) => m.name)).toEqual(["teacher", "student-none"]);
    expect(s.paired).toEqual([]);
  });

  it("refuses files that do not fit together", () => {
    // the same name with other results on the same seed: another teacher, or other settings
    expect(() =>
      poolSeedFiles([
        { file: "a.json", json: file(0, [teacher0, none0]) },
        { file: "b.json", json: file(0, [teacher1, ir0]) },
      ]),
    ).toThrow(/seed 0: teacher in b.json differs from teacher in a.json/);
    expect(() =>
      poolSeedFiles([
        { file: "a.json", json: file(0, [teacher0]) },
        { file: "b.json", json: file(1, [teacher1], { evalSeed: 1 }) },
      ]),
    ).toThrow(/b.json: evalSeed 1, but a.json has 0/);
    expect(() =>
      poolSeedFiles([
        { file: "a.json", json: file(0, [teacher0]) },
        { file: "b.json", json: file(1, [teacher1], { perUserUsers: { test: [0, 1, 2, 3, 5], valid: USERS.valid } }) },
      ]),
    ).toThrow(/b.json: its evaluated users differ/);
    expect(() => poolSeedFiles([{ file: "c.json", json: file(0, [model("teacher", [0, 1], [0, 1, 2, 3])]) }])).toThrow(/2\/4 per-user ranks for 5\/4 users/);
    expect(() => poolSeedFiles([{ file: "d.json", json: { seed: 0, models: [] } }])).toThrow(/d.json: not a bench:distill seed file/);
  });
});
