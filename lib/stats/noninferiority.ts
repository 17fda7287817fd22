/**
 * Non-inferiority decision for rollout guardrails: "is the candidate no worse than control by more
 * than the margin?" decided from an (always-valid) confidence interval for the effect.
 *
 * With the effect on the margin's scale (relative lift μ_B/μ_A − 1 for a relative margin) and a
 * margin m ≥ 0 (0.02 = "up to 2 % worse is acceptable"):
 *   higher is better:  lo > −m → non-inferior;  hi < −m → inferior;  otherwise inconclusive
 *   lower is better:   hi <  m → non-inferior;  lo >  m → inferior;  otherwise inconclusive
 * Using one bound of a two-sided (1 − α) confidence sequence is a one-sided test at level ≤ α, and
 * because the sequence is always valid the decision may be re-evaluated at every look.
 */
import { StatsInputError } from "./errors";
import { type SequentialOptions, type SequentialResult, sequentialCompare } from "./sequential";
import type { Moments } from "./sufficient";

export type Direction = "higherIsBetter" | "lowerIsBetter";
export type NonInferiorityDecision = "non-inferior" | "inferior" | "inconclusive";

export function nonInferiorityDecision(ci: [number, number], margin: number, direction: Direction): NonInferiorityDecision {
  if (!(margin >= 0) || !Number.isFinite(margin)) throw new StatsInputError("margin", `must be a finite number ≥ 0, got ${margin}`);
  const [lo, hi] = ci;
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) throw new StatsInputError("ci", `must be [lo, hi] with lo ≤ hi, got [${lo}, ${hi}]`);
  if (direction === "higherIsBetter") {
    if (lo > -margin) return "non-inferior";
    if (hi < -margin) return "inferior";
    return "inconclusive";
  }
  if (direction === "lowerIsBetter") {
    if (hi < margin) return "non-inferior";
    if (lo > margin) return "inferior";
    return "inconclusive";
  }
  throw new StatsInputError("direction", `must be "higherIsBetter" or "lowerIsBetter", got ${String(direction)}`);
}

export interface NonInferiorityOptions extends Omit<SequentialOptions, "difference" | "nullValue"> {
  /** Acceptable degradation, ≥ 0, relative (0.02 = 2 % worse) unless `marginType` is "absolute". */
  margin: number;
  direction: Direction;
  marginType?: "relative" | "absolute";
}

export interface NonInferiorityResult {
  decision: NonInferiorityDecision;
  margin: number;
  marginType: "relative" | "absolute";
  direction: Direction;
  sequential: SequentialResult;
}

/**
 * Sequential non-inferiority check of treatment vs control from their Moments: computes the
 * always-valid CI of the effect (relative lift by default) and applies `nonInferiorityDecision`.
 * Degenerate data (too few units, zero variance) yields "inconclusive".
 */
export function sequentialNonInferiority(control: Moments, treatment: Moments, options: NonInferiorityOptions): NonInferiorityResult {
  const marginType = options.marginType ?? "relative";
  const sequential = sequentialCompare(control, treatment, {
    alpha: options.alpha,
    tuningN: options.tuningN,
    tau2: options.tau2,
    difference: marginType,
  });
  const decision = nonInferiorityDecision(sequential.ci, options.margin, options.direction);
  return { decision, margin: options.margin, marginType, direction: options.direction, sequential };
}
