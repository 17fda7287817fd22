// EarlyStopping: patience, the monitor that picks the kept weights, minDelta and mode, as tfjs-layers'
// EarlyStopping callback defines them (improvement = beats the best by more than minDelta).
import { describe, expect, it } from "vitest";
import { EarlyStopping } from "@/lib/recsys/models/early-stopping";

function run(stopping: EarlyStopping, series: Record<string, number>[]) {
  const verdicts = series.map((metrics, i) => stopping.onValidation(i + 1, metrics));
  return { best: verdicts.map((v) => v.best), stopAt: verdicts.findIndex((v) => v.stop) + 1 };
}

describe("EarlyStopping", () => {
  it("stops after `patience` validations without an improvement of the monitor or a watched metric", () => {
    const stopping = new EarlyStopping({ monitor: "N@10", alsoWatch: ["H@10"], patience: 2 });
    const r = run(stopping, [
      { "N@10": 0.1, "H@10": 0.2 },
      { "N@10": 0.1, "H@10": 0.3 }, // only H@10 improves: patience resets, weights not kept
      { "N@10": 0.2, "H@10": 0.3 },
      { "N@10": 0.2, "H@10": 0.3 },
      { "N@10": 0.15, "H@10": 0.25 },
      { "N@10": 0.3, "H@10": 0.3 },
    ]);
    expect(r.best).toEqual([true, false, true, false, false, true]);
    expect(r.stopAt).toBe(5);
    expect(stopping.bestEpoch).toBe(6);
    expect(stopping.bestValue).toBe(0.3);
  });

  it("needs an improvement larger than minDelta", () => {
    const stopping = new EarlyStopping({ monitor: "N@10", patience: 1, minDelta: 0.01 });
    expect(run(stopping, [{ "N@10": 0.1 }, { "N@10": 0.105 }])).toEqual({ best: [true, false], stopAt: 2 });
    expect(stopping.bestValue).toBe(0.1);
    expect(stopping.bestMetrics).toEqual({ "N@10": 0.1 });
  });

  it("in min mode lower is better", () => {
    const stopping = new EarlyStopping({ monitor: "loss", patience: 2, mode: "min" });
    expect(run(stopping, [{ loss: 3 }, { loss: 2 }, { loss: 2.5 }, { loss: 1 }]).best).toEqual([true, true, false, true]);
    expect(stopping.bestEpoch).toBe(4);
  });

  it("a missing metric never counts as an improvement", () => {
    const stopping = new EarlyStopping({ monitor: "N@10", patience: 1 });
    expect(run(stopping, [{ "H@10": 0.5 }])).toEqual({ best: [false], stopAt: 1 });
    expect(stopping.bestEpoch).toBe(0);
    expect(stopping.bestMetrics).toBeNull();
  });

  it("refuses arguments it cannot honour, naming them", () => {
    expect(() => new EarlyStopping({ monitor: "", patience: 1 })).toThrow(/'monitor'/);
    expect(() => new EarlyStopping({ monitor: "N@10", patience: 1.5 })).toThrow(/'patience' must be a whole number/);
    expect(() => new EarlyStopping({ monitor: "N@10", patience: 1, minDelta: -0.1 })).toThrow(/'minDelta'/);
  });
});
