/**
 * Sample size and power for a two-sided two-arm test. k = n_treatment / n_control (allocation ratio).
 *
 * Proportions (normal approximation, no continuity correction; Fleiss, Levin & Paik 2003 §4.2;
 * identical to R's power.prop.test for k = 1), p₁ = baseline, p₂ = p₁ + δ:
 *   p̄ = (p₁ + k p₂)/(1 + k)
 *   n_control = [ z_{1−α/2} √(p̄q̄(1 + 1/k)) + z_{power} √(p₁q₁ + p₂q₂/k) ]² / δ²
 *   power(n)  = Φ( (|δ| − z_{1−α/2} √(p̄q̄(1/n_A + 1/n_B))) / √(p₁q₁/n_A + p₂q₂/n_B) )
 * Means (two-sample t-test with common σ, exact via the noncentral t; R's power.t.test for k = 1):
 *   ν = n_A + n_B − 2,  ncp = δ / (σ √(1/n_A + 1/n_B)),  power = P(T'_{ν,ncp} > t_{1−α/2,ν})
 *   (`test: "z"` gives the normal approximation n_A = (z_{1−α/2} + z_{power})² σ²(1 + 1/k)/δ²).
 * As in R (strict = FALSE), power counts rejections in the direction of the effect only; pass
 * `strict: true` to add the (negligible) opposite tail.
 * MDE: absolute δ, or relative (δ = baseline × mde).
 */
import { noncentralTCdf, normalCdf, normalQuantile, studentTQuantile } from "./distributions";
import { StatsInputError } from "./errors";

interface CommonOptions {
  /** Two-sided significance level. Default 0.05. */
  alpha?: number;
  /** n_treatment / n_control. Default 1. */
  ratio?: number;
  /** Include the opposite rejection tail in power. Default false (as R). */
  strict?: boolean;
}

export interface ProportionDesign extends CommonOptions {
  /** Control conversion rate p₁ in (0, 1). */
  baseline: number;
  /** Minimum detectable effect: absolute (p₂ − p₁) or relative (p₂/p₁ − 1). */
  mde: number;
  mdeType?: "absolute" | "relative";
}

export interface MeanDesign extends CommonOptions {
  /** Per-unit standard deviation σ (for a ratio metric: of the linearised unit values). */
  sd: number;
  mde: number;
  mdeType?: "absolute" | "relative";
  /** Control mean; required for a relative MDE. */
  baselineMean?: number;
  /** "t" (exact, default) or "z" (normal approximation). */
  test?: "t" | "z";
}

export interface SampleSizeResult {
  /** Units per arm, rounded up. */
  nControl: number;
  nTreatment: number;
  total: number;
  /** Unrounded control-arm size (R's power.*.test report this). */
  exactNControl: number;
  /** Absolute effect δ the design detects. */
  effect: number;
}

function commonChecks(o: CommonOptions): { alpha: number; ratio: number; strict: boolean } {
  const alpha = o.alpha ?? 0.05;
  const ratio = o.ratio ?? 1;
  if (!(alpha > 0 && alpha < 1)) throw new StatsInputError("alpha", `must be in (0, 1), got ${alpha}`);
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new StatsInputError("ratio", `must be > 0, got ${ratio}`);
  return { alpha, ratio, strict: o.strict ?? false };
}

function checkPower(power: number): void {
  if (!(power > 0 && power < 1)) throw new StatsInputError("power", `must be in (0, 1), got ${power}`);
}

function checkN(n: number): void {
  if (!(n > 0) || !Number.isFinite(n)) throw new StatsInputError("nControl", `must be > 0, got ${n}`);
}

function proportionPair(d: ProportionDesign): { p1: number; p2: number; delta: number } {
  if (!(d.baseline > 0 && d.baseline < 1)) throw new StatsInputError("baseline", `must be in (0, 1), got ${d.baseline}`);
  if (!Number.isFinite(d.mde) || d.mde === 0) throw new StatsInputError("mde", `must be a non-zero number, got ${d.mde}`);
  const p1 = d.baseline;
  const p2 = (d.mdeType ?? "absolute") === "relative" ? p1 * (1 + d.mde) : p1 + d.mde;
  if (!(p2 > 0 && p2 < 1)) throw new StatsInputError("mde", `baseline ${p1} with this MDE gives p₂ = ${p2}, outside (0, 1)`);
  return { p1, p2, delta: p2 - p1 };
}

function meanEffect(d: MeanDesign): number {
  if (!(d.sd > 0) || !Number.isFinite(d.sd)) throw new StatsInputError("sd", `must be > 0, got ${d.sd}`);
  if (!Number.isFinite(d.mde) || d.mde === 0) throw new StatsInputError("mde", `must be a non-zero number, got ${d.mde}`);
  if ((d.mdeType ?? "absolute") === "absolute") return d.mde;
  if (d.baselineMean === undefined || !Number.isFinite(d.baselineMean) || d.baselineMean === 0) {
    throw new StatsInputError("baselineMean", "a relative MDE needs a non-zero baselineMean");
  }
  return d.baselineMean * d.mde;
}

function sizes(exactNControl: number, ratio: number, effect: number): SampleSizeResult {
  // Guard against 1e-12 overshoots turning 76.0000000001 into 77.
  const nControl = Math.ceil(exactNControl - 1e-9);
  const nTreatment = Math.ceil(exactNControl * ratio - 1e-9);
  return { nControl, nTreatment, total: nControl + nTreatment, exactNControl, effect };
}

/** Units per arm to detect a change in a conversion rate. */
export function proportionSampleSize(design: ProportionDesign & { power?: number }): SampleSizeResult {
  const { alpha, ratio: k } = commonChecks(design);
  const power = design.power ?? 0.8;
  checkPower(power);
  const { p1, p2, delta } = proportionPair(design);
  const pBar = (p1 + k * p2) / (1 + k);
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const root = za * Math.sqrt(pBar * (1 - pBar) * (1 + 1 / k)) + zb * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / k);
  return sizes((root * root) / (delta * delta), k, delta);
}

/** Power of the two-proportion test with nControl units in control (ratio·nControl in treatment). */
export function proportionPower(design: ProportionDesign & { nControl: number }): number {
  const { alpha, ratio: k, strict } = commonChecks(design);
  checkN(design.nControl);
  const { p1, p2, delta } = proportionPair(design);
  const nA = design.nControl;
  const nB = k * nA;
  const pBar = (p1 + k * p2) / (1 + k);
  const za = normalQuantile(1 - alpha / 2);
  const se0 = Math.sqrt(pBar * (1 - pBar) * (1 / nA + 1 / nB));
  const se1 = Math.sqrt((p1 * (1 - p1)) / nA + (p2 * (1 - p2)) / nB);
  const power = normalCdf((Math.abs(delta) - za * se0) / se1);
  return strict ? power + normalCdf((-Math.abs(delta) - za * se0) / se1) : power;
}

/** Power of the two-sample test of means with nControl units in control. */
export function meanPower(design: MeanDesign & { nControl: number }): number {
  const { alpha, ratio: k, strict } = commonChecks(design);
  checkN(design.nControl);
  const delta = Math.abs(meanEffect(design));
  return meanPowerAt(design.nControl, delta, design.sd, alpha, k, strict, design.test ?? "t");
}

function meanPowerAt(nA: number, delta: number, sd: number, alpha: number, k: number, strict: boolean, test: "t" | "z"): number {
  const nB = k * nA;
  const ncp = delta / (sd * Math.sqrt(1 / nA + 1 / nB));
  if (test === "z") {
    const za = normalQuantile(1 - alpha / 2);
    return normalCdf(ncp - za) + (strict ? normalCdf(-ncp - za) : 0);
  }
  const df = nA + nB - 2;
  if (!(df > 0)) return 0;
  const crit = studentTQuantile(1 - alpha / 2, df);
  const upper = 1 - noncentralTCdf(crit, df, ncp);
  return strict ? upper + noncentralTCdf(-crit, df, ncp) : upper;
}

/** Units per arm to detect a change δ in a mean with per-unit standard deviation sd. */
export function meanSampleSize(design: MeanDesign & { power?: number }): SampleSizeResult {
  const { alpha, ratio: k, strict } = commonChecks(design);
  const power = design.power ?? 0.8;
  checkPower(power);
  const delta = Math.abs(meanEffect(design));
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const zApprox = ((za + zb) * (za + zb) * design.sd * design.sd * (1 + 1 / k)) / (delta * delta);
  if ((design.test ?? "t") === "z") return sizes(zApprox, k, delta);
  // The t-test needs a little more than the z approximation: bracket and bisect on power(n).
  const powerAt = (n: number) => meanPowerAt(n, delta, design.sd, alpha, k, strict, "t");
  const minN = (2 + 1e-6) / (1 + k); // df = n(1 + k) − 2 > 0
  let lo = Math.max(minN, zApprox * 0.5);
  if (powerAt(lo) >= power) lo = minN;
  let hi = Math.max(lo * 2, zApprox + 2);
  while (powerAt(hi) < power) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (powerAt(mid) < power) lo = mid;
    else hi = mid;
  }
  return sizes(hi, k, delta);
}

/**
 * Power, sample size and MDE for the test the report actually runs: the relative lift
 * L = μ_B/μ_A − 1 with its delta-method variance (frequentist.ts)
 *   V(L) = σ_B²/(n_B μ_A²) + μ_B² σ_A²/(n_A μ_A⁴),   μ_B = μ_A(1 + ℓ)
 * (proportions: σ² = p(1 − p) in each arm; means: σ_B defaults to σ_A). Wald test:
 *   fixed horizon  power = Φ(|ℓ|/√V − z_{1−α/2})
 *   sequential     power = Φ((|ℓ| − h)/√V), h = the confidence-sequence half-width at V (sequential.ts,
 *                  τ² from the tuning N*): the chance the always-valid test has rejected by the final
 *                  look, a lower bound for the power with monitoring (earlier rejections only add).
 * (plus the opposite tail with `strict`).
 */
export interface RelativeLiftDesign extends CommonOptions {
  metric: { kind: "proportion"; baseline: number } | { kind: "mean"; baselineMean: number; sd: number; treatmentSd?: number };
  /** "fixed" (default) or "sequential" (mSPRT confidence sequence, as the rollout gates use). */
  test?: "fixed" | "sequential";
  /** Sequential tuning N* (total units where the sequence is tightest). Default 5000. */
  tuningN?: number;
}

function liftVariance(design: RelativeLiftDesign, lift: number, nA: number, k: number): number {
  const m = design.metric;
  if (m.kind === "proportion") {
    if (!(m.baseline > 0 && m.baseline < 1)) throw new StatsInputError("metric.baseline", `must be in (0, 1), got ${m.baseline}`);
    const p1 = m.baseline;
    const p2 = p1 * (1 + lift);
    if (!(p2 > 0 && p2 < 1)) throw new StatsInputError("mde", `baseline ${p1} with a lift of ${lift} gives p₂ = ${p2}, outside (0, 1)`);
    return (p2 * (1 - p2)) / (k * nA * p1 * p1) + (p2 * p2 * p1 * (1 - p1)) / (nA * p1 ** 4);
  }
  if (m.kind === "mean") {
    if (!Number.isFinite(m.baselineMean) || m.baselineMean === 0) throw new StatsInputError("metric.baselineMean", "must be a non-zero number");
    if (!(m.sd > 0) || !Number.isFinite(m.sd)) throw new StatsInputError("metric.sd", `must be > 0, got ${m.sd}`);
    const sdB = m.treatmentSd ?? m.sd;
    if (!(sdB > 0) || !Number.isFinite(sdB)) throw new StatsInputError("metric.treatmentSd", `must be > 0, got ${sdB}`);
    const a = Math.abs(m.baselineMean);
    const b = m.baselineMean * (1 + lift);
    return (sdB * sdB) / (k * nA * a * a) + (b * b * m.sd * m.sd) / (nA * a ** 4);
  }
  throw new StatsInputError("metric.kind", `must be "proportion" or "mean", got ${String((m as { kind: unknown }).kind)}`);
}

function liftPowerAt(design: RelativeLiftDesign, lift: number, nA: number): number {
  const { alpha, ratio: k, strict } = commonChecks(design);
  const v = liftVariance(design, lift, nA, k);
  const se = Math.sqrt(v);
  let threshold: number;
  if ((design.test ?? "fixed") === "sequential") {
    const tuningN = design.tuningN ?? 5000;
    if (!(tuningN > 0)) throw new StatsInputError("tuningN", `must be > 0, got ${tuningN}`);
    const l = -2 * Math.log(alpha);
    const tau2 = nA * (1 + k) * v * ((l + Math.log(l + 1)) / tuningN);
    threshold = Math.sqrt(((v * (v + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((v + tau2) / v)));
  } else {
    threshold = normalQuantile(1 - alpha / 2) * se;
  }
  const power = normalCdf((Math.abs(lift) - threshold) / se);
  return strict ? power + normalCdf((-Math.abs(lift) - threshold) / se) : power;
}

function checkLift(lift: number): void {
  if (!Number.isFinite(lift) || lift === 0 || lift <= -1) throw new StatsInputError("mde", `must be a non-zero relative lift > −1, got ${lift}`);
}

/** Power to detect a relative lift `mde` with nControl units in control. */
export function relativeLiftPower(design: RelativeLiftDesign & { mde: number; nControl: number }): number {
  checkLift(design.mde);
  checkN(design.nControl);
  return liftPowerAt(design, design.mde, design.nControl);
}

/** Units per arm for the relative-lift test to reach `power` (default 0.8) at lift `mde`. */
export function relativeLiftSampleSize(design: RelativeLiftDesign & { mde: number; power?: number }): SampleSizeResult {
  const { ratio: k } = commonChecks(design);
  const power = design.power ?? 0.8;
  checkPower(power);
  checkLift(design.mde);
  let lo = 1;
  let hi = 2;
  while (liftPowerAt(design, design.mde, hi) < power) {
    hi *= 2;
    if (hi > 1e13) throw new StatsInputError("mde", "too small to detect with any realistic sample");
  }
  for (let i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (liftPowerAt(design, design.mde, mid) < power) lo = mid;
    else hi = mid;
  }
  const effect = design.metric.kind === "proportion" ? design.metric.baseline * design.mde : design.metric.baselineMean * design.mde;
  return sizes(hi, k, effect);
}

/**
 * Smallest relative lift (in `direction`, default an increase) detected with `power` (default 0.8)
 * with nControl units in control.
 */
export function relativeLiftMde(design: RelativeLiftDesign & { nControl: number; power?: number; direction?: "increase" | "decrease" }): number {
  const power = design.power ?? 0.8;
  checkPower(power);
  checkN(design.nControl);
  const sign = (design.direction ?? "increase") === "increase" ? 1 : -1;
  const upper = design.metric.kind === "proportion" ? (sign > 0 ? 1 / design.metric.baseline - 1 : 1) : sign > 0 ? 1e6 : 1;
  const at = (x: number) => liftPowerAt(design, sign * x, design.nControl);
  let lo = 0;
  let hi = upper * (1 - 1e-12);
  if (at(hi) < power) throw new StatsInputError("nControl", `too small: no lift up to ${sign * hi} reaches power ${power}`);
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid) < power) lo = mid;
    else hi = mid;
  }
  return sign * hi;
}
