// What the experiment page shows, decided from plain data: which report window, whether the scheduler's
// own report is fresh enough to reuse, the traffic share, who may do what (and why not), the ramp and
// audit rows, the over-time series. No I/O: lib/db/experiment-page.ts reads, components/experiments/report renders.
import { hasRole, type Role } from "@/lib/auth/roles";
import { cutoverBlock } from "./approval";
import { parseGuardrails, type Guardrails } from "./config";
import { timelineSeries, type TimelineRow, type TimelineSeries } from "./lift-timeline";
import type { ExperimentReport, ReportScope } from "./report";
import { availableActions, candidateShare, type ExperimentStatus, type ManualAction } from "./rollout";

/** The scheduler keeps the report it decided on; the page reuses it while it is this fresh. */
export const CACHED_REPORT_MAX_AGE_MS = 3 * 60_000;

export interface ArmModel {
  id: string;
  name: string;
  role: string;
  dimension: number;
  sizeBytes: number;
  distillationMethod: string | null;
}

export interface StageRecord {
  id: string;
  index: number;
  percent: number;
  status: string;
  startedAt: Date | null;
  endedAt: Date | null;
  lastDecision: unknown;
}

/** An experiment with its arms, stages and approvals, as lib/db reads it. */
export interface ExperimentRecord {
  id: string;
  name: string;
  description: string;
  status: ExperimentStatus;
  rampSchedule: number[];
  currentStageIndex: number;
  minStageMinutes: number;
  minStageExposures: number;
  guardrails: unknown;
  createdById: string;
  createdAt: Date;
  startedAt: Date | null;
  createdBy: { email: string };
  variants: { key: string; model: ArmModel }[];
  stages: StageRecord[];
  approvals: { id: string; decision: string; comment: string; createdAt: Date; user: { email: string } }[];
}

export interface AuditRecord {
  id: bigint;
  createdAt: Date;
  actorLabel: string;
  action: string;
  reason: string;
  data: unknown;
}

/** The scheduler's latest evaluation of a stage, as it stores it on the stage row. */
export interface StageDecision {
  action: string;
  reason: string;
  at: string;
  numbers?: { checks?: { name: string; status: string; detail: string }[] };
  report?: ExperimentReport;
}

export function parseReportScope(raw: string | undefined): ReportScope {
  if (raw === "all") return { kind: "all" };
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? { kind: "stage", index: n - 1 } : { kind: "current" };
}

export interface ReportPlan {
  scope: ReportScope;
  /** the scheduler's report to show as it is (no query), or null to compute one */
  reuse: { report: ExperimentReport; at: string } | null;
  /** false before the experiment started: there is nothing to report */
  load: boolean;
}

/** Which report the page shows for `?scope=…&fresh=…`, and whether the scheduler's stored one will do. */
export function planReport(
  exp: Pick<ExperimentRecord, "status" | "currentStageIndex" | "startedAt" | "stages">,
  query: { scope?: string; fresh?: string },
  now: Date,
): ReportPlan {
  let scope = parseReportScope(query.scope);
  // after the cutover the current (100%) stage has no split traffic: show the last stage that had
  if (scope.kind === "current" && exp.status === "completed" && exp.currentStageIndex > 0) scope = { kind: "stage", index: exp.currentStageIndex - 1 };
  const stored = currentDecision(exp);
  const fresh =
    scope.kind === "current" &&
    query.fresh === undefined &&
    (exp.status === "running" || exp.status === "awaiting_approval") &&
    stored?.report !== undefined &&
    now.getTime() - new Date(stored.at).getTime() < CACHED_REPORT_MAX_AGE_MS;
  return { scope, reuse: fresh && stored?.report ? { report: stored.report, at: stored.at } : null, load: exp.startedAt !== null };
}

function currentDecision(exp: Pick<ExperimentRecord, "currentStageIndex" | "stages">): StageDecision | null {
  return (exp.stages.find((s) => s.index === exp.currentStageIndex)?.lastDecision ?? null) as StageDecision | null;
}

/** Actions a person starts from the page's header; approve and reject live in the approval panel. */
export type HeaderAction = Exclude<ManualAction, "approve" | "reject">;

/** Why the viewer cannot approve this cutover (shown beside disabled buttons), or null. */
export function approvalBlockedReason(viewer: { id: string; role: Role }, createdById: string): string | null {
  switch (cutoverBlock(viewer, createdById)) {
    case "needs_approver":
      return `Only an approver can decide on the cutover; you are ${viewer.role}.`;
    case "own_experiment":
      return "You created this experiment, so another approver must approve its cutover (four-eyes rule). You can still roll it back.";
    default:
      return null;
  }
}

export interface RampRow extends Omit<StageRecord, "lastDecision"> {
  current: boolean;
  /** the last stage: reached only through the approved cutover */
  cutover: boolean;
  decision: string | null;
}

export interface ReportView {
  report: ExperimentReport;
  /** when the scheduler computed it, if the page shows the scheduler's stored report */
  cachedAt: string | null;
  /** stages with data, for the window links */
  startedStages: { index: number; percent: number }[];
  observedCandidateShare: number | null;
  srmMismatch: boolean;
  /** the CTR non-inferiority margin, drawn on the lift chart */
  ctrMargin: number | null;
  timeline: TimelineSeries | null;
}

export interface ExperimentView {
  id: string;
  name: string;
  description: string;
  status: ExperimentStatus;
  createdByEmail: string;
  createdAt: Date;
  headerActions: HeaderAction[];
  guardrails: Guardrails;
  summary: {
    /** the candidate's share of traffic now, in percent */
    candidatePercent: number;
    rampSchedule: number[];
    control: ArmModel | null;
    candidate: ArmModel | null;
    production: { modelName: string; version: number } | null;
  };
  ramp: { rows: RampRow[]; minStageMinutes: number; minStageExposures: number };
  lastDecision: StageDecision | null;
  /** set while the cutover waits for a decision */
  approval: { blockedReason: string | null; candidateName: string } | null;
  approvals: { id: string; decision: string; email: string; at: Date; comment: string }[];
  report: ReportView | null;
  /** what stands in place of the report when there is none */
  noReport: string;
  audit: { id: string; at: Date; actor: string; action: string; reason: string; data: unknown }[];
}

export interface ExperimentViewInput {
  experiment: ExperimentRecord;
  report: ExperimentReport | null;
  cachedAt: string | null;
  timeline: { rows: readonly TimelineRow[]; bucketSeconds: number } | null;
  audit: readonly AuditRecord[];
  production: { modelName: string; version: number } | null;
}

export function experimentView(input: ExperimentViewInput, viewer: { id: string; role: Role }): ExperimentView {
  const exp = input.experiment;
  const status = exp.status;
  const guardrails = parseGuardrails(exp.guardrails);
  const arm = (key: string) => exp.variants.find((v) => v.key === key)?.model ?? null;
  const candidate = arm("candidate");
  const lastIndex = exp.rampSchedule.length - 1;
  // after the cutover the candidate is production and answers all traffic
  const candidatePercent = status === "completed" ? 100 : Math.round(candidateShare(status, exp.rampSchedule, exp.currentStageIndex) * 100);
  return {
    id: exp.id,
    name: exp.name,
    description: exp.description,
    status,
    createdByEmail: exp.createdBy.email,
    createdAt: exp.createdAt,
    headerActions: hasRole(viewer.role, "editor") ? availableActions(status).filter((a): a is HeaderAction => a !== "approve" && a !== "reject") : [],
    guardrails,
    summary: { candidatePercent, rampSchedule: exp.rampSchedule, control: arm("control"), candidate, production: input.production },
    ramp: {
      rows: exp.stages.map((s) => {
        const { lastDecision, ...stage } = s;
        const d = lastDecision as StageDecision | null;
        return {
          ...stage,
          current: s.index === exp.currentStageIndex,
          cutover: s.index === lastIndex,
          decision: d ? `${d.action}: ${d.reason}` : null,
        };
      }),
      minStageMinutes: exp.minStageMinutes,
      minStageExposures: exp.minStageExposures,
    },
    lastDecision: currentDecision(exp),
    approval:
      status === "awaiting_approval"
        ? { blockedReason: approvalBlockedReason(viewer, exp.createdById), candidateName: candidate?.name ?? "the candidate" }
        : null,
    approvals: exp.approvals.map((a) => ({ id: a.id, decision: a.decision, email: a.user.email, at: a.createdAt, comment: a.comment })),
    report: input.report ? reportView(input, guardrails) : null,
    noReport: exp.startedAt ? "No data for this window yet." : "Not started: no report yet. Start the experiment to split traffic.",
    audit: input.audit.map((a) => ({ id: a.id.toString(), at: a.createdAt, actor: a.actorLabel, action: a.action, reason: a.reason, data: a.data })),
  };
}

function reportView(input: ExperimentViewInput, guardrails: Guardrails): ReportView {
  const report = input.report!;
  const { control, candidate } = report.variants;
  const users = control.users + candidate.users;
  return {
    report,
    cachedAt: input.cachedAt,
    startedStages: input.experiment.stages.filter((s) => s.startedAt).map((s) => ({ index: s.index, percent: s.percent })),
    observedCandidateShare: users > 0 ? candidate.users / users : null,
    srmMismatch: report.srm.pValue !== null && report.srm.pValue < guardrails.srmPValue,
    ctrMargin: report.metrics?.find((m) => m.key === "ctr")?.margin ?? report.kpis.find((k) => k.kpi === "ctr")?.margin ?? null,
    timeline: input.timeline ? timelineSeries(input.timeline.rows, input.timeline.bucketSeconds) : null,
  };
}
