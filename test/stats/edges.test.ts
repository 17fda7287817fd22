/**
 * Inputs at the edges: impossible sums, negative baselines, zero/all conversions and small counts,
 * large offsets, Benjamini–Hochberg, power of the relative-lift and sequential tests.
 * Expected values and their sources:
 *  - gbstats = GrowthBook packages/stats/tests/frequentist/test_tests.py (values copied with the test name);
 *  - SciPy 1.17.1 on this machine: scipy.stats.fisher_exact(table)[1], binomtest(x, n).proportion_ci(method="wilson"),
 *    false_discovery_control(p) (= R p.adjust "BH");
 *  - Newcombe (1998), Stat. Med. 17:873, Table II, example (a) 56/70 − 48/80, method 10: 0.0524 to 0.3339;
 *  - the rest derived by hand in the test (closed forms named beside them) or by seeded Monte Carlo.
 */
import { describe, expect, it } from "vitest";
import {
  StatsInputError,
  adjustPValues,
  analyzeKpis,
  benjaminiHochbergAdjust,
  combine,
  cupedCompare,
  fisherExactPValue,
  moments,
  newcombeInterval,
  normalQuantile,
  proportion,
  ratio,
  ratioScoreInterval,
  regressionAdjusted,
  relativeLiftMde,
  relativeLiftPower,
  relativeLiftSampleSize,
  sampleMean,
  sequentialCompare,
  sequentialNonInferiority,
  twoProportionZTest,
  welchTTest,
  wilsonInterval,
} from "@/lib/stats";
import { Rng } from "@/lib/recsys/random";
import { gbTreatment } from "./fixtures";

describe("impossible sufficient statistics are refused, naming arm and field", () => {
  it("gbstats test_two_sided_ttest_missing_variance: Σx² < (Σx)²/n is an error, not p = 0", () => {
    // n = 2, Σx = 1396.87, Σx² = 52377.9767 < 1396.87²/2 = 975622.9
    expect(() => welchTTest({ kind: "mean", n: 2, sum: 1396.87, sumSquares: 52377.9767 }, gbTreatment)).toThrow(/control\.sumSquares: .*negative variance/);
    expect(() => welchTTest(gbTreatment, { kind: "mean", n: 2, sum: 1396.87, sumSquares: 52377.9767 })).toThrow(/treatment\.sumSquares/);
  });

  it("ratio and CUPED sums: each second moment and the Cauchy–Schwarz bound on the cross sum", () => {
    expect(() => ratio({ n: 4, sumM: 8, sumD: 20, sumM2: 10, sumD2: 100, sumMD: 40 })).toThrow(/statistic\.sumM2/);
    // exposures 5 each, clicks 2 each (no variance in D) but Σmd disagrees with ΣmΣd/n
    expect(() => ratio({ n: 4, sumM: 8, sumD: 20, sumM2: 16, sumD2: 100, sumMD: 45 })).toThrow(/statistic\.sumMD/);
    const ok = { n: 3, sum: 6, sumSquares: 14, preSum: 3, preSumSquares: 5, sumCross: 8 };
    expect(() => regressionAdjusted(ok)).not.toThrow();
    expect(() => regressionAdjusted({ ...ok, preSumSquares: 2 })).toThrow(/statistic\.preSumSquares/);
    expect(() => regressionAdjusted({ ...ok, sumCross: 20 })).toThrow(/statistic\.sumCross/);
    expect(() => cupedCompare(regressionAdjusted(ok), { kind: "regressionAdjusted", ...ok, sumSquares: 1 })).toThrow(/stats\[1\]\.sumSquares/);
  });

  it("rounding alone is not refused: constant large values summed in double precision", () => {
    const n = 1000;
    let sum = 0,
      sumSquares = 0;
    for (let i = 0; i < n; i++) {
      sum += 123456.7;
      sumSquares += 123456.7 * 123456.7;
    }
    expect(moments(sampleMean(n, sum, sumSquares)).variance).toBeLessThan(1e-3);
    const err = (() => {
      try {
        sampleMean(2, 1396.87, 52377.9767);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StatsInputError);
  });
});

describe("negative baselines divide by |baseline|", () => {
  const control = sampleMean(100, -1000, 100 * 100 + 99 * 4); // mean −10, s² = 4
  const better = sampleMean(100, -500, 25 * 100 + 99 * 4); // mean −5, s² = 4

  it("−10 → −5 is a +50 % lift, with the delta-method SE of the mirrored positive case", () => {
    const r = welchTTest(control, better, { difference: "relative" });
    expect(r.estimate).toBeCloseTo(0.5, 12);
    // mirrored 10 → 15: lift 0.5, same variance V_B/μ_A² + μ_B²V_A/μ_A⁴ with μ_B = −5 vs 15? no: the
    // gradient depends on μ_B/μ_A = 0.5 here, so compare with the hand formula directly
    const vA = 4 / 100,
      vB = 4 / 100;
    expect(r.standardError).toBeCloseTo(Math.sqrt(vB / 100 + (25 * vA) / 10000), 12);
    expect(r.ci[0]).toBeGreaterThan(0);
  });

  it("sequentialNonInferiority calls the improvement non-inferior (it said inferior when dividing by −10)", () => {
    const ni = sequentialNonInferiority(moments(control), moments(better), { margin: 0.02, direction: "higherIsBetter" });
    expect(ni.sequential.estimate).toBeCloseTo(0.5, 12);
    expect(ni.decision).toBe("non-inferior");
    const worse = sampleMean(100, -1500, 225 * 100 + 99 * 4); // −10 → −15
    expect(sequentialNonInferiority(moments(control), moments(worse), { margin: 0.02, direction: "higherIsBetter" }).decision).toBe("inferior");
  });
});

describe("zero/all conversions and small counts: exact test and score intervals", () => {
  it("0/1000 vs 5/1000 is not significant: Fisher p = 0.0621875785163488 (SciPy), Wald said 0.025", () => {
    const r = twoProportionZTest(proportion(1000, 0), proportion(1000, 5));
    expect(r.pValue).toBeCloseTo(0.0621875785163488, 10);
    expect(r.method).toMatch(/Fisher/);
    expect(r.degenerate).toBeUndefined();
    // Newcombe from the SciPy Wilson limits: 0.005 − √((0.005 − 0.0021375)² + 0.0038268²) = 0.000221 and
    // 0.005 + √((0.0116510 − 0.005)² + 0²) = 0.011651. The interval is not the inversion of Fisher's
    // test, so near the boundary the two can disagree (as the Wald pair did): the p-value decides.
    expect(r.ci[0]).toBeCloseTo(0.005 - Math.hypot(0.005 - 0.0021375355273244604, 0.0038267584855551234), 12);
    expect(r.ci[1]).toBeCloseTo(0.011650955373375113, 12);
    // and through the KPI analysis
    const [k] = analyzeKpis([{ name: "conversion", control: proportion(1000, 0), treatment: proportion(1000, 5) }]);
    expect(k.absolute.pValue).toBeCloseTo(0.0621875785163488, 10);
    expect(k.relative.degenerate).toMatch(/relative lift undefined/);
    expect(k.relative.pValue).toBeNull();
  });

  it("Fisher's exact p matches SciPy on small tables", () => {
    expect(fisherExactPValue(proportion(100, 3), proportion(100, 11))).toBeCloseTo(0.048917730543265044, 10);
    expect(fisherExactPValue(proportion(20, 1), proportion(20, 7))).toBeCloseTo(0.04359604359604359, 10);
    expect(fisherExactPValue(proportion(70, 56), proportion(80, 48))).toBeCloseTo(0.012521129749209154, 10);
    expect(twoProportionZTest(proportion(20, 1), proportion(20, 7)).method).toMatch(/Fisher/);
  });

  it("Wilson intervals match SciPy; Newcombe's interval matches Newcombe (1998) example (a)", () => {
    expect(wilsonInterval(0, 1000)[1]).toBeCloseTo(0.0038267584855551234, 12);
    expect(wilsonInterval(5, 1000)[0]).toBeCloseTo(0.0021375355273244604, 12);
    expect(wilsonInterval(5, 1000)[1]).toBeCloseTo(0.011650955373375113, 12);
    expect(wilsonInterval(10, 10)[0]).toBeCloseTo(0.7224672001371109, 12);
    const [lo, hi] = newcombeInterval(proportion(80, 48), proportion(70, 56));
    expect(lo).toBeCloseTo(0.0524, 4);
    expect(hi).toBeCloseTo(0.3339, 4);
  });

  it("no conversions in either arm: degenerate, no p-value, but the interval still bounds the effect", () => {
    const r = twoProportionZTest(proportion(500, 0), proportion(400, 0));
    expect(r.degenerate).toMatch(/no successes/);
    expect(r.pValue).toBeNull();
    expect(r.ci[0]).toBeCloseTo(-wilsonInterval(0, 500)[1], 12);
    expect(r.ci[1]).toBeCloseTo(wilsonInterval(0, 400)[1], 12);
    const all = twoProportionZTest(proportion(50, 50), proportion(40, 40));
    expect(all.degenerate).toMatch(/only successes/);
    expect(all.pValue).toBeNull();
  });

  it("Koopman's ratio interval: the score is ±z at its bounds, lower bound 0 (lift −100 %) when the treatment has none", () => {
    const z = normalQuantile(0.975);
    const [lo, hi] = ratioScoreInterval(proportion(200, 12), proportion(220, 4)) as [number, number];
    // score statistic at φ, written out independently (restricted MLE by direct maximisation)
    const score = (phi: number) => {
      const [x2, n2, x1, n1] = [12, 200, 4, 220];
      let best = 0,
        bestLl = -Infinity;
      for (let i = 1; i < 200000; i++) {
        const p2 = (i / 200000) * Math.min(1, 1 / phi);
        const p1 = phi * p2;
        if (p1 >= 1) break;
        const ll = x1 * Math.log(p1) + (n1 - x1) * Math.log(1 - p1) + x2 * Math.log(p2) + (n2 - x2) * Math.log(1 - p2);
        if (ll > bestLl) [bestLl, best] = [ll, p2];
      }
      const p1t = phi * best;
      return (x1 / n1 - phi * (x2 / n2)) / Math.sqrt((p1t * (1 - p1t)) / n1 + (phi * phi * best * (1 - best)) / n2);
    };
    expect(score(lo + 1)).toBeCloseTo(z, 2);
    expect(score(hi + 1)).toBeCloseTo(-z, 2);
    const none = ratioScoreInterval(proportion(200, 12), proportion(220, 0)) as [number, number];
    expect(none[0]).toBeCloseTo(-1, 12);
    expect(none[1]).toBeGreaterThan(-1);
    expect(ratioScoreInterval(proportion(200, 0), proportion(220, 3))).toBeNull();
    const rel = twoProportionZTest(proportion(200, 12), proportion(220, 0), { difference: "relative" });
    expect(rel.estimate).toBe(-1);
    expect(rel.ci[0]).toBeCloseTo(-1, 12);
  });

  it("large counts keep the usual z-test (SciPy chi2_contingency fixture unchanged)", () => {
    const r = twoProportionZTest(proportion(1000, 200), proportion(1000, 240));
    expect(r.method).toBeUndefined();
    expect(r.pValue).toBeCloseTo(0.030837167828904243, 12);
  });
});

describe("large offsets: shifted sums keep the variance", () => {
  it("values ≈ 1e9 with unit spread: the shifted sums give the two-pass variance", () => {
    const rng = new Rng(99);
    const xs = Array.from({ length: 10_000 }, () => 1e9 + rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const twoPass = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
    const K = xs[0];
    const shifted = sampleMean(
      xs.length,
      xs.reduce((a, b) => a + (b - K), 0),
      xs.reduce((a, b) => a + (b - K) ** 2, 0),
    );
    const m = moments({ ...shifted, shift: K });
    expect(Math.abs(m.mean - mean)).toBeLessThan(1e-4); // the naive mean itself carries ~1e-5 of rounding
    expect(m.variance / twoPass).toBeCloseTo(1, 9);
    // unshifted, the same data lose the variance to cancellation (off by orders of magnitude, or clamped)
    const raw = { kind: "mean" as const, n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSquares: xs.reduce((a, b) => a + b * b, 0) };
    let rawVariance: number | null = null;
    try {
      rawVariance = moments(raw).variance;
    } catch {
      rawVariance = null; // refused as impossible: also not the variance
    }
    expect(rawVariance === null || Math.abs(rawVariance / twoPass - 1) > 0.1).toBe(true);
  });

  it("shifted CUPED statistics give the same adjustment as unshifted ones on moderate data", () => {
    const rng = new Rng(5);
    const rows = (lift: number) =>
      Array.from({ length: 500 }, () => {
        const x = 50 + 5 * rng.normal();
        return { x, y: x + rng.normal() + lift };
      });
    const stat = (r: { x: number; y: number }[], ky: number, kx: number) =>
      regressionAdjusted({
        n: r.length,
        sum: r.reduce((a, v) => a + v.y - ky, 0),
        sumSquares: r.reduce((a, v) => a + (v.y - ky) ** 2, 0),
        preSum: r.reduce((a, v) => a + v.x - kx, 0),
        preSumSquares: r.reduce((a, v) => a + (v.x - kx) ** 2, 0),
        sumCross: r.reduce((a, v) => a + (v.x - kx) * (v.y - ky), 0),
        shift: ky,
        preShift: kx,
      });
    const a = rows(0),
      b = rows(1);
    const plain = cupedCompare(stat(a, 0, 0), stat(b, 0, 0), { difference: "relative" });
    const shifted = cupedCompare(stat(a, 48, 47), stat(b, 48, 47), { difference: "relative" });
    expect(shifted.estimate).toBeCloseTo(plain.estimate, 10);
    expect(shifted.standardError).toBeCloseTo(plain.standardError, 10);
    expect(() => cupedCompare(stat(a, 48, 47), stat(b, 0, 0))).toThrow(/stats\[1\]\.shift/);
  });

  it("combine refuses sums taken with different shifts", () => {
    expect(() => combine({ ...sampleMean(2, 1, 1), shift: 5 }, { ...sampleMean(2, 1, 1), shift: 6 })).toThrow(/shift/);
    expect(combine({ ...sampleMean(2, 1, 1), shift: 5 }, { ...sampleMean(3, 1, 1), shift: 5 })).toEqual({
      kind: "mean",
      n: 5,
      sum: 2,
      sumSquares: 2,
      shift: 5,
    });
  });
});

describe("Benjamini–Hochberg beside Holm", () => {
  it("matches SciPy false_discovery_control (= R p.adjust BH)", () => {
    expect(benjaminiHochbergAdjust([0.01, 0.04, 0.03, 0.005, 0.5]).map((p) => +p.toFixed(12))).toEqual([0.025, 0.05, 0.05, 0.025, 0.5]);
    const p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];
    const expected = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.1057142857142857, 0.216, 0.216, 0.216];
    benjaminiHochbergAdjust(p).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it("untestable comparisons stay null and do not count towards m; analyzeKpis takes the option", () => {
    expect(adjustPValues([0.01, null, 0.04], "benjamini-hochberg")).toEqual([0.02, null, 0.04]);
    expect(adjustPValues([0.01, null, 0.04], "holm")).toEqual([0.02, null, 0.04]);
    const kpis = [
      { name: "a", control: proportion(1000, 200), treatment: proportion(1000, 240) },
      { name: "b", control: proportion(1000, 200), treatment: proportion(1000, 236) },
    ];
    const holm = analyzeKpis(kpis);
    const bh = analyzeKpis(kpis, { multipleTesting: "benjamini-hochberg" });
    const raw = holm.map((k) => k.relative.pValue as number);
    expect(bh.map((k) => k.adjustedPValue)).toEqual(benjaminiHochbergAdjust(raw));
    expect(bh[0].adjustedPValue as number).toBeLessThanOrEqual(holm[0].adjustedPValue as number);
    expect(() => adjustPValues([0.1], "bonferroni" as never)).toThrow(/method/);
  });
});

describe("power and MDE for the relative lift the report tests", () => {
  const z = (q: number) => normalQuantile(q);

  it("fixed horizon: sample size equals the closed form n = (z_{1−α/2} + z_β)² c/ℓ²", () => {
    // proportion 0.1 → 0.11 (ℓ = 0.1): c = p₂q₂/p₁² + p₂²p₁q₁/p₁⁴
    const p1 = 0.1,
      p2 = 0.11,
      l = 0.1;
    const c = (p2 * (1 - p2)) / (p1 * p1) + (p2 * p2 * p1 * (1 - p1)) / p1 ** 4;
    const n = ((z(0.975) + z(0.8)) ** 2 * c) / (l * l);
    const r = relativeLiftSampleSize({ metric: { kind: "proportion", baseline: 0.1 }, mde: 0.1 });
    expect(r.exactNControl / n).toBeCloseTo(1, 6);
    expect(relativeLiftPower({ metric: { kind: "proportion", baseline: 0.1 }, mde: 0.1, nControl: n })).toBeCloseTo(0.8, 6);
    expect(relativeLiftMde({ metric: { kind: "proportion", baseline: 0.1 }, nControl: n })).toBeCloseTo(0.1, 6);
  });

  it("sequential designs need more units than fixed ones for the same power", () => {
    const metric = { kind: "mean" as const, baselineMean: 20, sd: 10 };
    const fixed = relativeLiftSampleSize({ metric, mde: 0.05 });
    const seq = relativeLiftSampleSize({ metric, mde: 0.05, test: "sequential", tuningN: 2 * fixed.nControl });
    expect(seq.nControl).toBeGreaterThan(fixed.nControl * 1.3);
    expect(relativeLiftMde({ metric, nControl: fixed.nControl, test: "sequential", tuningN: 2 * fixed.nControl })).toBeGreaterThan(0.05);
    expect(() => relativeLiftSampleSize({ metric, mde: 0 })).toThrow(/mde/);
    expect(() => relativeLiftSampleSize({ metric: { kind: "proportion", baseline: 1.2 }, mde: 0.1 })).toThrow(/metric\.baseline/);
  });

  it("Monte Carlo: the predicted power is what the report's tests reject at (fixed and sequential, seeded)", () => {
    const rng = new Rng(31337);
    const metric = { kind: "mean" as const, baselineMean: 20, sd: 10 };
    const mde = 0.05;
    const fixedN = relativeLiftSampleSize({ metric, mde, power: 0.8 }).nControl;
    const tuningN = 2 * fixedN;
    const seqN = relativeLiftSampleSize({ metric, mde, power: 0.8, test: "sequential", tuningN }).nControl;
    const sims = 800;
    let fixedHits = 0,
      seqHits = 0;
    const draw = (n: number, mu: number) => {
      let s = 0,
        ss = 0;
      for (let i = 0; i < n; i++) {
        const v = mu + 10 * rng.normal();
        s += v;
        ss += v * v;
      }
      return sampleMean(n, s, ss);
    };
    for (let i = 0; i < sims; i++) {
      if ((welchTTest(draw(fixedN, 20), draw(fixedN, 21), { difference: "relative" }).pValue as number) < 0.05) fixedHits++;
      const seq = sequentialCompare(moments(draw(seqN, 20)), moments(draw(seqN, 21)), { difference: "relative", tuningN });
      if ((seq.pValue as number) < 0.05) seqHits++;
    }
    // binomial SD at 0.8 over 800 draws ≈ 0.014
    expect(fixedHits / sims).toBeGreaterThan(0.75);
    expect(fixedHits / sims).toBeLessThan(0.85);
    expect(seqHits / sims).toBeGreaterThan(0.75);
    expect(seqHits / sims).toBeLessThan(0.85);
  });
});

describe("gbstats fixtures kept", () => {
  it("gbstats test_sequential_test_runs_ra: CUPED relative sequential (θ ≈ 0 here: the sums carry no real covariance)", () => {
    const a = regressionAdjusted({ n: 3000, sum: 1396.87, sumSquares: 52377.9767, preSum: 16.87, preSumSquares: 527.9767, sumCross: 1 });
    const b = regressionAdjusted({ n: 3461, sum: 2422.7, sumSquares: 134698.29, preSum: 22.7, preSumSquares: 1348.29, sumCross: 1 });
    const [k] = analyzeKpis([{ name: "ra", control: a, treatment: b }]);
    // expected=0.50338, ci=(-0.50969, 1.51646), stddev 0.33341
    expect(k.sequential.estimate).toBeCloseTo(0.50338, 3);
    expect(k.sequential.standardError).toBeCloseTo(0.33341, 3);
    expect(k.sequential.ci[0]).toBeCloseTo(-0.50969, 2);
    expect(k.sequential.ci[1]).toBeCloseTo(1.51646, 2);
  });
});
