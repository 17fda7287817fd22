// Shape of an experiment report: what the dashboard shows and what the rollout gates judge.
// Built by lib/db/reports.ts (aggregate SQL) + lib/experiments/analysis.ts (statistics via lib/stats).
import type { KpiKey } from "./kpis";
import type { SegmentReport } from "./segment-analysis";
import type { TeacherAgreementReport } from "./teacher-agreement";

export type VariantKey = "control" | "candidate";

/** Which window a report covers: one stage (0-based), the current stage, or the whole experiment. */
export type ReportScope = { kind: "stage"; index: number } | { kind: "current" } | { kind: "all" };

export const VARIANT_KEYS: readonly VariantKey[] = ["control", "candidate"];

/** Per-variant operational numbers over the report window (one row per variant from one aggregate query). */
export interface OpsStats {
  requests: number;
  failed: number;
  /** failed / requests; null without requests */
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** the requests' effective n for the latency quantiles (a micro-batch's requests share its latency); absent in older reports */
  latencyEffectiveN?: number | null;
  meanCpuMs: number | null;
  /** USD per 1,000 requests: CPU part + memory part (see lib/experiments/cost.ts) */
  costPer1k: { cpu: number; memory: number; total: number } | null;
}

/** Value of one KPI in one arm with its standard error. */
export interface ArmValue {
  value: number | null;
  standardError: number | null;
  /** users contributing (the unit of analysis) */
  n: number;
}

export type NonInferiorityVerdict = "non_inferior" | "inferior" | "inconclusive";

export interface KpiResult {
  kpi: KpiKey;
  control: ArmValue;
  candidate: ArmValue;
  /** relative lift candidate/control − 1; null when not estimable (no data, zero control) */
  lift: number | null;
  /** always-valid (mSPRT) CI of the relative lift at 1 − alpha */
  ci: [number, number] | null;
  /** always-valid CI at 1 − severe.kpiAlpha, used for the severe-inferiority rule */
  severeCi: [number, number] | null;
  /** fixed-horizon CI at 1 − alpha, for reference */
  fixedCi: [number, number] | null;
  /** always-valid p-value of "no difference" */
  pValue: number | null;
  /** Holm-adjusted always-valid p-value across the experiment's KPIs */
  pHolm: number | null;
  /** relative non-inferiority margin (0.05 = candidate may be 5% worse) */
  margin: number;
  verdict: NonInferiorityVerdict;
  /** inferior beyond the margin at the severe alpha */
  severeInferior: boolean;
  /** CUPED applied (pre-experiment covariate available) */
  cuped: boolean;
  /** why the KPI could not be estimated, when the data was unusable */
  note?: string;
}

export interface SrmResult {
  /** distinct users per arm (the unit of randomisation) */
  observed: Record<VariantKey, number>;
  expectedShare: Record<VariantKey, number> | null;
  chiSquare: number | null;
  pValue: number | null;
}

export interface HitRate {
  /** held-out ground-truth events seen */
  n: number;
  hits: number;
  value: number | null;
}

/** Candidate vs control latency quantile, judged by a test on the difference of quantiles. */
export interface LatencyQuantileTest {
  quantile: number;
  /** candidate quantile / control quantile − 1 */
  relativeDifference: number;
  /** (1 − alpha) CI of the relative difference; null when not finite */
  ci: [number, number] | null;
  pValue: number | null;
  /**
   * requests per arm and their effective n (requests of one micro-batch share its latency, so count as
   * less than independent values); optional: reports stored before it lack it
   */
  sample?: Record<VariantKey, LatencySample>;
}

/** requests of one arm and their effective n for a latency quantile */
export interface LatencySample {
  n: number;
  nEff: number;
}

/** One catalogue metric chosen by the experiment, candidate vs control (lib/experiments/metric-analysis.ts). */
export interface CatalogueMetricResult {
  key: string;
  name: string;
  role: "primary" | "secondary" | "guardrail";
  aggregation: "share" | "mean" | "ratio" | "quantile";
  direction: "higherIsBetter" | "lowerIsBetter";
  /** what is measured, in words */
  description: string;
  /** the test that produced the fixed-horizon numbers */
  test: string;
  control: ArmValue;
  candidate: ArmValue;
  /** relative difference candidate/control − 1 */
  lift: number | null;
  /** always-valid (mSPRT) CI of the lift at 1 − alpha: what the gates judge */
  ci: [number, number] | null;
  severeCi: [number, number] | null;
  fixedCi: [number, number] | null;
  fixedPValue: number | null;
  /** always-valid p-value of "no difference" */
  pValue: number | null;
  /** Holm-adjusted always-valid p across the primary and secondary metrics */
  pHolm: number | null;
  /** relative margin in the metric's direction (0.02: candidate may be 2 % worse) */
  margin: number;
  verdict: NonInferiorityVerdict;
  severeInferior: boolean;
  cuped: boolean;
  note?: string;
}

export interface ExperimentReport {
  experimentId: string;
  window: { from: string; to: string; label: string };
  /** candidate traffic share expected in this window, 0..1; null when the window spans several stages */
  expectedCandidateShare: number | null;
  variants: Record<VariantKey, { users: number; exposures: number; ops: OpsStats; hitRate: HitRate; modelId: string | null }>;
  srm: SrmResult;
  kpis: KpiResult[];
  /** p95/p99 latency candidate vs control (optional: reports stored before it existed lack it) */
  latencyTests?: { p95: LatencyQuantileTest | null; p99: LatencyQuantileTest | null };
  /** guardrails for distilled students (optional: reports stored before them lack it) */
  distillation?: { teacherAgreement: TeacherAgreementReport | null; segments: SegmentReport | null };
  /** the experiment's catalogue metrics, primary first (absent: none chosen, the KPIs above gate) */
  metrics?: CatalogueMetricResult[];
  alpha: number;
  /** exposures lost before reaching the database (exposure batcher), when known */
  dropped: { count: number; since: string | null; known: boolean };
  generatedAt: string;
}
