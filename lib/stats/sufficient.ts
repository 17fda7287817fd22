/**
 * Sufficient statistics per variant — exactly what one `GROUP BY variant` aggregate returns — and
 * their moments (mean, per-unit variance, variance of the mean). Functions here never see rows.
 *
 * SQL shapes (one row per variant, per-unit values x_i, y_i aggregated first per user when clustered):
 *   proportion  : COUNT(*) AS n, SUM(converted::int) AS sum
 *   mean        : COUNT(*) AS n, SUM(x) AS sum, SUM(x*x) AS sum_squares
 *   ratio       : COUNT(*) AS n, SUM(m) AS sum_m, SUM(d) AS sum_d, SUM(m*m), SUM(d*d), SUM(m*d)
 *                 (e.g. CTR: m = a user's clicks, d = that user's exposures)
 *   regression-adjusted (CUPED): mean columns for y plus SUM(x), SUM(x*x), SUM(x*y) for the
 *                 pre-experiment covariate x.
 *
 * Values far from 0 (≈ 1e9 with a spread of 1) lose their variance to cancellation in Σx² − (Σx)²/n.
 * Sum them shifted instead — SUM(x − K), SUM((x − K)²) with K near the mean (any constant: the first
 * value, yesterday's mean) — and pass K as `shift` (`preShift`, `shiftM`, `shiftD`); the means add K
 * back, the variances are shift-free.
 *
 * Sums no real data can produce (Σx² < (Σx)²/n beyond rounding, |Σxy − ΣxΣy/n| > √(SxxSyy)) are
 * refused with the arm and the field named: clamping them to a zero variance would report a
 * confident, wrong answer.
 */
import { StatsInputError } from "./errors";

/** Binary outcome per unit: sum = number of units with outcome 1. */
export interface ProportionStatistic {
  kind: "proportion";
  n: number;
  sum: number;
}

/** Real-valued outcome per unit. */
export interface SampleMeanStatistic {
  kind: "mean";
  n: number;
  sum: number;
  sumSquares: number;
  /** The sums are of (x − shift); default 0. */
  shift?: number;
}

/** Ratio of two per-unit totals (ΣM / ΣD), units being the randomisation unit (user). */
export interface RatioStatistic {
  kind: "ratio";
  /** Number of units (users), not of denominator events. */
  n: number;
  sumM: number;
  sumD: number;
  sumM2: number;
  sumD2: number;
  sumMD: number;
  /** The sums are of (M − shiftM) and (D − shiftD); default 0. */
  shiftM?: number;
  shiftD?: number;
}

/** Outcome y with a pre-experiment covariate x for CUPED. */
export interface RegressionAdjustedStatistic {
  kind: "regressionAdjusted";
  n: number;
  sum: number;
  sumSquares: number;
  preSum: number;
  preSumSquares: number;
  /** Σ x·y */
  sumCross: number;
  /** The y sums are of (y − shift), the x sums of (x − preShift), sumCross of their product; default 0. */
  shift?: number;
  preShift?: number;
}

export type SufficientStatistic = ProportionStatistic | SampleMeanStatistic | RatioStatistic | RegressionAdjustedStatistic;

/** What every test consumes: a point estimate of a variant's metric and its sampling variance. */
export interface Moments {
  /** Units (users) in the variant. */
  n: number;
  /** Estimate of the variant's metric (proportion, mean, ratio, adjusted mean). */
  mean: number;
  /** Per-unit variance σ² (for a ratio: of the linearised unit values), so varianceOfMean = variance / n. */
  variance: number;
  /** Var(mean) — squared standard error of `mean`. */
  varianceOfMean: number;
  /** Set when the metric is undefined for this variant (no units, or a ratio with ΣD = 0). */
  degenerate?: string;
  /**
   * Present on CUPED-adjusted means centred on the pooled pre-period mean x̄ (see cuped.ts): there
   * mean = own part + C with C = θ(x̄ − μ_x) shared by every arm of one adjustment, and
   * `varianceOfMean` is Var(own part). A difference of two arms cancels C; a relative lift does not,
   * so its delta method needs Var(C) (`variance`, the same in every arm) and Cov(own part, C)
   * (`covariance`).
   */
  sharedCentre?: { variance: number; covariance: number };
}

export function proportion(n: number, sum: number): ProportionStatistic {
  const s: ProportionStatistic = { kind: "proportion", n, sum };
  validate(s);
  return s;
}

export function sampleMean(n: number, sum: number, sumSquares: number): SampleMeanStatistic {
  const s: SampleMeanStatistic = { kind: "mean", n, sum, sumSquares };
  validate(s);
  return s;
}

export function ratio(fields: Omit<RatioStatistic, "kind">): RatioStatistic {
  const s: RatioStatistic = { kind: "ratio", ...fields };
  validate(s);
  return s;
}

export function regressionAdjusted(fields: Omit<RegressionAdjustedStatistic, "kind">): RegressionAdjustedStatistic {
  const s: RegressionAdjustedStatistic = { kind: "regressionAdjusted", ...fields };
  validate(s);
  return s;
}

/** Relative slack for rounding in sums of squares computed in double precision (SQL SUM over ~1e7 rows). */
const ROUNDING = 1e-8;

/** Throws StatsInputError naming the field when a statistic cannot come from real data. */
export function validate(s: SufficientStatistic, label = "statistic"): void {
  const field = (name: string) => `${label}.${name}`;
  const finite = (name: string, v: number) => {
    if (!Number.isFinite(v)) throw new StatsInputError(field(name), `must be a finite number, got ${v}`);
  };
  const nonNegative = (name: string, v: number) => {
    finite(name, v);
    if (v < 0) throw new StatsInputError(field(name), `must be ≥ 0, got ${v}`);
  };
  const optionalFinite = (name: string, v: number | undefined) => {
    if (v !== undefined) finite(name, v);
  };
  /** Σx² ≥ (Σx)²/n: a sum of squares below what the sum implies means a negative variance. */
  const secondMoment = (name: string, sum: number, sumSquares: number) => {
    if (s.n === 0) return;
    const implied = (sum * sum) / s.n;
    if (sumSquares < implied - ROUNDING * Math.max(sumSquares, implied)) {
      throw new StatsInputError(field(name), `${sumSquares} is below (Σ)²/n = ${implied} (n = ${s.n}): no data has a negative variance`);
    }
  };
  /** Cauchy–Schwarz: (Σxy − ΣxΣy/n)² ≤ (Σx² − (Σx)²/n)(Σy² − (Σy)²/n). */
  const crossMoment = (name: string, sumX: number, sumX2: number, sumY: number, sumY2: number, sumXY: number) => {
    if (s.n === 0) return;
    const sxx = Math.max(0, sumX2 - (sumX * sumX) / s.n);
    const syy = Math.max(0, sumY2 - (sumY * sumY) / s.n);
    const sxy = sumXY - (sumX * sumY) / s.n;
    if (Math.abs(sxy) > Math.sqrt(sxx * syy) + ROUNDING * Math.sqrt(sumX2 * sumY2)) {
      throw new StatsInputError(field(name), `${sumXY} implies a correlation beyond ±1 with the other sums (n = ${s.n})`);
    }
  };
  if (!Number.isInteger(s.n) || s.n < 0) throw new StatsInputError(field("n"), `must be a non-negative integer, got ${s.n}`);
  switch (s.kind) {
    case "proportion":
      nonNegative("sum", s.sum);
      if (s.sum > s.n) throw new StatsInputError(field("sum"), `successes (${s.sum}) exceed n (${s.n})`);
      return;
    case "mean":
      finite("sum", s.sum);
      nonNegative("sumSquares", s.sumSquares);
      optionalFinite("shift", s.shift);
      secondMoment("sumSquares", s.sum, s.sumSquares);
      return;
    case "ratio":
      finite("sumM", s.sumM);
      finite("sumD", s.sumD);
      nonNegative("sumM2", s.sumM2);
      nonNegative("sumD2", s.sumD2);
      finite("sumMD", s.sumMD);
      optionalFinite("shiftM", s.shiftM);
      optionalFinite("shiftD", s.shiftD);
      secondMoment("sumM2", s.sumM, s.sumM2);
      secondMoment("sumD2", s.sumD, s.sumD2);
      crossMoment("sumMD", s.sumM, s.sumM2, s.sumD, s.sumD2, s.sumMD);
      return;
    case "regressionAdjusted":
      finite("sum", s.sum);
      nonNegative("sumSquares", s.sumSquares);
      finite("preSum", s.preSum);
      nonNegative("preSumSquares", s.preSumSquares);
      finite("sumCross", s.sumCross);
      optionalFinite("shift", s.shift);
      optionalFinite("preShift", s.preShift);
      secondMoment("sumSquares", s.sum, s.sumSquares);
      secondMoment("preSumSquares", s.preSum, s.preSumSquares);
      crossMoment("sumCross", s.preSum, s.preSumSquares, s.sum, s.sumSquares, s.sumCross);
      return;
    default: {
      const never: never = s;
      throw new StatsInputError(field("kind"), `unknown statistic kind ${JSON.stringify((never as { kind: unknown }).kind)}`);
    }
  }
}

function emptyMoments(reason: string): Moments {
  return { n: 0, mean: 0, variance: 0, varianceOfMean: 0, degenerate: reason };
}

/**
 * Sample variance from sums: s² = (Σx² − (Σx)²/n) / (n − 1); 0 when n < 2.
 * Clamped at 0 because floating-point cancellation can make it slightly negative for constant data
 * (`validate` has already refused sums that are negative beyond rounding).
 */
export function sampleVariance(n: number, sum: number, sumSquares: number): number {
  if (n < 2) return 0;
  return Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1));
}

/** Sample covariance from sums: (Σxy − Σx·Σy/n) / (n − 1); 0 when n < 2. */
export function sampleCovariance(n: number, sumX: number, sumY: number, sumXY: number): number {
  if (n < 2) return 0;
  return (sumXY - (sumX * sumY) / n) / (n - 1);
}

/** Moments of a proportion: p̂ = sum/n, σ² = p̂(1 − p̂) (Bernoulli, MLE as in the z-test), Var(p̂) = σ²/n. */
export function proportionMoments(s: ProportionStatistic): Moments {
  validate(s);
  if (s.n === 0) return emptyMoments("no units");
  const mean = s.sum / s.n;
  const variance = mean * (1 - mean);
  return { n: s.n, mean, variance, varianceOfMean: variance / s.n };
}

/** Moments of a sample mean: x̄ = Σx/n, σ² = unbiased sample variance, Var(x̄) = σ²/n. */
export function sampleMeanMoments(s: SampleMeanStatistic): Moments {
  validate(s);
  if (s.n === 0) return emptyMoments("no units");
  const mean = (s.shift ?? 0) + s.sum / s.n;
  const variance = sampleVariance(s.n, s.sum, s.sumSquares);
  return { n: s.n, mean, variance, varianceOfMean: variance / s.n };
}

/**
 * Moments of a ratio metric R = ΣM/ΣD = m̄/d̄ by the delta method (Deng, Knoblich & Lu 2018):
 *   Var(R) ≈ (1/n) · [ σ²_M/d̄² − 2·m̄·σ_MD/d̄³ + m̄²·σ²_D/d̄⁴ ]
 * with σ²_M, σ²_D, σ_MD the unbiased per-unit (co)variances. This is the variance of the
 * linearised unit values (M_i − R·D_i)/d̄, so it stays correct when a user's events are
 * correlated (clustered), unlike treating each exposure as independent.
 * `variance` reports that per-unit linearised variance.
 */
export function ratioMoments(s: RatioStatistic): Moments {
  validate(s);
  if (s.n === 0) return emptyMoments("no units");
  const mBar = (s.shiftM ?? 0) + s.sumM / s.n;
  const dBar = (s.shiftD ?? 0) + s.sumD / s.n;
  if (dBar === 0) return { ...emptyMoments("denominator sum is 0: ratio undefined"), n: s.n };
  const varM = sampleVariance(s.n, s.sumM, s.sumM2);
  const varD = sampleVariance(s.n, s.sumD, s.sumD2);
  const covMD = sampleCovariance(s.n, s.sumM, s.sumD, s.sumMD);
  const r = mBar / dBar;
  const variance = Math.max(0, (varM - 2 * r * covMD + r * r * varD) / (dBar * dBar));
  return { n: s.n, mean: r, variance, varianceOfMean: variance / s.n };
}

/**
 * Moments of a regression-adjusted statistic for a fixed θ, with the covariate centred at `center`
 * (normally the pooled pre-period mean, so adjusted means stay on the metric's scale):
 *   Ŷ_adj = ȳ − θ(x̄ − center),   σ²_adj = σ²_y − 2θσ_xy + θ²σ²_x,   Var(Ŷ_adj) = σ²_adj / n.
 * Use `cupedAdjust` (cuped.ts) to get θ pooled across variants.
 */
export function regressionAdjustedMoments(s: RegressionAdjustedStatistic, theta: number, center: number): Moments {
  validate(s);
  if (s.n === 0) return emptyMoments("no units");
  const yBar = (s.shift ?? 0) + s.sum / s.n;
  const xBar = (s.preShift ?? 0) + s.preSum / s.n;
  const varY = sampleVariance(s.n, s.sum, s.sumSquares);
  const varX = sampleVariance(s.n, s.preSum, s.preSumSquares);
  const covXY = sampleCovariance(s.n, s.preSum, s.sum, s.sumCross);
  const variance = Math.max(0, varY - 2 * theta * covXY + theta * theta * varX);
  return { n: s.n, mean: yBar - theta * (xBar - center), variance, varianceOfMean: variance / s.n };
}

/**
 * Moments of any statistic without regression adjustment (a regression-adjusted statistic gives
 * its unadjusted outcome moments here; use `cupedAdjust` to adjust).
 */
export function moments(s: SufficientStatistic): Moments {
  switch (s.kind) {
    case "proportion":
      return proportionMoments(s);
    case "mean":
      return sampleMeanMoments(s);
    case "ratio":
      return ratioMoments(s);
    case "regressionAdjusted":
      return sampleMeanMoments({ kind: "mean", n: s.n, sum: s.sum, sumSquares: s.sumSquares, shift: s.shift });
  }
}

const SHIFT_KEYS: readonly string[] = ["shift", "preShift", "shiftM", "shiftD"];

/** Sum of two statistics of the same kind (e.g. pooling days, shards or variants): every field adds. */
export function combine<S extends SufficientStatistic>(a: S, b: S): S {
  if (a.kind !== b.kind) throw new StatsInputError("kind", `cannot combine ${a.kind} with ${b.kind}`);
  const left = a as unknown as Record<string, number | string | undefined>;
  const right = b as unknown as Record<string, number | string | undefined>;
  const out: Record<string, number | string> = { kind: a.kind };
  for (const key of SHIFT_KEYS) {
    if ((left[key] ?? 0) !== (right[key] ?? 0))
      throw new StatsInputError(key, `cannot combine sums taken with different shifts (${left[key] ?? 0} vs ${right[key] ?? 0})`);
    if (left[key] !== undefined) out[key] = left[key];
  }
  for (const key of Object.keys(left)) {
    if (key !== "kind" && !SHIFT_KEYS.includes(key)) out[key] = Number(left[key]) + Number(right[key]);
  }
  return out as unknown as S;
}
