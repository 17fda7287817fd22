/**
 * Sample ratio mismatch and Holm correction.
 * SRM references: scipy.stats.chisquare(observed, expected) with expected = w/Σw·N
 * (SciPy 1.17.1, `python3 test/stats/references/tests.py`, section "== SRM").
 * Holm references: the worked example in Wikipedia's "Holm–Bonferroni method" article
 * (p = 0.01, 0.04, 0.03, 0.005 at α = 0.05: H1 and H4 rejected, H2 and H3 not), and the
 * adjusted values R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") gives by its definition:
 * 0.03, 0.06, 0.06, 0.02.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_SRM_THRESHOLD, StatsInputError, holmAdjust, holmBonferroni, sampleRatioMismatch } from "@/lib/stats";

describe("sample ratio mismatch", () => {
  const cases: { observed: number[]; weights: number[]; chi2: number; p: number; mismatch: boolean }[] = [
    { observed: [50100, 49900], weights: [1, 1], chi2: 0.4, p: 0.5270892568655381, mismatch: false },
    { observed: [821588, 815482], weights: [1, 1], chi2: 22.77436884189436, p: 1.8217928726191858e-6, mismatch: true },
    { observed: [3378, 3200, 3422], weights: [1, 1, 1], chi2: 8.290400000000002, p: 0.01584026758097843, mismatch: false },
    { observed: [1043, 8957], weights: [1, 9], chi2: 2.0544444444444445, p: 0.15176260034451217, mismatch: false },
    { observed: [5120, 4880, 19850], weights: [0.25, 0.25, 1.0], chi2: 6.165829145728644, p: 0.04582550006309396, mismatch: false },
  ];
  it.each(cases)("$observed vs weights $weights matches SciPy to 1e-12 relative", (c) => {
    const r = sampleRatioMismatch(c.observed, c.weights);
    expect(r.chiSquare / c.chi2).toBeCloseTo(1, 12);
    expect(r.pValue / c.p).toBeCloseTo(1, 12);
    expect(r.df).toBe(c.observed.length - 1);
    expect(r.mismatch).toBe(c.mismatch);
    expect(r.threshold).toBe(DEFAULT_SRM_THRESHOLD);
  });

  it("uses 0.001 by default and honours a custom threshold", () => {
    expect(DEFAULT_SRM_THRESHOLD).toBe(0.001);
    expect(sampleRatioMismatch([3378, 3200, 3422], [1, 1, 1], 0.05).mismatch).toBe(true);
  });

  it("a 5 % ramp split is checked against its own weights, not 50/50", () => {
    // 5 % candidate / 95 % production with exactly expected counts: no mismatch
    const r = sampleRatioMismatch([95_000, 5_000], [95, 5]);
    expect(r.chiSquare).toBeCloseTo(0, 12);
    expect(r.pValue).toBeCloseTo(1, 12);
    expect(sampleRatioMismatch([95_000, 5_000], [1, 1]).mismatch).toBe(true);
  });

  it("a 0 % arm must stay empty; a lone 100 % arm has nothing to test", () => {
    expect(sampleRatioMismatch([0, 12_000], [0, 1])).toMatchObject({ df: 0, pValue: 1, mismatch: false });
    expect(sampleRatioMismatch([3, 12_000], [0, 1])).toMatchObject({ chiSquare: Infinity, pValue: 0, mismatch: true });
    // an empty 0-weight arm drops out: same as the 2-arm test (SciPy row 1: χ² = 0.4, p = 0.5270892568655381)
    const r = sampleRatioMismatch([50100, 0, 49900], [1, 0, 1]);
    expect(r.df).toBe(1);
    expect(r.pValue / 0.5270892568655381).toBeCloseTo(1, 12);
  });

  it("no traffic yet is not a mismatch", () => {
    expect(sampleRatioMismatch([0, 0], [1, 1])).toMatchObject({ pValue: 1, mismatch: false });
  });

  it("rejects malformed input with the field named", () => {
    expect(() => sampleRatioMismatch([10], [1])).toThrow(/observed/);
    expect(() => sampleRatioMismatch([10, 20], [1])).toThrow(/weights/);
    expect(() => sampleRatioMismatch([10, -2], [1, 1])).toThrow(/observed\[1\]/);
    expect(() => sampleRatioMismatch([10, 2], [1, -1])).toThrow(StatsInputError);
    expect(() => sampleRatioMismatch([10, 2], [0, 0])).toThrow(/weights/);
  });
});

describe("Holm–Bonferroni", () => {
  it("reproduces the Wikipedia worked example", () => {
    const r = holmBonferroni([0.01, 0.04, 0.03, 0.005], 0.05);
    expect(r.rejected).toEqual([true, false, false, true]);
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 15));
  });

  it("adjusted p-values are monotone in the raw order, capped at 1, and ≥ raw", () => {
    const raw = [0.2, 0.001, 0.04, 0.04, 0.9, 0.012];
    const adj = holmAdjust(raw);
    const order = raw.map((p, i) => i).sort((a, b) => raw[a] - raw[b]);
    for (let k = 1; k < order.length; k++) expect(adj[order[k]]).toBeGreaterThanOrEqual(adj[order[k - 1]]);
    adj.forEach((p, i) => {
      expect(p).toBeLessThanOrEqual(1);
      expect(p).toBeGreaterThanOrEqual(raw[i]);
    });
    // by hand: sorted 0.001·6, 0.012·5, 0.04·4, 0.04·3 → max, 0.2·2, 0.9·1
    const expected = [0.4, 0.006, 0.16, 0.16, 0.9, 0.06];
    expected.forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 15));
  });

  it("a single KPI is unchanged; empty input is empty; invalid p is refused", () => {
    expect(holmAdjust([0.03])).toEqual([0.03]);
    expect(holmAdjust([])).toEqual([]);
    expect(() => holmAdjust([0.1, 1.5])).toThrow(/pValues\[1\]/);
  });
});
