/**
 * Quantiles (e.g. p95 latency) compared between arms by a test on the difference of quantiles, not a
 * ceiling. For each arm, from n i.i.d. values, the distribution-free order-statistic interval
 * (Conover 1999 §3.2; as gbstats' QuantileStatistic):
 *   ν_lo,hi = ν ∓ z_{1−α/2} √(ν(1 − ν)/n),  [x_(⌈nν_lo⌉), x_(⌈nν_hi⌉)]  covers the ν-quantile w.p. ≈ 1 − α,
 * so the quantile estimate has standard error SE ≈ (x_hi − x_lo)/(2 z). The arms are independent:
 *   Δ̂ = q̂_B − q̂_A,  Var = SE_A² + SE_B²  (relative: delta method, frequentist.ts)
 * and the comparison runs through `compareMoments` (normal reference). Values must be independent
 * units (e.g. one latency per request); requests clustered in users make the interval optimistic.
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
  lower: number;
  upper: number;
}

/** The order-statistic levels whose sample quantiles bound the ν-quantile at level 1 − α. */
export function quantileIntervalLevels(n: number, nu: number, alpha = 0.05): [number, number] {
  if (!(nu > 0 && nu < 1)) throw new StatsInputError("nu", `must be in (0, 1), got ${nu}`);
  if (!Number.isInteger(n) || n < 1) throw new StatsInputError("n", `must be a positive integer, got ${n}`);
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt((nu * (1 - nu)) / n);
  return [Math.max(0, nu - half), Math.min(1, nu + half)];
}

export function quantileMoments(s: QuantileStatistic, alpha = 0.05, label = "statistic"): Moments {
  for (const k of ["estimate", "lower", "upper"] as const) {
    if (!Number.isFinite(s[k])) throw new StatsInputError(`${label}.${k}`, `must be a finite number, got ${s[k]}`);
  }
  if (!(s.lower <= s.estimate && s.estimate <= s.upper)) throw new StatsInputError(`${label}.lower`, "must satisfy lower ≤ estimate ≤ upper");
  const [lo, hi] = quantileIntervalLevels(s.n, s.nu, alpha);
  // too few values to bound the quantile on both sides (ν ± half-width leaves (0, 1))
  if (lo === 0 || hi === 1) return { n: s.n, mean: s.estimate, variance: 0, varianceOfMean: 0, degenerate: `too few values (${s.n}) for the ${s.nu} quantile` };
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
