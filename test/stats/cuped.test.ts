/**
 * CUPED from sufficient statistics vs the same computation done on the raw rows with NumPy/SciPy.
 * Rows: test/stats/references/tests.py section "== CUPED" (numpy seed 4242; x ~ Gamma(2, 2), y = 2 + 0.8x + N(0, 1.5²)
 * + 0.3 in treatment). Reference θ = np.cov(y, x)[0,1]/np.var(x, ddof=1) over both arms, adjusted
 * rows a = y − θ(x − x̄), then scipy.stats.ttest_ind(a_B, a_A, equal_var=False) — a Welch test on
 * adjusted rows is what a CUPED comparison from sums must equal.
 */
import { describe, expect, it } from "vitest";
import { cupedAdjust, cupedCompare, cupedTheta, regressionAdjusted, welchTTest, sampleMean } from "@/lib/stats";
import { cupedControl as control, cupedTreatment as treatment } from "./fixtures";

describe("CUPED", () => {
  it("θ pooled across variants and the centring mean match NumPy to 1e-12", () => {
    expect(cupedTheta([control, treatment])).toBeCloseTo(0.79638475455039, 12);
    expect(cupedAdjust([control, treatment]).center).toBeCloseTo(4.033276628127627, 12);
  });

  it("adjusted means and variances of the means match the row-level computation", () => {
    const adj = cupedAdjust([control, treatment]);
    expect(adj.adjusted[0].mean).toBeCloseTo(5.1350831078569925, 11);
    expect(adj.adjusted[1].mean).toBeCloseTo(5.521911056532834, 11);
    expect(adj.adjusted[0].varianceOfMean / 0.004168000401379572).toBeCloseTo(1, 9);
    expect(adj.adjusted[1].varianceOfMean / 0.004208608172887706).toBeCloseTo(1, 9);
    expect(adj.unadjusted[0].varianceOfMean / 0.015268693402598961).toBeCloseTo(1, 11);
    // variance reduction ≈ 1 − 0.00417/0.01527 ≈ 73 %
    expect(adj.varianceReduction[0]).toBeGreaterThan(0.7);
  });

  it("adjusted comparison equals Welch's test on adjusted rows (SciPy) to 1e-9", () => {
    // t 4.226527837149482, p 2.5864060184186392e-05, df 1017.7770220082286, ci (0.20723099242921136, 0.5664249049224711)
    const r = cupedCompare(control, treatment);
    expect(r.statistic).toBeCloseTo(4.226527837149482, 9);
    expect((r.pValue as number) / 2.5864060184186392e-5).toBeCloseTo(1, 8);
    expect(r.df).toBeCloseTo(1017.7770220082286, 6);
    expect(r.ci[0]).toBeCloseTo(0.20723099242921136, 9);
    expect(r.ci[1]).toBeCloseTo(0.5664249049224711, 9);
  });

  it("finds an effect the unadjusted test misses (SciPy unadjusted: p = 0.2153)", () => {
    const plain = welchTTest(sampleMean(control.n, control.sum, control.sumSquares), sampleMean(treatment.n, treatment.sum, treatment.sumSquares));
    expect(plain.pValue).toBeCloseTo(0.21530880239412353, 10);
    expect(cupedCompare(control, treatment).pValue).toBeLessThan(0.001);
  });

  it("a covariate with no variance leaves the metric unadjusted (θ = 0)", () => {
    const flat = (s: typeof control) => regressionAdjusted({ ...s, preSum: 0, preSumSquares: 0, sumCross: 0 });
    const adj = cupedAdjust([flat(control), flat(treatment)]);
    expect(adj.theta).toBe(0);
    expect(adj.adjusted[0].mean).toBeCloseTo(control.sum / control.n, 14);
    expect(adj.varianceReduction[0]).toBeCloseTo(0, 14);
  });

  it("refuses empty input and invalid sums", () => {
    expect(() => cupedAdjust([])).toThrow(/stats/);
    expect(() => cupedAdjust([{ ...control, preSumSquares: -1 }])).toThrow(/stats\[0\]\.preSumSquares/);
  });
});
