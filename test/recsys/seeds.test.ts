import { describe, expect, it } from "vitest";
import { pairedOverSeeds, spread, spreadOfRuns } from "@/lib/recsys/eval/seeds";

describe("results over seeds", () => {
  it("mean and sample standard deviation (numpy: mean 0.4011, std ddof=1 0.0018520259)", () => {
    const s = spread([0.4018, 0.4025, 0.399]);
    expect(s.mean).toBeCloseTo(0.4011, 12);
    expect(s.sd).toBeCloseTo(0.0018520259177452088, 12);
    expect(spread([0.3]).sd).toBeNull();
    const runs = spreadOfRuns([
      { "N@10": 0.4, "H@10": 0.6 },
      { "N@10": 0.42, "H@10": 0.62 },
    ]);
    expect(runs["N@10"].mean).toBeCloseTo(0.41, 12);
    expect(runs["H@10"].values).toEqual([0.6, 0.62]);
  });

  it("paired per-user differences averaged over seeds, t-interval over users (scipy.stats 1.17 ttest_1samp, t.interval)", () => {
    const a = [
      [0.5, 1, 0, 0.63, 0.39, 1, 0, 0.43],
      [0.63, 1, 0.39, 0.5, 0, 1, 0, 0.33],
    ];
    const b = [
      [0.39, 0.63, 0, 0.63, 0, 1, 0.5, 0.33],
      [0.5, 0.43, 0, 0.63, 0.39, 1, 0, 0],
    ];
    const r = pairedOverSeeds(a, b);
    expect(r.users).toBe(8);
    expect(r.seeds).toBe(2);
    expect(r.meanDiff).toBeCloseTo(0.085625, 12);
    expect(r.se).toBeCloseTo(0.07648784625677468, 10);
    expect(r.ci[0]).toBeCloseTo(-0.09524001621086975, 7);
    expect(r.ci[1]).toBeCloseTo(0.26649001621086976, 7);
    expect(r.pValue).toBeCloseTo(0.29988053436811013, 6);
  });

  it("rejects seeds or users that do not line up", () => {
    expect(() =>
      pairedOverSeeds(
        [[1, 2]],
        [
          [1, 2],
          [1, 2],
        ],
      ),
    ).toThrow(/same seeds/);
    expect(() => pairedOverSeeds([[1, 2]], [[1, 2, 3]])).toThrow(/seed 0/);
  });
});
