// Turns per-variant sufficient statistics (from lib/db/reports.ts) into the experiment report:
// KPI values, relative lifts with always-valid (mSPRT) and fixed-horizon CIs, Holm-adjusted p-values,
// non-inferiority verdicts, SRM, latency/error/cost and hit rate. All statistics come from lib/stats.
import {
  compareMoments,
  cupedAdjust,
  holmAdjust,
  moments,
  proportion,
  quantileDifferenceTest,
  ratio,
  regressionAdjusted,
  sampleMean,
  sampleRatioMismatch,
  sequentialCompare,
  StatsInputError,
  type Moments,
  type RegressionAdjustedStatistic,
  type SufficientStatistic,
} from "@/lib/stats";
import type { Guardrails } from "./config";
import { costPer1k, type Prices } from "./cost";
import { nonInferiorityVerdict } from "./gates";
import { KPI_DEFINITIONS, type KpiKey } from "./kpis";
import type { ArmValue, ExperimentReport, HitRate, KpiResult, LatencyQuantileTest, OpsStats, VariantKey } from "./report";
import { formatShare } from "@/lib/format";

/** Sums over users u of one variant; x = exposures, c = clicks, r = revenue, v = converted (0/1). */
export interface VariantSufficientStats {
  variant: string;
  users: number;
  /** Σx, Σx² */
  exposures: number;
  exposuresSq: number;
  /** Σc, Σc², Σcx */
  clicks: number;
  clicksSq: number;
  clicksExposures: number;
  /** Σv: users with ≥ 1 attributed conversion */
  converters: number;
  /** Σr, Σr² */
  revenue: number;
  revenueSq: number;
  /** held-out ground truth: Σn, Σn², Σh, Σh², Σhn with n = ground-truth events, h = hits */
  heldoutN: number;
  heldoutNSq: number;
  heldoutHits: number;
  heldoutHitsSq: number;
  heldoutHitsN: number;
  /** pre-experiment covariates (CUPED): users with any pre-period event, Σpr, Σpr², Σpr·r, Σpv, Σpv·v */
  preUsers: number;
  preRevenue: number;
  preRevenueSq: number;
  preRevenueRevenue: number;
  preConverted: number;
  preConvertedConverted: number;
}

export interface VariantOpsRow {
  variant: string;
  requests: number;
  failed: number;
  p50Us: number | null;
  p95Us: number | null;
  p99Us: number | null;
  meanCpuUs: number | null;
  /** the requests' effective n for latency quantiles (micro-batches share one latency; from the latency rollup) */
  latencyEffectiveN?: number;
  /** order statistics bounding p95/p99 at 95 % at that effective n (from the latency rollup), for the quantile-difference test */
  p95BoundsUs?: [number, number];
  p99BoundsUs?: [number, number];
}

export const EMPTY_STATS = (variant: string): VariantSufficientStats => ({
  variant,
  users: 0,
  exposures: 0,
  exposuresSq: 0,
  clicks: 0,
  clicksSq: 0,
  clicksExposures: 0,
  converters: 0,
  revenue: 0,
  revenueSq: 0,
  heldoutN: 0,
  heldoutNSq: 0,
  heldoutHits: 0,
  heldoutHitsSq: 0,
  heldoutHitsN: 0,
  preUsers: 0,
  preRevenue: 0,
  preRevenueSq: 0,
  preRevenueRevenue: 0,
  preConverted: 0,
  preConvertedConverted: 0,
});

/** The lib/stats sufficient statistic of one KPI for one variant. */
export function kpiStatistic(kpi: KpiKey, s: VariantSufficientStats): SufficientStatistic {
  switch (kpi) {
    case "ctr":
      return ratio({ n: s.users, sumM: s.clicks, sumD: s.exposures, sumM2: s.clicksSq, sumD2: s.exposuresSq, sumMD: s.clicksExposures });
    case "conversion":
      return proportion(s.users, s.converters);
    case "revenue":
      return sampleMean(s.users, s.revenue, s.revenueSq);
  }
}

type CountedStat = { [K in keyof VariantSufficientStats]: VariantSufficientStats[K] extends number ? K : never }[keyof VariantSufficientStats];

/** which sums are Σy, Σy², Σx, Σx², Σxy of a CUPED-adjusted KPI (a 0/1 outcome is its own square) */
const CUPED_SUMS: Partial<Record<KpiKey, CountedStat[]>> = {
  revenue: ["revenue", "revenueSq", "preRevenue", "preRevenueSq", "preRevenueRevenue"],
  conversion: ["converters", "converters", "preConverted", "preConverted", "preConvertedConverted"],
};

/**
 * CUPED covariate statistic (same metric in the pre-experiment period) for mean-type KPIs, or null:
 * revenue per user ← pre-period revenue; conversion ← converted in the pre-period. CTR (a ratio) is
 * not adjusted. Users without pre-period events enter with covariate 0.
 */
export function cupedStatistic(kpi: KpiKey, s: VariantSufficientStats): RegressionAdjustedStatistic | null {
  const sums = CUPED_SUMS[kpi];
  if (!sums) return null;
  const [sum, sumSquares, preSum, preSumSquares, sumCross] = sums.map((k) => s[k]);
  return regressionAdjusted({ n: s.users, sum, sumSquares, preSum, preSumSquares, sumCross });
}

/** Control and candidate moments of a KPI, CUPED-adjusted when both arms have users with pre-period activity. */
export function kpiMoments(kpi: KpiKey, control: VariantSufficientStats, candidate: VariantSufficientStats): { a: Moments; b: Moments; cuped: boolean } {
  const a = moments(kpiStatistic(kpi, control));
  const b = moments(kpiStatistic(kpi, candidate));
  const ra = control.preUsers > 0 && candidate.preUsers > 0 ? cupedStatistic(kpi, control) : null;
  const rb = ra ? cupedStatistic(kpi, candidate) : null;
  if (!ra || !rb) return { a, b, cuped: false };
  const adj = cupedAdjust([ra, rb]);
  if (adj.theta === 0) return { a, b, cuped: false };
  // keep each arm's own metric definition (proportion variance for conversion) for the unadjusted
  // part, and take the adjusted mean and variance from CUPED
  return { a: adj.adjusted[0], b: adj.adjusted[1], cuped: true };
}

export interface AnalysisInput {
  experimentId: string;
  window: { from: Date; to: Date; label: string };
  /** candidate traffic share expected in the window, 0..1; null across stages (no SRM test then) */
  expectedCandidateShare: number | null;
  kpis: readonly KpiKey[];
  guardrails: Guardrails;
  stats: readonly VariantSufficientStats[];
  ops: readonly VariantOpsRow[];
  models: Record<VariantKey, { id: string | null; sizeBytes: number }>;
  prices: Prices;
  dropped: { count: number; since: string | null; known: boolean };
  now: Date;
  /** mSPRT tuning: total sample size at which the confidence sequence is tightest */
  sequentialTuningN?: number;
}

const arm = (m: Moments | null): ArmValue =>
  m === null || m.n === 0 ? { value: null, standardError: null, n: m?.n ?? 0 } : { value: m.mean, standardError: Math.sqrt(m.varianceOfMean), n: m.n };

const finiteCi = (ci: [number, number]): [number, number] | null => (Number.isFinite(ci[0]) && Number.isFinite(ci[1]) ? ci : null);

function opsStats(row: VariantOpsRow | undefined, modelBytes: number, windowHours: number, totalRequests: number, prices: Prices): OpsStats {
  if (!row || row.requests === 0) {
    return { requests: 0, failed: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null, meanCpuMs: null, costPer1k: null };
  }
  const meanCpuMs = row.meanCpuUs === null ? null : row.meanCpuUs / 1000;
  return {
    requests: row.requests,
    failed: row.failed,
    errorRate: row.failed / row.requests,
    p50Ms: row.p50Us === null ? null : row.p50Us / 1000,
    p95Ms: row.p95Us === null ? null : row.p95Us / 1000,
    p99Ms: row.p99Us === null ? null : row.p99Us / 1000,
    latencyEffectiveN: row.latencyEffectiveN ?? null,
    meanCpuMs,
    costPer1k: meanCpuMs === null ? null : costPer1k({ meanCpuMs, modelBytes, windowHours, totalRequests, prices }),
  };
}

function hitRate(s: VariantSufficientStats): HitRate {
  return { n: s.heldoutN, hits: s.heldoutHits, value: s.heldoutN > 0 ? s.heldoutHits / s.heldoutN : null };
}

/** a KPI with nothing estimated: no lift, interval or p-value, inconclusive */
function inconclusiveKpi(kpi: KpiKey, margin: number, control: KpiResult["control"], candidate: KpiResult["candidate"], cuped: boolean): KpiResult {
  return {
    kpi,
    control,
    candidate,
    lift: null,
    ci: null,
    severeCi: null,
    fixedCi: null,
    pValue: null,
    pHolm: null,
    margin,
    verdict: "inconclusive",
    severeInferior: false,
    cuped,
  };
}

export function analyzeExperiment(input: AnalysisInput): ExperimentReport {
  const g = input.guardrails;
  const byVariant = (key: VariantKey) => input.stats.find((s) => s.variant === key) ?? EMPTY_STATS(key);
  const control = byVariant("control");
  const candidate = byVariant("candidate");

  // KPI comparisons: relative lift candidate vs control
  const results: KpiResult[] = input.kpis.map((kpi) => {
    try {
      return analyzeKpi(kpi);
    } catch (error) {
      // data no real traffic can produce (non-finite sums): report the KPI as not estimable rather than failing the report
      if (!(error instanceof StatsInputError)) throw error;
      const none = { value: null, standardError: null, n: 0 };
      return { ...inconclusiveKpi(kpi, g.nonInferiorityMargins[kpi], none, none, false), note: `not estimable: ${error.message}` };
    }
  });

  function analyzeKpi(kpi: KpiKey): KpiResult {
    const margin = g.nonInferiorityMargins[kpi];
    const both = control.users > 0 && candidate.users > 0 ? kpiMoments(kpi, control, candidate) : null;
    const a = control.users > 0 ? (both?.a ?? moments(kpiStatistic(kpi, control))) : null;
    const b = candidate.users > 0 ? (both?.b ?? moments(kpiStatistic(kpi, candidate))) : null;
    const empty = inconclusiveKpi(kpi, margin, arm(a), arm(b), both?.cuped ?? false);
    if (!a || !b) return empty;
    const tuning = { difference: "relative" as const, tuningN: input.sequentialTuningN };
    const seq = sequentialCompare(a, b, { ...tuning, alpha: g.alpha });
    if (seq.degenerate) return empty;
    const severe = sequentialCompare(a, b, { ...tuning, alpha: g.severe.kpiAlpha });
    const fixed = compareMoments(a, b, { difference: "relative", alpha: g.alpha, distribution: kpi === "revenue" ? "t" : "normal" });
    const ci = finiteCi(seq.ci);
    const severeCi = severe.degenerate ? null : finiteCi(severe.ci);
    return {
      ...empty,
      lift: seq.estimate,
      ci,
      severeCi,
      fixedCi: fixed.degenerate ? null : finiteCi(fixed.ci),
      pValue: seq.pValue,
      ...nonInferiorityVerdict(ci, severeCi, margin),
    };
  }
  const tested = results.filter((r) => r.pValue !== null);
  const adjusted = holmAdjust(tested.map((r) => r.pValue as number));
  tested.forEach((r, i) => (r.pHolm = adjusted[i]));

  // SRM on users (the unit of randomisation) against the stage's split
  const share = input.expectedCandidateShare;
  const observed = { control: control.users, candidate: candidate.users };
  let srm: ExperimentReport["srm"] = {
    observed,
    expectedShare: share === null ? null : { control: 1 - share, candidate: share },
    chiSquare: null,
    pValue: null,
  };
  if (share !== null && share > 0 && share < 1 && observed.control + observed.candidate >= 20) {
    const r = sampleRatioMismatch([observed.control, observed.candidate], [1 - share, share], g.srmPValue);
    srm = { ...srm, chiSquare: r.chiSquare, pValue: r.pValue };
  }

  const windowHours = Math.max(0, Math.min(input.now.getTime(), input.window.to.getTime()) - input.window.from.getTime()) / 3_600_000;
  const totalRequests = input.ops.reduce((s, r) => s + r.requests, 0);
  const variant = (key: VariantKey, s: VariantSufficientStats) => ({
    users: s.users,
    exposures: s.exposures,
    ops: opsStats(
      input.ops.find((o) => o.variant === key),
      input.models[key].sizeBytes,
      windowHours,
      totalRequests,
      input.prices,
    ),
    hitRate: hitRate(s),
    modelId: input.models[key].id,
  });

  const latencyTests = {
    p95: latencyTest(input.ops, 0.95, g.alpha),
    p99: latencyTest(input.ops, 0.99, g.alpha),
  };

  return {
    experimentId: input.experimentId,
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString(), label: input.window.label },
    latencyTests,
    expectedCandidateShare: share,
    variants: { control: variant("control", control), candidate: variant("candidate", candidate) },
    srm,
    kpis: results,
    alpha: g.alpha,
    dropped: input.dropped,
    generatedAt: input.now.toISOString(),
  };
}

/**
 * Candidate vs control latency quantile: relative difference q_B/q_A − 1 with its CI and p-value from
 * the order-statistic test on the difference of quantiles (lib/stats/quantile.ts), each arm's interval
 * at its requests' effective n (requests of one micro-batch share its latency); null without data.
 */
function latencyTest(ops: readonly VariantOpsRow[], nu: 0.95 | 0.99, alpha: number): LatencyQuantileTest | null {
  const pick = (variant: VariantKey) => {
    const row = ops.find((o) => o.variant === variant);
    const q = nu === 0.95 ? row?.p95Us : row?.p99Us;
    const b = nu === 0.95 ? row?.p95BoundsUs : row?.p99BoundsUs;
    if (!row || q === null || q === undefined || !b) return null;
    const nEff = Math.min(row.requests, row.latencyEffectiveN ?? row.requests);
    return { kind: "quantile" as const, n: row.requests, nEff, nu, estimate: q, lower: Math.min(b[0], q), upper: Math.max(b[1], q) };
  };
  const a = pick("control");
  const b = pick("candidate");
  if (!a || !b) return null;
  const r = quantileDifferenceTest(a, b, { difference: "relative", alpha });
  if (r.degenerate) return null;
  const sample = (s: typeof a) => ({ n: s.n, nEff: s.nEff });
  return { quantile: nu, relativeDifference: r.estimate, ci: finiteCi(r.ci), pValue: r.pValue, sample: { control: sample(a), candidate: sample(b) } };
}

/** Display value of a KPI (percent or currency) for tables. */
export function formatKpiValue(kpi: KpiKey, value: number | null): string {
  if (value === null) return "–";
  return KPI_DEFINITIONS[kpi].format === "percent" ? formatShare(value, 2) : `$${value.toFixed(3)}`;
}
