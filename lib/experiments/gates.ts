// Stage gates and guardrails, judged from a report's numbers. Pure: no clock, no database.
//
// Each check ends in one of:
//   pass   — satisfied
//   wait   — not yet decidable or not yet satisfied (too early, too few requests, KPI inconclusive, SRM)
//   breach — a guardrail is violated (the rollout pauses)
//   severe — violated badly enough to roll back (or pause, per config)
import type { Guardrails } from "./config";
import { KPI_DEFINITIONS } from "./kpis";
import type { ExperimentReport, LatencySample, VariantKey } from "./report";
import { formatShare } from "@/lib/format";

export type CheckStatus = "pass" | "wait" | "breach" | "severe";

export interface GateCheck {
  name: string;
  status: CheckStatus;
  /** one human sentence with the numbers */
  detail: string;
  value: number | null;
  threshold: number | null;
}

export interface StageLimits {
  minStageMinutes: number;
  minStageExposures: number;
}

export interface StageWindow {
  index: number;
  percent: number;
  startedAt: Date;
}

/** Latency and error-rate guardrails on the candidate arm (judged once it has minGuardrailExposures requests). */
export function guardrailChecks(report: ExperimentReport, g: Guardrails): GateCheck[] {
  const ops = report.variants.candidate.ops;
  const enough = ops.requests >= g.minGuardrailExposures;
  const waiting = (name: string, threshold: number): GateCheck => ({
    name,
    status: "wait",
    detail: `${name}: ${ops.requests} candidate requests, guardrail judged from ${g.minGuardrailExposures}`,
    value: null,
    threshold,
  });

  const checks: GateCheck[] = [];
  if (!enough || ops.errorRate === null) {
    checks.push(waiting("error rate", g.errorRate));
  } else {
    const severeAt = g.errorRate * g.severe.errorRateMultiplier;
    const status: CheckStatus = ops.errorRate > severeAt ? "severe" : ops.errorRate > g.errorRate ? "breach" : "pass";
    const detail =
      status === "severe"
        ? `candidate error rate ${formatShare(ops.errorRate, 2)} > severe threshold ${formatShare(severeAt, 2)} (${g.severe.errorRateMultiplier}× ceiling ${formatShare(g.errorRate, 2)})`
        : status === "breach"
          ? `candidate error rate ${formatShare(ops.errorRate, 2)} > ceiling ${formatShare(g.errorRate, 2)}`
          : `candidate error rate ${formatShare(ops.errorRate, 2)} ≤ ceiling ${formatShare(g.errorRate, 2)}`;
    checks.push({ name: "error rate", status, detail, value: ops.errorRate, threshold: g.errorRate });
  }

  if (!enough || ops.p95Ms === null) {
    checks.push(waiting("latency p95", g.latencyP95Ms));
  } else {
    const severeAt = g.latencyP95Ms * g.severe.latencyP95Multiplier;
    const status: CheckStatus = ops.p95Ms > severeAt ? "severe" : ops.p95Ms > g.latencyP95Ms ? "breach" : "pass";
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    const detail =
      status === "severe"
        ? `candidate p95 latency ${ms(ops.p95Ms)} > severe threshold ${ms(severeAt)} (${g.severe.latencyP95Multiplier}× ceiling ${ms(g.latencyP95Ms)})`
        : status === "breach"
          ? `candidate p95 latency ${ms(ops.p95Ms)} > ceiling ${ms(g.latencyP95Ms)}`
          : `candidate p95 latency ${ms(ops.p95Ms)} ≤ ceiling ${ms(g.latencyP95Ms)}`;
    checks.push({ name: "latency p95", status, detail, value: ops.p95Ms, threshold: g.latencyP95Ms });
  }

  // p95 against control by a test on the difference of quantiles: breach only when the candidate is
  // significantly slower than the margin allows (an inconclusive test does not hold the stage)
  const test = report.latencyTests?.p95 ?? null;
  if (enough && test && test.ci) {
    const worse = test.ci[0] > g.latencyQuantileMargin;
    const sample = test.sample ? `; ${effectiveSample(test.sample)}` : "";
    const diff = `candidate p95 ${formatShare(test.relativeDifference, 1)} vs control (CI ${formatShare(test.ci[0], 1)} to ${formatShare(test.ci[1], 1)}${sample})`;
    checks.push({
      name: "latency p95 vs control",
      status: worse ? "breach" : "pass",
      detail: worse
        ? `${diff}: significantly more than ${formatShare(g.latencyQuantileMargin, 0)} slower`
        : `${diff}: not shown to be more than ${formatShare(g.latencyQuantileMargin, 0)} slower`,
      value: test.relativeDifference,
      threshold: g.latencyQuantileMargin,
    });
  }
  return checks;
}

/** "n 12,800 (effective 410) control, 3,200 (effective 95) candidate": requests of a micro-batch share its latency */
function effectiveSample(sample: Record<VariantKey, LatencySample>): string {
  const arm = (a: LatencySample) => `${Math.round(a.n).toLocaleString("en-US")} (effective ${Math.round(a.nEff).toLocaleString("en-US")})`;
  return `n ${arm(sample.control)} control, ${arm(sample.candidate)} candidate`;
}

/** Sample-ratio mismatch: a broken split invalidates KPI comparisons, so it holds the rollout. */
export function srmCheck(report: ExperimentReport, g: Guardrails): GateCheck {
  const p = report.srm.pValue;
  if (p === null) {
    return { name: "SRM", status: "wait", detail: "SRM: not enough users to test the split yet", value: null, threshold: g.srmPValue };
  }
  const obs = report.srm.observed;
  const share = obs.control + obs.candidate > 0 ? obs.candidate / (obs.control + obs.candidate) : 0;
  const observed = `${obs.candidate} of ${obs.control + obs.candidate} users in candidate (${formatShare(share, 2)}, expected ${formatShare(report.expectedCandidateShare ?? 0, 2)})`;
  return p < g.srmPValue
    ? { name: "SRM", status: "wait", detail: `sample ratio mismatch: ${observed}, p=${p.toExponential(2)} < ${g.srmPValue}`, value: p, threshold: g.srmPValue }
    : { name: "SRM", status: "pass", detail: `split as expected: ${observed}, p=${p.toPrecision(3)}`, value: p, threshold: g.srmPValue };
}

/**
 * Non-inferiority of each KPI on the always-valid CI of the relative lift (valid under continuous
 * peeking). Requiring every KPI to pass at alpha is an intersection-union test: no multiplicity
 * correction is needed for the gate.
 */
export function kpiChecks(report: ExperimentReport): GateCheck[] {
  return report.kpis.map((k) => {
    const name = `${KPI_DEFINITIONS[k.kpi].label} non-inferiority`;
    const margin = -k.margin;
    if (k.ci === null || k.lift === null) {
      const why = k.note ?? "not enough data for a lift estimate";
      return { name, status: "wait", detail: `${KPI_DEFINITIONS[k.kpi].label}: ${why}`, value: null, threshold: margin };
    }
    const ci = `lift ${formatShare(k.lift, 1)} [${formatShare(k.ci[0], 1)}, ${formatShare(k.ci[1], 1)}]`;
    const label = KPI_DEFINITIONS[k.kpi].label;
    if (k.severeInferior) {
      const sci = k.severeCi ? ` (severe-level CI upper ${formatShare(k.severeCi[1], 1)})` : "";
      return {
        name,
        status: "severe",
        detail: `${label} inferior beyond the −${formatShare(k.margin, 1)} margin with high confidence: ${ci}${sci}`,
        value: k.lift,
        threshold: margin,
      };
    }
    if (k.verdict === "inferior") {
      return { name, status: "breach", detail: `${label} inferior beyond the −${formatShare(k.margin, 1)} margin: ${ci}`, value: k.lift, threshold: margin };
    }
    if (k.verdict === "non_inferior") {
      return { name, status: "pass", detail: `${label} non-inferior: ${ci}, lower bound above −${formatShare(k.margin, 1)}`, value: k.lift, threshold: margin };
    }
    return {
      name,
      status: "wait",
      detail: `${label} not yet shown non-inferior: ${ci}, lower bound below −${formatShare(k.margin, 1)}`,
      value: k.lift,
      threshold: margin,
    };
  });
}

/** Minimum time and candidate exposures in the current stage. */
export function stageProgressChecks(report: ExperimentReport, stage: StageWindow, limits: StageLimits, now: Date): GateCheck[] {
  const minutes = (now.getTime() - stage.startedAt.getTime()) / 60_000;
  const exposures = report.variants.candidate.exposures;
  return [
    {
      name: "stage duration",
      status: minutes >= limits.minStageMinutes ? "pass" : "wait",
      detail: `${minutes.toFixed(1)} of ${limits.minStageMinutes} minutes at ${stage.percent}%`,
      value: minutes,
      threshold: limits.minStageMinutes,
    },
    {
      name: "stage exposures",
      status: exposures >= limits.minStageExposures ? "pass" : "wait",
      detail: `${exposures} of ${limits.minStageExposures} candidate exposures at ${stage.percent}%`,
      value: exposures,
      threshold: limits.minStageExposures,
    },
  ];
}

/** Verdict of a KPI from its CIs and margin; used by analysis.ts when building the report. */
export function nonInferiorityVerdict(
  ci: [number, number] | null,
  severeCi: [number, number] | null,
  margin: number,
): { verdict: "non_inferior" | "inferior" | "inconclusive"; severeInferior: boolean } {
  if (!ci) return { verdict: "inconclusive", severeInferior: false };
  const severeInferior = severeCi !== null && severeCi[1] < -margin;
  if (ci[1] < -margin) return { verdict: "inferior", severeInferior };
  if (ci[0] > -margin) return { verdict: "non_inferior", severeInferior: false };
  return { verdict: "inconclusive", severeInferior: false };
}
