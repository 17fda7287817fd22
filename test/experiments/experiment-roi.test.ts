// The experiment report's ROI card: measured CPU per request of each arm → monthly costs, KPI lifts with CIs.
import { describe, expect, it } from "vitest";
import { experimentRoi, kpiChange, liftWithCi, observedRequestsPerDay, signedPercent } from "@/lib/experiments/experiment-roi";
import { monthlyServingCost, switchCost, switchCostSentence } from "@/lib/experiments/offline-comparison";
import type { ExperimentReport, KpiResult, OpsStats } from "@/lib/experiments/report";

const ops = (requests: number, meanCpuMs: number | null): OpsStats => ({
  requests,
  failed: 0,
  errorRate: requests > 0 ? 0 : null,
  p50Ms: 1,
  p95Ms: 2,
  p99Ms: 3,
  meanCpuMs,
  costPer1k: null,
});
const kpi = (over: Partial<KpiResult>): KpiResult => ({
  kpi: "ctr",
  control: { value: 0.2, standardError: 0.01, n: 100 },
  candidate: { value: 0.1992, standardError: 0.01, n: 100 },
  lift: -0.004,
  ci: [-0.011, 0.003],
  severeCi: null,
  fixedCi: null,
  pValue: 0.5,
  pHolm: 0.5,
  margin: 0.05,
  verdict: "inconclusive",
  severeInferior: false,
  cuped: false,
  ...over,
});
const report = (
  over: { control?: OpsStats; candidate?: OpsStats; kpis?: KpiResult[]; from?: string; to?: string; generatedAt?: string } = {},
): ExperimentReport => ({
  experimentId: "e",
  window: { from: over.from ?? "2026-12-01T00:00:00.000Z", to: over.to ?? "2026-12-01T02:00:00.000Z", label: "stage 2 (50%)" },
  expectedCandidateShare: 0.5,
  variants: {
    control: { users: 100, exposures: 6000, ops: over.control ?? ops(6000, 0.8), hitRate: { n: 0, hits: 0, value: null }, modelId: "t" },
    candidate: { users: 100, exposures: 6000, ops: over.candidate ?? ops(6000, 0.12), hitRate: { n: 0, hits: 0, value: null }, modelId: "s" },
  },
  srm: { observed: { control: 100, candidate: 100 }, expectedShare: null, chiSquare: null, pValue: null },
  kpis: over.kpis ?? [kpi({}), kpi({ kpi: "conversion", lift: 0.01, ci: [-0.02, 0.04] })],
  alpha: 0.05,
  dropped: { count: 0, since: null, known: true },
  generatedAt: over.generatedAt ?? "2026-12-01T03:00:00.000Z",
});
const models = { control: { id: "t", name: "Teacher", sizeBytes: 2 ** 30 }, candidate: { id: "s", name: "Student", sizeBytes: 2 ** 27 } };

describe("lift with its interval", () => {
  it("writes signed percentages with a real minus sign, as in the issue's example", () => {
    expect(signedPercent(-0.004)).toBe("−0.4%");
    expect(signedPercent(0.003)).toBe("+0.3%");
    expect(signedPercent(-0.00001)).toBe("±0.0%");
    expect(kpiChange(kpi({}))).toBe("CTR change −0.4% [−1.1%, +0.3%]");
    expect(liftWithCi(kpi({ ci: null }))).toBe("−0.4%");
    expect(liftWithCi(kpi({ lift: null, ci: null }))).toBe("not estimable yet");
  });
});

describe("observed traffic", () => {
  it("extrapolates both arms' requests over the window to a day, capped at when the report was made", () => {
    // 12,000 requests over 2 h (window end before generatedAt) = 144,000/day
    expect(observedRequestsPerDay(report())).toBe(144_000);
    // a live window ends now: 12,000 over the 30 min up to generatedAt = 576,000/day
    expect(observedRequestsPerDay(report({ to: "2026-12-01T05:00:00.000Z", generatedAt: "2026-12-01T00:30:00.000Z" }))).toBe(576_000);
  });

  it("refuses to extrapolate from under a minute or from no requests", () => {
    expect(observedRequestsPerDay(report({ generatedAt: "2026-12-01T00:00:59.000Z" }))).toBeNull();
    expect(observedRequestsPerDay(report({ control: ops(0, null), candidate: ops(0, null) }))).toBeNull();
  });
});

describe("experiment ROI", () => {
  it("prices each arm at its measured CPU per request and model size, and states every KPI's lift with its always-valid CI", () => {
    const roi = experimentRoi(report(), models);
    if (!roi.ok) throw new Error(roi.reason);
    expect(roi.control).toMatchObject({ id: "t", cpuMsPerRequest: 0.8, sizeBytes: 2 ** 30, quality: "baseline" });
    expect(roi.candidate).toMatchObject({ id: "s", cpuMsPerRequest: 0.12, sizeBytes: 2 ** 27, quality: "−0.4% [−1.1%, +0.3%]" });
    expect(roi.candidate.tradeOff).toBe("CTR change −0.4% [−1.1%, +0.3%]; Conversion per user change +1.0% [−2.0%, +4.0%] (always-valid 95% CI)");
    expect(roi.qualityHeader).toBe("CTR change [95% CI]");
    expect(roi.observedRequestsPerDay).toBe(144_000);

    const prices = { vcpuHourUsd: 0.05, gibHourUsd: 0.005 };
    const cost = switchCost(roi.control, roi.candidate, 144_000, prices);
    // control: 144,000 × 30.4167 days × 0.0008 s / 3600 × $0.05 = $0.04867; 1 GiB × $0.005 × 730 h = $3.65
    expect(cost.from.cpu).toBeCloseTo((144_000 * (730 / 24) * 0.0008 * 0.05) / 3600, 12);
    expect(cost.from.memory).toBeCloseTo(3.65, 12);
    const candidate = monthlyServingCost({ requestsPerDay: 144_000, cpuSecondsPerRequest: 0.00012, modelBytes: 2 ** 27, prices });
    for (const part of ["cpu", "memory", "total"] as const) expect(cost.to[part]).toBeCloseTo(candidate[part], 12);
    expect(cost.saving).toBeCloseTo(cost.from.total - cost.to.total, 12);
    expect(`${switchCostSentence(cost, "control")}; ${roi.candidate.tradeOff}`).toMatch(
      /^Switching saves \$3\.24\/month \(87\.5% of the control's serving cost\); CTR change −0\.4% \[−1\.1%, \+0\.3%\]/,
    );
  });

  it("says when a switch costs more", () => {
    const cost = switchCost({ cpuMsPerRequest: 0.1, sizeBytes: 0 }, { cpuMsPerRequest: 0.2, sizeBytes: 0 }, 1e6, { vcpuHourUsd: 0.05, gibHourUsd: 0.005 });
    // 1e6 × 30.4167 × 0.0001 s / 3600 × 0.05 = $0.04225 per month; twice that for the candidate
    expect(switchCostSentence(cost, "control")).toBe("Switching costs $0.04/month more (100.0% above the control's serving cost)");
  });

  it("has no ROI before each arm has a model and a measured request", () => {
    expect(experimentRoi(report({ candidate: ops(0, null) }), models)).toEqual({
      ok: false,
      reason: "No ROI yet: no candidate request has been measured in this window yet.",
    });
    expect(experimentRoi(report(), { control: null, candidate: models.candidate })).toEqual({ ok: false, reason: "No ROI yet: the control has no model." });
  });
});
