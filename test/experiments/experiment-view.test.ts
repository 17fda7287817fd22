// The experiment page's view model: report window and cache policy, traffic share, who may act (and the
// text saying why not), ramp rows, and the over-time series bucketed from per-variant rows.
import { describe, expect, it } from "vitest";
import { nonInferiorityVerdict } from "@/lib/experiments/gates";
import type { ExperimentReport, KpiResult } from "@/lib/experiments/report";
import type { ExperimentStatus } from "@/lib/experiments/rollout";
import {
  CACHED_REPORT_MAX_AGE_MS,
  experimentView,
  parseReportScope,
  planReport,
  type ExperimentRecord,
  type ExperimentViewInput,
  type StageDecision,
} from "@/lib/experiments/experiment-view";
import { timelineSeries, timelineWindow } from "@/lib/experiments/lift-timeline";

const T0 = new Date("2026-11-28T10:00:00Z");
const minutesAfter = (m: number) => new Date(T0.getTime() + m * 60_000);

const creator = { id: "u-creator", role: "approver" as const };
const otherApprover = { id: "u-approver", role: "approver" as const };
const editor = { id: "u-editor", role: "editor" as const };
const viewer = { id: "u-viewer", role: "viewer" as const };

function kpi(kpi: KpiResult["kpi"], margin = 0.05): KpiResult {
  const ci: [number, number] = [-0.01, 0.03];
  const severeCi: [number, number] = [-0.03, 0.05];
  const arm = { value: 0.1, standardError: 0.001, n: 5000 };
  const stats = { control: arm, candidate: { ...arm, value: 0.101 }, lift: 0.01, pValue: 0.5, pHolm: 0.5 };
  return { kpi, ...stats, ci, severeCi, fixedCi: ci, margin, cuped: false, ...nonInferiorityVerdict(ci, severeCi, margin) };
}

function report(opts: { controlUsers?: number; candidateUsers?: number; srmPValue?: number | null; kpis?: KpiResult[] } = {}): ExperimentReport {
  const ops = { requests: 100, failed: 0, errorRate: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3, meanCpuMs: 1, costPer1k: null };
  const hitRate = { n: 0, hits: 0, value: null };
  const controlUsers = opts.controlUsers ?? 900;
  const candidateUsers = opts.candidateUsers ?? 100;
  return {
    experimentId: "exp1",
    window: { from: T0.toISOString(), to: minutesAfter(90).toISOString(), label: "stage 2" },
    expectedCandidateShare: 0.1,
    variants: {
      control: { users: controlUsers, exposures: controlUsers * 10, ops, hitRate, modelId: "teacher" },
      candidate: { users: candidateUsers, exposures: candidateUsers * 10, ops, hitRate, modelId: "student" },
    },
    srm: {
      observed: { control: controlUsers, candidate: candidateUsers },
      expectedShare: { control: 0.9, candidate: 0.1 },
      chiSquare: 0.1,
      pValue: opts.srmPValue === undefined ? 0.7 : opts.srmPValue,
    },
    kpis: opts.kpis ?? [kpi("ctr", 0.02), kpi("conversion")],
    alpha: 0.05,
    dropped: { count: 0, since: null, known: true },
    generatedAt: minutesAfter(90).toISOString(),
  };
}

const decision = (at: Date, withReport: ExperimentReport | undefined): StageDecision => ({
  action: "hold",
  reason: "waiting for exposures",
  at: at.toISOString(),
  numbers: { checks: [{ name: "exposures", status: "wait", detail: "40 of 1,000" }] },
  ...(withReport ? { report: withReport } : {}),
});

function experiment(
  opts: { status?: ExperimentStatus; currentStageIndex?: number; rampSchedule?: number[]; lastDecision?: StageDecision | null } = {},
): ExperimentRecord {
  const rampSchedule = opts.rampSchedule ?? [10, 50, 100];
  const currentStageIndex = opts.currentStageIndex ?? 1;
  const status = opts.status ?? "running";
  const started = status !== "draft";
  const model = (id: string, role: string) => ({
    id,
    name: `${id}-model`,
    role,
    dimension: role === "teacher" ? 200 : 20,
    sizeBytes: 1024,
    distillationMethod: null,
  });
  return {
    id: "exp1",
    name: "student vs teacher",
    description: "",
    status,
    rampSchedule,
    currentStageIndex,
    minStageMinutes: 60,
    minStageExposures: 1000,
    guardrails: { latencyP95Ms: 10, errorRate: 0.01, srmPValue: 0.001 },
    createdById: creator.id,
    createdAt: T0,
    startedAt: started ? T0 : null,
    createdBy: { email: "creator@example.test" },
    variants: [
      { key: "control", model: model("teacher", "teacher") },
      { key: "candidate", model: model("student", "student") },
    ],
    stages: rampSchedule.map((percent, index) => ({
      id: `s${index}`,
      index,
      percent,
      status: index < currentStageIndex ? "passed" : index === currentStageIndex && started ? "active" : "pending",
      startedAt: started && index <= currentStageIndex ? minutesAfter(index * 60) : null,
      endedAt: index < currentStageIndex ? minutesAfter(index * 60 + 60) : null,
      lastDecision: index === currentStageIndex ? (opts.lastDecision ?? null) : null,
    })),
    approvals: [],
  };
}

function input(exp: ExperimentRecord, withReport: ExperimentReport | null = null, rows: ExperimentViewInput["timeline"] = null): ExperimentViewInput {
  return { experiment: exp, report: withReport, cachedAt: null, timeline: rows, audit: [], production: { modelName: "teacher-model", version: 3 } };
}

describe("report window and cache policy", () => {
  it("reads ?scope= as the whole experiment, a 1-based stage, or the current stage", () => {
    expect(parseReportScope("all")).toEqual({ kind: "all" });
    expect(parseReportScope("2")).toEqual({ kind: "stage", index: 1 });
    for (const raw of [undefined, "", "0", "-1", "1.5", "x"]) expect(parseReportScope(raw)).toEqual({ kind: "current" });
  });

  it("after the cutover the current window is the last stage that split traffic", () => {
    const done = experiment({ status: "completed", currentStageIndex: 2 });
    expect(planReport(done, {}, minutesAfter(200)).scope).toEqual({ kind: "stage", index: 1 });
    expect(planReport(done, { scope: "all" }, minutesAfter(200)).scope).toEqual({ kind: "all" });
  });

  it("reuses the scheduler's stored report only while it is fresh, for the current window, unless asked to recompute", () => {
    const stored = report();
    const at = minutesAfter(90);
    const exp = experiment({ lastDecision: decision(at, stored) });
    const justBefore = new Date(at.getTime() + CACHED_REPORT_MAX_AGE_MS - 1);
    expect(planReport(exp, {}, justBefore).reuse).toEqual({ report: stored, at: at.toISOString() });
    expect(planReport(exp, {}, new Date(at.getTime() + CACHED_REPORT_MAX_AGE_MS)).reuse).toBeNull();
    expect(planReport(exp, { fresh: "1" }, justBefore).reuse).toBeNull();
    expect(planReport(exp, { scope: "1" }, justBefore).reuse).toBeNull();
    expect(planReport(experiment({ status: "paused", lastDecision: decision(at, stored) }), {}, justBefore).reuse).toBeNull();
    expect(planReport(experiment({ lastDecision: decision(at, undefined) }), {}, justBefore).reuse).toBeNull();
  });

  it("loads no report before the experiment started", () => {
    expect(planReport(experiment({ status: "draft", currentStageIndex: -1 }), {}, T0)).toMatchObject({ load: false, reuse: null });
    expect(experimentView(input(experiment({ status: "draft", currentStageIndex: -1 })), editor).noReport).toMatch(/^Not started/);
    expect(experimentView(input(experiment()), editor).noReport).toBe("No data for this window yet.");
  });
});

describe("traffic share", () => {
  it("is the current stage's percent while traffic splits, 100% after the cutover and 0% otherwise", () => {
    const share = (status: ExperimentStatus, currentStageIndex = 1) =>
      experimentView(input(experiment({ status, currentStageIndex })), viewer).summary.candidatePercent;
    expect(share("running", 0)).toBe(10);
    expect(share("running")).toBe(50);
    expect(share("awaiting_approval")).toBe(50);
    expect(share("completed", 2)).toBe(100);
    for (const s of ["draft", "paused", "rolled_back", "cancelled"] as const) expect(share(s)).toBe(0);
  });

  it("shows what serving applies: a stage before the cutover is held to the unapproved cap (50% by default)", () => {
    const exp = experiment({ rampSchedule: [99, 100], currentStageIndex: 0 });
    expect(experimentView(input(exp), viewer).summary.candidatePercent).toBe(50);
  });
});

describe("who may act", () => {
  it("offers the header actions of the status to editors and above, none to viewers", () => {
    expect(experimentView(input(experiment({ status: "running" })), editor).headerActions).toEqual(["pause", "rollback"]);
    expect(experimentView(input(experiment({ status: "draft", currentStageIndex: -1 })), editor).headerActions).toEqual(["start", "cancel"]);
    expect(experimentView(input(experiment({ status: "awaiting_approval" })), otherApprover).headerActions).toEqual(["pause", "rollback"]);
    expect(experimentView(input(experiment({ status: "running" })), viewer).headerActions).toEqual([]);
  });

  it("asks for a cutover decision only while awaiting approval, saying why a person cannot decide", () => {
    const awaiting = experiment({ status: "awaiting_approval" });
    expect(experimentView(input(experiment({ status: "running" })), otherApprover).approval).toBeNull();
    expect(experimentView(input(awaiting), otherApprover).approval).toEqual({ blockedReason: null, candidateName: "student-model" });
    expect(experimentView(input(awaiting), creator).approval?.blockedReason).toBe(
      "You created this experiment, so another approver must approve its cutover (four-eyes rule). You can still roll it back.",
    );
    expect(experimentView(input(awaiting), editor).approval?.blockedReason).toBe("Only an approver can decide on the cutover; you are editor.");
    expect(experimentView(input(awaiting), viewer).approval?.blockedReason).toBe("Only an approver can decide on the cutover; you are viewer.");
  });
});

describe("ramp and report", () => {
  it("marks the current stage and the cutover stage, with each stage's last decision", () => {
    const last = decision(minutesAfter(90), undefined);
    const view = experimentView(input(experiment({ lastDecision: last })), viewer);
    expect(view.ramp.rows.map((r) => [r.percent, r.current, r.cutover, r.decision])).toEqual([
      [10, false, false, null],
      [50, true, false, "hold: waiting for exposures"],
      [100, false, true, null],
    ]);
    expect(view.lastDecision).toEqual(last);
  });

  it("derives the observed share, the sample-ratio verdict and the CTR margin from the report", () => {
    const ok = experimentView(input(experiment(), report({ controlUsers: 900, candidateUsers: 100 })), viewer).report!;
    expect(ok.observedCandidateShare).toBeCloseTo(0.1, 12);
    expect(ok.srmMismatch).toBe(false);
    expect(ok.ctrMargin).toBe(0.02);
    expect(ok.startedStages).toEqual([
      { index: 0, percent: 10 },
      { index: 1, percent: 50 },
    ]);
    // srmPValue guardrail is 0.001: a p-value below it is a mismatch
    expect(experimentView(input(experiment(), report({ srmPValue: 0.0009 })), viewer).report!.srmMismatch).toBe(true);
    const empty = experimentView(
      input(experiment(), report({ controlUsers: 0, candidateUsers: 0, srmPValue: null, kpis: [kpi("conversion")] })),
      viewer,
    ).report!;
    expect(empty).toMatchObject({ observedCandidateShare: null, srmMismatch: false, ctrMargin: null });
  });
});

describe("over-time series", () => {
  it("spans the report window up to now in at most 40 buckets of at least a minute", () => {
    const w = { from: T0.toISOString(), to: minutesAfter(400).toISOString() };
    expect(timelineWindow(w, minutesAfter(1000))).toEqual({ from: T0, to: new Date(minutesAfter(400).getTime() + 1), bucketSeconds: 600 });
    // a window still open ends now; 10 minutes make 40 buckets of 15 s, raised to the 60 s floor
    expect(timelineWindow(w, minutesAfter(10))).toEqual({ from: T0, to: new Date(minutesAfter(10).getTime() + 1), bucketSeconds: 60 });
  });

  it("sums rows per bucket and arm in time order, ignoring other variants; CTR is empty where an arm has no exposures", () => {
    const rows = [
      { bucket: minutesAfter(1), variant: "control", exposures: 100, clicks: 12 },
      { bucket: minutesAfter(0), variant: "candidate", exposures: 50, clicks: 5 },
      { bucket: minutesAfter(0), variant: "control", exposures: 200, clicks: 20 },
      { bucket: minutesAfter(0), variant: "holdout", exposures: 999, clicks: 999 },
      { bucket: minutesAfter(1), variant: "candidate", exposures: 40, clicks: 6 },
      { bucket: minutesAfter(2), variant: "control", exposures: 10, clicks: 1 },
    ];
    const s = timelineSeries(rows, 60);
    const t = [0, 1, 2].map((m) => minutesAfter(m).getTime());
    expect(s.exposures).toEqual([
      { t: t[0], control: 200, candidate: 50 },
      { t: t[1], control: 100, candidate: 40 },
      { t: t[2], control: 10, candidate: 0 },
    ]);
    expect(s.ctr).toEqual([
      { t: t[0], control: 0.1, candidate: 0.1 },
      { t: t[1], control: 0.12, candidate: 0.15 },
      { t: t[2], control: 0.1, candidate: null },
    ]);
    // cumulative: at t1, control 32/300, candidate 11/90
    expect(s.lift.map((p) => p.t)).toEqual(t);
    expect(s.lift[1].lift).toBeCloseTo(11 / 90 / (32 / 300) - 1, 12);
    expect(s.bucketSeconds).toBe(60);
  });

  it("feeds the page's timeline from the rows lib/db read", () => {
    const rows = [{ bucket: T0, variant: "control", exposures: 10, clicks: 1 }];
    const view = experimentView(input(experiment(), report(), { rows, bucketSeconds: 120 }), viewer);
    expect(view.report!.timeline).toEqual(timelineSeries(rows, 120));
  });
});
