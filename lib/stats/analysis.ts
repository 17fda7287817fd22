/**
 * One-call analysis of an experiment's KPIs for reports and rollout gates: for each KPI, the
 * fixed-horizon absolute and relative comparisons, the always-valid (sequential) relative
 * comparison, an optional non-inferiority decision, and Holm-adjusted p-values across the KPIs.
 *
 * Conventions: means and CUPED-adjusted means use Welch's t; proportions use the pooled z-test
 * (absolute) and the normal reference (relative); ratios use the delta method with the normal.
 * Regression-adjusted statistics are CUPED-adjusted with θ pooled over the two arms.
 */
import { cupedAdjust } from "./cuped";
import { needsExactProportionTest } from "./exact";
import { StatsInputError } from "./errors";
import { type TestResult, compareMoments, twoProportionZTest } from "./frequentist";
import { type MultipleTestingMethod, adjustPValues } from "./multiple";
import { type NonInferiorityOptions, type NonInferiorityResult, sequentialNonInferiority } from "./noninferiority";
import { type SequentialResult, sequentialCompare } from "./sequential";
import { type Moments, type SufficientStatistic, moments, validate } from "./sufficient";

export interface MetricAnalysisOptions {
  alpha?: number;
  /** GrowthBook-style sequential tuning N* (total units where the sequence is tightest). */
  tuningN?: number;
  /** Non-inferiority guardrail for this KPI (margin relative unless marginType says otherwise). */
  nonInferiority?: Omit<NonInferiorityOptions, "alpha" | "tuningN" | "tau2">;
}

export interface MetricAnalysis {
  control: Moments;
  treatment: Moments;
  /** CUPED θ when the inputs were regression-adjusted statistics. */
  theta?: number;
  absolute: TestResult;
  relative: TestResult;
  /** Always-valid comparison of the relative lift. */
  sequential: SequentialResult;
  nonInferiority?: NonInferiorityResult;
}

export function analyzeMetric(control: SufficientStatistic, treatment: SufficientStatistic, options: MetricAnalysisOptions = {}): MetricAnalysis {
  if (control.kind !== treatment.kind) {
    throw new StatsInputError("treatment.kind", `must match control.kind (${control.kind}), got ${treatment.kind}`);
  }
  validate(control, "control");
  validate(treatment, "treatment");
  const alpha = options.alpha ?? 0.05;
  let a: Moments;
  let b: Moments;
  let theta: number | undefined;
  if (control.kind === "regressionAdjusted" && treatment.kind === "regressionAdjusted") {
    const adj = cupedAdjust([control, treatment]);
    [a, b] = adj.adjusted;
    theta = adj.theta;
  } else {
    a = moments(control);
    b = moments(treatment);
  }
  const distribution = control.kind === "mean" || control.kind === "regressionAdjusted" ? "t" : "normal";
  const absolute =
    control.kind === "proportion" && treatment.kind === "proportion"
      ? twoProportionZTest(control, treatment, { alpha })
      : compareMoments(a, b, { alpha, distribution });
  const relative =
    control.kind === "proportion" && treatment.kind === "proportion" && needsExactProportionTest(control, treatment) && control.n > 0 && treatment.n > 0
      ? twoProportionZTest(control, treatment, { alpha, difference: "relative" })
      : compareMoments(a, b, { alpha, distribution, difference: "relative" });
  const sequential = sequentialCompare(a, b, { alpha, tuningN: options.tuningN, difference: "relative" });
  const nonInferiority = options.nonInferiority ? sequentialNonInferiority(a, b, { ...options.nonInferiority, alpha, tuningN: options.tuningN }) : undefined;
  return { control: a, treatment: b, ...(theta === undefined ? {} : { theta }), absolute, relative, sequential, nonInferiority };
}

export interface KpiInput {
  name: string;
  control: SufficientStatistic;
  treatment: SufficientStatistic;
  nonInferiority?: MetricAnalysisOptions["nonInferiority"];
}

export interface KpiAnalysis extends MetricAnalysis {
  name: string;
  /** Adjusted (Holm or BH) fixed-horizon p-value of the relative lift across this experiment's KPIs; null if untestable. */
  adjustedPValue: number | null;
  /** Adjusted always-valid p-value (Holm and BH hold for any valid p-values, sequential ones included). */
  adjustedSequentialPValue: number | null;
}

export interface KpiAnalysisOptions extends Omit<MetricAnalysisOptions, "nonInferiority"> {
  /** "holm" (family-wise error, default) or "benjamini-hochberg" (false discovery rate). */
  multipleTesting?: MultipleTestingMethod;
}

/** Analyse every KPI of one treatment-vs-control comparison, with Holm (or BH) correction across KPIs. */
export function analyzeKpis(kpis: readonly KpiInput[], options: KpiAnalysisOptions = {}): KpiAnalysis[] {
  const names = new Set<string>();
  for (const k of kpis) {
    if (names.has(k.name)) throw new StatsInputError("kpis", `duplicate KPI name "${k.name}"`);
    names.add(k.name);
  }
  const { multipleTesting = "holm", ...metricOptions } = options;
  const analyses = kpis.map((k) => analyzeMetric(k.control, k.treatment, { ...metricOptions, nonInferiority: k.nonInferiority }));
  const fixed = adjustPValues(
    analyses.map((a) => a.relative.pValue),
    multipleTesting,
  );
  const seq = adjustPValues(
    analyses.map((a) => a.sequential.pValue),
    multipleTesting,
  );
  return analyses.map((a, i) => ({ name: kpis[i].name, ...a, adjustedPValue: fixed[i], adjustedSequentialPValue: seq[i] }));
}
