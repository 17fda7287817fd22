/**
 * analyzeMetric / analyzeKpis compose the tested building blocks; references are the same
 * independent values used in the building blocks' tests (GrowthBook fixtures, SciPy on rows),
 * here checked through the one-call API the reports and rollout gates use.
 */
import { describe, expect, it } from "vitest";
import { analyzeKpis, analyzeMetric, holmAdjust, proportion, ratio, sampleMean } from "@/lib/stats";
import { expectGbstats, gbControl, gbTreatment, cupedControl, cupedTreatment } from "./fixtures";

describe("analyzeMetric", () => {
  it("means: relative lift equals GrowthBook's fixture (0.70732, CI −0.03526..1.44989, p 0.06191)", () => {
    const r = analyzeMetric(gbControl, gbTreatment);
    expectGbstats(r.relative, { estimate: 0.70732, ci: [-0.03526, 1.44989], pValue: 0.06191 });
    expect(r.absolute.pValue).toBeCloseTo(0.02016, 5);
    expect(r.sequential.ci[1] - r.sequential.ci[0]).toBeGreaterThan(r.relative.ci[1] - r.relative.ci[0]);
  });

  it("proportions: absolute is the pooled z-test (SciPy chi2_contingency p = 0.030837167828904243)", () => {
    const r = analyzeMetric(proportion(1000, 200), proportion(1000, 240));
    expect(r.absolute.pValue).toBeCloseTo(0.030837167828904243, 12);
    expect(r.relative.estimate).toBeCloseTo(0.2, 14);
    expect(r.relative.df).toBeNull();
  });

  it("ratio: delta-method z-test (reference p = 0.05552579283942513)", () => {
    const r = analyzeMetric(
      ratio({ n: 1500, sumM: 775, sumD: 7551, sumM2: 1283, sumD2: 44013, sumMD: 4547 }),
      ratio({ n: 1480, sumM: 833, sumD: 7335, sumM2: 1535, sumD2: 42023, sumMD: 4810 }),
    );
    expect(r.absolute.pValue).toBeCloseTo(0.05552579283942513, 10);
  });

  it("regression-adjusted inputs are CUPED-adjusted (SciPy Welch on adjusted rows: t = 4.226527837149482)", () => {
    const r = analyzeMetric(cupedControl, cupedTreatment);
    expect(r.theta).toBeCloseTo(0.79638475455039, 12);
    expect(r.absolute.statistic).toBeCloseTo(4.226527837149482, 9);
  });

  it("adds a non-inferiority decision when a margin is configured", () => {
    const r = analyzeMetric(proportion(4_000_000, 400_000), proportion(4_000_000, 396_000), {
      tuningN: 8_000_000,
      nonInferiority: { margin: 0.02, direction: "higherIsBetter" },
    });
    expect(r.nonInferiority?.decision).toBe("non-inferior");
    expect(r.nonInferiority?.sequential.ci).toEqual(r.sequential.ci);
  });
});

describe("analyzeKpis", () => {
  it("Holm-adjusts fixed and sequential p-values across KPIs", () => {
    const out = analyzeKpis([
      { name: "ctr", control: proportion(1000, 200), treatment: proportion(1000, 240) },
      { name: "revenue", control: gbControl, treatment: gbTreatment },
      { name: "conversion", control: proportion(28, 14), treatment: proportion(30, 16) },
    ]);
    const expected = holmAdjust(out.map((k) => k.relative.pValue as number));
    out.forEach((k, i) => {
      expect(k.adjustedPValue).toBe(expected[i]);
      expect(k.adjustedPValue).toBeGreaterThanOrEqual(k.relative.pValue as number);
      expect(k.adjustedSequentialPValue).toBeGreaterThanOrEqual(k.sequential.pValue as number);
    });
    expect(out.map((k) => k.name)).toEqual(["ctr", "revenue", "conversion"]);
  });

  it("refuses duplicate KPI names and mismatched kinds", () => {
    const kpi = { name: "ctr", control: proportion(10, 1), treatment: proportion(10, 2) };
    expect(() => analyzeKpis([kpi, kpi])).toThrow(/duplicate KPI name/);
    expect(() => analyzeMetric(proportion(10, 1), sampleMean(10, 1, 1))).toThrow(/treatment\.kind/);
  });
});
