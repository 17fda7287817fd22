/**
 * Sufficient statistics → moments. References: NumPy on the raw rows
 * (python3 -c "import numpy as np; x=np.array([11,9,10,11,10,12,9,11,12,9.]); print(x.mean(), np.var(x,ddof=1))"
 * → 10.4, 1.3777777777777775; sums lose ~1e-14 to cancellation, hence 12 digits), and the Bernoulli variance p(1 − p).
 */
import { describe, expect, it } from "vitest";
import {
  StatsInputError,
  combine,
  moments,
  proportion,
  proportionMoments,
  ratio,
  regressionAdjusted,
  sampleMean,
  sampleMeanMoments,
  validate,
} from "@/lib/stats";

describe("moments from sums", () => {
  it("sample mean: mean, unbiased variance and variance of the mean match NumPy", () => {
    const xs = [11, 9, 10, 11, 10, 12, 9, 11, 12, 9];
    const m = sampleMeanMoments(
      sampleMean(
        xs.length,
        xs.reduce((s, v) => s + v, 0),
        xs.reduce((s, v) => s + v * v, 0),
      ),
    );
    expect(m.mean).toBeCloseTo(10.4, 14);
    expect(m.variance).toBeCloseTo(1.3777777777777775, 12);
    expect(m.varianceOfMean).toBeCloseTo(0.13777777777777775, 13);
  });

  it("proportion: p(1 − p)/n", () => {
    const m = proportionMoments(proportion(200, 30));
    expect(m.mean).toBeCloseTo(0.15, 15);
    expect(m.varianceOfMean).toBeCloseTo((0.15 * 0.85) / 200, 16);
  });

  it("a ratio whose every user has the same denominator reduces to a mean (delta method is exact there)", () => {
    // 4 users, 5 exposures each, clicks 0,1,2,2 → CTR = 5/20; per-user CTR 0,.2,.4,.4 has mean .25
    const r = moments(ratio({ n: 4, sumM: 5, sumD: 20, sumM2: 0 + 1 + 4 + 4, sumD2: 100, sumMD: 5 * 5 }));
    const perUser = sampleMeanMoments(sampleMean(4, 1, 0 + 0.04 + 0.16 + 0.16));
    expect(r.mean).toBeCloseTo(0.25, 15);
    expect(r.varianceOfMean).toBeCloseTo(perUser.varianceOfMean, 15);
  });

  it("empty variants are flagged degenerate rather than reported as 0 ± 0", () => {
    expect(moments(sampleMean(0, 0, 0)).degenerate).toBe("no units");
    expect(moments(ratio({ n: 3, sumM: 0, sumD: 0, sumM2: 0, sumD2: 0, sumMD: 0 })).degenerate).toMatch(/denominator/);
  });

  it("floating-point cancellation never yields a negative variance", () => {
    const v = 0.1 + 0.2;
    expect(moments(sampleMean(3, 3 * v, 3 * v * v)).variance).toBeGreaterThanOrEqual(0);
  });

  it("regression-adjusted statistics report their unadjusted outcome moments", () => {
    const s = regressionAdjusted({ n: 3, sum: 6, sumSquares: 14, preSum: 3, preSumSquares: 5, sumCross: 8 });
    expect(moments(s)).toMatchObject({ n: 3, mean: 2, variance: 1 });
  });
});

describe("combine and validate", () => {
  it("adds every field of same-kind statistics (pooling days or shards)", () => {
    expect(combine(sampleMean(2, 3, 5), sampleMean(3, 4, 6))).toEqual({ kind: "mean", n: 5, sum: 7, sumSquares: 11 });
    expect(() => combine(sampleMean(2, 3, 5) as never, proportion(3, 1) as never)).toThrow(StatsInputError);
  });

  it("names the offending field", () => {
    expect(() => sampleMean(2.5, 1, 1)).toThrow(/statistic\.n/);
    expect(() => sampleMean(2, Number.NaN, 1)).toThrow(/statistic\.sum/);
    expect(() => validate({ kind: "ratio", n: 3, sumM: 1, sumD: 2, sumM2: -1, sumD2: 1, sumMD: 1 }, "control")).toThrow(/control\.sumM2/);
    expect(() => validate({ kind: "bogus", n: 1 } as never)).toThrow(/kind/);
  });
});
