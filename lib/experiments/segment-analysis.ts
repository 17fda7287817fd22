// Niche retention online: every KPI of the experiment on long-tail and cold users, tested for being
// worse than control beyond the KPI's non-inferiority margin, with Benjamini–Hochberg control of the
// false-discovery rate across segments × KPIs. Pure: sufficient statistics in, results out.
//
// Test per (segment, KPI): H0 lift ≥ −margin against H1 lift < −margin, from the always-valid (mSPRT)
// p-value of "lift = −margin" (valid under the minute-by-minute peeking of the scheduler), counted only
// when the estimate is on the worse side (p = 1 otherwise): a one-sided test at level ≤ alpha. BH then
// rejects the hypotheses whose adjusted p-value is ≤ the configured FDR; each rejection holds the stage.
import { adjustPValues, sequentialCompare, StatsInputError } from "@/lib/stats";
import { EMPTY_STATS, kpiMoments, type VariantSufficientStats } from "./analysis";
import type { Guardrails } from "./config";
import type { KpiKey } from "./kpis";
import type { ArmValue } from "./report";
import { SEGMENT_KEYS, SEGMENT_LABELS, type SegmentKey } from "./user-segments";

export interface SegmentVariantStats extends VariantSufficientStats {
  segment: SegmentKey;
}

export interface SegmentKpiResult {
  segment: SegmentKey;
  kpi: KpiKey;
  control: ArmValue;
  candidate: ArmValue;
  lift: number | null;
  /** always-valid (1 − FDR) interval of the relative lift */
  ci: [number, number] | null;
  margin: number;
  /** one-sided always-valid p-value of "worse than −margin"; null when not tested */
  pWorse: number | null;
  /** Benjamini–Hochberg adjusted across every tested (segment, KPI) */
  pAdjusted: number | null;
  /** significantly worse beyond the margin after FDR control */
  worse: boolean;
  cuped: boolean;
  note?: string;
}

export interface SegmentReport {
  /** the candidate model's training dataset, where the segments come from */
  datasetId: string | null;
  /** false until the scoring job has stored the dataset's user segments */
  computed: boolean;
  headItems: number | null;
  fdr: number;
  segments: { segment: SegmentKey; label: string; users: { control: number; candidate: number } }[];
  results: SegmentKpiResult[];
}

const arm = (m: { n: number; mean: number; varianceOfMean: number } | null): ArmValue =>
  m === null || m.n === 0 ? { value: null, standardError: null, n: m?.n ?? 0 } : { value: m.mean, standardError: Math.sqrt(m.varianceOfMean), n: m.n };

const finite = (ci: [number, number]): [number, number] | null => (Number.isFinite(ci[0]) && Number.isFinite(ci[1]) ? ci : null);

export interface SegmentAnalysisInput {
  datasetId: string | null;
  computed: boolean;
  headItems: number | null;
  kpis: readonly KpiKey[];
  guardrails: Guardrails;
  stats: readonly SegmentVariantStats[];
  sequentialTuningN?: number;
}

/** One (segment, KPI) comparison, before the multiple-testing adjustment. */
export function segmentKpiTest(
  segment: SegmentKey,
  kpi: KpiKey,
  control: VariantSufficientStats,
  candidate: VariantSufficientStats,
  margin: number,
  alpha: number,
  minUsers: number,
  tuningN?: number,
): SegmentKpiResult {
  const base: SegmentKpiResult = {
    segment,
    kpi,
    control: { value: null, standardError: null, n: control.users },
    candidate: { value: null, standardError: null, n: candidate.users },
    lift: null,
    ci: null,
    margin,
    pWorse: null,
    pAdjusted: null,
    worse: false,
    cuped: false,
  };
  if (control.users < minUsers || candidate.users < minUsers) {
    return { ...base, note: `needs ${minUsers} users in each arm (${control.users} control, ${candidate.users} candidate)` };
  }
  try {
    const { a, b, cuped } = kpiMoments(kpi, control, candidate);
    const seq = sequentialCompare(a, b, { difference: "relative", alpha, tuningN, nullValue: -margin });
    const result = { ...base, control: arm(a), candidate: arm(b), cuped };
    if (seq.degenerate || seq.pValue === null) return { ...result, note: seq.degenerate ?? "not estimable" };
    return { ...result, lift: seq.estimate, ci: finite(seq.ci), pWorse: seq.estimate < -margin ? seq.pValue : 1 };
  } catch (error) {
    if (!(error instanceof StatsInputError)) throw error;
    return { ...base, note: `not estimable: ${error.message}` };
  }
}

/** Benjamini–Hochberg over the tested results (in place of pAdjusted / worse), at level `fdr`. */
export function applySegmentFdr(results: SegmentKpiResult[], fdr: number): SegmentKpiResult[] {
  const adjusted = adjustPValues(
    results.map((r) => r.pWorse),
    "benjamini-hochberg",
  );
  return results.map((r, i) => ({ ...r, pAdjusted: adjusted[i], worse: adjusted[i] !== null && adjusted[i] <= fdr }));
}

export function analyzeSegments(input: SegmentAnalysisInput): SegmentReport {
  const d = input.guardrails.distillation;
  const pick = (segment: SegmentKey, variant: "control" | "candidate") =>
    input.stats.find((s) => s.segment === segment && s.variant === variant) ?? { ...EMPTY_STATS(variant), segment };
  const segments = SEGMENT_KEYS.map((segment) => ({
    segment,
    label: SEGMENT_LABELS[segment],
    users: { control: pick(segment, "control").users, candidate: pick(segment, "candidate").users },
  }));
  const raw = input.computed
    ? SEGMENT_KEYS.flatMap((segment) =>
        input.kpis.map((kpi) =>
          segmentKpiTest(
            segment,
            kpi,
            pick(segment, "control"),
            pick(segment, "candidate"),
            input.guardrails.nonInferiorityMargins[kpi],
            d.segmentFdr,
            d.minSegmentUsers,
            input.sequentialTuningN,
          ),
        ),
      )
    : [];
  return {
    datasetId: input.datasetId,
    computed: input.computed,
    headItems: input.headItems,
    fdr: d.segmentFdr,
    segments,
    results: applySegmentFdr(raw, d.segmentFdr),
  };
}
