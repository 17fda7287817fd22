// Experiment reports from aggregate SQL. Raw exposure and event rows never come into Node: each query
// returns one row per variant (or per variant and time bucket), whatever the table sizes.
//
// KPI query plan: exposures per (variant, user) from the experiment's exposures in the window, and the
// attributed events per (variant, user) from the same exposures joined to Event through requestId
// (only requests with events survive that join, so no per-request grouping of every exposure); the two
// are joined per user and summed per variant into sufficient statistics — counts, sums, sums of squares
// and cross-products of the per-user totals — which is all the delta method, Welch and CUPED need.
// Measured: 2M exposures / 200k users / 400k events in ~6 s on the 2-core dev machine (scan-bound,
// linear in the window's exposures).
//
// Reports therefore read rollups (`rollupKpiStats`, `rollupOps`) that database triggers on Exposure
// and Event keep up to date as rows are written: per (experiment, stage, variant, user) totals, per-
// latency counts, and per (stage, variant, segment) running sums of the per-user totals, their squares
// and cross-products (migrations 20261201010500_report_rollups, 20261202020000_variant_sums). A stage
// report reads a few dozen sum rows whatever the number of users; a whole-experiment report sums each
// user over the stages first, so it reads one row per user. The raw-scan queries above stay as the
// reference the rollups are tested and benchmarked against (bench/report.ts).
import { Prisma } from "./generated/client";
import type { Db } from "./client";
import { HELDOUT_EVENT_PREFIX, isKpiKey } from "@/lib/experiments/kpis";
import { analyzeExperiment, type VariantOpsRow, type VariantSufficientStats } from "@/lib/experiments/analysis";
import { parseGuardrails } from "@/lib/experiments/config";
import { pricesFromEnv } from "@/lib/experiments/cost";
import type { ExperimentReport, ReportScope, VariantKey } from "@/lib/experiments/report";
import { loadDistillationSignals } from "./distillation-signals";
import { analyzeCatalogueMetrics } from "@/lib/experiments/metric-analysis";
import { catalogueStatistics, chosenMetrics } from "./metrics";
import { clusteredEffectiveN } from "@/lib/stats";

export type { VariantOpsRow, VariantSufficientStats };

/** Longest a report statement may run (REPORT_STATEMENT_TIMEOUT_MS, default 60 s): no report holds the database for long. */
export function reportStatementTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.REPORT_STATEMENT_TIMEOUT_MS);
  return Number.isInteger(n) && n >= 100 && n <= 15 * 60_000 ? n : 60_000;
}

/**
 * Big GROUP BYs spill to disk at PostgreSQL's default 4 MB work_mem: give the report query more, for
 * its transaction only, and a statement timeout so it cannot run away.
 */
async function withAggregateMemory<T>(db: Db, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL work_mem = '64MB'");
      await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${reportStatementTimeoutMs()}`);
      return fn(tx);
    },
    { timeout: 15 * 60_000, maxWait: 60_000 },
  );
}

export interface ReportWindow {
  from: Date;
  to: Date;
}

const heldoutPattern = `${HELDOUT_EVENT_PREFIX}%`;

/**
 * The sufficient statistics `statsRow` reads, summed over per-user rows with columns x (exposures), c (clicks),
 * v (converted), r (revenue), hn/hh (held-out), pre_events, pr and pv (pre-period): the raw scan, the rollups
 * and the segment report all sum the same way.
 */
export const USER_STAT_COLUMNS = Prisma.raw(`count(*)::float8 AS users,
           sum(x) AS exposures, sum(x * x) AS exposures_sq,
           sum(c) AS clicks, sum(c * c) AS clicks_sq, sum(c * x) AS clicks_exposures,
           sum(v) AS converters,
           sum(r) AS revenue, sum(r * r) AS revenue_sq,
           sum(hn) AS heldout_n, sum(hn * hn) AS heldout_n_sq, sum(hh) AS heldout_hits, sum(hh * hh) AS heldout_hits_sq, sum(hh * hn) AS heldout_hits_n,
           count(*) FILTER (WHERE pre_events > 0)::float8 AS pre_users,
           coalesce(sum(pr), 0) AS pre_revenue, coalesce(sum(pr * pr), 0) AS pre_revenue_sq, coalesce(sum(pr * r), 0) AS pre_revenue_revenue,
           coalesce(sum(pv), 0) AS pre_converted, coalesce(sum(pv * v), 0) AS pre_converted_converted`);

/**
 * Per-variant sufficient statistics of the KPIs over exposures served in [from, to).
 * `preFrom`/`preTo` bound the pre-experiment period for CUPED covariates (events per user before the
 * experiment started); pass null to skip them.
 */
export async function kpiSufficientStats(
  db: Db,
  experimentId: string,
  window: ReportWindow,
  prePeriod: ReportWindow | null,
): Promise<VariantSufficientStats[]> {
  const pre = prePeriod ?? { from: new Date(0), to: new Date(0) };
  const withPre = prePeriod !== null;
  const query = Prisma.sql`
    WITH exp_user AS (
      SELECT "variant", "userId", count(*)::float8 AS x
      FROM "Exposure"
      WHERE "experimentId" = ${experimentId} AND "createdAt" >= ${window.from} AND "createdAt" < ${window.to}
      GROUP BY "variant", "userId"
    ),
    event_user AS (
      SELECT x."variant", x."userId",
             count(*) FILTER (WHERE e."type" = 'click')::float8 AS c,
             count(*) FILTER (WHERE e."type" = 'conversion') AS conversions,
             coalesce(sum(e."value") FILTER (WHERE e."type" = 'revenue'), 0)::float8 AS r,
             count(*) FILTER (WHERE e."type" = 'custom' AND e."eventId" LIKE ${heldoutPattern})::float8 AS hn,
             coalesce(sum(e."value") FILTER (WHERE e."type" = 'custom' AND e."eventId" LIKE ${heldoutPattern}), 0)::float8 AS hh
      FROM "Exposure" x
      JOIN "Event" e ON e."requestId" = x."requestId"
      WHERE x."experimentId" = ${experimentId} AND x."createdAt" >= ${window.from} AND x."createdAt" < ${window.to}
      GROUP BY x."variant", x."userId"
    ),
    per_user AS (
      SELECT u."variant", u."userId", u.x,
             coalesce(v.c, 0) AS c,
             (coalesce(v.conversions, 0) > 0)::int::float8 AS v,
             coalesce(v.r, 0) AS r,
             coalesce(v.hn, 0) AS hn,
             coalesce(v.hh, 0) AS hh
      FROM exp_user u
      LEFT JOIN event_user v ON v."variant" = u."variant" AND v."userId" = u."userId"
    ),
    with_pre AS (
      SELECT u.*, p.pre_events, p.pr, p.pv
      FROM per_user u
      LEFT JOIN LATERAL (
        SELECT count(*)::float8 AS pre_events,
               coalesce(sum(pe."value") FILTER (WHERE pe."type" = 'revenue'), 0)::float8 AS pr,
               (count(*) FILTER (WHERE pe."type" = 'conversion') > 0)::int::float8 AS pv
        FROM "Event" pe
        WHERE ${withPre} AND pe."userId" = u."userId" AND pe."timestamp" >= ${pre.from} AND pe."timestamp" < ${pre.to}
      ) p ON true
    )
    SELECT "variant",
           ${USER_STAT_COLUMNS}
    FROM with_pre
    GROUP BY "variant"
    ORDER BY "variant"`;
  const rows = await withAggregateMemory(db, (tx) => tx.$queryRaw<Record<string, unknown>[]>(query));
  return rows.map(statsRow);
}

const Z95 = 1.959963984540054;

/** Which rollup rows a report reads: one stage's window (as it was started), or the whole experiment. */
export type RollupScope = { kind: "stage"; index: number; startedAt: Date } | { kind: "all" };

export function rollupFilter(scope: RollupScope): Prisma.Sql {
  return scope.kind === "stage" ? Prisma.sql`AND "stageIndex" = ${scope.index} AND "stageStartedAt" = ${scope.startedAt} AND NOT "settling"` : Prisma.empty;
}

/** Each exposed user's totals (x, c, v, r, hn, hh) over the rollup rows in `scope`: the body of a `per_user` CTE. */
export function rollupPerUserSql(experimentId: string, scope: RollupScope): Prisma.Sql {
  return Prisma.sql`SELECT "variant", "userId",
             sum("exposures")::float8 AS x, sum("clicks")::float8 AS c, (sum("conversions") > 0)::int::float8 AS v,
             sum("revenue")::float8 AS r, sum("heldoutN")::float8 AS hn, sum("heldoutHits")::float8 AS hh
      FROM "ExperimentUserAggregate"
      WHERE "experimentId" = ${experimentId} ${rollupFilter(scope)}
      GROUP BY "variant", "userId"
      HAVING sum("exposures") > 0`;
}

/**
 * Same sufficient statistics as `kpiSufficientStats`, from the rollups: a stage's from the per-variant
 * running sums (`variantSums`, a few dozen rows whatever the number of users), the whole experiment's
 * from the per-user rows (`perUserKpiStats`: a user's totals over several stages are squared once).
 * `withPre` false leaves the CUPED covariates out, as a null prePeriod does.
 */
export async function rollupKpiStats(db: Db, experimentId: string, scope: RollupScope, withPre: boolean): Promise<VariantSufficientStats[]> {
  if (scope.kind === "all") return perUserKpiStats(db, experimentId, scope, withPre);
  const rows = await variantSums(db, experimentId, scope, withPre, [""]);
  return rows.map((r) => r.stats);
}

/**
 * From ExperimentUserAggregate and the per-user CUPED covariates in ExperimentUserPre (computed when the
 * user was first exposed, over the lookback the experiment had then).
 */
export async function perUserKpiStats(db: Db, experimentId: string, scope: RollupScope, withPre: boolean): Promise<VariantSufficientStats[]> {
  const query = Prisma.sql`
    WITH per_user AS (
      ${rollupPerUserSql(experimentId, scope)}
    ),
    with_pre AS (
      SELECT u.*, p."preEvents" AS pre_events, p."preRevenue"::float8 AS pr, p."preConverted"::float8 AS pv
      FROM per_user u
      LEFT JOIN "ExperimentUserPre" p ON ${withPre} AND p."experimentId" = ${experimentId} AND p."userId" = u."userId"
    )
    SELECT "variant",
           ${USER_STAT_COLUMNS}
    FROM with_pre
    GROUP BY "variant"
    ORDER BY "variant"`;
  const rows = await withAggregateMemory(db, (tx) => tx.$queryRaw<Record<string, unknown>[]>(query));
  return rows.map(statsRow);
}

const PRE_SUM_COLUMNS = ["preUsers", "preRevenue", "preRevenueSq", "preRevenueRevenue", "preConverted", "preConvertedConverted"] as const;
const SUM_COLUMNS = [
  "users",
  "exposures",
  "exposuresSq",
  "clicks",
  "clicksSq",
  "clicksExposures",
  "converters",
  "revenue",
  "revenueSq",
  "heldoutN",
  "heldoutNSq",
  "heldoutHits",
  "heldoutHitsSq",
  "heldoutHitsN",
  ...PRE_SUM_COLUMNS,
] as const satisfies readonly (keyof VariantSufficientStats)[];

/**
 * One stage's sufficient statistics per (segment, variant) from ExperimentVariantSums, the running sums
 * the rollup triggers keep (segment "" = every user; "long_tail", "cold" = the candidate dataset's
 * niche users): the shards of each variant summed.
 */
export async function variantSums(
  db: Db,
  experimentId: string,
  scope: Extract<RollupScope, { kind: "stage" }>,
  withPre: boolean,
  segments: readonly string[],
): Promise<{ segment: string; stats: VariantSufficientStats }[]> {
  const columns = SUM_COLUMNS.map((c) =>
    !withPre && (PRE_SUM_COLUMNS as readonly string[]).includes(c) ? Prisma.raw(`0::float8 AS "${c}"`) : Prisma.raw(`sum("${c}")::float8 AS "${c}"`),
  );
  const rows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT "segment", "variant", ${Prisma.join(columns)}
    FROM "ExperimentVariantSums"
    WHERE "experimentId" = ${experimentId} ${rollupFilter(scope)} AND "segment" IN (${Prisma.join([...segments])})
    GROUP BY "segment", "variant"
    HAVING sum("users") > 0
    ORDER BY "segment", "variant"`);
  return rows.map((r) => {
    const stats = Object.fromEntries(SUM_COLUMNS.map((c) => [c, num(r[c])])) as Omit<VariantSufficientStats, "variant">;
    return { segment: String(r.segment), stats: { variant: String(r.variant), ...stats } };
  });
}

export interface LatencyQuantile {
  /** percentile_cont at p (µs) */
  value: number;
  /**
   * the order statistics x_(⌈n·ν∓z√(ν(1−ν)/n_eff)⌉) bounding it: percentile_disc at
   * quantileIntervalLevels(n, p, 0.05, n_eff), n_eff the requests' effective n (micro-batches share a latency)
   */
  bounds: [number, number];
}

/**
 * Per variant: requests, their effective n (clusteredEffectiveN: n² / Σ batch size over requests, the
 * rows' batchSizeSum, never above n), failures, CPU time and latency quantiles at each of `ps`, from
 * ExperimentLatencyCount: percentile_cont's interpolation between order statistics at p·(n − 1), read
 * off cumulative counts of the distinct latencies (exact, not binned), and the bounding order statistics.
 */
export async function latencyQuantilesFromCounts(db: Db | Prisma.TransactionClient, experimentId: string, scope: RollupScope, ps: readonly number[]) {
  const rows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    WITH h AS (
      SELECT "variant", "latencyUs" AS v, sum("requests")::float8 AS c, sum("failed")::float8 AS f, sum("cpuUsSum")::float8 AS cpu,
             sum("batchSizeSum")::float8 AS bs
      FROM "ExperimentLatencyCount"
      WHERE "experimentId" = ${experimentId} ${rollupFilter(scope)}
      GROUP BY 1, 2
    ),
    cum AS (SELECT "variant", v, sum(c) OVER (PARTITION BY "variant" ORDER BY v) AS cum FROM h),
    tot AS (SELECT "variant", sum(c) AS n, sum(c) * sum(c) / greatest(sum(bs), sum(c)) AS n_eff, sum(f) AS failed, sum(cpu) AS cpu FROM h GROUP BY 1),
    q AS (
      SELECT t.*, ps.p, ps.p * (t.n - 1) AS pos
      FROM tot t CROSS JOIN unnest(${[...ps]}::float8[]) ps(p)
      WHERE t.n > 0
    )
    SELECT q."variant", q.n, q.n_eff, q.failed, q.cpu, q.p, q.pos,
           (SELECT min(v) FROM cum WHERE cum."variant" = q."variant" AND cum.cum > floor(q.pos)) AS lo,
           (SELECT min(v) FROM cum WHERE cum."variant" = q."variant" AND cum.cum > ceil(q.pos)) AS hi,
           (SELECT min(v) FROM cum WHERE cum."variant" = q."variant" AND cum.cum >= greatest(1, ceil(q.n * (q.p - ${Z95} * sqrt(q.p * (1 - q.p) / q.n_eff))))) AS bound_lo,
           (SELECT min(v) FROM cum WHERE cum."variant" = q."variant" AND cum.cum >= least(q.n, ceil(q.n * (q.p + ${Z95} * sqrt(q.p * (1 - q.p) / q.n_eff))))) AS bound_hi
    FROM q
    ORDER BY q."variant", q.p`);
  const out = new Map<
    string,
    { variant: string; requests: number; effectiveRequests: number; failed: number; cpuUs: number; quantiles: Map<number, LatencyQuantile> }
  >();
  for (const r of rows) {
    const variant = String(r.variant);
    const row = out.get(variant) ?? {
      variant,
      requests: num(r.n),
      effectiveRequests: num(r.n_eff),
      failed: num(r.failed),
      cpuUs: num(r.cpu),
      quantiles: new Map(),
    };
    const pos = num(r.pos);
    const lo = num(r.lo);
    row.quantiles.set(num(r.p), { value: lo + (num(r.hi) - lo) * (pos - Math.floor(pos)), bounds: [num(r.bound_lo), num(r.bound_hi)] });
    out.set(variant, row);
  }
  return [...out.values()];
}

/** Same as `opsByVariant`, from ExperimentLatencyCount (`latencyQuantilesFromCounts`). */
export async function rollupOps(db: Db, experimentId: string, scope: RollupScope): Promise<VariantOpsRow[]> {
  const rows = await latencyQuantilesFromCounts(db, experimentId, scope, [0.5, 0.95, 0.99]);
  return rows.map((r) => {
    const [p50, p95, p99] = [0.5, 0.95, 0.99].map((p) => r.quantiles.get(p) as LatencyQuantile);
    return {
      variant: r.variant,
      requests: r.requests,
      failed: r.failed,
      p50Us: p50.value,
      p95Us: p95.value,
      p99Us: p99.value,
      meanCpuUs: r.cpuUs / r.requests,
      latencyEffectiveN: r.effectiveRequests,
      p95BoundsUs: p95.bounds,
      p99BoundsUs: p99.bounds,
    };
  });
}

/** Requests, failures, latency percentiles (percentile_cont), mean CPU time and the latency's effective n per variant over [from, to). */
export async function opsByVariant(db: Db, experimentId: string, window: ReportWindow): Promise<VariantOpsRow[]> {
  const rows = await withAggregateMemory(db, (tx) =>
    tx.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT "variant",
           count(*)::float8 AS requests,
           count(*) FILTER (WHERE "failed")::float8 AS failed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY "latencyUs") AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY "latencyUs") AS p95,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY "latencyUs") AS p99,
           avg("cpuUs")::float8 AS mean_cpu,
           sum("batchSize")::float8 AS batch_sizes
    FROM "Exposure"
    WHERE "experimentId" = ${experimentId} AND "createdAt" >= ${window.from} AND "createdAt" < ${window.to}
    GROUP BY "variant"
    ORDER BY "variant"`),
  );
  return rows.map((r) => ({
    variant: String(r.variant),
    requests: num(r.requests),
    failed: num(r.failed),
    p50Us: nullableNum(r.p50),
    p95Us: nullableNum(r.p95),
    p99Us: nullableNum(r.p99),
    meanCpuUs: nullableNum(r.mean_cpu),
    latencyEffectiveN: clusteredEffectiveN(num(r.requests), num(r.batch_sizes)),
  }));
}

export interface TimelinePoint {
  bucket: Date;
  variant: string;
  exposures: number;
  clicks: number;
}

/** Exposures and attributed clicks per variant per time bucket (for the over-time chart). */
export async function exposureTimeline(db: Db, experimentId: string, window: ReportWindow, bucketSeconds: number): Promise<TimelinePoint[]> {
  const seconds = Math.max(1, Math.round(bucketSeconds));
  const rows = await withAggregateMemory(db, (tx) =>
    tx.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT to_timestamp(floor(extract(epoch FROM x."createdAt") / ${seconds}) * ${seconds}) AS bucket,
           x."variant",
           count(DISTINCT x."id")::float8 AS exposures,
           count(e."id") FILTER (WHERE e."type" = 'click')::float8 AS clicks
    FROM "Exposure" x
    LEFT JOIN "Event" e ON e."requestId" = x."requestId"
    WHERE x."experimentId" = ${experimentId} AND x."createdAt" >= ${window.from} AND x."createdAt" < ${window.to}
    GROUP BY 1, 2
    ORDER BY 1, 2`),
  );
  return rows.map((r) => ({ bucket: new Date(r.bucket as Date), variant: String(r.variant), exposures: num(r.exposures), clicks: num(r.clicks) }));
}

/** Exposures counted as lost by serving processes (ExposureLoss rows written by the exposure batcher). */
export async function droppedExposures(db: Db, experimentId: string, window: ReportWindow): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>(Prisma.sql`
    SELECT coalesce(sum("count"), 0)::float8 AS n FROM "ExposureLoss"
    WHERE "experimentId" = ${experimentId} AND "createdAt" >= ${window.from} AND "createdAt" < ${window.to}`);
  return num(rows[0]?.n);
}

export function statsRow(r: Record<string, unknown>): VariantSufficientStats {
  return {
    variant: String(r.variant),
    users: num(r.users),
    exposures: num(r.exposures),
    exposuresSq: num(r.exposures_sq),
    clicks: num(r.clicks),
    clicksSq: num(r.clicks_sq),
    clicksExposures: num(r.clicks_exposures),
    converters: num(r.converters),
    revenue: num(r.revenue),
    revenueSq: num(r.revenue_sq),
    heldoutN: num(r.heldout_n),
    heldoutNSq: num(r.heldout_n_sq),
    heldoutHits: num(r.heldout_hits),
    heldoutHitsSq: num(r.heldout_hits_sq),
    heldoutHitsN: num(r.heldout_hits_n),
    preUsers: num(r.pre_users),
    preRevenue: num(r.pre_revenue),
    preRevenueSq: num(r.pre_revenue_sq),
    preRevenueRevenue: num(r.pre_revenue_revenue),
    preConverted: num(r.pre_converted),
    preConvertedConverted: num(r.pre_converted_converted),
  };
}

function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : Number(v);
}

function nullableNum(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/**
 * The first seconds of a stage are left out of its report: serving processes pick up a ramp change
 * within about a second (lib/db/serving.ts is polled), and requests served meanwhile still carry the
 * previous split, which would put a few users in both arms and skew the SRM test.
 */
export const STAGE_SETTLE_MS = 2000;

export type { ReportScope };

export interface LoadedReport {
  report: ExperimentReport;
  /** the stage the window covers, null for the whole experiment */
  stage: { index: number; percent: number; startedAt: Date; endedAt: Date | null } | null;
}

/**
 * The report of one experiment over one stage's window (default: the current stage) or the whole
 * experiment. Runs the KPI, ops and dropped-exposure aggregates and hands them to analyzeExperiment.
 * Returns null when the experiment does not exist or has not started.
 */
export async function loadExperimentReport(
  db: Db,
  experimentId: string,
  scope: ReportScope = { kind: "current" },
  now: Date = new Date(),
): Promise<LoadedReport | null> {
  const exp = await db.experiment.findUnique({
    where: { id: experimentId },
    include: {
      variants: { include: { model: { select: { id: true, sizeBytes: true, datasetId: true, teacherId: true } } } },
      stages: { orderBy: { index: "asc" } },
    },
  });
  if (!exp || !exp.startedAt) return null;
  const guardrails = parseGuardrails(exp.guardrails);
  const end = exp.endedAt ?? now;

  let window: { from: Date; to: Date; label: string };
  let stage: LoadedReport["stage"] = null;
  if (scope.kind === "all") {
    window = { from: exp.startedAt, to: end, label: "whole experiment" };
  } else {
    const index = scope.kind === "stage" ? scope.index : exp.currentStageIndex;
    const row = exp.stages.find((s) => s.index === index && s.startedAt !== null);
    if (!row || !row.startedAt) return null;
    stage = { index: row.index, percent: row.percent, startedAt: row.startedAt, endedAt: row.endedAt };
    const to = row.endedAt ?? end;
    const from = new Date(Math.min(row.startedAt.getTime() + STAGE_SETTLE_MS, to.getTime()));
    window = { from, to, label: `stage ${row.index + 1} (${row.percent}%)` };
  }
  const lookbackMs = guardrails.cupedLookbackDays * 86_400_000;
  const prePeriod = lookbackMs > 0 ? { from: new Date(exp.startedAt.getTime() - lookbackMs), to: exp.startedAt } : null;
  // exposures are stamped when served; include the current millisecond
  const sqlWindow = { from: window.from, to: new Date(window.to.getTime() + 1) };

  const rollup: RollupScope = stage ? { kind: "stage", index: stage.index, startedAt: stage.startedAt } : { kind: "all" };
  const kpis = exp.kpis.filter(isKpiKey);
  const [stats, ops, dropped, distillation] = await Promise.all([
    rollupKpiStats(db, exp.id, rollup, prePeriod !== null),
    rollupOps(db, exp.id, rollup),
    droppedExposures(db, exp.id, sqlWindow),
    loadDistillationSignals(db, exp, rollup, kpis, guardrails, prePeriod !== null),
  ]);
  const model = (key: VariantKey) => {
    const v = exp.variants.find((x) => x.key === key);
    return { id: v?.modelId ?? null, sizeBytes: v?.model.sizeBytes ?? 0 };
  };
  const report = analyzeExperiment({
    experimentId: exp.id,
    window,
    expectedCandidateShare: stage ? stage.percent / 100 : null,
    kpis,
    guardrails,
    stats,
    ops,
    models: { control: model("control"), candidate: model("candidate") },
    prices: pricesFromEnv(),
    dropped: { count: dropped, since: window.from.toISOString(), known: true },
    now,
  });
  const metrics = await reportCatalogueMetrics(db, exp.id, sqlWindow, rollup, stats, guardrails);
  return { report: metrics ? { ...report, distillation, metrics } : { ...report, distillation }, stage };
}

/**
 * The experiment's catalogue metrics over the report's window (null when it chose none): latency
 * quantiles from the latency counts, the others (custom events, capping) from the window's rows.
 */
async function reportCatalogueMetrics(
  db: Db,
  experimentId: string,
  window: ReportWindow,
  scope: RollupScope,
  kpiStats: VariantSufficientStats[],
  g: ReturnType<typeof parseGuardrails>,
) {
  const chosen = await chosenMetrics(db, experimentId);
  if (chosen.length === 0) return null;
  const statistics = await withAggregateMemory(db, (tx) => catalogueStatistics(tx, experimentId, window, chosen, false, scope));
  return analyzeCatalogueMetrics({ chosen, statistics, kpiStats, alpha: g.alpha, severeAlpha: g.severe.kpiAlpha });
}
