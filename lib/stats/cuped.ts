/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013): reduce variance with a pre-experiment covariate x
 * (e.g. a user's activity in the weeks before the experiment), from sufficient statistics only.
 *
 *   θ = Cov(y, x) / Var(x), pooled over all variants (one θ for every arm keeps the adjusted
 *       difference unbiased: randomisation makes E[x̄_B − x̄_A] = 0);
 *   adjusted mean   ŷ_i = ȳ_i − θ (x̄_i − x̄),   x̄ = pooled pre-period mean (keeps the metric's scale);
 *   adjusted var    σ²_i = σ²_y,i − 2θ σ_xy,i + θ² σ²_x,i,   Var(ŷ_i) = σ²_i / n_i
 * (θ treated as known, the usual large-sample practice). The variance shrinks by the factor
 * ≈ 1 − ρ²(x, y). Units without pre-period data should enter with x = 0 (as GrowthBook does).
 *
 * Centring on the pooled x̄ makes every adjusted mean depend on every arm: with w_j = n_j/N,
 *   ŷ_i = [ȳ_i − θ(x̄_i − μ_x)] + C,   C = θ(x̄ − μ_x) = θ Σ_j w_j (x̄_j − μ_x),
 *   Var(C) = θ² Σ_j w_j² σ²_x,j / n_j,   Cov(ȳ_i − θx̄_i, C) = θ w_i (σ_xy,i − θ σ²_x,i) / n_i.
 * A difference ŷ_B − ŷ_A cancels C, so `varianceOfMean` (the first bracket's variance) is exact for
 * it; a relative lift (ŷ_B − ŷ_A)/|ŷ_A| does not, and `effectEstimate` adds the C terms carried in
 * `sharedCentre` (the full delta method over both arms' sums).
 */
import { StatsInputError } from "./errors";
import { type ComparisonOptions, type TestResult, compareMoments } from "./frequentist";
import {
  type Moments,
  type RegressionAdjustedStatistic,
  regressionAdjustedMoments,
  sampleCovariance,
  sampleMeanMoments,
  sampleVariance,
  validate,
} from "./sufficient";

export interface CupedAdjustment {
  theta: number;
  /** Pooled pre-period mean x̄ the covariate is centred on. */
  center: number;
  /** Adjusted moments per variant (input order). */
  adjusted: Moments[];
  /** Unadjusted moments of y per variant. */
  unadjusted: Moments[];
  /** Per variant: 1 − σ²_adjusted / σ²_unadjusted (0 when σ² = 0). */
  varianceReduction: number[];
}

/** Pooled θ = Cov(y, x)/Var(x) over the union of the variants; 0 when x has no variance. */
export function cupedTheta(stats: readonly RegressionAdjustedStatistic[]): number {
  const t = pooled(stats);
  const varX = sampleVariance(t.n, t.preSum, t.preSumSquares);
  if (!(varX > 0)) return 0;
  return sampleCovariance(t.n, t.preSum, t.sum, t.sumCross) / varX;
}

export function cupedAdjust(stats: readonly RegressionAdjustedStatistic[]): CupedAdjustment {
  if (stats.length === 0) throw new StatsInputError("stats", "needs at least one variant");
  stats.forEach((s, i) => {
    validate(s, `stats[${i}]`);
    for (const key of ["shift", "preShift"] as const) {
      if ((s[key] ?? 0) !== (stats[0][key] ?? 0)) throw new StatsInputError(`stats[${i}].${key}`, "every variant's sums must use the same shift to be pooled");
    }
  });
  const theta = cupedTheta(stats);
  const t = pooled(stats);
  const center = t.n === 0 ? 0 : (stats[0].preShift ?? 0) + t.preSum / t.n;
  const varianceOfCentre = stats.reduce((acc, s) => {
    const w = s.n / t.n;
    return s.n < 2 ? acc : acc + (theta * theta * w * w * sampleVariance(s.n, s.preSum, s.preSumSquares)) / s.n;
  }, 0);
  const adjusted = stats.map((s): Moments => {
    const m = regressionAdjustedMoments(s, theta, center);
    if (m.degenerate || s.n < 2 || theta === 0) return m;
    const w = s.n / t.n;
    const covXY = sampleCovariance(s.n, s.preSum, s.sum, s.sumCross);
    const varX = sampleVariance(s.n, s.preSum, s.preSumSquares);
    return { ...m, sharedCentre: { variance: varianceOfCentre, covariance: (theta * w * (covXY - theta * varX)) / s.n } };
  });
  const unadjusted = stats.map((s) => sampleMeanMoments({ kind: "mean", n: s.n, sum: s.sum, sumSquares: s.sumSquares, shift: s.shift }));
  const varianceReduction = adjusted.map((a, i) => (unadjusted[i].variance > 0 ? 1 - a.variance / unadjusted[i].variance : 0));
  return { theta, center, adjusted, unadjusted, varianceReduction };
}

/** CUPED-adjusted comparison of treatment vs control (θ pooled over the two). */
export function cupedCompare(
  control: RegressionAdjustedStatistic,
  treatment: RegressionAdjustedStatistic,
  options: ComparisonOptions = {},
): TestResult & { theta: number } {
  const adj = cupedAdjust([control, treatment]);
  return { ...compareMoments(adj.adjusted[0], adj.adjusted[1], options), theta: adj.theta };
}

function pooled(stats: readonly RegressionAdjustedStatistic[]) {
  return stats.reduce(
    (acc, s) => ({
      n: acc.n + s.n,
      sum: acc.sum + s.sum,
      preSum: acc.preSum + s.preSum,
      preSumSquares: acc.preSumSquares + s.preSumSquares,
      sumCross: acc.sumCross + s.sumCross,
    }),
    { n: 0, sum: 0, preSum: 0, preSumSquares: 0, sumCross: 0 },
  );
}
