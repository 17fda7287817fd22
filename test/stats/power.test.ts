/**
 * Sample size and power. References:
 *  - R's manual pages (stats package), examples with their printed results:
 *      power.prop.test(n = 50, p1 = .50, p2 = .75)       power = 0.7401659
 *      power.prop.test(p1 = .50, p2 = .75, power = .90)  n = 76.7 (per group)
 *      power.t.test(n = 20, delta = 1)                   power = 0.8689528
 *      power.t.test(power = .90, delta = 1)              n = 22.02110 (per group)
 *  - Cohen (1988), Statistical Power Analysis, Table 2.4.1: d = 0.5, two-tailed α = .05,
 *    power .80 → n = 64 per group;
 *  - unequal allocation (k = n_B/n_A = 2): SciPy 1.17.1 (`python3 test/stats/references/tests.py`,
 *    "== power"): the Fleiss formula evaluated with s.norm.ppf → n_A = 2910.5128308523563 for
 *    p₁ = 0.10, p₂ = 0.12; brentq on s.nct.sf(s.t.ppf(0.975, df), df, ncp) = 0.8 → n_A =
 *    424.4806974671231 for σ = 3, δ = 0.5.
 */
import { describe, expect, it } from "vitest";
import { StatsInputError, meanPower, meanSampleSize, proportionPower, proportionSampleSize } from "@/lib/stats";

describe("proportions", () => {
  it("power matches R power.prop.test(n = 50, p1 = .5, p2 = .75)", () => {
    expect(proportionPower({ baseline: 0.5, mde: 0.25, nControl: 50 })).toBeCloseTo(0.7401659, 7);
  });

  it("sample size matches R power.prop.test(p1 = .5, p2 = .75, power = .9)", () => {
    const r = proportionSampleSize({ baseline: 0.5, mde: 0.25, power: 0.9 });
    expect(r.exactNControl).toBeCloseTo(76.7, 1);
    expect(r.nControl).toBe(77);
    expect(r.nTreatment).toBe(77);
    expect(r.total).toBe(154);
  });

  it("relative MDE: +50 % on 0.5 is the same design as +0.25 absolute", () => {
    const rel = proportionSampleSize({ baseline: 0.5, mde: 0.5, mdeType: "relative", power: 0.9 });
    expect(rel.exactNControl).toBeCloseTo(proportionSampleSize({ baseline: 0.5, mde: 0.25, power: 0.9 }).exactNControl, 10);
    expect(rel.effect).toBeCloseTo(0.25, 15);
  });

  it("unequal allocation matches the Fleiss formula evaluated in SciPy", () => {
    const r = proportionSampleSize({ baseline: 0.1, mde: 0.02, ratio: 2, power: 0.8 });
    expect(r.exactNControl).toBeCloseTo(2910.5128308523563, 8);
    expect(r.nControl).toBe(2911);
    expect(r.nTreatment).toBe(5822);
  });

  it("power at the computed size reaches the target and is lower one unit below", () => {
    const design = { baseline: 0.03, mde: 0.05, mdeType: "relative" as const, ratio: 0.25, alpha: 0.01 };
    const n = proportionSampleSize({ ...design, power: 0.8 });
    expect(proportionPower({ ...design, nControl: n.exactNControl })).toBeCloseTo(0.8, 10);
    expect(proportionPower({ ...design, nControl: n.nControl - 1 })).toBeLessThan(0.8);
  });

  it("strict power adds the opposite tail", () => {
    const one = proportionPower({ baseline: 0.5, mde: 0.01, nControl: 100 });
    const both = proportionPower({ baseline: 0.5, mde: 0.01, nControl: 100, strict: true });
    expect(both).toBeGreaterThan(one);
    expect(both).toBeGreaterThanOrEqual(0.05 * 0.99);
  });
});

describe("means", () => {
  it("power matches R power.t.test(n = 20, delta = 1)", () => {
    expect(meanPower({ sd: 1, mde: 1, nControl: 20 })).toBeCloseTo(0.8689528, 7);
  });

  it("sample size matches R power.t.test(power = .90, delta = 1)", () => {
    const r = meanSampleSize({ sd: 1, mde: 1, power: 0.9 });
    expect(r.exactNControl).toBeCloseTo(22.0211, 4);
    expect(r.nControl).toBe(23);
  });

  it("reproduces Cohen's table: d = 0.5, power .80 → 64 per group", () => {
    expect(meanSampleSize({ sd: 2, mde: 1 }).nControl).toBe(64);
  });

  it("unequal allocation matches SciPy's noncentral t (brentq) to 1e-6", () => {
    const r = meanSampleSize({ sd: 3, mde: 0.5, ratio: 2, power: 0.8 });
    expect(r.exactNControl).toBeCloseTo(424.4806974671231, 6);
    expect(r.nTreatment).toBe(849);
  });

  it("z approximation is (z_{α/2} + z_β)² σ² (1 + 1/k) / δ² and slightly below the t answer", () => {
    const z = meanSampleSize({ sd: 1, mde: 1, power: 0.9, test: "z" });
    expect(z.exactNControl).toBeCloseTo(2 * (1.959963984540054 + 1.2815515655446004) ** 2, 10);
    expect(z.exactNControl).toBeLessThan(22.0211);
  });

  it("relative MDE needs the baseline mean", () => {
    const r = meanSampleSize({ sd: 4, mde: 0.05, mdeType: "relative", baselineMean: 20 });
    expect(r.effect).toBeCloseTo(1, 15);
    expect(() => meanSampleSize({ sd: 4, mde: 0.05, mdeType: "relative" })).toThrow(/baselineMean/);
  });

  it("large A/B sizes stay fast and agree with the z approximation to < 0.01 %", () => {
    const t = meanSampleSize({ sd: 10, mde: 0.05, power: 0.8 });
    const z = meanSampleSize({ sd: 10, mde: 0.05, power: 0.8, test: "z" });
    expect(Math.abs(t.exactNControl / z.exactNControl - 1)).toBeLessThan(1e-4);
  });
});

describe("input validation", () => {
  it("names the bad field", () => {
    expect(() => proportionSampleSize({ baseline: 1.2, mde: 0.1 })).toThrow(/baseline/);
    expect(() => proportionSampleSize({ baseline: 0.9, mde: 0.2 })).toThrow(/mde/);
    expect(() => proportionSampleSize({ baseline: 0.1, mde: 0.01, power: 1 })).toThrow(/power/);
    expect(() => meanPower({ sd: 0, mde: 1, nControl: 10 })).toThrow(StatsInputError);
    expect(() => meanPower({ sd: 1, mde: 1, nControl: 10, ratio: -1 })).toThrow(/ratio/);
    expect(() => meanSampleSize({ sd: 1, mde: 1, alpha: 0 })).toThrow(/alpha/);
  });
});
