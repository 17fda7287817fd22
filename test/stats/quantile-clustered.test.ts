// Quantile intervals of values that come in clusters of equal values (requests of one micro-batch).
import { describe, expect, it } from "vitest";
import { clusteredEffectiveN, quantileIntervalLevels, quantileMoments } from "@/lib/stats";
import { Rng } from "@/lib/recsys/random";

/** Σ over values of their cluster's size = Σ m_i² over clusters */
const sizeSum = (sizes: number[]) => sizes.reduce((s, m) => s + m * m, 0);

describe("effective n of clustered values", () => {
  it("is n / m for clusters of m equal values", () => {
    // Kish (1965) §5.4: deff = 1 + (m − 1)ρ; equal values in a cluster have intra-cluster correlation ρ = 1, so deff = m
    for (const m of [1, 2, 32]) {
      const sizes = Array.from({ length: 10 }, () => m);
      expect(clusteredEffectiveN(10 * m, sizeSum(sizes))).toBeCloseTo((10 * m) / m, 12);
    }
  });

  it("is (Σm)² / Σm² for unequal clusters, and n when no value carries a cluster size", () => {
    // three stalled batches of 32 and four lone requests: 100² / (3·32² + 4) = 10000 / 3076
    expect(clusteredEffectiveN(100, sizeSum([32, 32, 32, 1, 1, 1, 1]))).toBeCloseTo(3.250975292587776, 12);
    expect(clusteredEffectiveN(100, 100)).toBe(100);
    expect(clusteredEffectiveN(100, 0)).toBe(100);
    expect(clusteredEffectiveN(0, 0)).toBe(0);
  });

  it("widens the order-statistic levels by √(n / n_eff) and makes too few effective values degenerate", () => {
    // ν ∓ z·√(ν(1 − ν)/n_eff), z = 1.959963984540054 (scipy.stats.norm.ppf(0.975)): 0.5 ∓ 1.96·√(0.25/25)
    const [lo, hi] = quantileIntervalLevels(100, 0.5, 0.05, 25);
    expect(lo).toBeCloseTo(0.5 - 0.1959963984540054, 12);
    expect(hi).toBeCloseTo(0.5 + 0.1959963984540054, 12);
    expect(quantileIntervalLevels(100, 0.5)).toEqual(quantileIntervalLevels(100, 0.5, 0.05, 100));
    expect(() => quantileIntervalLevels(100, 0.5, 0.05, 101)).toThrow(/nEff/);
    // 1000 requests in ~31 batches of 32: 0.95 + 1.96·√(0.0475/31.25) > 1
    const s = { kind: "quantile" as const, n: 1000, nu: 0.95, estimate: 10, lower: 9, upper: 11 };
    expect(quantileMoments(s).degenerate).toBeUndefined();
    expect(quantileMoments({ ...s, nEff: 31.25 }).degenerate).toMatch(/effectively 31.3/);
  });

  // Coverage by simulation (seed fixed): 400 experiments of 400 batches, sizes uniform on 1..32, each
  // batch one latency drawn from a log-normal(0, 0.5) shared by all its requests. Sizes are independent
  // of latencies, so a request's latency is log-normal too and the true p95 is exp(0.5·z_0.95).
  it("covers the true p95 near the nominal 95 % with n_eff, far below it with n", () => {
    const rng = new Rng(20261203);
    const nu = 0.95;
    const truth = Math.exp(0.5 * 1.6448536269514722); // scipy.stats.norm.ppf(0.95)
    let naive = 0;
    let corrected = 0;
    const reps = 400;
    for (let r = 0; r < reps; r++) {
      const values: number[] = [];
      let squares = 0;
      for (let b = 0; b < 400; b++) {
        const m = 1 + rng.int(32);
        const latency = Math.exp(0.5 * rng.normal());
        for (let j = 0; j < m; j++) values.push(latency);
        squares += m * m;
      }
      const sorted = Float64Array.from(values).sort();
      const n = sorted.length;
      const covers = (nEff: number) => {
        const [lo, hi] = quantileIntervalLevels(n, nu, 0.05, nEff);
        const at = (p: number) => sorted[Math.min(n, Math.max(1, Math.ceil(n * p))) - 1];
        return at(lo) <= truth && truth <= at(hi);
      };
      if (covers(n)) naive++;
      if (covers(clusteredEffectiveN(n, squares))) corrected++;
    }
    // binomial SD of a 95 % coverage over 400 runs ≈ 1.1 %
    expect(corrected / reps).toBeGreaterThan(0.92);
    expect(corrected / reps).toBeLessThan(0.98);
    expect(naive / reps).toBeLessThan(0.5);
  });
});
