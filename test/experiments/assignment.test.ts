import { describe, expect, it } from "vitest";
import { BUCKETS, assignArm, candidateOrControl, currentCandidatePercent, hashBucket, hashString, variantForBucket } from "@/lib/experiments/assignment";

describe("murmur3", () => {
  it("matches the reference MurmurHash3_x86_32 vectors (seed 0)", () => {
    // values from the reference C++ implementation (smhasher), as listed by e.g. the mmh3 Python package
    expect(hashString("")).toBe(0);
    expect(hashString("hello")).toBe(0x248bfa47);
    expect(hashString("The quick brown fox jumps over the lazy dog")).toBe(0x2e4ff723);
  });
});

describe("hashBucket", () => {
  it("spreads 100k user ids uniformly over 100 bucket groups (chi-square)", () => {
    const groups = 100;
    const n = 100_000;
    const counts = new Array<number>(groups).fill(0);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const bucket = hashBucket("exp-salt-7f3a", `user-${i}`);
      min = Math.min(min, bucket);
      max = Math.max(max, bucket);
      counts[Math.floor(bucket / (BUCKETS / groups))]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(BUCKETS);
    expect(Number.isInteger(min) && Number.isInteger(max)).toBe(true);
    const expected = n / groups;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 99 degrees of freedom: the 0.999 quantile of chi-square(99) is 148.23
    expect(chi2).toBeLessThan(148.23);
  });

  it("is independent across salts: the 5% arms of two experiments overlap ~5%", () => {
    let both = 0;
    let first = 0;
    for (let i = 0; i < 100_000; i++) {
      const a = hashBucket("salt-a", `u${i}`) < 500;
      const b = hashBucket("salt-b", `u${i}`) < 500;
      if (a) first++;
      if (a && b) both++;
    }
    expect(first).toBeGreaterThan(4_700);
    expect(first).toBeLessThan(5_300);
    expect(both / first).toBeGreaterThan(0.035);
    expect(both / first).toBeLessThan(0.065);
  });

  it("is deterministic", () => {
    expect(hashBucket("s", "alice")).toBe(hashBucket("s", "alice"));
    expect(hashBucket("s", "ünïcødé-用户")).toBe(hashBucket("s", "ünïcødé-用户"));
  });
});

describe("assignment", () => {
  it("puts candidate iff bucket < percent·100", () => {
    expect(candidateOrControl(0, 1)).toBe("candidate");
    expect(candidateOrControl(99, 1)).toBe("candidate");
    expect(candidateOrControl(100, 1)).toBe("control");
    expect(candidateOrControl(9999, 100)).toBe("candidate");
    expect(candidateOrControl(0, 0)).toBe("control");
  });

  it("is sticky across ramps: every candidate at a stage stays candidate at every later stage", () => {
    const ramp = [1, 5, 20, 50, 100];
    const users = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
    let previous = new Set<string>();
    for (const percent of ramp) {
      const candidates = new Set(users.filter((u) => assignArm("ramp-salt", u, percent) === "candidate"));
      for (const u of previous) expect(candidates.has(u)).toBe(true);
      // and the share tracks the ramp
      expect(Math.abs(candidates.size / users.length - percent / 100)).toBeLessThan(0.01);
      previous = candidates;
    }
    expect(previous.size).toBe(users.length);
  });

  it("is sticky across requests", () => {
    for (let i = 0; i < 1000; i++) {
      expect(assignArm("s1", `u${i}`, 20)).toBe(assignArm("s1", `u${i}`, 20));
    }
  });

  it("takes cumulative weights for several variants", () => {
    const variants = [
      { key: "a", weight: 10 },
      { key: "b", weight: 30 },
      { key: "c", weight: 60 },
    ];
    expect(variantForBucket(999, variants)).toBe("a");
    expect(variantForBucket(1000, variants)).toBe("b");
    expect(variantForBucket(3999, variants)).toBe("b");
    expect(variantForBucket(4000, variants)).toBe("c");
    expect(variantForBucket(9999, variants)).toBe("c");
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 50_000; i++) counts[variantForBucket(hashBucket("w", `${i}`), variants)]++;
    expect(counts.a / 50_000).toBeCloseTo(0.1, 1);
    expect(counts.b / 50_000).toBeCloseTo(0.3, 1);
    expect(counts.c / 50_000).toBeCloseTo(0.6, 1);
  });

  it("reads the current ramp percentage", () => {
    expect(currentCandidatePercent([1, 5, 20], -1)).toBe(0);
    expect(currentCandidatePercent([1, 5, 20], 1)).toBe(5);
    expect(currentCandidatePercent([1, 5, 20], 7)).toBe(20);
    expect(currentCandidatePercent([], 0)).toBe(0);
  });
});
