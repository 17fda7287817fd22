// The ROI card of an experiment report: the monthly cost of serving all traffic with the control's
// model or with the candidate's, priced from the CPU per request each arm measured in serving
// (Exposure.cpuUs, the report's ops stats) and each model's size, beside the KPI lifts with their
// always-valid confidence intervals (the ones the rollout gates judge).
import { KPI_DEFINITIONS } from "./kpis";
import type { RoiArm } from "./offline-comparison";
import type { ExperimentReport, KpiResult } from "./report";

/** "+0.3%", "−1.1%" (a real minus sign) */
export function signedPercent(x: number, digits = 1): string {
  const v = Number((x * 100).toFixed(digits));
  return `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v).toFixed(digits)}%`;
}

/** "−0.4% [−1.1%, +0.3%]"; "not estimable yet" when the lift is unknown */
export function liftWithCi(k: Pick<KpiResult, "lift" | "ci">): string {
  if (k.lift === null) return "not estimable yet";
  return k.ci ? `${signedPercent(k.lift)} [${signedPercent(k.ci[0])}, ${signedPercent(k.ci[1])}]` : signedPercent(k.lift);
}

/** "CTR change −0.4% [−1.1%, +0.3%]" */
export function kpiChange(k: Pick<KpiResult, "kpi" | "lift" | "ci">): string {
  return `${KPI_DEFINITIONS[k.kpi].label} change ${liftWithCi(k)}`;
}

/**
 * Requests per day at the observed rate of both arms together over the report's window, null when the
 * window is shorter than a minute or saw no requests (too little to extrapolate from).
 */
export function observedRequestsPerDay(report: Pick<ExperimentReport, "window" | "generatedAt" | "variants">): number | null {
  const from = Date.parse(report.window.from);
  const to = Math.min(Date.parse(report.window.to), Date.parse(report.generatedAt));
  const requests = report.variants.control.ops.requests + report.variants.candidate.ops.requests;
  const minutes = (to - from) / 60_000;
  if (!Number.isFinite(minutes) || minutes < 1 || requests <= 0) return null;
  return Math.round((requests / minutes) * 1440);
}

export interface ArmModel {
  id: string;
  name: string;
  sizeBytes: number;
}

export type ExperimentRoi =
  | {
      ok: true;
      control: RoiArm;
      candidate: RoiArm;
      /** the quality column's heading: the first KPI's change with the interval's level */
      qualityHeader: string;
      /** observed rate (null: too little traffic to extrapolate from) */
      observedRequestsPerDay: number | null;
    }
  | { ok: false; reason: string };

/**
 * The control and the candidate as the ROI card's arms: CPU per request as measured in this report's
 * window, the candidate's trade-off as every KPI's lift with its always-valid CI.
 */
export function experimentRoi(report: ExperimentReport, models: { control: ArmModel | null; candidate: ArmModel | null }): ExperimentRoi {
  const missing: string[] = [];
  for (const key of ["control", "candidate"] as const) {
    if (!models[key]) missing.push(`the ${key} has no model`);
    else if (report.variants[key].ops.meanCpuMs === null) missing.push(`no ${key} request has been measured in this window yet`);
  }
  if (missing.length > 0) return { ok: false, reason: `No ROI yet: ${missing.join("; ")}.` };
  const control = models.control!;
  const candidate = models.candidate!;
  const level = `${Math.round((1 - report.alpha) * 100)}%`;
  const first = report.kpis[0];
  const changes = report.kpis.map(kpiChange);
  return {
    ok: true,
    control: {
      id: control.id,
      name: control.name,
      sizeBytes: control.sizeBytes,
      cpuMsPerRequest: report.variants.control.ops.meanCpuMs!,
      quality: "baseline",
      tradeOff: "",
    },
    candidate: {
      id: candidate.id,
      name: candidate.name,
      sizeBytes: candidate.sizeBytes,
      cpuMsPerRequest: report.variants.candidate.ops.meanCpuMs!,
      quality: first ? liftWithCi(first) : "—",
      tradeOff: changes.length > 0 ? `${changes.join("; ")} (always-valid ${level} CI)` : "no KPI measured",
    },
    qualityHeader: first ? `${KPI_DEFINITIONS[first.kpi].label} change [${level} CI]` : "KPI change",
    observedRequestsPerDay: observedRequestsPerDay(report),
  };
}
