/**
 * Sequential (mSPRT) inference. References:
 *  - GrowthBook gbstats' unit tests (packages/stats/tests/frequentist/test_tests.py,
 *    TestSequentialTTest), 5-decimal values;
 *  - the defining identities of the normal-mixture mSPRT (Johari et al. 2017): the confidence
 *    sequence is exactly {θ₀ : p(θ₀) ≥ α};
 *  - a seeded A/A simulation showing what the method is for: continuous peeking keeps the
 *    false-positive rate ≤ α, while a fixed-horizon test peeked at as often does not.
 */
import { describe, expect, it } from "vitest";
import {
  accumulateAlwaysValid,
  compareMoments,
  moments,
  msprtLikelihoodRatio,
  nonInferiorityDecision,
  proportion,
  sampleMean,
  sequentialCompare,
  sequentialNonInferiority,
  sequentialRho2,
  type Moments,
} from "@/lib/stats";
import { expectGbstats } from "./fixtures";

describe("mSPRT confidence sequences and always-valid p-values", () => {
  const a = moments(sampleMean(3000, 1396.87, 52377.9767));
  const b = moments(sampleMean(3461, 2422.7, 134698.29));

  it("matches GrowthBook test_sequential_test_runs (relative, tuning 1000)", () => {
    // expected=0.50336, ci=(-0.55844, 1.56516), stddev 0.33341, pValue 1
    const r = sequentialCompare(a, b, { difference: "relative", tuningN: 1000 });
    expectGbstats(r, { estimate: 0.50336, ci: [-0.55844, 1.56516], standardError: 0.33341 });
    expect(r.pValue).toBe(1);
  });

  it("matches GrowthBook test_sequential_test_runs_prop (relative, default tuning 5000)", () => {
    // 1396/3000 vs 2422/3461: expected=0.50386, ci=(0.40098, 0.60675), stddev 0.03386, pValue 0.0
    const r = sequentialCompare(moments(proportion(3000, 1396)), moments(proportion(3461, 2422)), { difference: "relative" });
    expectGbstats(r, { estimate: 0.50386, ci: [0.40098, 0.60675], standardError: 0.03386, pValue: 0 });
  });

  it("is wider than the fixed-horizon CI and tightest when n is near the tuning value (GrowthBook tuning test)", () => {
    const fixed = compareMoments(a, b, { difference: "relative", distribution: "normal" });
    const width = (t: number) => {
      const r = sequentialCompare(a, b, { difference: "relative", tuningN: t });
      return r.ci[1] - r.ci[0];
    };
    expect(width(6461)).toBeGreaterThan(fixed.ci[1] - fixed.ci[0]);
    expect(width(6461)).toBeLessThan(width(10));
    expect(width(6461)).toBeLessThan(width(10000));
    expect(width(10000)).toBeLessThan(width(10));
  });

  it("CS endpoints are exactly where the always-valid p-value crosses alpha", () => {
    const r = sequentialCompare(a, b, { difference: "absolute", alpha: 0.05 });
    const v = r.standardError ** 2;
    for (const end of r.ci) {
      const lr = msprtLikelihoodRatio(r.estimate, v, r.tau2, end);
      expect(1 / lr).toBeCloseTo(0.05, 10);
    }
    const inside = msprtLikelihoodRatio(r.estimate, v, r.tau2, (r.ci[0] + r.ci[1]) / 2);
    expect(1 / inside).toBeGreaterThan(0.05);
  });

  it("tau² from the tuning parameter is σ²·ρ² with ρ² = (−2 ln α + ln(1 − 2 ln α))/N*", () => {
    const rho2 = sequentialRho2(0.05, 5000);
    expect(rho2).toBeCloseTo((-2 * Math.log(0.05) + Math.log(1 - 2 * Math.log(0.05))) / 5000, 15);
    const r = sequentialCompare(a, b, { tuningN: 5000 });
    expect(r.tau2).toBeCloseTo((a.n + b.n) * r.standardError ** 2 * rho2, 15);
    const fixedTau = sequentialCompare(a, b, { tau2: 0.01 });
    expect(fixedTau.tau2).toBe(0.01);
  });

  it("accumulates the running minimum p and the intersection of sequences", () => {
    const s1 = accumulateAlwaysValid(null, { pValue: 0.4, ci: [-1, 2] });
    const s2 = accumulateAlwaysValid(s1, { pValue: 0.6, ci: [-0.5, 3] });
    expect(s2).toEqual({ pValue: 0.4, ci: [-0.5, 2] });
    expect(accumulateAlwaysValid(s2, { pValue: 0.9, ci: [5, 6] }).ci).toEqual([5, 6]); // disjoint: keep current
  });

  it("controls the false-positive rate under continuous peeking; the fixed-horizon test does not", () => {
    // Seeded A/A simulation: 300 experiments, 60 looks each (every 100 users per arm), normal data.
    let seed = 0x9e3779b9;
    const uniform = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    const experiments = 300;
    let sequentialFalse = 0;
    let peekingFalse = 0;
    for (let e = 0; e < experiments; e++) {
      const arms = [
        { n: 0, sum: 0, sumSquares: 0 },
        { n: 0, sum: 0, sumSquares: 0 },
      ];
      let seqHit = false;
      let peekHit = false;
      for (let look = 0; look < 60; look++) {
        for (const arm of arms) {
          for (let i = 0; i < 100; i++) {
            const x = 10 + 3 * gaussian();
            arm.n++;
            arm.sum += x;
            arm.sumSquares += x * x;
          }
        }
        const [ma, mb]: Moments[] = arms.map((s) => moments(sampleMean(s.n, s.sum, s.sumSquares)));
        if ((sequentialCompare(ma, mb, { tuningN: 6000 }).pValue ?? 1) < 0.05) seqHit = true;
        if ((compareMoments(ma, mb).pValue ?? 1) < 0.05) peekHit = true;
      }
      if (seqHit) sequentialFalse++;
      if (peekHit) peekingFalse++;
    }
    expect(sequentialFalse / experiments).toBeLessThanOrEqual(0.05);
    expect(peekingFalse / experiments).toBeGreaterThan(0.15);
  });

  it("degenerate inputs give an infinite sequence and no p-value", () => {
    const r = sequentialCompare(moments(sampleMean(1, 1, 1)), b);
    expect(r.degenerate).toBeDefined();
    expect(r.pValue).toBeNull();
    expect(nonInferiorityDecision(r.ci, 0.02, "higherIsBetter")).toBe("inconclusive");
  });

  it("rejects a non-positive tau² and hand-built Moments with impossible values", () => {
    expect(() => sequentialCompare(a, b, { tau2: 0 })).toThrow(/tau2/);
    expect(() => sequentialCompare({ ...a, varianceOfMean: Number.NaN }, b)).toThrow(/control\.varianceOfMean/);
    expect(() => compareMoments(a, { ...b, n: -3 })).toThrow(/treatment\.n/);
  });
});

describe("non-inferiority decisions", () => {
  it("higher is better: compares the lower bound with −margin", () => {
    expect(nonInferiorityDecision([-0.01, 0.03], 0.02, "higherIsBetter")).toBe("non-inferior");
    expect(nonInferiorityDecision([-0.05, 0.03], 0.02, "higherIsBetter")).toBe("inconclusive");
    expect(nonInferiorityDecision([-0.08, -0.03], 0.02, "higherIsBetter")).toBe("inferior");
  });

  it("lower is better: compares the upper bound with +margin", () => {
    expect(nonInferiorityDecision([-0.03, 0.01], 0.02, "lowerIsBetter")).toBe("non-inferior");
    expect(nonInferiorityDecision([-0.03, 0.05], 0.02, "lowerIsBetter")).toBe("inconclusive");
    expect(nonInferiorityDecision([0.03, 0.09], 0.02, "lowerIsBetter")).toBe("inferior");
  });

  it("zero margin is a superiority-style check; bad margins are refused", () => {
    expect(nonInferiorityDecision([0.001, 0.02], 0, "higherIsBetter")).toBe("non-inferior");
    expect(() => nonInferiorityDecision([0, 1], -0.02, "higherIsBetter")).toThrow(/margin/);
    expect(() => nonInferiorityDecision([1, 0], 0.02, "higherIsBetter")).toThrow(/ci/);
  });

  it("sequentially: a student 1 % worse on CTR passes a 2 % margin once data suffice; 2 % worse fails a 0.5 % one", () => {
    // 4M users per arm: control CTR 10 %, candidate 9.9 % (−1 % relative). Always-valid relative
    // CI ≈ −1 % ± 0.7 % here, so the lower bound clears −2 %.
    const control = moments(proportion(4_000_000, 400_000));
    const candidate = moments(proportion(4_000_000, 396_000));
    const ok = sequentialNonInferiority(control, candidate, { margin: 0.02, direction: "higherIsBetter", tuningN: 8_000_000 });
    expect(ok.decision).toBe("non-inferior");
    expect(ok.sequential.ci[0]).toBeGreaterThan(-0.02);
    const worse = moments(proportion(4_000_000, 392_000)); // −2 %
    const strict = sequentialNonInferiority(control, worse, { margin: 0.005, direction: "higherIsBetter", tuningN: 8_000_000 });
    expect(strict.decision).toBe("inferior");
    const small = sequentialNonInferiority(moments(proportion(2000, 200)), moments(proportion(2000, 198)), {
      margin: 0.02,
      direction: "higherIsBetter",
    });
    expect(small.decision).toBe("inconclusive");
  });

  it("absolute margins work on the absolute difference (e.g. latency in ms, lower is better)", () => {
    const control = moments(sampleMean(10_000, 10_000 * 12, 10_000 * (12 * 12 + 4)));
    const candidate = moments(sampleMean(10_000, 10_000 * 12.1, 10_000 * (12.1 * 12.1 + 4)));
    const r = sequentialNonInferiority(control, candidate, { margin: 0.5, marginType: "absolute", direction: "lowerIsBetter" });
    expect(r.sequential.difference).toBe("absolute");
    expect(r.decision).toBe("non-inferior");
  });
});
