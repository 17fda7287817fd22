/**
 * Holm–Bonferroni step-down correction across one experiment's KPIs (Holm 1979). Controls the
 * family-wise error rate at α under any dependence, and is uniformly more powerful than Bonferroni.
 * With p-values sorted ascending p_(1) ≤ … ≤ p_(m), the adjusted p-values are
 *   p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j))
 * (the running max makes them monotone in the sorted order); reject H_(i) iff p̃_(i) ≤ α.
 * Same definition as R's p.adjust(method = "holm").
 */
import { StatsInputError } from "./errors";

/**
 * A step-wise adjustment: the p-values visited in sorted order (ascending, or descending for a step-up
 * procedure; ties by input position), each adjusted p̃ = next(running, p, rank, m) from the one before,
 * rank being p's 1-based position in ascending order. Returned in the input order.
 */
function stepwiseAdjust(
  pValues: readonly number[],
  descending: boolean,
  start: number,
  next: (running: number, p: number, rank: number, m: number) => number,
): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new StatsInputError(`pValues[${i}]`, `must be in [0, 1], got ${p}`);
  });
  const m = pValues.length;
  const sign = descending ? -1 : 1;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => sign * (a.p - b.p) || sign * (a.i - b.i));
  const adjusted = new Array<number>(m);
  let running = start;
  order.forEach(({ p, i }, k) => {
    running = next(running, p, descending ? m - k : k + 1, m);
    adjusted[i] = running;
  });
  return adjusted;
}

/** Holm-adjusted p-values, returned in the input order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  return stepwiseAdjust(pValues, false, 0, (running, p, rank, m) => Math.max(running, Math.min(1, (m - rank + 1) * p)));
}

export interface HolmResult {
  adjusted: number[];
  /** rejected[i] ⇔ adjusted[i] ≤ alpha. */
  rejected: boolean[];
  alpha: number;
}

export function holmBonferroni(pValues: readonly number[], alpha = 0.05): HolmResult {
  if (!(alpha > 0 && alpha < 1)) throw new StatsInputError("alpha", `must be in (0, 1), got ${alpha}`);
  const adjusted = holmAdjust(pValues);
  return { adjusted, rejected: adjusted.map((p) => p <= alpha), alpha };
}

/**
 * Benjamini–Hochberg step-up adjustment (Benjamini & Hochberg 1995): controls the false discovery
 * rate at α for independent or positively dependent p-values (PRDS), which KPIs of one experiment
 * and segments of one KPI usually are; less strict than Holm's family-wise control. Same definition
 * as R's p.adjust(method = "BH"):  p̃_(i) = min_{j ≥ i} min(1, m·p_(j)/j).
 */
export function benjaminiHochbergAdjust(pValues: readonly number[]): number[] {
  return stepwiseAdjust(pValues, true, 1, (running, p, rank, m) => Math.min(running, Math.min(1, (m * p) / rank)));
}

export type MultipleTestingMethod = "holm" | "benjamini-hochberg";

/**
 * Adjust the p-values that exist; null (no test possible) stays null and does not count towards m —
 * a comparison that was never tested cannot produce a false discovery.
 */
export function adjustPValues(pValues: readonly (number | null)[], method: MultipleTestingMethod = "holm"): (number | null)[] {
  const tested = pValues.map((p, i) => ({ p, i })).filter((x): x is { p: number; i: number } => x.p !== null);
  const adjust = method === "holm" ? holmAdjust : method === "benjamini-hochberg" ? benjaminiHochbergAdjust : null;
  if (!adjust) throw new StatsInputError("method", `must be "holm" or "benjamini-hochberg", got ${String(method)}`);
  const adjusted = adjust(tested.map((x) => x.p));
  const out: (number | null)[] = pValues.map(() => null);
  tested.forEach((x, k) => (out[x.i] = adjusted[k]));
  return out;
}
