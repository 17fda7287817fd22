/**
 * Distribution functions against printed statistical tables and SciPy.
 * SciPy values: python3 test/stats/references/distributions.py (SciPy 1.17.1), i.e. commands of the form
 *   python3 -c "from scipy import stats as s; print(repr(s.norm.cdf(1.96)))"
 * pasted verbatim below; the exact call is noted next to each table.
 */
import { describe, expect, it } from "vitest";
import {
  StatsInputError,
  chiSquareCdf,
  chiSquareQuantile,
  chiSquareSf,
  lnBeta,
  lnGamma,
  noncentralTCdf,
  normalCdf,
  normalQuantile,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
  studentTCdf,
  studentTQuantile,
} from "@/lib/stats";

/** |actual − expected| ≤ rel·|expected| (+ a tiny absolute floor for values near 0). */
function expectRel(actual: number, expected: number, rel: number, abs = 0): void {
  const tol = Math.max(rel * Math.abs(expected), abs);
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`expected ${expected}, got ${actual} (|diff| ${Math.abs(actual - expected)} > tol ${tol})`);
  }
}

describe("normal distribution", () => {
  // s.norm.cdf(z)
  const cdf: [number, number][] = [
    [1.0, 0.8413447460685429],
    [1.96, 0.9750021048517795],
    [-3.0, 0.0013498980316300933],
    [-5.0, 2.866515718791933e-7],
    [-10.0, 7.61985302416047e-24],
    [-37.0, 5.7255712225239266e-300],
    [0.3, 0.6179114221889526],
  ];
  it.each(cdf)("Φ(%d) matches SciPy to 1e-13 relative (1e-11 beyond |z| = 30)", (z, p) => {
    // exp(−z²/2) amplifies rounding of z²/2 ≈ 684 at z = −37: ~1e-12 relative is the float64 limit there.
    expectRel(normalCdf(z), p, Math.abs(z) > 30 ? 1e-11 : 1e-13);
  });

  // s.norm.ppf(p)
  const ppf: [number, number][] = [
    [0.975, 1.959963984540054],
    [0.95, 1.6448536269514722],
    [0.999, 3.090232306167813],
    [1e-10, -6.361340902404056],
    [1e-300, -37.0470962993612],
    [0.02425, -1.972961051311885], // Acklam's region boundary
    [0.3, -0.5244005127080409],
  ];
  it.each(ppf)("Φ⁻¹(%d) matches SciPy to 1e-13 relative", (p, z) => {
    expectRel(normalQuantile(p), z, 1e-13);
  });

  it("reproduces the printed critical values z_{0.95}, z_{0.975}, z_{0.99}, z_{0.995}, z_{0.999}", () => {
    // Standard normal table (NIST/SEMATECH e-Handbook §1.3.6.7.1 read inversely; any z table): 1.645, 1.960, 2.326, 2.576, 3.090
    const table: [number, number][] = [
      [0.95, 1.645],
      [0.975, 1.96],
      [0.99, 2.326],
      [0.995, 2.576],
      [0.999, 3.09],
    ];
    for (const [p, z] of table) expect(normalQuantile(p)).toBeCloseTo(z, 3);
  });

  it("is symmetric and round-trips", () => {
    for (const z of [-8, -2.5, -0.1, 0.7, 4]) {
      expectRel(normalCdf(z) + normalCdf(-z), 1, 1e-15);
      expectRel(normalQuantile(normalCdf(z)), z, 1e-12);
    }
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
  });
});

describe("Student t distribution", () => {
  // s.t.cdf(t, df); df non-integer as Welch–Satterthwaite produces
  const cdf: [number, number, number][] = [
    [2.228, 10, 0.9749941140914443],
    [-1.8325, 17.9, 0.041783269078305076],
    [-4.0, 3, 0.014004228005073076],
    [-10.0, 2.5, 0.0022207478836537117],
    [0.5, 5841.742032093565, 0.6914530447763061],
    [-12.0, 40, 3.91208565212799e-15],
    [1.0, 1, 0.75],
  ];
  it.each(cdf)("F(%d; ν=%d) matches SciPy to 1e-12 relative", (t, df, p) => {
    expectRel(studentTCdf(t, df), p, 1e-12);
  });

  // s.t.ppf(p, df)
  const ppf: [number, number, number][] = [
    [0.975, 10, 2.228138851986274],
    [0.975, 1, 12.706204736174694],
    [0.995, 5, 4.032142983555228],
    [0.95, 30, 1.697260886593957],
    [0.975, 100, 1.9839715185235518],
    [0.975, 24.9, 2.0599580324598343],
    [0.975, 5841.742032093565, 1.9603701569544807],
    [1e-8, 4, -131.59473694062356],
    [0.975, 3.3, 3.024874461840807],
  ];
  it.each(ppf)("F⁻¹(%d; ν=%d) matches SciPy to 1e-12 relative", (p, df, t) => {
    expectRel(studentTQuantile(p, df), t, 1e-12);
  });

  it("reproduces the printed t table", () => {
    // NIST/SEMATECH e-Handbook §1.3.6.7.2 (upper critical values of the t distribution):
    // ν=10, α=0.025 → 2.228; ν=1, 0.025 → 12.706; ν=5, 0.005 → 4.032; ν=30, 0.05 → 1.697; ν=100, 0.025 → 1.984
    const table: [number, number, number][] = [
      [10, 0.025, 2.228],
      [1, 0.025, 12.706],
      [5, 0.005, 4.032],
      [30, 0.05, 1.697],
      [100, 0.025, 1.984],
    ];
    for (const [df, a, t] of table) expect(studentTQuantile(1 - a, df)).toBeCloseTo(t, 3);
  });

  it("stays accurate for Welch df in the millions (stated tolerance 1e-9 relative)", () => {
    // s.t.cdf(-2, 2e7), s.t.ppf(0.975, 2e7)
    expectRel(studentTCdf(-2, 2e7), 0.022750138697050174, 1e-9);
    expectRel(studentTQuantile(0.975, 2e7), 1.959964103153622, 1e-9);
  });

  it("tends to the normal for huge ν and rejects ν ≤ 0", () => {
    expectRel(studentTCdf(-2, 1e12), normalCdf(-2), 1e-10);
    expect(() => studentTCdf(1, 0)).toThrow(StatsInputError);
  });
});

describe("chi-square distribution", () => {
  // s.chi2.sf(x, df)
  const sf: [number, number, number][] = [
    [3.841458820694124, 1, 0.04999999999999989],
    [18.307, 10, 0.05000058909139812],
    [0.4, 1, 0.5270892568655381],
    [22.77436884189436, 1, 1.8217928726191858e-6],
    [200.0, 3, 4.218541107192018e-43],
    [5.0, 0.5, 0.009213748479540037],
  ];
  it.each(sf)("P(χ²_%d > …) at x=%d matches SciPy to 1e-12 relative", (x, df, p) => {
    expectRel(chiSquareSf(x, df), p, 1e-12);
    expectRel(chiSquareCdf(x, df), 1 - p, 1e-12);
  });

  // s.chi2.ppf(p, df)
  const ppf: [number, number, number][] = [
    [0.95, 1, 3.841458820694124],
    [0.95, 10, 18.307038053275146],
    [0.99, 3, 11.344866730144373],
    [0.999, 1, 10.827566170662733],
    [0.05, 7, 2.167349909298057],
    [0.5, 100, 99.33412923598846],
  ];
  it.each(ppf)("quantile %d with df %d matches SciPy to 1e-12 relative", (p, df, x) => {
    expectRel(chiSquareQuantile(p, df), x, 1e-12);
  });

  it("reproduces the printed chi-square table", () => {
    // NIST/SEMATECH e-Handbook §1.3.6.7.4 (upper critical values of chi-square):
    // ν=1, α=0.05 → 3.841; ν=10, 0.05 → 18.307; ν=3, 0.01 → 11.345; ν=1, 0.001 → 10.828
    const table: [number, number, number][] = [
      [1, 0.05, 3.841],
      [10, 0.05, 18.307],
      [3, 0.01, 11.345],
      [1, 0.001, 10.828],
    ];
    for (const [df, a, x] of table) expect(chiSquareQuantile(1 - a, df)).toBeCloseTo(x, 3);
  });
});

describe("noncentral t", () => {
  // s.nct.cdf(t, df, nc)
  const cdf: [number, number, number, number][] = [
    [2.024394164, 38, 3.16227766, 0.13104719836139492],
    [1.0, 10, -2.0, 0.9981835665895703],
    [-1.5, 12, 1.0, 0.008963473506726029],
    [2.0, 30, 0.0, 0.9726874775185085],
    [3.0, 200, 8.0, 3.752523673771871e-7],
    [1.96, 1e5, 2.8, 0.20045508118548935],
  ];
  it.each(cdf)("F(%d; ν=%d, δ=%d) matches SciPy to 1e-9 relative", (t, df, nc, p) => {
    expectRel(noncentralTCdf(t, df, nc), p, 1e-9);
  });
});

describe("special functions", () => {
  it("ln Γ matches math.lgamma (Python) to 1e-14 relative", () => {
    // python3 -c "import math; print([repr(math.lgamma(x)) for x in [0.5,1.0,10.0,100.0,0.01,1e6]])"
    const refs: [number, number][] = [
      [0.5, 0.5723649429247004],
      [10.0, 12.801827480081467],
      [100.0, 359.1342053695754],
      [0.01, 4.599479878042022],
      [1e6, 12815504.569147611],
    ];
    for (const [x, v] of refs) expectRel(lnGamma(x), v, 1e-14);
    expect(Math.abs(lnGamma(1))).toBeLessThan(1e-15);
  });

  it("ln B matches scipy.special.betaln, including one huge argument", () => {
    // sp.betaln(0.5, 1e7), sp.betaln(3, 4), sp.betaln(25.5, 400.0)
    expectRel(lnBeta(0.5, 1e7), -7.48668287005446, 1e-14);
    expectRel(lnBeta(3, 4), -4.0943445622221, 1e-14);
    expectRel(lnBeta(25.5, 400), -97.15833620704439, 1e-14);
  });

  it("regularized incomplete gamma and beta match scipy.special to 1e-13 relative", () => {
    // sp.gammainc(a, x), sp.gammaincc(a, x), sp.betainc(a, b, x)
    expectRel(regularizedGammaP(0.5, 0.1), 0.34527915398142317, 1e-13);
    expectRel(regularizedGammaP(3.0, 2.5), 0.45618688411667035, 1e-13);
    expectRel(regularizedGammaP(10.0, 30.0), 0.9999928782491372, 1e-13);
    expectRel(regularizedGammaP(100.0, 90.0), 0.15822098918643007, 1e-12);
    expectRel(regularizedGammaQ(0.5, 50.0), 1.5239706048320995e-23, 1e-13);
    expectRel(regularizedGammaQ(3.0, 2.5), 0.5438131158833297, 1e-13);
    expectRel(regularizedGammaQ(10.0, 30.0), 7.121750862815593e-6, 1e-12);
    expectRel(regularizedBeta(0.2, 0.5, 5.0), 0.8550723945959195, 1e-13);
    expectRel(regularizedBeta(0.4, 2.0, 3.0), 0.5247999999999999, 1e-13);
    expectRel(regularizedBeta(0.98, 50.0, 0.5), 0.1562435078668179, 1e-12);
    expectRel(regularizedBeta(0.9999, 1e4, 0.5), 0.1572940177633515, 1e-9);
  });

  it("rejects arguments outside the domain with a named field", () => {
    expect(() => normalQuantile(1.2)).toThrow(/p: must be a probability/);
    expect(() => regularizedBeta(2, 1, 1)).toThrow(StatsInputError);
    expect(() => chiSquareQuantile(0.5, -1)).toThrow(/df/);
  });
});
