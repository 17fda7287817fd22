// Catalogue metric analysis on given sufficient statistics: each metric judged in its own direction,
// report order, the gate checks built from it, and built-ins read from the KPI statistics.
import { describe, expect, it } from "vitest";
import { EMPTY_STATS } from "@/lib/experiments/analysis";
import { analyzeCatalogueMetrics, type ChosenMetric } from "@/lib/experiments/metric-analysis";
import { catalogueMetricChecks } from "@/lib/experiments/metric-gates";
import { BUILT_IN_METRICS, metricDefinitionSchema, type MetricArmStatistic } from "@/lib/experiments/metrics";
import type { ExperimentReport } from "@/lib/experiments/report";

const mean = (variant: string, n: number, m: number, sd: number): MetricArmStatistic => ({
  variant,
  kind: "mean",
  n,
  sum: n * m,
  sumSquares: (n - 1) * sd * sd + n * m * m,
});

const slower = metricDefinitionSchema.parse({
  key: "load_ms",
  name: "Load time",
  aggregation: "mean",
  event: "custom:load",
  measure: "value",
  direction: "lowerIsBetter",
  nonInferiorityMargin: 0.1,
});
const richer = metricDefinitionSchema.parse({
  key: "basket",
  name: "Basket value",
  aggregation: "mean",
  event: "custom:basket",
  measure: "value",
  direction: "higherIsBetter",
  nonInferiorityMargin: 0.1,
});

function analyze(chosen: ChosenMetric[], statistics: Record<string, MetricArmStatistic[]>) {
  return analyzeCatalogueMetrics({ chosen, statistics, kpiStats: [], alpha: 0.05, severeAlpha: 0.001 });
}

describe("catalogue metric analysis", () => {
  it("judges a 30 % increase as inferior when lower is better and non-inferior when higher is better", () => {
    // candidate mean 130 vs control 100, 20,000 users an arm: the lift is +30 % ± about 1 %
    const stats = [mean("control", 20_000, 100, 50), mean("candidate", 20_000, 130, 50)];
    const results = analyze(
      [
        { definition: slower, role: "guardrail", margin: 0.1, builtIn: false },
        { definition: richer, role: "primary", margin: 0.1, builtIn: false },
      ],
      { load_ms: stats, basket: stats },
    );
    expect(results.map((r) => r.key)).toEqual(["basket", "load_ms"]); // primary first
    const [basket, load] = results;
    expect(basket.lift).toBeCloseTo(0.3, 12);
    expect(load.lift).toBeCloseTo(0.3, 12);
    expect(basket.verdict).toBe("non_inferior");
    expect(load.verdict).toBe("inferior");
    expect(load.severeInferior).toBe(true);
    expect(load.test).toMatch(/Welch/);

    const report = { metrics: results } as unknown as ExperimentReport;
    expect(catalogueMetricChecks(report).map((c) => [c.name, c.status, c.threshold])).toEqual([
      ["Basket value (primary) non-inferiority", "pass", -0.1],
      ["Load time (guardrail) non-inferiority", "severe", 0.1],
    ]);
  });

  it("secondary metrics do not gate; an arm without data waits with a reason", () => {
    const results = analyze(
      [
        { definition: richer, role: "secondary", margin: 0.1, builtIn: false },
        { definition: slower, role: "guardrail", margin: 0.1, builtIn: false },
      ],
      { basket: [mean("control", 100, 10, 2), mean("candidate", 100, 1, 2)], load_ms: [mean("control", 100, 10, 2)] },
    );
    const checks = catalogueMetricChecks({ metrics: results } as unknown as ExperimentReport);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: "Load time (guardrail) non-inferiority", status: "wait", detail: "Load time: an arm has no data yet" });
  });

  it("built-in metrics come from the report's KPI statistics", () => {
    const ctr = BUILT_IN_METRICS.find((m) => m.key === "ctr")!;
    const kpiStats = [
      { ...EMPTY_STATS("control"), users: 1000, exposures: 3000, exposuresSq: 10_000, clicks: 300, clicksSq: 500, clicksExposures: 1100 },
      { ...EMPTY_STATS("candidate"), users: 1000, exposures: 3000, exposuresSq: 10_000, clicks: 330, clicksSq: 560, clicksExposures: 1200 },
    ];
    const [r] = analyzeCatalogueMetrics({
      chosen: [{ definition: ctr, role: "primary", margin: 0.02, builtIn: true }],
      statistics: {},
      kpiStats,
      alpha: 0.05,
      severeAlpha: 0.001,
    });
    expect(r.control.value).toBeCloseTo(0.1, 12);
    expect(r.candidate.value).toBeCloseTo(0.11, 12);
    expect(r.lift).toBeCloseTo(0.1, 12);
  });
});
