/**
 * Probability distributions used by the tests: normal, Student t, chi-square and noncentral t.
 *
 * Everything rests on two special functions evaluated to near machine precision:
 *  - the regularized incomplete gamma P(a, x) / Q(a, x) (series for x < a + 1, Lentz continued
 *    fraction otherwise; Numerical Recipes §6.2), which gives the normal tail
 *    (erfc(z) = Q(1/2, z²)) and the chi-square distribution (P(k/2, x/2));
 *  - the regularized incomplete beta I_x(a, b) (Lentz continued fraction, NR §6.4), which gives
 *    the Student t distribution.
 * ln Γ uses the Lanczos approximation (g = 7, 9 terms; |relative error| < 2e-15 for x > 0); ln B
 * switches to a cancellation-free Stirling form when an argument is large (Welch df in millions).
 * Accuracy against SciPy (see test/stats/distributions.test.ts): ~1e-13 relative for the normal,
 * chi-square and t with ν ≤ 1e5; the t CDF's continued fraction needs O(√ν) steps, so its
 * relative error grows to ~1e-10 at ν = 1e7 and ~2e-8 at ν = 1e9 (irrelevant for decisions:
 * the t vs normal difference itself is ~100/ν there). ν > 1e10 uses the normal.
 * Quantiles start from a published approximation and are polished against the CDF:
 *  - normal: Acklam's rational approximation (rel. error 1.15e-9) + one Halley step → ~1e-15;
 *  - t, chi-square: Cornish–Fisher / Wilson–Hilferty start, then safeguarded Newton on the CDF.
 */
import { StatsInputError } from "./errors";

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 100_000;
const LN_SQRT_2PI = 0.9189385332046728; // ln √(2π)

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos). */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new StatsInputError("x", `lnGamma needs x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection keeps the approximation in its accurate range: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  }
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  checkGammaArgs(a, x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the far tail. */
export function regularizedGammaQ(a: number, x: number): number {
  checkGammaArgs(a, x);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

function checkGammaArgs(a: number, x: number): void {
  if (!(a > 0) || !Number.isFinite(a)) throw new StatsInputError("a", `must be a positive number, got ${a}`);
  if (!(x >= 0)) throw new StatsInputError("x", `must be ≥ 0, got ${x}`);
}

function gammaPrefactor(a: number, x: number): number {
  return Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

// P(a, x) = e^{−x} x^a / Γ(a) · Σ_{n≥0} x^n / (a (a+1) … (a+n))
function gammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let i = 0; i < MAX_ITER; i++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) return sum * gammaPrefactor(a, x);
  }
  throw new Error(`incomplete gamma series did not converge (a=${a}, x=${x})`);
}

// Q(a, x) = e^{−x} x^a / Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))), modified Lentz.
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return gammaPrefactor(a, x) * h;
  }
  throw new Error(`incomplete gamma continued fraction did not converge (a=${a}, x=${x})`);
}

/** Regularized incomplete beta I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) throw new StatsInputError("x", `must be in [0, 1], got ${x}`);
  return regularizedBetaXY(x, 1 - x, a, b);
}

/**
 * I_x(a, b) given both x and y = 1 − x, so callers that know 1 − x exactly (the t CDF:
 * x = ν/(ν+t²), y = t²/(ν+t²)) keep full precision when x is within 1e-8 of 1.
 */
function regularizedBetaXY(x: number, y: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new StatsInputError("a,b", `must be positive, got a=${a}, b=${b}`);
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const lnX = x < 0.5 ? Math.log(x) : Math.log1p(-y);
  const lnY = y < 0.5 ? Math.log(y) : Math.log1p(-x);
  const front = Math.exp(a * lnX + b * lnY - lnBeta(a, b));
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(y, b, a)) / b;
}

// Stirling remainder δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], accurate to < 1e-17 for x ≥ 10.
function stirlingRemainder(x: number): number {
  const x2 = x * x;
  return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * x2)) / x2) / x2) / x;
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). When one argument is large (Welch df in the
 * millions), ln Γ(big) − ln Γ(big + small) is formed from Stirling's series in a cancellation-free
 * way: −[(big − ½) log1p(small/big) + small·ln(big + small) − small + δ(big + small) − δ(big)].
 */
export function lnBeta(a: number, b: number): number {
  const big = Math.max(a, b);
  const small = Math.min(a, b);
  if (big < 10) return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
  const diff = (big - 0.5) * Math.log1p(small / big) + small * Math.log(big + small) - small + stirlingRemainder(big + small) - stirlingRemainder(big);
  return lnGamma(small) - diff;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}

// ---------------------------------------------------------------------------------------------
// Normal

/** Standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LN_SQRT_2PI);
}

/** Standard normal CDF Φ(z) = ½ erfc(−z/√2); the tail is computed directly, so Φ(−30) keeps full relative precision. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new StatsInputError("z", "is NaN");
  if (z === 0) return 0.5;
  const tail = 0.5 * regularizedGammaQ(0.5, 0.5 * z * z); // P(Z > |z|)
  return z < 0 ? tail : 1 - tail;
}

/** Upper tail 1 − Φ(z), accurate for large z. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Standard normal quantile Φ⁻¹(p), Acklam's algorithm refined by one Halley step. */
export function normalQuantile(p: number): number {
  checkProbability(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const pLow = 0.02425;
  let x: number;
  if (p < pLow || p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(p < pLow ? p : 1 - p));
    const num = ((((ACKLAM_C[0] * q + ACKLAM_C[1]) * q + ACKLAM_C[2]) * q + ACKLAM_C[3]) * q + ACKLAM_C[4]) * q + ACKLAM_C[5];
    const den = (((ACKLAM_D[0] * q + ACKLAM_D[1]) * q + ACKLAM_D[2]) * q + ACKLAM_D[3]) * q + 1;
    x = p < pLow ? num / den : -num / den;
  } else {
    const q = p - 0.5;
    const r = q * q;
    const num = (((((ACKLAM_A[0] * r + ACKLAM_A[1]) * r + ACKLAM_A[2]) * r + ACKLAM_A[3]) * r + ACKLAM_A[4]) * r + ACKLAM_A[5]) * q;
    const den = ((((ACKLAM_B[0] * r + ACKLAM_B[1]) * r + ACKLAM_B[2]) * r + ACKLAM_B[3]) * r + ACKLAM_B[4]) * r + 1;
    x = num / den;
  }
  // Halley step on Φ(x) − p; evaluate in the tail the input lives in to keep relative precision.
  const e = p < 0.5 ? normalCdf(x) - p : 1 - p - normalSf(x);
  const u = e / normalPdf(x);
  return x - u / (1 + (x * u) / 2);
}

// ---------------------------------------------------------------------------------------------
// Student t

function checkDf(df: number): void {
  if (!(df > 0)) throw new StatsInputError("df", `degrees of freedom must be > 0, got ${df}`);
}

/** Student t density with ν = df degrees of freedom. */
export function studentTPdf(t: number, df: number): number {
  checkDf(df);
  if (df === Infinity) return normalPdf(t);
  const lnC = lnGamma((df + 1) / 2) - lnGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(lnC - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/**
 * Student t CDF: for t < 0, F(t) = ½ I_{ν/(ν+t²)}(ν/2, ½); F(t) = 1 − F(−t) otherwise.
 * Non-integer ν is allowed (Welch–Satterthwaite df). ν = ∞ gives the normal.
 */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new StatsInputError("t", "is NaN");
  if (df === Infinity || df > 1e10) return normalCdf(t);
  if (t === 0) return 0.5;
  const tail = lowerTailMagnitude(Math.abs(t), df); // P(T < −|t|)
  return t < 0 ? tail : 1 - tail;
}

/** Upper tail P(T > t). */
export function studentTSf(t: number, df: number): number {
  return studentTCdf(-t, df);
}

function lowerTailMagnitude(absT: number, df: number): number {
  if (absT === Infinity) return 0;
  const t2 = absT * absT;
  // P(T < −|t|) = ½ I_x(ν/2, ½) with x = ν/(ν+t²) and 1 − x = t²/(ν+t²), both formed exactly.
  return 0.5 * regularizedBetaXY(df / (df + t2), t2 / (df + t2), df / 2, 0.5);
}

/** Student t quantile F⁻¹(p; ν). */
export function studentTQuantile(p: number, df: number): number {
  checkProbability(p);
  checkDf(df);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df === Infinity || df > 1e10) return normalQuantile(p);
  if (p > 0.5) return -studentTQuantile(1 - p, df);
  if (df === 1) return Math.tan(Math.PI * (p - 0.5)); // Cauchy
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  // Cornish–Fisher start (Abramowitz & Stegun 26.7.5), then Newton on the lower tail.
  const z = normalQuantile(p);
  const z3 = z * z * z;
  const z5 = z3 * z * z;
  let t = z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
  if (!(t < 0) || !Number.isFinite(t)) t = z;
  return solveMonotone(
    (x) => studentTCdf(x, df) - p,
    (x) => studentTPdf(x, df),
    t,
    -Infinity,
    0,
  );
}

// ---------------------------------------------------------------------------------------------
// Chi-square

/** Chi-square CDF P(X ≤ x) = P(k/2, x/2). */
export function chiSquareCdf(x: number, df: number): number {
  checkDf(df);
  if (x <= 0) return 0;
  return regularizedGammaP(df / 2, x / 2);
}

/** Chi-square upper tail P(X > x) = Q(k/2, x/2): the p-value of a chi-square statistic. */
export function chiSquareSf(x: number, df: number): number {
  checkDf(df);
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

function chiSquarePdf(x: number, df: number): number {
  if (x <= 0) return 0;
  const k = df / 2;
  return Math.exp((k - 1) * Math.log(x) - x / 2 - k * Math.LN2 - lnGamma(k));
}

/** Chi-square quantile: x with P(X ≤ x) = p. */
export function chiSquareQuantile(p: number, df: number): number {
  checkProbability(p);
  checkDf(df);
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  // Wilson–Hilferty start: X ≈ k (1 − 2/(9k) + z √(2/(9k)))³.
  const z = normalQuantile(p);
  const h = 2 / (9 * df);
  let x = df * Math.pow(1 - h + z * Math.sqrt(h), 3);
  if (!(x > 0)) x = Math.max(1e-8, df * 0.01);
  // Solve in whichever tail p lives to keep precision.
  const f = p <= 0.5 ? (v: number) => chiSquareCdf(v, df) - p : (v: number) => 1 - p - chiSquareSf(v, df);
  return solveMonotone(f, (v) => chiSquarePdf(v, df), x, 0, Infinity);
}

// ---------------------------------------------------------------------------------------------
// Noncentral t (power of the two-sample t-test)

/**
 * Noncentral t CDF P(T' ≤ t) with ν degrees of freedom and noncentrality δ.
 * For t ≥ 0, with x = t²/(t²+ν) and λ = δ²/2 (Guenther 1978; Lenth 1989, AS 243):
 *   F(t) = Φ(−δ) + ½ Σ_{j≥0} [ p_j I_x(j+½, ν/2) + q_j I_x(j+1, ν/2) ],
 *   p_j = e^{−λ} λ^j / j!,   q_j = δ e^{−λ} λ^j / (√2 Γ(j + 3/2)).
 * For t < 0, F(t; δ) = 1 − F(−t; −δ). Terms are summed outward from j = ⌊λ⌋ (where the Poisson
 * weights peak) until they no longer change the sum, so large δ does not underflow e^{−λ}.
 */
export function noncentralTCdf(t: number, df: number, ncp: number): number {
  checkDf(df);
  if (!Number.isFinite(ncp)) throw new StatsInputError("ncp", `must be finite, got ${ncp}`);
  if (ncp === 0) return studentTCdf(t, df);
  if (t < 0) return 1 - noncentralTCdf(-t, df, -ncp);
  if (t === Infinity) return 1;
  const x = (t * t) / (t * t + df);
  const lambda = (ncp * ncp) / 2;
  const lnLambda = Math.log(lambda);
  const lnAbsNcp = Math.log(Math.abs(ncp));
  const sign = Math.sign(ncp);
  const term = (j: number): number => {
    const lnPoisson = -lambda + j * lnLambda;
    const pj = Math.exp(lnPoisson - lnGamma(j + 1));
    const qj = sign * Math.exp(lnPoisson + lnAbsNcp - 0.5 * Math.LN2 - lnGamma(j + 1.5));
    const ip = x === 0 ? 0 : regularizedBeta(x, j + 0.5, df / 2);
    const iq = x === 0 ? 0 : regularizedBeta(x, j + 1, df / 2);
    return pj * ip + qj * iq;
  };
  const mode = Math.floor(lambda);
  let sum = term(mode);
  for (let j = mode + 1; j < mode + MAX_ITER; j++) {
    const v = term(j);
    sum += v;
    if (Math.abs(v) <= 1e-17 * Math.max(Math.abs(sum), 1e-300) && j > lambda + 1) break;
  }
  for (let j = mode - 1; j >= 0; j--) {
    const v = term(j);
    sum += v;
    if (Math.abs(v) <= 1e-17 * Math.max(Math.abs(sum), 1e-300)) break;
  }
  const value = normalCdf(-ncp) + 0.5 * sum;
  return Math.min(1, Math.max(0, value));
}

// ---------------------------------------------------------------------------------------------

function checkProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new StatsInputError("p", `must be a probability in [0, 1], got ${p}`);
}

/**
 * Root of an increasing function f on (lo, hi) from a starting point: Newton steps using f' = pdf,
 * falling back to bisection whenever a step leaves the current bracket.
 */
function solveMonotone(f: (x: number) => number, fPrime: (x: number) => number, start: number, lo: number, hi: number): number {
  let x = start;
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200; i++) {
    const fx = f(x);
    if (fx === 0) return x;
    if (fx < 0) a = x;
    else b = x;
    const d = fPrime(x);
    let next = d > 0 ? x - fx / d : NaN;
    if (!(next > a && next < b)) {
      if (Number.isFinite(a) && Number.isFinite(b)) next = (a + b) / 2;
      else if (Number.isFinite(a)) next = a === 0 ? 1 : a + Math.max(1, Math.abs(a));
      else next = b - Math.max(1, Math.abs(b));
    }
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}
