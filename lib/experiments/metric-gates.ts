// Gates from the experiment's catalogue metrics: the primary metric and every guardrail metric must be
// shown non-inferior within its margin, in its own direction, on the always-valid CI; secondary
// metrics are reported, never gating. Pure.
import type { GateCheck } from "./gates";
import type { CatalogueMetricResult, ExperimentReport } from "./report";

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

/** True when the report carries catalogue metrics: they replace the built-in KPI checks. */
export function usesCatalogueMetrics(report: ExperimentReport): boolean {
  return (report.metrics?.length ?? 0) > 0;
}

export function catalogueMetricCheck(m: CatalogueMetricResult): GateCheck {
  const name = `${m.name} (${m.role}) non-inferiority`;
  const lower = m.direction === "lowerIsBetter";
  // threshold on the lift scale: the worst acceptable lift
  const threshold = lower ? m.margin : -m.margin;
  const bound = lower ? `upper bound below +${pct(m.margin)}` : `lower bound above −${pct(m.margin)}`;
  const limit = lower ? `+${pct(m.margin)}` : `−${pct(m.margin)}`;
  if (m.ci === null || m.lift === null) {
    return { name, status: "wait", detail: `${m.name}: ${m.note ?? "not enough data for a lift estimate"}`, value: null, threshold };
  }
  const ci = `lift ${pct(m.lift)} [${pct(m.ci[0])}, ${pct(m.ci[1])}]${lower ? " (lower is better)" : ""}`;
  if (m.severeInferior)
    return { name, status: "severe", detail: `${m.name} worse beyond the ${limit} margin with high confidence: ${ci}`, value: m.lift, threshold };
  if (m.verdict === "inferior") return { name, status: "breach", detail: `${m.name} worse beyond the ${limit} margin: ${ci}`, value: m.lift, threshold };
  if (m.verdict === "non_inferior") return { name, status: "pass", detail: `${m.name} non-inferior: ${ci}, ${bound}`, value: m.lift, threshold };
  return { name, status: "wait", detail: `${m.name} not yet shown non-inferior: ${ci}, needs the ${bound}`, value: m.lift, threshold };
}

/** Checks of the primary and guardrail metrics (secondary ones do not gate). */
export function catalogueMetricChecks(report: ExperimentReport): GateCheck[] {
  return (report.metrics ?? []).filter((m) => m.role !== "secondary").map(catalogueMetricCheck);
}
