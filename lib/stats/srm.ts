/**
 * Sample ratio mismatch (SRM): are the observed units per variant consistent with the configured
 * traffic weights? Pearson chi-square goodness of fit:
 *   E_i = N·w_i/Σw,   χ² = Σ (O_i − E_i)²/E_i,   df = k − 1,   p = P(χ²_{k−1} ≥ χ²).
 * A tiny p means assignment or logging is broken and the experiment's comparisons are not to be
 * trusted. Conventional threshold p < 0.001 (Fabijan et al. 2019, "Diagnosing Sample Ratio
 * Mismatch"; Kohavi, Tang & Xu 2020), strict because the check runs on every look.
 */
import { chiSquareSf } from "./distributions";
import { StatsInputError } from "./errors";

export const DEFAULT_SRM_THRESHOLD = 0.001;

export interface SrmResult {
  chiSquare: number;
  df: number;
  pValue: number;
  /** Expected counts under the weights. */
  expected: number[];
  threshold: number;
  /** pValue < threshold. */
  mismatch: boolean;
}

/**
 * Weights may be 0 (an arm at 0 % during a rollback, or the only arm at 100 %): such an arm is
 * expected to receive nothing, so any unit observed there is an outright mismatch (χ² = ∞, p = 0);
 * empty zero-weight arms are left out and df counts the arms with positive weight.
 */
export function sampleRatioMismatch(observed: number[], weights: number[], threshold = DEFAULT_SRM_THRESHOLD): SrmResult {
  if (observed.length < 2) throw new StatsInputError("observed", `needs at least 2 variants, got ${observed.length}`);
  if (weights.length !== observed.length) {
    throw new StatsInputError("weights", `needs one weight per variant (${observed.length}), got ${weights.length}`);
  }
  if (!(threshold > 0 && threshold < 1)) throw new StatsInputError("threshold", `must be in (0, 1), got ${threshold}`);
  observed.forEach((o, i) => {
    if (!Number.isInteger(o) || o < 0) throw new StatsInputError(`observed[${i}]`, `must be a non-negative integer, got ${o}`);
  });
  weights.forEach((w, i) => {
    if (!(w >= 0) || !Number.isFinite(w)) throw new StatsInputError(`weights[${i}]`, `must be a finite number ≥ 0, got ${w}`);
  });
  const weightSum = weights.reduce((s, w) => s + w, 0);
  if (!(weightSum > 0)) throw new StatsInputError("weights", "at least one weight must be > 0");
  const total = observed.reduce((s, o) => s + o, 0);
  const expected = weights.map((w) => (total * w) / weightSum);
  const active = weights.map((w, i) => i).filter((i) => weights[i] > 0);
  const df = Math.max(0, active.length - 1);
  const result = (chiSquare: number, pValue: number): SrmResult => ({
    chiSquare,
    df,
    pValue,
    expected,
    threshold,
    mismatch: pValue < threshold,
  });
  if (observed.some((o, i) => weights[i] === 0 && o > 0)) return result(Infinity, 0);
  if (total === 0 || df === 0) return result(0, 1);
  const chiSquare = active.reduce((s, i) => s + ((observed[i] - expected[i]) * (observed[i] - expected[i])) / expected[i], 0);
  return result(chiSquare, chiSquareSf(chiSquare, df));
}
