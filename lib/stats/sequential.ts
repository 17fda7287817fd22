/**
 * Sequential testing for continuous monitoring: always-valid p-values and confidence sequences
 * from the normal-mixture mSPRT (Robbins 1970; Johari, Pekelis & Walsh 2017, "Always valid
 * inference"; Howard et al. 2021). A report may be recomputed every minute and stopped the first
 * time p < α: the false-positive rate stays ≤ α, which a fixed-horizon test cannot promise.
 *
 * With Δ̂ the effect estimate (absolute or relative, see frequentist.ts), V = Var(Δ̂), θ₀ the null
 * effect and a N(θ₀, τ²) mixture over alternatives, the mixture likelihood ratio is
 *   Λ = √(V/(V+τ²)) · exp( τ²(Δ̂ − θ₀)² / (2V(V+τ²)) )
 * and
 *   always-valid p-value   p = min(1, 1/Λ)
 *   confidence sequence    Δ̂ ± √( V(V+τ²)/τ² · (2·ln(1/α) + ln((V+τ²)/V)) )
 * (the CS is exactly the set of θ₀ with p ≥ α).
 *
 * Choosing τ² — GrowthBook's "sequential tuning parameter" N*: the sequence is narrowest when the
 * total sample size is near N*. With σ² = (n_A + n_B)·V (per-unit variance of the estimate),
 *   ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*,   τ² = σ²·ρ²
 * which makes the half-width √(σ²·2(nρ² + 1)/(n²ρ²)·ln(√(nρ² + 1)/α)) — GrowthBook's formula
 * (Waudby-Smith et al. 2023, eq. 155). Pass `tau2` instead to fix the mixture variance directly.
 *
 * These p/CI values are valid at every look. Across looks, keep the running minimum p and the
 * running intersection of the sequences (`accumulateAlwaysValid`), as Johari et al. define them.
 */
import { StatsInputError } from "./errors";
import { type ComparisonOptions, type DifferenceType, checkAlpha, checkMoments, comparableEffect, noInference } from "./frequentist";
import type { Moments } from "./sufficient";

export const DEFAULT_SEQUENTIAL_TUNING = 5000;

export interface SequentialOptions {
  difference?: DifferenceType;
  /** Two-sided level of the confidence sequence. Default 0.05. */
  alpha?: number;
  /** Total sample size (both arms) at which the sequence should be tightest. Default 5000. */
  tuningN?: number;
  /** Mixture variance τ² on the effect scale; overrides tuningN when given. */
  tau2?: number;
  nullValue?: ComparisonOptions["nullValue"];
}

export interface SequentialResult {
  estimate: number;
  /** Always-valid (1 − alpha) confidence sequence at this look; [−∞, ∞] when degenerate. */
  ci: [number, number];
  /** Always-valid p-value at this look: min(1, 1/Λ); null when degenerate. */
  pValue: number | null;
  /** Mixture likelihood ratio Λ (an e-value; reject H0 when Λ ≥ 1/α). */
  likelihoodRatio: number;
  standardError: number;
  tau2: number;
  alpha: number;
  difference: DifferenceType;
  control: Moments;
  treatment: Moments;
  degenerate?: string;
}

/** ρ² for GrowthBook's tuning parameter N* (see file header). */
export function sequentialRho2(alpha: number, tuningN: number): number {
  checkAlpha(alpha);
  if (!(tuningN > 0)) throw new StatsInputError("tuningN", `must be > 0, got ${tuningN}`);
  const l = -2 * Math.log(alpha);
  return (l + Math.log(l + 1)) / tuningN;
}

/** Mixture likelihood ratio Λ for an estimate with variance V under mixing variance τ². */
export function msprtLikelihoodRatio(estimate: number, variance: number, tau2: number, nullValue = 0): number {
  const d = estimate - nullValue;
  return Math.sqrt(variance / (variance + tau2)) * Math.exp((tau2 * d * d) / (2 * variance * (variance + tau2)));
}

/** Half-width of the (1 − α) confidence sequence for variance V and mixing variance τ². */
export function confidenceSequenceHalfWidth(variance: number, tau2: number, alpha: number): number {
  checkAlpha(alpha);
  return Math.sqrt(((variance * (variance + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((variance + tau2) / variance)));
}

/** Always-valid comparison of treatment vs control at the current look. */
export function sequentialCompare(control: Moments, treatment: Moments, options: SequentialOptions = {}): SequentialResult {
  const difference = options.difference ?? "absolute";
  const alpha = options.alpha ?? 0.05;
  const nullValue = options.nullValue ?? 0;
  checkAlpha(alpha);
  checkMoments(control, "control");
  checkMoments(treatment, "treatment");
  if (options.tau2 !== undefined && !(options.tau2 > 0)) {
    throw new StatsInputError("tau2", `must be > 0, got ${options.tau2}`);
  }
  const base = { alpha, difference, control, treatment };
  const degenerate = (reason: string, estimate = 0): SequentialResult => ({
    ...base,
    ...noInference(reason, estimate),
    likelihoodRatio: 1,
    tau2: options.tau2 ?? 0,
  });
  const eff = comparableEffect(control, treatment, difference);
  if ("degenerate" in eff) return degenerate(eff.degenerate, eff.estimate);
  const tau2 = options.tau2 ?? (control.n + treatment.n) * eff.variance * sequentialRho2(alpha, options.tuningN ?? DEFAULT_SEQUENTIAL_TUNING);
  const lr = msprtLikelihoodRatio(eff.estimate, eff.variance, tau2, nullValue);
  const half = confidenceSequenceHalfWidth(eff.variance, tau2, alpha);
  return {
    ...base,
    estimate: eff.estimate,
    ci: [eff.estimate - half, eff.estimate + half],
    pValue: Math.min(1, 1 / lr),
    likelihoodRatio: lr,
    standardError: Math.sqrt(eff.variance),
    tau2,
  };
}

export interface AlwaysValidState {
  pValue: number;
  ci: [number, number];
}

/**
 * Combine the previous running state with the current look: running minimum of p-values and
 * intersection of confidence sequences (Johari et al. 2017, §3). If the intersection is empty
 * (possible only when the model's assumptions fail), the current interval is kept.
 */
export function accumulateAlwaysValid(previous: AlwaysValidState | null, current: AlwaysValidState): AlwaysValidState {
  if (!previous) return { pValue: current.pValue, ci: [current.ci[0], current.ci[1]] };
  const lo = Math.max(previous.ci[0], current.ci[0]);
  const hi = Math.min(previous.ci[1], current.ci[1]);
  return {
    pValue: Math.min(previous.pValue, current.pValue),
    ci: lo <= hi ? [lo, hi] : [current.ci[0], current.ci[1]],
  };
}
