// Sufficient statistics several stats tests share, and a check of a result against 5-decimal references.
import { expect } from "vitest";
import { regressionAdjusted, sampleMean } from "@/lib/stats";

/** GrowthBook gbstats' fixtures (packages/stats/tests/frequentist/test_tests.py): mean arms as {n, sum, sum_squares} */
export const gbControl = sampleMean(3407, 1396.87, 52377.9767);
export const gbTreatment = sampleMean(3461, 2422.7, 134698.29);

/**
 * The CUPED rows of test/stats/references/tests.py section "== CUPED" (numpy seed 4242) as sums:
 * control 500 users, treatment 520.
 */
export const cupedControl = regressionAdjusted({
  n: 500,
  sum: 2612.475458969791,
  sumSquares: 17459.59505138728,
  preSum: 2073.06067120281,
  preSumSquares: 12925.819141823868,
  sumCross: 14294.94765852479,
});
export const cupedTreatment = regressionAdjusted({
  n: 520,
  sum: 2826.459844355779,
  sumSquares: 19025.01792924301,
  preSum: 2040.8814894873685,
  preSumSquares: 11974.194391813955,
  sumCross: 14257.627298642896,
});

interface Inference {
  estimate: number;
  ci: [number, number];
  standardError: number;
  pValue: number | null;
}

/** every given reference value of a test result, each to 5 decimals (the precision gbstats' tests print) */
export function expectGbstats(r: Inference, expected: { estimate?: number; ci?: [number, number]; standardError?: number; pValue?: number }): void {
  if (expected.estimate !== undefined) expect(r.estimate, "estimate").toBeCloseTo(expected.estimate, 5);
  if (expected.ci !== undefined) {
    expect(r.ci[0], "ci[0]").toBeCloseTo(expected.ci[0], 5);
    expect(r.ci[1], "ci[1]").toBeCloseTo(expected.ci[1], 5);
  }
  if (expected.standardError !== undefined) expect(r.standardError, "standardError").toBeCloseTo(expected.standardError, 5);
  if (expected.pValue !== undefined) expect(r.pValue, "pValue").toBeCloseTo(expected.pValue, 5);
}
