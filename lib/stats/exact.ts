/**
 * Small-count and boundary inference for two proportions, where the Wald interval p̂ ± z√(p̂q̂/n)
 * collapses (p̂ = 0 or 1 gives a zero-width interval and a "significant" z-test on 0 events).
 *
 *  - Wilson score interval for one proportion (Wilson 1927):
 *      (x + z²/2)/(n + z²) ± z/(n + z²) · √(x(n − x)/n + z²/4)
 *  - Newcombe's hybrid score interval for p_B − p_A (Newcombe 1998, method 10), from the two Wilson
 *    intervals (l, u):  d − √((p̂_B − l_B)² + (u_A − p̂_A)²),  d + √((u_B − p̂_B)² + (p̂_A − l_A)²)
 *  - Koopman's score interval for the ratio p_B/p_A (Koopman 1984): the φ with |z(φ)| ≤ z_{1−α/2},
 *      z(φ) = (p̂_B − φ p̂_A)/√(p̃_B q̃_B/n_B + φ² p̃_A q̃_A/n_A),
 *    p̃ the maximum-likelihood proportions under p_B = φ p_A (a quadratic; Miettinen & Nurminen 1985
 *    without their N/(N − 1) factor). z is monotone in φ, so the bounds are found by bisection on ln φ.
 *  - Fisher's exact test on the 2×2 table (two-sided: the sum of the hypergeometric probabilities of
 *    tables no more likely than the observed one, as R's fisher.test and scipy.stats.fisher_exact).
 */
import { lnGamma, normalQuantile } from "./distributions";
import { StatsInputError } from "./errors";
import type { ProportionStatistic } from "./sufficient";

function checkCounts(s: ProportionStatistic, label: string): void {
  if (!Number.isInteger(s.n) || s.n < 1) throw new StatsInputError(`${label}.n`, `must be a positive integer, got ${s.n}`);
  if (!Number.isInteger(s.sum) || s.sum < 0 || s.sum > s.n) {
    throw new StatsInputError(`${label}.sum`, `must be an integer count in [0, n = ${s.n}], got ${s.sum}`);
  }
}

export function wilsonInterval(successes: number, n: number, alpha = 0.05): [number, number] {
  checkCounts({ kind: "proportion", n, sum: successes }, "proportion");
  const z = normalQuantile(1 - alpha / 2);
  const z2 = z * z;
  const centre = (successes + z2 / 2) / (n + z2);
  const half = (z / (n + z2)) * Math.sqrt((successes * (n - successes)) / n + z2 / 4);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Newcombe's interval for p_B − p_A (treatment minus control). */
export function newcombeInterval(control: ProportionStatistic, treatment: ProportionStatistic, alpha = 0.05): [number, number] {
  checkCounts(control, "control");
  checkCounts(treatment, "treatment");
  const pa = control.sum / control.n;
  const pb = treatment.sum / treatment.n;
  const [la, ua] = wilsonInterval(control.sum, control.n, alpha);
  const [lb, ub] = wilsonInterval(treatment.sum, treatment.n, alpha);
  const d = pb - pa;
  return [d - Math.hypot(pb - lb, ua - pa), d + Math.hypot(ub - pb, pa - la)];
}

/** Koopman's score interval for the relative lift p_B/p_A − 1; null when the control has no successes. */
export function ratioScoreInterval(control: ProportionStatistic, treatment: ProportionStatistic, alpha = 0.05): [number, number] | null {
  checkCounts(control, "control");
  checkCounts(treatment, "treatment");
  if (control.sum === 0) return null;
  const { n: n2, sum: x2 } = control;
  const { n: n1, sum: x1 } = treatment;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const zq = normalQuantile(1 - alpha / 2);
  const score = (phi: number): number => {
    const a = phi * (n1 + n2);
    const b = -(phi * (n1 + x2) + x1 + n2);
    const c = x1 + x2;
    const p2t = Math.min(1, Math.max(0, (-b - Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a)));
    const p1t = Math.min(1, phi * p2t);
    const v = (p1t * (1 - p1t)) / n1 + (phi * phi * p2t * (1 - p2t)) / n2;
    const num = p1 - phi * p2;
    if (!(v > 0)) return num === 0 ? 0 : num > 0 ? Infinity : -Infinity;
    return num / Math.sqrt(v);
  };
  // z(φ) decreases in φ; find z = +zq (lower bound) and z = −zq (upper bound) on ln φ
  const solve = (target: number, loStart: number, hiStart: number): number => {
    let lo = loStart;
    let hi = hiStart;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (score(Math.exp(mid)) > target) lo = mid;
      else hi = mid;
    }
    return Math.exp((lo + hi) / 2);
  };
  const centre = Math.log(Math.max(p1, 1e-12) / p2);
  const lower = x1 === 0 ? 0 : solve(zq, centre - 50, centre);
  const upper = x1 === treatment.n && x2 === control.n ? Infinity : solve(-zq, Math.min(centre, Math.log(1e-12)), centre + 50);
  return [lower - 1, upper - 1];
}

/** Two-sided Fisher exact p-value for the table [[x_A, n_A − x_A], [x_B, n_B − x_B]]. */
export function fisherExactPValue(control: ProportionStatistic, treatment: ProportionStatistic): number {
  checkCounts(control, "control");
  checkCounts(treatment, "treatment");
  const na = control.n;
  const nb = treatment.n;
  const k = control.sum + treatment.sum;
  const lnChoose = (n: number, r: number) => lnGamma(n + 1) - lnGamma(r + 1) - lnGamma(n - r + 1);
  const lnDenominator = lnChoose(na + nb, k);
  const lnP = (x: number) => lnChoose(na, x) + lnChoose(nb, k - x) - lnDenominator;
  const observed = lnP(control.sum);
  let p = 0;
  for (let x = Math.max(0, k - nb); x <= Math.min(na, k); x++) {
    const lp = lnP(x);
    // relative tolerance for ties, as R (1e-7)
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/**
 * When the normal approximation cannot be trusted for two proportions: an arm with 0 or all
 * successes, or an expected cell count below 5 (Cochran's rule for the 2×2 table).
 */
export function needsExactProportionTest(control: ProportionStatistic, treatment: ProportionStatistic): boolean {
  const boundary = (s: ProportionStatistic) => s.sum === 0 || s.sum === s.n;
  if (boundary(control) || boundary(treatment)) return true;
  const total = control.n + treatment.n;
  const successes = control.sum + treatment.sum;
  const failures = total - successes;
  const minExpected = (Math.min(control.n, treatment.n) * Math.min(successes, failures)) / total;
  return minExpected < 5;
}
