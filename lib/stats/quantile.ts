/**
 * Quantiles (e.g. p95 latency) compared between arms by a test on the difference of quantiles, not a
 * ceiling. For each arm, from n i.i.d. values, the distribution-free order-statistic interval
 * (Conover 1999 §3.2; as gbstats' QuantileStatistic):
 *   ν_lo,hi = ν ∓ z_{1−α/2} √(ν(1 − ν)/n),  [x_(⌈nν_lo⌉), x_(⌈nν_hi⌉)]  covers the ν-quantile w.p. ≈ 1 − α,
 * so the quantile estimate has standard error SE ≈ (x_hi − x_lo)/(2 z). The arms are independent:
 *   Δ̂ = q̂_B − q̂_A,  Var = SE_A² + SE_B²  (relative: delta method, frequentist.ts)
 * and the comparison runs through `compareMoments` (normal reference). Values must be independent
 * units, or clusters of equal values counted through their effective n (`clusteredEffectiveN`: requests
 * scored in one micro-batch share its latency); requests clustered in users make the interval optimistic.
 * SQL shape: per arm, count(*), percentile_cont(ν), percentile_disc(ν_lo), percentile_disc(ν_hi).
 */
import { normalQuantile } from "./distributions";
import { StatsInputError } from "./errors";
import { type ComparisonOptions, type TestResult, compareMoments } from "./frequentist";
import type { Moments } from "./sufficient";

export interface QuantileStatistic {
  kind: "quantile";
  n: number;
  /** quantile level ν in (0, 1) */
  nu: number;
  estimate: number;
  /** bounds: the order statistics at quantileIntervalLevels(n, nu, alpha, nEff) */
  lower: number;
  upper: number;
  /** effective number of independent values (default n), e.g. clusteredEffectiveN of batched requests */
  nEff?: number;
}

/**
 * Effective sample size of n values that come in clusters of equal values (the requests of one
 * micro-batch share its scoring latency), from Σ over values of the size of the value's cluster
 * (= Σ_i m_i² over clusters i of size m_i): Kish's design effect deff = Σm_i²/Σm_i and
 *   n_eff = n / deff = (Σ m_i)² / Σ m_i².
 * Why: the empirical CDF at x is then a mean of cluster indicators weighted by m_i/n, so
 * Var F̂(x) = F(1 − F)·Σm_i²/n² = F(1 − F)/n_eff, and the sample quantile's variance (∝ 1/n for
 * independent values) takes n_eff for n (Woodruff 1952's interval). A sum below n (values stored
 * without a cluster size count as clusters of 1) gives n.
 */
export function clusteredEffectiveN(n: number, clusterSizeSum: number): number {
  if (!Number.isFinite(n) || n < 0) throw new StatsInputError("n", `must be a non-negative number, got ${n}`);
  if (!Number.isFinite(clusterSizeSum)) throw new StatsInputError("clusterSizeSum", `must be a finite number, got ${clusterSizeSum}`);
  return n === 0 ? 0 : (n * n) / Math.max(n, clusterSizeSum);
}

/**
 * The order-statistic levels whose sample quantiles bound the ν-quantile at level 1 − α; with clustered
 * values the half-width takes their effective n (`clusteredEffectiveN`), the levels stay fractions of n.
 */
export function quantileIntervalLevels(n: number, nu: number, alpha = 0.05, nEff: number = n): [number, number] {
  if (!(nu > 0 && nu < 1)) throw new StatsInputError("nu", `must be in (0, 1), got ${nu}`);
  if (!Number.isInteger(n) || n < 1) throw new StatsInputError("n", `must be a positive integer, got ${n}`);
  if (!(nEff > 0 && nEff <= n)) throw new StatsInputError("nEff", `must be in (0, n], got ${nEff}`);
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt((nu * (1 - nu)) / nEff);
  return [Math.max(0, nu - half), Math.min(1, nu + half)];
}

export function quantileMoments(s: QuantileStatistic, alpha = 0.05, label = "statistic"): Moments {
  for (const k of ["estimate", "lower", "upper"] as const) {
    if (!Number.isFinite(s[k])) throw new StatsInputError(`${label}.${k}`, `must be a finite number, got ${s[k]}`);
  }
  if (!(s.lower <= s.estimate && s.estimate <= s.upper)) throw new StatsInputError(`${label}.lower`, "must satisfy lower ≤ estimate ≤ upper");
  const nEff = s.nEff ?? s.n;
  const [lo, hi] = quantileIntervalLevels(s.n, s.nu, alpha, nEff);
  // too few values to bound the quantile on both sides (ν ± half-width leaves (0, 1))
  if (lo === 0 || hi === 1) {
    const values = nEff < s.n ? `${s.n}, effectively ${nEff.toFixed(1)}` : `${s.n}`;
    return { n: s.n, mean: s.estimate, variance: 0, varianceOfMean: 0, degenerate: `too few values (${values}) for the ${s.nu} quantile` };
  }
  const se = (s.upper - s.lower) / (2 * normalQuantile(1 - alpha / 2));
  return { n: s.n, mean: s.estimate, variance: se * se * s.n, varianceOfMean: se * se };
}

/** Test on the difference (or relative difference) of one quantile between control and treatment. */
export function quantileDifferenceTest(
  control: QuantileStatistic,
  treatment: QuantileStatistic,
  options: Omit<ComparisonOptions, "distribution"> = {},
): TestResult {
  if (control.nu !== treatment.nu) throw new StatsInputError("treatment.nu", `must equal control.nu (${control.nu})`);
  const alpha = options.alpha ?? 0.05;
  return compareMoments(quantileMoments(control, alpha, "control"), quantileMoments(treatment, alpha, "treatment"), { ...options, distribution: "normal" });
}
