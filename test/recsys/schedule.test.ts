import { describe, expect, it } from "vitest";
import { temperatureAt } from "@/lib/recsys/distill/schedule";

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
