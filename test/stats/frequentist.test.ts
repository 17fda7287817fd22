/**
 * Fixed-horizon tests against independently obtained references:
 *  - R's t.test output published at https://stats.stackexchange.com (Welch example, quoted on
 *    boxhoidap.com "welchs t-test confidence interval python"): t = -1.8325, df = 17.9,
 *    p = 0.08356, 95% CI (-2.1469104, 0.1469104) for ts1 − ts2;
 *  - GrowthBook gbstats' own unit tests (packages/stats/tests/frequentist/test_tests.py), numbers
 *    rounded to 5 decimals there;
 *  - SciPy 1.17.1 (`python3 test/stats/references/tests.py`, the relevant call noted at each block).
 */
import { describe, expect, it } from "vitest";
import { StatsInputError, compare, proportion, ratio, ratioMoments, ratioTest, sampleMean, twoProportionZTest, welchTTest } from "@/lib/stats";
import { expectGbstats, gbControl, gbTreatment } from "./fixtures";

function meanStat(values: number[]) {
  return sampleMean(
    values.length,
    values.reduce((s, v) => s + v, 0),
    values.reduce((s, v) => s + v * v, 0),
  );
}

describe("Welch's t-test", () => {
  const ts1 = [11, 9, 10, 11, 10, 12, 9, 11, 12, 9];
  const ts2 = [11, 13, 10, 13, 12, 9, 11, 12, 12, 11];

  it("matches R's t.test(ts1, ts2) as published (4–7 significant digits)", () => {
    const r = welchTTest(meanStat(ts1), meanStat(ts2)); // treatment − control = ts2 − ts1: signs flip vs R
    expect(r.estimate).toBeCloseTo(1.0, 12);
    expect(r.statistic).toBeCloseTo(1.8325, 4);
    expect(r.df).toBeCloseTo(17.9, 1);
    expect(r.pValue).toBeCloseTo(0.08356, 5);
    expect(r.ci[0]).toBeCloseTo(-0.1469104, 7);
    expect(r.ci[1]).toBeCloseTo(2.1469104, 7);
  });

  it("matches scipy.stats.ttest_ind(ts2, ts1, equal_var=False) to 1e-12", () => {
    // r = s.ttest_ind(ts2, ts1, equal_var=False); r.confidence_interval(0.95)
    const r = welchTTest(meanStat(ts1), meanStat(ts2));
    expect(r.statistic).toBeCloseTo(1.8325416653445783, 12);
    expect(r.pValue).toBeCloseTo(0.08355979161922325, 12);
    expect(r.df).toBeCloseTo(17.900310146211787, 10);
    expect(r.ci[0]).toBeCloseTo(-0.14691036610463426, 12);
    expect(r.ci[1]).toBeCloseTo(2.1469103661046343, 12);
  });

  it("absolute difference matches GrowthBook's test_two_sided_ttest_absolute", () => {
    // expected=0.29, ci=(0.04538, 0.53462), stddev 0.12478, pValue 0.02016
    const r = welchTTest(gbControl, gbTreatment);
    expectGbstats(r, { estimate: 0.29, ci: [0.04538, 0.53462], standardError: 0.12478, pValue: 0.02016 });
  });

  it("relative lift (delta method) matches GrowthBook's test_two_sided_ttest", () => {
    // expected=0.70732, ci=(-0.03526, 1.44989), stddev 0.37879, pValue 0.06191
    const r = welchTTest(gbControl, gbTreatment, { difference: "relative" });
    expectGbstats(r, { estimate: 0.70732, ci: [-0.03526, 1.44989], standardError: 0.37879, pValue: 0.06191 });
  });

  it("reports degenerate inputs instead of inventing precision", () => {
    const r = welchTTest(sampleMean(1, 5, 25), gbTreatment);
    expect(r.degenerate).toMatch(/at least 2 units/);
    expect(r.pValue).toBeNull();
    expect(r.ci).toEqual([-Infinity, Infinity]);
    const constant = welchTTest(meanStat([3, 3, 3]), meanStat([3, 3, 3, 3]));
    expect(constant.degenerate).toMatch(/zero variance/);
    const zeroControl = welchTTest(meanStat([0, 0, 0]), meanStat([1, 2, 3]), { difference: "relative" });
    expect(zeroControl.degenerate).toMatch(/control mean is 0/);
  });
});

describe("two-proportion z-test", () => {
  // chi2, p = s.chi2_contingency([[xa, na-xa], [xb, nb-xb]], correction=False)[:2]; z = sign·√chi2
  // CI: Wald unpooled, computed in Python with s.norm.ppf(0.975)
  const cases = [
    { xa: 200, na: 1000, xb: 240, nb: 1000, z: 2.1591675854376526, p: 0.030837167828904243, lo: 0.003732721356494502, hi: 0.07626727864350547 },
    { xa: 14, na: 28, xb: 16, nb: 30, z: 0.25385910352879676, p: 0.7996044106165794, lo: -0.22389928523783986, hi: 0.2905659519045065 },
    { xa: 1320, na: 10000, xb: 1405, nb: 10050, z: 1.6116485631637878, p: 0.10703843660121916, lo: -0.0016847929969357033, hi: 0.017286783046686918 },
  ];
  it.each(cases)("$xa/$na vs $xb/$nb: pooled z, p and unpooled CI match SciPy to 1e-12", (c) => {
    const r = twoProportionZTest(proportion(c.na, c.xa), proportion(c.nb, c.xb));
    expect(r.statistic).toBeCloseTo(c.z, 12);
    expect(r.pValue).toBeCloseTo(c.p, 12);
    expect(r.ci[0]).toBeCloseTo(c.lo, 12);
    expect(r.ci[1]).toBeCloseTo(c.hi, 12);
    expect(r.estimate).toBeCloseTo(c.xb / c.nb - c.xa / c.na, 14);
    expect(r.pooledProportion).toBeCloseTo((c.xa + c.xb) / (c.na + c.nb), 14);
  });

  it("pooled statistic is smaller in magnitude than the unpooled one when arms differ (documented pairing)", () => {
    const r = twoProportionZTest(proportion(1000, 200), proportion(1000, 240));
    expect(Math.abs(r.statistic)).toBeLessThan(Math.abs(r.estimate / r.standardError));
  });

  it("relative lift with t reference matches GrowthBook's test_two_sided_ttest_binom", () => {
    // 14/28 vs 16/30: expected 0.06667, ci=(-0.47767, 0.61101), stddev 0.2717, pValue 0.80707
    const r = compare(proportion(28, 14), proportion(30, 16), { difference: "relative", distribution: "t" });
    expectGbstats(r, { estimate: 0.06667, ci: [-0.47767, 0.61101] });
    expect(r.standardError).toBeCloseTo(0.2717, 4);
    expect(r.pValue).toBeCloseTo(0.80707, 5);
  });

  it("all-zero or all-one arms are degenerate, not significant", () => {
    const r = twoProportionZTest(proportion(500, 0), proportion(400, 0));
    expect(r.degenerate).toBeDefined();
    expect(r.pValue).toBeNull();
  });

  it("rejects impossible counts naming the field", () => {
    expect(() => proportion(10, 11)).toThrow(StatsInputError);
    expect(() => twoProportionZTest({ kind: "proportion", n: 10, sum: 3 }, { kind: "proportion", n: -1, sum: 0 })).toThrow(/treatment\.n/);
  });
});

describe("ratio metric via the delta method (CTR clustered by user)", () => {
  // Per-user (clicks, exposures) generated in test/stats/references/tests.py (numpy seed 20261128); sums below are
  // what a GROUP BY variant returns. Reference variance = var(linearised unit values, ddof=1)/n,
  // computed from the rows: lin_i = (m_i − r·d_i)/d̄.
  const control = ratio({ n: 1500, sumM: 775, sumD: 7551, sumM2: 1283, sumD2: 44013, sumMD: 4547 });
  const treatment = ratio({ n: 1480, sumM: 833, sumD: 7335, sumM2: 1535, sumD2: 42023, sumMD: 4810 });

  it("per-arm ratio and variance match the row-level linearisation to 1e-12 relative", () => {
    const a = ratioMoments(control);
    const b = ratioMoments(treatment);
    expect(a.mean).toBeCloseTo(0.10263541252814197, 15);
    expect(b.mean).toBeCloseTo(0.11356509884117245, 15);
    expect(a.varianceOfMean / 1.4272965795653487e-5).toBeCloseTo(1, 12);
    expect(b.varianceOfMean / 1.8310420196631483e-5).toBeCloseTo(1, 12);
  });

  it("clustered variance exceeds the naive exposure-level binomial variance for correlated clicks", () => {
    // naive r(1−r)/ΣD from the same script: 1.2197e-05 and 1.3724e-05
    expect(ratioMoments(control).varianceOfMean).toBeGreaterThan(1.2197243361583908e-5);
    expect(ratioMoments(treatment).varianceOfMean).toBeGreaterThan(1.372434453529205e-5);
  });

  it("z-test on the difference matches the reference (SciPy normal) to 1e-10", () => {
    // diff 0.010929686313030484, se 0.005708185875765169, z 1.9147390345913333, p 0.05552579283942513
    const r = ratioTest(control, treatment);
    expect(r.estimate).toBeCloseTo(0.010929686313030484, 14);
    expect(r.standardError).toBeCloseTo(0.005708185875765169, 12);
    expect(r.statistic).toBeCloseTo(1.9147390345913333, 10);
    expect(r.pValue).toBeCloseTo(0.05552579283942513, 10);
    expect(r.ci[0]).toBeCloseTo(-0.00025815242052947343, 12);
    expect(r.ci[1]).toBeCloseTo(0.022117525046590442, 12);
    expect(r.df).toBeNull();
  });

  it("relative lift of a ratio uses the same delta method on the two ratios", () => {
    const r = ratioTest(control, treatment, { difference: "relative" });
    const a = ratioMoments(control);
    const b = ratioMoments(treatment);
    expect(r.estimate).toBeCloseTo(b.mean / a.mean - 1, 14);
    const v = b.varianceOfMean / a.mean ** 2 + (b.mean ** 2 * a.varianceOfMean) / a.mean ** 4;
    expect(r.standardError).toBeCloseTo(Math.sqrt(v), 14);
  });

  it("zero exposures give a degenerate comparison", () => {
    const empty = ratio({ n: 5, sumM: 0, sumD: 0, sumM2: 0, sumD2: 0, sumMD: 0 });
    expect(ratioTest(empty, treatment).degenerate).toBeDefined();
  });

  it("refuses to compare statistics of different kinds", () => {
    expect(() => compare(control, proportion(10, 1))).toThrow(/treatment\.kind/);
  });
});
