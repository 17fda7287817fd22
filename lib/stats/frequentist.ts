/**
 * Fixed-horizon frequentist comparisons of a treatment against a control.
 *
 * Every comparison reduces to: an estimate Δ̂ of the effect, its variance V from the two variants'
 * Moments, a reference distribution (Student t with Welch–Satterthwaite df, or standard normal),
 *   statistic = (Δ̂ − Δ₀)/√V,  p = 2·P(|T| ≥ |statistic|),  CI = Δ̂ ± q_{1−α/2}·√V.
 * Effects (control A, treatment B, means μ, variances of the means V_A, V_B):
 *   absolute:  Δ̂ = μ_B − μ_A,       V = V_A + V_B
 *   relative:  Δ̂ = (μ_B − μ_A)/|μ_A|,  V = V_B/μ_A² + μ_B²·V_A/μ_A⁴   (delta method, as GrowthBook's
 *              gbstats does; = μ_B/μ_A − 1 for a positive baseline; a lift of 0.05 means +5 %)
 */
import { normalCdf, normalQuantile, studentTCdf, studentTQuantile } from "./distributions";
import { StatsInputError } from "./errors";
import { fisherExactPValue, needsExactProportionTest, newcombeInterval, ratioScoreInterval } from "./exact";
import {
  type Moments,
  type ProportionStatistic,
  type RatioStatistic,
  type SampleMeanStatistic,
  type SufficientStatistic,
  moments,
  proportionMoments,
  ratioMoments,
  sampleMeanMoments,
  validate,
} from "./sufficient";

export type DifferenceType = "absolute" | "relative";
export type ReferenceDistribution = "t" | "normal";

export interface ComparisonOptions {
  /** "absolute" (μ_B − μ_A) or "relative" (μ_B/μ_A − 1). Default "absolute". */
  difference?: DifferenceType;
  /** Two-sided significance level; the CI has coverage 1 − alpha. Default 0.05. */
  alpha?: number;
  /** Reference distribution for p-value and CI. Default "t" (Welch–Satterthwaite df). */
  distribution?: ReferenceDistribution;
  /** Effect under the null hypothesis, on the `difference` scale. Default 0. */
  nullValue?: number;
}

export interface TestResult {
  /** Point estimate of the effect on the `difference` scale. */
  estimate: number;
  /** Two-sided (1 − alpha) interval; [−∞, ∞] when `degenerate` is set. */
  ci: [number, number];
  /** null when the data cannot support a test (`degenerate`). */
  pValue: number | null;
  /** z or t statistic (0 when degenerate). */
  statistic: number;
  standardError: number;
  /** Degrees of freedom of the t reference; null for the normal reference. */
  df: number | null;
  alpha: number;
  difference: DifferenceType;
  distribution: ReferenceDistribution;
  control: Moments;
  treatment: Moments;
  /** Set when the data cannot support inference (n < 2, zero variance, zero control mean for a lift). */
  degenerate?: string;
  /** Set when the result does not come from the normal/t approximation, e.g. "Fisher exact p, Newcombe interval". */
  method?: string;
}

export function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new StatsInputError("alpha", `must be in (0, 1), got ${alpha}`);
}

/** Guards Moments built by hand (not by `moments()`): the field is named in the error. */
export function checkMoments(m: Moments, label: string): void {
  if (!Number.isInteger(m.n) || m.n < 0) throw new StatsInputError(`${label}.n`, `must be a non-negative integer, got ${m.n}`);
  for (const key of ["mean", "variance", "varianceOfMean"] as const) {
    if (!Number.isFinite(m[key])) throw new StatsInputError(`${label}.${key}`, `must be a finite number, got ${m[key]}`);
  }
  if (m.variance < 0 || m.varianceOfMean < 0) throw new StatsInputError(`${label}.variance`, "must be ≥ 0");
  if (m.sharedCentre) {
    const { variance, covariance } = m.sharedCentre;
    if (!(Number.isFinite(variance) && variance >= 0))
      throw new StatsInputError(`${label}.sharedCentre.variance`, `must be a finite number ≥ 0, got ${variance}`);
    if (!Number.isFinite(covariance)) throw new StatsInputError(`${label}.sharedCentre.covariance`, `must be a finite number, got ${covariance}`);
  }
}

/** Welch–Satterthwaite df: (V_A + V_B)² / (V_A²/(n_A − 1) + V_B²/(n_B − 1)). */
export function welchDf(control: Moments, treatment: Moments): number {
  const va = control.varianceOfMean;
  const vb = treatment.varianceOfMean;
  const den = (va * va) / (control.n - 1) + (vb * vb) / (treatment.n - 1);
  return den > 0 ? ((va + vb) * (va + vb)) / den : Infinity;
}

/**
 * Effect estimate and its variance (see file header). The relative lift divides by |μ_A| so that its
 * sign always says which arm is larger (−10 → −5 is +50 %, not −50 %); its variance is the delta
 * method on (μ_A, μ_B), plus the shared-centre terms of CUPED-adjusted means (cuped.ts):
 *   L = (μ_B − μ_A)/|μ_A|,  g_B = 1/|μ_A|,  g_A = −1/|μ_A| − (μ_B − μ_A)·sign(μ_A)/μ_A²,  g_C = g_A + g_B
 *   Var(L) = g_B² V_B + g_A² V_A + g_C² Var(C) + 2 g_A g_C Cov_A(C) + 2 g_B g_C Cov_B(C)
 * (for μ_A > 0 and no shared centre this is V_B/μ_A² + μ_B²V_A/μ_A⁴).
 */
export function effectEstimate(
  control: Moments,
  treatment: Moments,
  difference: DifferenceType,
): { estimate: number; variance: number } | { degenerate: string } {
  if (difference === "absolute") {
    return { estimate: treatment.mean - control.mean, variance: control.varianceOfMean + treatment.varianceOfMean };
  }
  if (control.mean === 0) return { degenerate: "control mean is 0: relative lift undefined" };
  if (Boolean(control.sharedCentre) !== Boolean(treatment.sharedCentre)) {
    throw new StatsInputError("treatment.sharedCentre", "both arms must come from the same CUPED adjustment, or neither");
  }
  const a = control.mean;
  const d = treatment.mean - a;
  const abs = Math.abs(a);
  const gB = 1 / abs;
  const gA = -1 / abs - (d * Math.sign(a)) / (a * a);
  let variance = gB * gB * treatment.varianceOfMean + gA * gA * control.varianceOfMean;
  if (control.sharedCentre && treatment.sharedCentre) {
    const gC = gA + gB;
    variance += gC * gC * control.sharedCentre.variance + 2 * gA * gC * control.sharedCentre.covariance + 2 * gB * gC * treatment.sharedCentre.covariance;
  }
  return { estimate: d / abs, variance: Math.max(0, variance) };
}

/** the fields of a result that makes no inference: an unbounded interval, no p-value, and why */
export function noInference(reason: string, estimate: number) {
  return { estimate, ci: [-Infinity, Infinity] as [number, number], pValue: null, standardError: Infinity, degenerate: reason };
}

/**
 * The effect estimate of two variants that can be compared, or why they cannot (with the estimate to
 * report: 0, or the estimate itself when only its variance is zero).
 */
export function comparableEffect(
  control: Moments,
  treatment: Moments,
  difference: DifferenceType,
): { estimate: number; variance: number } | { degenerate: string; estimate: number } {
  if (control.degenerate) return { degenerate: `control: ${control.degenerate}`, estimate: 0 };
  if (treatment.degenerate) return { degenerate: `treatment: ${treatment.degenerate}`, estimate: 0 };
  if (control.n < 2 || treatment.n < 2) return { degenerate: "each variant needs at least 2 units", estimate: 0 };
  const eff = effectEstimate(control, treatment, difference);
  if ("degenerate" in eff) return { degenerate: eff.degenerate, estimate: 0 };
  if (!(eff.variance > 0)) return { degenerate: "zero variance: both variants are constant", estimate: eff.estimate };
  return eff;
}

/** Two-sided comparison of two variants' Moments (the core every test below uses). */
export function compareMoments(control: Moments, treatment: Moments, options: ComparisonOptions = {}): TestResult {
  const difference = options.difference ?? "absolute";
  const alpha = options.alpha ?? 0.05;
  const distribution = options.distribution ?? "t";
  const nullValue = options.nullValue ?? 0;
  checkAlpha(alpha);
  checkMoments(control, "control");
  checkMoments(treatment, "treatment");
  const base = { alpha, difference, distribution, control, treatment };
  const degenerate = (reason: string, estimate = 0): TestResult => ({ ...base, ...noInference(reason, estimate), statistic: 0, df: null });
  const eff = comparableEffect(control, treatment, difference);
  if ("degenerate" in eff) return degenerate(eff.degenerate, eff.estimate);
  const se = Math.sqrt(eff.variance);
  const statistic = (eff.estimate - nullValue) / se;
  let pValue: number;
  let q: number;
  let df: number | null = null;
  if (distribution === "t") {
    df = welchDf(control, treatment);
    pValue = 2 * studentTCdf(-Math.abs(statistic), df);
    q = studentTQuantile(1 - alpha / 2, df);
  } else {
    pValue = 2 * normalCdf(-Math.abs(statistic));
    q = normalQuantile(1 - alpha / 2);
  }
  return {
    ...base,
    estimate: eff.estimate,
    ci: [eff.estimate - q * se, eff.estimate + q * se],
    pValue: Math.min(1, pValue),
    statistic,
    standardError: se,
    df,
  };
}

/**
 * Welch's unequal-variance t-test on sample means: t = (x̄_B − x̄_A)/√(s²_A/n_A + s²_B/n_B),
 * df by Welch–Satterthwaite. `difference: "relative"` gives the lift μ_B/μ_A − 1 and its CI.
 */
export function welchTTest(control: SampleMeanStatistic, treatment: SampleMeanStatistic, options: Omit<ComparisonOptions, "distribution"> = {}): TestResult {
  validate(control, "control");
  validate(treatment, "treatment");
  return compareMoments(sampleMeanMoments(control), sampleMeanMoments(treatment), { ...options, distribution: "t" });
}

export interface TwoProportionResult extends TestResult {
  /** Pooled proportion (x_A + x_B)/(n_A + n_B) used for the test statistic. */
  pooledProportion: number;
}

/**
 * Two-proportion z-test of H0: p_A = p_B.
 *  - statistic: z = (p̂_B − p̂_A) / √(p̄(1 − p̄)(1/n_A + 1/n_B)), p̄ pooled. Under H0 both arms share
 *    one p, so the pooled variance is the right null variance; z² equals Pearson's chi-square on
 *    the 2×2 table (R: prop.test(correct = FALSE)).
 *  - CI (absolute): Wald, unpooled: (p̂_B − p̂_A) ± z_{1−α/2} √(p̂_A q̂_A/n_A + p̂_B q̂_B/n_B). An
 *    interval must be valid where H0 is false, so each arm keeps its own variance.
 *  Consequence: near the boundary the p-value and the CI can disagree slightly — documented
 *  behaviour of this (standard) pairing, not a bug.
 * With `difference: "relative"` the estimate/CI are for p_B/p_A − 1 (delta method), while the
 * p-value stays the pooled z-test of equality.
 * An arm with 0 or all successes, or an expected cell count below 5, switches to Fisher's exact test
 * with score intervals (`exactProportionComparison`): the Wald interval is zero-width there.
 */
export function twoProportionZTest(
  control: ProportionStatistic,
  treatment: ProportionStatistic,
  options: Omit<ComparisonOptions, "distribution" | "nullValue"> = {},
): TwoProportionResult {
  validate(control, "control");
  validate(treatment, "treatment");
  const nTotal = control.n + treatment.n;
  const pooled = nTotal === 0 ? 0 : (control.sum + treatment.sum) / nTotal;
  if (control.n > 0 && treatment.n > 0 && isCount(control) && isCount(treatment) && needsExactProportionTest(control, treatment)) {
    return { ...exactProportionComparison(control, treatment, options), pooledProportion: pooled };
  }
  const interval = compareMoments(proportionMoments(control), proportionMoments(treatment), {
    ...options,
    distribution: "normal",
  });
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  if (control.n === 0 || treatment.n === 0 || !(se0 > 0)) {
    return {
      ...interval,
      pValue: null,
      statistic: 0,
      pooledProportion: pooled,
      degenerate: interval.degenerate ?? "pooled proportion is 0 or 1: no variation to test",
    };
  }
  const z = (interval.treatment.mean - interval.control.mean) / se0;
  return { ...interval, statistic: z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))), pooledProportion: pooled };
}

const isCount = (s: ProportionStatistic) => Number.isInteger(s.sum);

/**
 * Boundary or small-count proportions (see exact.ts): Fisher's exact p-value, Newcombe's interval for
 * the difference, Koopman's score interval for the relative lift. With no successes (or no failures)
 * in either arm there is nothing to test: degenerate, no p-value, but the interval still bounds the
 * effect. `standardError` is the one the interval implies (half-width / z).
 */
function exactProportionComparison(
  control: ProportionStatistic,
  treatment: ProportionStatistic,
  options: Omit<ComparisonOptions, "distribution" | "nullValue">,
): TestResult {
  const difference = options.difference ?? "absolute";
  const alpha = options.alpha ?? 0.05;
  checkAlpha(alpha);
  const a = proportionMoments(control);
  const b = proportionMoments(treatment);
  const base = { alpha, difference, distribution: "normal" as const, control: a, treatment: b, df: null, statistic: 0 };
  const z = normalQuantile(1 - alpha / 2);
  let estimate: number;
  let ci: [number, number];
  let method: string;
  if (difference === "absolute") {
    estimate = b.mean - a.mean;
    ci = newcombeInterval(control, treatment, alpha);
    method = "Fisher exact p, Newcombe interval";
  } else {
    const score = ratioScoreInterval(control, treatment, alpha);
    if (!score) {
      return {
        ...base,
        estimate: 0,
        ci: [-Infinity, Infinity],
        pValue: null,
        standardError: Infinity,
        degenerate: "control has no successes: relative lift undefined",
      };
    }
    estimate = b.mean / a.mean - 1;
    ci = score;
    method = "Fisher exact p, Koopman score interval";
  }
  const standardError = Number.isFinite(ci[1] - ci[0]) ? (ci[1] - ci[0]) / (2 * z) : Infinity;
  const successes = control.sum + treatment.sum;
  if (successes === 0 || successes === control.n + treatment.n) {
    const what = successes === 0 ? "no successes" : "only successes";
    return { ...base, estimate, ci, pValue: null, standardError, method, degenerate: `${what} in either arm: nothing to test` };
  }
  return { ...base, estimate, ci, pValue: fisherExactPValue(control, treatment), standardError, method };
}

/**
 * Ratio metric comparison (e.g. CTR = Σclicks/Σexposures with users as units): each arm's ratio
 * and variance by the delta method (see `ratioMoments`), then a z-test / normal CI. The normal
 * reference is used by default because the delta method is itself a large-sample approximation.
 */
export function ratioTest(control: RatioStatistic, treatment: RatioStatistic, options: ComparisonOptions = {}): TestResult {
  validate(control, "control");
  validate(treatment, "treatment");
  return compareMoments(ratioMoments(control), ratioMoments(treatment), { distribution: "normal", ...options });
}

/**
 * Compare two sufficient statistics of the same kind with the conventional reference distribution:
 * Welch t for means, normal for proportions and ratios (override with `distribution`).
 * Proportions use unpooled variances here (for the pooled z-test use `twoProportionZTest`).
 * Regression-adjusted statistics are compared unadjusted; use `cupedCompare` to adjust.
 */
export function compare(control: SufficientStatistic, treatment: SufficientStatistic, options: ComparisonOptions = {}): TestResult {
  if (control.kind !== treatment.kind) {
    throw new StatsInputError("treatment.kind", `must match control.kind (${control.kind}), got ${treatment.kind}`);
  }
  validate(control, "control");
  validate(treatment, "treatment");
  const distribution = options.distribution ?? (control.kind === "mean" ? "t" : "normal");
  return compareMoments(moments(control), moments(treatment), { ...options, distribution });
}
