// The pure rollout state machine: gates → hold | advance | pause | rollback | await_approval.
import { describe, expect, it } from "vitest";
import { experimentConfigSchema, guardrailsSchema, type Guardrails } from "@/lib/experiments/config";
import { nonInferiorityVerdict } from "@/lib/experiments/gates";
import type { ExperimentReport, KpiResult } from "@/lib/experiments/report";
import { candidateShare, decideRollout, manualTransition, type RolloutState } from "@/lib/experiments/rollout";

const T0 = new Date("2026-11-28T10:00:00Z");
const minutesAfter = (m: number) => new Date(T0.getTime() + m * 60_000);

function kpi(overrides: Partial<KpiResult> & Pick<KpiResult, "kpi">): KpiResult {
  const ci = overrides.ci === undefined ? ([-0.01, 0.03] as [number, number]) : overrides.ci;
  const margin = overrides.margin ?? 0.05;
  const severeCi = overrides.severeCi === undefined ? ci && ([ci[0] - 0.02, ci[1] + 0.02] as [number, number]) : overrides.severeCi;
  return {
    control: { value: 0.1, standardError: 0.001, n: 5000 },
    candidate: { value: 0.101, standardError: 0.001, n: 5000 },
    lift: 0.01,
    fixedCi: ci,
    pValue: 0.5,
    pHolm: 0.5,
    cuped: false,
    ...nonInferiorityVerdict(ci, severeCi, margin),
    ...overrides,
    ci,
    severeCi,
    margin,
  };
}

function report(opts: {
  candidateExposures?: number;
  controlExposures?: number;
  errorRate?: number;
  p95Ms?: number;
  srmPValue?: number | null;
  kpis?: KpiResult[];
  share?: number;
}): ExperimentReport {
  const cand = opts.candidateExposures ?? 5000;
  const ctrl = opts.controlExposures ?? 95000;
  const ops = (requests: number, errorRate: number, p95: number) => ({
    requests,
    failed: Math.round(requests * errorRate),
    errorRate,
    p50Ms: p95 / 2,
    p95Ms: p95,
    p99Ms: p95 * 1.5,
    meanCpuMs: 1,
    costPer1k: null,
  });
  return {
    experimentId: "exp1",
    window: { from: T0.toISOString(), to: minutesAfter(90).toISOString(), label: "stage" },
    expectedCandidateShare: opts.share ?? 0.05,
    variants: {
      control: { users: ctrl / 10, exposures: ctrl, ops: ops(ctrl, 0.001, 5), hitRate: { n: 0, hits: 0, value: null }, modelId: "teacher" },
      candidate: {
        users: cand / 10,
        exposures: cand,
        ops: ops(cand, opts.errorRate ?? 0.001, opts.p95Ms ?? 3),
        hitRate: { n: 0, hits: 0, value: null },
        modelId: "student",
      },
    },
    srm: {
      observed: { control: ctrl / 10, candidate: cand / 10 },
      expectedShare: { control: 0.95, candidate: 0.05 },
      chiSquare: 0.1,
      pValue: opts.srmPValue === undefined ? 0.7 : opts.srmPValue,
    },
    kpis: opts.kpis ?? [kpi({ kpi: "ctr" }), kpi({ kpi: "conversion" }), kpi({ kpi: "revenue" })],
    alpha: 0.05,
    dropped: { count: 0, since: null, known: true },
    generatedAt: minutesAfter(90).toISOString(),
  };
}

const guardrails: Guardrails = guardrailsSchema.parse({ latencyP95Ms: 10, errorRate: 0.01 });

function state(overrides: Partial<RolloutState> = {}): RolloutState {
  return {
    status: "running",
    rampSchedule: [1, 5, 20, 50, 100],
    currentStageIndex: 1,
    minStageMinutes: 60,
    minStageExposures: 1000,
    guardrails,
    ...overrides,
  };
}

const stage = (index = 1, percent = 5) => ({ index, percent, startedAt: T0 });

describe("experiment config defaults", () => {
  it("fills the defaults a product team expects", () => {
    const cfg = experimentConfigSchema.parse({ name: "student v1", candidateModelId: "m2" });
    expect(cfg.rampSchedule).toEqual([1, 5, 20, 50, 100]);
    expect(cfg.minStageMinutes).toBe(60);
    expect(cfg.minStageExposures).toBe(1000);
    expect(cfg.kpis).toEqual(["ctr", "conversion", "revenue"]);
    expect(cfg.guardrails.nonInferiorityMargins).toEqual({ ctr: 0.05, conversion: 0.05, revenue: 0.05 });
    expect(cfg.guardrails.srmPValue).toBe(0.001);
    expect(cfg.guardrails.severe).toEqual({ errorRateMultiplier: 5, latencyP95Multiplier: 2, kpiAlpha: 0.001, action: "rollback" });
  });

  it("rejects a ramp that does not increase or does not end at 100, naming the field", () => {
    const bad = experimentConfigSchema.safeParse({ name: "x", candidateModelId: "m", rampSchedule: [5, 5, 100] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path[0]).toBe("rampSchedule");
    const noCutover = experimentConfigSchema.safeParse({ name: "x", candidateModelId: "m", rampSchedule: [1, 50] });
    expect(noCutover.error?.issues[0].message).toMatch(/end at 100/);
  });

  it("accepts minStageMinutes 0 for demos and rejects a candidate equal to the control", () => {
    expect(experimentConfigSchema.parse({ name: "x", candidateModelId: "m", minStageMinutes: 0 }).minStageMinutes).toBe(0);
    const same = experimentConfigSchema.safeParse({ name: "x", controlModelId: "m", candidateModelId: "m" });
    expect(same.error?.issues[0].path).toEqual(["candidateModelId"]);
  });
});

describe("decideRollout", () => {
  it("advances to the next stage when duration, exposures, SRM, guardrails and every KPI pass", () => {
    const d = decideRollout({ state: state(), stage: stage(), report: report({}), now: minutesAfter(61) });
    expect(d.action).toBe("advance");
    expect(d.to).toEqual({ status: "running", stageIndex: 2, percent: 20 });
    expect(d.numbers.exposures.candidate).toBe(5000);
    expect(d.numbers.checks.every((c) => c.status === "pass")).toBe(true);
  });

  it("holds before the minimum stage duration", () => {
    const d = decideRollout({ state: state(), stage: stage(), report: report({}), now: minutesAfter(59) });
    expect(d.action).toBe("hold");
    expect(d.reason).toMatch(/59\.0 of 60 minutes/);
    expect(d.to).toEqual(d.from);
  });

  it("holds before the minimum candidate exposures", () => {
    const d = decideRollout({ state: state(), stage: stage(), report: report({ candidateExposures: 999 }), now: minutesAfter(61) });
    expect(d.action).toBe("hold");
    expect(d.reason).toMatch(/999 of 1000 candidate exposures/);
  });

  it("holds while a KPI is not yet shown non-inferior", () => {
    const r = report({ kpis: [kpi({ kpi: "ctr", ci: [-0.08, 0.02] }), kpi({ kpi: "revenue" })] });
    const d = decideRollout({ state: state(), stage: stage(), report: r, now: minutesAfter(61) });
    expect(d.action).toBe("hold");
    expect(d.reason).toMatch(/CTR not yet shown non-inferior/);
  });

  it("holds on a sample-ratio mismatch even when everything else passes", () => {
    const d = decideRollout({ state: state(), stage: stage(), report: report({ srmPValue: 1e-6 }), now: minutesAfter(61) });
    expect(d.action).toBe("hold");
    expect(d.reason).toMatch(/^SRM hold: sample ratio mismatch/);
  });

  it("does not pause on a KPI breach while the split is broken (SRM), but still on latency", () => {
    const r = report({ srmPValue: 1e-6, kpis: [kpi({ kpi: "ctr", ci: [-0.2, -0.1], severeCi: [-0.25, -0.02] })] });
    expect(decideRollout({ state: state(), stage: stage(), report: r, now: minutesAfter(61) }).action).toBe("hold");
    const slow = report({ srmPValue: 1e-6, p95Ms: 12 });
    expect(decideRollout({ state: state(), stage: stage(), report: slow, now: minutesAfter(61) }).action).toBe("pause");
  });

  it("pauses on a guardrail breach (latency, error rate, KPI inferior), even before the minimum duration", () => {
    const slow = decideRollout({ state: state(), stage: stage(), report: report({ p95Ms: 12 }), now: minutesAfter(5) });
    expect(slow.action).toBe("pause");
    expect(slow.to).toEqual({ status: "paused", stageIndex: 1, percent: 5 });
    expect(slow.reason).toMatch(/p95 latency 12\.00 ms > ceiling 10\.00 ms/);

    const errors = decideRollout({ state: state(), stage: stage(), report: report({ errorRate: 0.02 }), now: minutesAfter(5) });
    expect(errors.action).toBe("pause");
    expect(errors.reason).toMatch(/error rate 2\.00% > ceiling 1\.00%/);

    const worse = report({ kpis: [kpi({ kpi: "ctr", ci: [-0.2, -0.08], severeCi: [-0.25, 0.01] })] });
    const kpiBreach = decideRollout({ state: state(), stage: stage(), report: worse, now: minutesAfter(5) });
    expect(kpiBreach.action).toBe("pause");
    expect(kpiBreach.reason).toMatch(/CTR inferior beyond the −5\.0% margin/);
  });

  it("pauses when the candidate's p95 is significantly slower than control beyond the margin (difference-of-quantiles test)", () => {
    const base = report({ p95Ms: 3 });
    const slower = {
      ...base,
      latencyTests: { p95: { quantile: 0.95, relativeDifference: 0.6, ci: [0.35, 0.85] as [number, number], pValue: 1e-6 }, p99: null },
    };
    const d = decideRollout({ state: state(), stage: stage(), report: slower, now: minutesAfter(90) });
    expect(d.action).toBe("pause");
    expect(d.numbers.checks.find((c) => c.name === "latency p95 vs control")).toMatchObject({ status: "breach" });
    // an interval reaching below the margin does not hold the stage: the ceiling still guards it
    const unclear = {
      ...base,
      latencyTests: { p95: { quantile: 0.95, relativeDifference: 0.3, ci: [0.1, 0.5] as [number, number], pValue: 0.01 }, p99: null },
    };
    expect(decideRollout({ state: state(), stage: stage(), report: unclear, now: minutesAfter(90) }).action).toBe("advance");
  });

  it("does not judge latency or errors before minGuardrailExposures candidate requests", () => {
    const d = decideRollout({
      state: state({ minStageExposures: 0 }),
      stage: stage(),
      report: report({ candidateExposures: 150, p95Ms: 50, errorRate: 0.5 }),
      now: minutesAfter(61),
    });
    expect(d.action).toBe("hold");
    expect(d.reason).toMatch(/150 candidate requests, guardrail judged from 200/);
  });

  it("rolls back to 0% on a severe breach", () => {
    const errors = decideRollout({ state: state(), stage: stage(), report: report({ errorRate: 0.06 }), now: minutesAfter(1) });
    expect(errors.action).toBe("rollback");
    expect(errors.to).toEqual({ status: "rolled_back", stageIndex: 1, percent: 0 });
    expect(errors.reason).toMatch(/6\.00% > severe threshold 5\.00%/);

    const slow = decideRollout({ state: state(), stage: stage(), report: report({ p95Ms: 21 }), now: minutesAfter(1) });
    expect(slow.action).toBe("rollback");

    const inferior = report({ kpis: [kpi({ kpi: "revenue", ci: [-0.3, -0.2], severeCi: [-0.35, -0.1] })] });
    expect(decideRollout({ state: state(), stage: stage(), report: inferior, now: minutesAfter(1) }).action).toBe("rollback");
  });

  it("pauses instead of rolling back when severe.action is pause", () => {
    const g = guardrailsSchema.parse({ latencyP95Ms: 10, errorRate: 0.01, severe: { action: "pause" } });
    const d = decideRollout({ state: state({ guardrails: g }), stage: stage(), report: report({ errorRate: 0.5 }), now: minutesAfter(1) });
    expect(d.action).toBe("pause");
    expect(d.reason).toMatch(/configured to pause/);
  });

  it("asks for approval instead of advancing to the final 100% stage", () => {
    const d = decideRollout({ state: state({ currentStageIndex: 3 }), stage: stage(3, 50), report: report({ share: 0.5 }), now: minutesAfter(61) });
    expect(d.action).toBe("await_approval");
    expect(d.to).toEqual({ status: "awaiting_approval", stageIndex: 3, percent: 50 });
    expect(d.reason).toMatch(/needs approval/);
  });

  it("keeps watching guardrails while awaiting approval", () => {
    const waiting = state({ status: "awaiting_approval", currentStageIndex: 3 });
    expect(decideRollout({ state: waiting, stage: stage(3, 50), report: report({}), now: minutesAfter(200) }).action).toBe("hold");
    expect(decideRollout({ state: waiting, stage: stage(3, 50), report: report({ p95Ms: 11 }), now: minutesAfter(200) }).action).toBe("pause");
    expect(decideRollout({ state: waiting, stage: stage(3, 50), report: report({ errorRate: 0.2 }), now: minutesAfter(200) }).action).toBe("rollback");
  });

  it("never acts on paused (everyone on production), draft or finished experiments", () => {
    for (const status of ["paused", "draft", "completed", "rolled_back", "cancelled"] as const) {
      expect(decideRollout({ state: state({ status }), stage: stage(), report: report({ errorRate: 0.9 }), now: minutesAfter(61) }).action).toBe("hold");
    }
  });
});

describe("manual transitions", () => {
  it("allows only the transitions that make sense", () => {
    expect(manualTransition("draft", "start")).toEqual({ ok: true, to: "running" });
    expect(manualTransition("running", "pause")).toEqual({ ok: true, to: "paused" });
    expect(manualTransition("paused", "resume")).toEqual({ ok: true, to: "running" });
    expect(manualTransition("awaiting_approval", "approve")).toEqual({ ok: true, to: "completed" });
    expect(manualTransition("awaiting_approval", "reject")).toEqual({ ok: true, to: "rolled_back" });
    const early = manualTransition("running", "approve");
    expect(early.ok).toBe(false);
    expect(!early.ok && early.message).toMatch(/cannot approve an experiment that is running/);
    expect(manualTransition("completed", "rollback").ok).toBe(false);
  });

  it("gives the candidate its stage's share only while the experiment splits traffic", () => {
    expect(candidateShare("running", [1, 5, 100], 1)).toBe(0.05);
    expect(candidateShare("awaiting_approval", [1, 5, 100], 1)).toBe(0.05);
    expect(candidateShare("paused", [1, 5, 100], 1)).toBe(0);
    expect(candidateShare("rolled_back", [1, 5, 100], 1)).toBe(0);
  });
});
