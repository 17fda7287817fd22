// Cumulative CTR lift with its delta-method CI, against values computed by hand.
import { describe, expect, it } from "vitest";
import { cumulativeLift } from "@/lib/experiments/lift-timeline";

describe("cumulativeLift", () => {
  it("accumulates both arms and gives the log-ratio delta-method interval", () => {
    const points = cumulativeLift([
      { t: 2, exposures: { control: 600, candidate: 600 }, clicks: { control: 60, candidate: 66 } },
      { t: 1, exposures: { control: 400, candidate: 400 }, clicks: { control: 40, candidate: 44 } },
    ]);
    expect(points.map((p) => p.t)).toEqual([1, 2]);
    // t=2: p0 = 100/1000 = 0.1, p1 = 110/1000 = 0.11; lift = 0.1
    // se = sqrt(0.9/(1000·0.1) + 0.89/(1000·0.11)) = sqrt(0.009 + 0.0080909) = 0.130733
    // CI = exp(0.095310 ± 0.256233) − 1 = exp(−0.160923) − 1, exp(0.351543) − 1 = [−0.14864, 0.42126]
    const last = points[1];
    expect(last.lift).toBeCloseTo(0.1, 12);
    const se = Math.sqrt(0.9 / 100 + 0.89 / 110);
    expect(se).toBeCloseTo(0.130733, 5);
    expect(last.low).toBeCloseTo(Math.exp(Math.log(1.1) - 1.959963984540054 * se) - 1, 12);
    expect(last.low).toBeCloseTo(-0.14864, 4);
    expect(last.high).toBeCloseTo(0.42126, 4);
    // the first bucket alone has fewer exposures: a wider interval
    expect(points[0].high - points[0].low).toBeGreaterThan(last.high - last.low);
  });

  it("skips buckets until both arms have exposures and clicks", () => {
    expect(cumulativeLift([{ t: 1, exposures: { control: 10, candidate: 0 }, clicks: { control: 1, candidate: 0 } }])).toEqual([]);
  });
});
