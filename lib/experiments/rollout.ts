// The rollout state machine. Pure: experiment state + current stage + report numbers + now → decision.
// lib/services/experiments.ts applies decisions (scheduler) and manual actions in one transaction each.
//
// Scheduler decisions by status:
//   running            severe → rollback (or pause, per guardrails.severe.action); breach → pause;
//                      SRM / too early / too few exposures / KPI not yet non-inferior → hold;
//                      all gates pass → advance to the next stage, or await_approval when the next
//                      stage is the last one (the 100% production cutover needs a person's approval).
//   awaiting_approval  guardrails keep being watched: severe → rollback/pause; breach → pause; else hold.
//   anything else      hold (not evaluated). A paused experiment serves everyone the production model
//                      (lib/db/serving.ts), so there is nothing new to judge until a person resumes it;
//                      resuming restarts the stage's clock and analysis window.
import { currentCandidatePercent } from "./assignment";
import type { Guardrails } from "./config";
import { distillationChecks } from "./distillation-gates";
import { guardrailChecks, kpiChecks, srmCheck, stageProgressChecks, type GateCheck, type StageLimits, type StageWindow } from "./gates";
import { catalogueMetricChecks, usesCatalogueMetrics } from "./metric-gates";
import type { ExperimentReport } from "./report";
import { isLive, type ExperimentStatus } from "./statuses";

export type { ExperimentStatus };

export type RolloutAction = "hold" | "advance" | "pause" | "rollback" | "await_approval";

export interface RolloutState extends StageLimits {
  status: ExperimentStatus;
  rampSchedule: readonly number[];
  currentStageIndex: number;
  guardrails: Guardrails;
}

export interface DecisionNumbers {
  stage: { index: number; percent: number; startedAt: string; minutes: number };
  exposures: { control: number; candidate: number };
  users: { control: number; candidate: number };
  srmPValue: number | null;
  errorRate: { control: number | null; candidate: number | null };
  latencyP95Ms: { control: number | null; candidate: number | null };
  kpis: Record<string, { lift: number | null; ci: [number, number] | null; margin: number; verdict: string; pValue: number | null }>;
  checks: Pick<GateCheck, "name" | "status" | "detail">[];
}

export interface RolloutDecision {
  action: RolloutAction;
  reason: string;
  from: { status: ExperimentStatus; stageIndex: number; percent: number };
  to: { status: ExperimentStatus; stageIndex: number; percent: number };
  numbers: DecisionNumbers;
}

export interface DecideInput {
  state: RolloutState;
  stage: StageWindow;
  report: ExperimentReport;
  now: Date;
}

function summarize(report: ExperimentReport, stage: StageWindow, now: Date, checks: GateCheck[]): DecisionNumbers {
  const v = report.variants;
  return {
    stage: {
      index: stage.index,
      percent: stage.percent,
      startedAt: stage.startedAt.toISOString(),
      minutes: Math.round(((now.getTime() - stage.startedAt.getTime()) / 60_000) * 10) / 10,
    },
    exposures: { control: v.control.exposures, candidate: v.candidate.exposures },
    users: { control: v.control.users, candidate: v.candidate.users },
    srmPValue: report.srm.pValue,
    errorRate: { control: v.control.ops.errorRate, candidate: v.candidate.ops.errorRate },
    latencyP95Ms: { control: v.control.ops.p95Ms, candidate: v.candidate.ops.p95Ms },
    kpis: Object.fromEntries([
      ...report.kpis.map((k) => [k.kpi, { lift: k.lift, ci: k.ci, margin: k.margin, verdict: k.verdict, pValue: k.pValue }] as const),
      ...(report.metrics ?? []).map((m) => [`metric:${m.key}`, { lift: m.lift, ci: m.ci, margin: m.margin, verdict: m.verdict, pValue: m.pValue }] as const),
    ]),
    checks: checks.map(({ name, status, detail }) => ({ name, status, detail })),
  };
}

const details = (checks: GateCheck[]) => checks.map((c) => c.detail).join("; ");

export function decideRollout({ state, stage, report, now }: DecideInput): RolloutDecision {
  const g = state.guardrails;
  const percent = state.rampSchedule[state.currentStageIndex] ?? 0;
  const from = { status: state.status, stageIndex: state.currentStageIndex, percent };

  const guardrails = guardrailChecks(report, g);
  const srm = srmCheck(report, g);
  // A KPI comparison under a broken split is not trustworthy: KPI breaches only count without SRM.
  const srmOk = srm.status !== "wait" || report.srm.pValue === null;
  const kpis = (usesCatalogueMetrics(report) ? catalogueMetricChecks(report) : kpiChecks(report)).map((c) =>
    srmOk || c.status === "pass" ? c : { ...c, status: "wait" as const },
  );
  const progress = stageProgressChecks(report, stage, state, now);
  // teacher agreement and niche users only ever hold (status "wait"), so they join the waiting checks
  const distillation = distillationChecks(report, g);
  const all = [...guardrails, srm, ...progress, ...kpis, ...distillation];
  const numbers = summarize(report, stage, now, all);

  const decision = (action: RolloutAction, reason: string, to: RolloutDecision["to"]): RolloutDecision => ({ action, reason, from, to, numbers });
  const hold = (reason: string) => decision("hold", reason, from);

  if (!isLive(state.status)) {
    return hold(`not evaluated: experiment is ${state.status}`);
  }

  const severe = [...guardrails, ...kpis].filter((c) => c.status === "severe");
  const breaches = [...guardrails, ...kpis].filter((c) => c.status === "breach");

  if (severe.length > 0) {
    if (g.severe.action === "rollback") {
      return decision("rollback", `severe guardrail breach, rolled back to 0%: ${details(severe)}`, {
        status: "rolled_back",
        stageIndex: state.currentStageIndex,
        percent: 0,
      });
    }
    return decision("pause", `severe guardrail breach (configured to pause): ${details(severe)}`, { ...from, status: "paused" });
  }
  if (breaches.length > 0) {
    return decision("pause", `guardrail breach, paused at ${percent}%: ${details(breaches)}`, { ...from, status: "paused" });
  }
  if (state.status === "awaiting_approval") {
    return hold(`guardrails pass at ${percent}%; waiting for approval of the production cutover`);
  }

  // running: every gate must pass to move on
  const waiting = all.filter((c) => c.status === "wait");
  if (waiting.length > 0) {
    const srmHeld = srm.status === "wait" && report.srm.pValue !== null;
    return hold(`${srmHeld ? "SRM hold: " : ""}${details(waiting)}`);
  }
  const next = state.currentStageIndex + 1;
  const lastIndex = state.rampSchedule.length - 1;
  if (next >= lastIndex) {
    return decision(
      "await_approval",
      `all gates pass at ${percent}%; the cutover to ${state.rampSchedule[lastIndex]}% needs approval by an approver other than the creator`,
      { ...from, status: "awaiting_approval" },
    );
  }
  return decision("advance", `all gates pass at ${percent}%: advancing to ${state.rampSchedule[next]}%`, {
    status: "running",
    stageIndex: next,
    percent: state.rampSchedule[next],
  });
}

// ---------- manual actions (dashboard) ----------

export type ManualAction = "start" | "pause" | "resume" | "rollback" | "approve" | "reject" | "cancel";

const ALLOWED_FROM: Record<ManualAction, readonly ExperimentStatus[]> = {
  start: ["draft"],
  pause: ["running", "awaiting_approval"],
  resume: ["paused"],
  rollback: ["running", "paused", "awaiting_approval"],
  approve: ["awaiting_approval"],
  reject: ["awaiting_approval"],
  cancel: ["draft"],
};

const TARGET: Record<ManualAction, ExperimentStatus> = {
  start: "running",
  pause: "paused",
  resume: "running",
  rollback: "rolled_back",
  approve: "completed",
  // A rejected cutover rolls the candidate back to 0%: production stays on control. Re-running needs a new experiment.
  reject: "rolled_back",
  cancel: "cancelled",
};

/** Target status of a manual action, or why it is not allowed now. */
export function manualTransition(status: ExperimentStatus, action: ManualAction): { ok: true; to: ExperimentStatus } | { ok: false; message: string } {
  if (!ALLOWED_FROM[action].includes(status)) {
    return {
      ok: false,
      message: `cannot ${action} an experiment that is ${status.replace("_", " ")} (allowed when ${ALLOWED_FROM[action].join(" or ").replace(/_/g, " ")})`,
    };
  }
  return { ok: true, to: TARGET[action] };
}

/** Actions a person may take in a given status (for the dashboard's buttons). */
export function availableActions(status: ExperimentStatus): ManualAction[] {
  return (Object.keys(ALLOWED_FROM) as ManualAction[]).filter((a) => ALLOWED_FROM[a].includes(status));
}

/** Candidate traffic share (0..1) an experiment in this state should receive. */
export function candidateShare(status: ExperimentStatus, rampSchedule: readonly number[], currentStageIndex: number): number {
  if (!isLive(status)) return 0;
  return currentCandidatePercent(rampSchedule, currentStageIndex) / 100;
}
