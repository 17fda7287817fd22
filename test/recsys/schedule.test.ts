import { describe, expect, it } from "vitest";
import { temperatureAt } from "@/lib/recsys/distill/schedule";
import { learningRateAt } from "@/lib/recsys/models/lr-schedule";

describe("Gumbel-softmax temperature schedule", () => {
  it("goes geometrically from 1 at the first epoch to 1e-10 at the last", () => {
    const E = 11;
    expect(temperatureAt(0, E)).toBe(1);
    expect(temperatureAt(E - 1, E)).toBeCloseTo(1e-10, 20);
    // constant ratio 10^-1 per epoch over 10 steps
    for (let e = 1; e < E; e++) expect(temperatureAt(e, E) / temperatureAt(e - 1, E)).toBeCloseTo(0.1, 10);
    expect(temperatureAt(5, E)).toBeCloseTo(1e-5, 15);
  });

  it("clamps outside the budget and honours custom endpoints", () => {
    expect(temperatureAt(50, 11)).toBeCloseTo(1e-10, 20);
    expect(temperatureAt(0, 1)).toBe(1);
    expect(temperatureAt(2, 5, 2, 0.02)).toBeCloseTo(0.2, 12);
    expect(() => temperatureAt(0, 5, 0, 1)).toThrow(RangeError);
  });
});

describe("learning-rate schedule", () => {
  it("constant keeps the rate; cosine falls from lr to floor·lr, halfway at the middle epoch", () => {
    for (let e = 0; e < 9; e++) expect(learningRateAt(e, 9, 0.003, "constant")).toBe(0.003);
    expect(learningRateAt(0, 9, 0.003, "cosine")).toBeCloseTo(0.003, 12);
    expect(learningRateAt(8, 9, 0.003, "cosine")).toBeCloseTo(0.0003, 12);
    expect(learningRateAt(4, 9, 0.003, "cosine")).toBeCloseTo((0.003 + 0.0003) / 2, 12);
    expect(learningRateAt(2, 9, 0.003, "cosine", 0.5)).toBeCloseTo(0.0015 + 0.0015 * 0.5 * (1 + Math.cos(Math.PI / 4)), 12);
    for (let e = 1; e < 9; e++) expect(learningRateAt(e, 9, 0.003, "cosine")).toBeLessThan(learningRateAt(e - 1, 9, 0.003, "cosine"));
  });

  it("rejects a non-positive rate or a floor outside (0, 1]", () => {
    expect(() => learningRateAt(0, 5, 0, "cosine")).toThrow(RangeError);
    expect(() => learningRateAt(0, 5, 0.001, "cosine", 0)).toThrow(RangeError);
    expect(() => learningRateAt(0, 5, 0.001, "cosine", 1.5)).toThrow(RangeError);
  });
});
