// The metric catalogue in the database, and each metric's per-variant sufficient statistics computed
// in SQL over an experiment's window (one row per variant; rows never come into Node).
// Attribution as for the built-in KPIs (lib/experiments/kpis.ts): an event counts when its requestId
// is one of the window's exposures; per-user totals first, then sums per variant.
import { Prisma } from "./generated/client";
import type { Db } from "./client";
import type { ReportWindow } from "./reports";
import { z } from "zod";
import { badRequest, conflict, notFound } from "@/lib/http";
import { METRIC_ROLES, type MetricDefinition, type MetricEvent, metricDefinitionSchema } from "@/lib/experiments/metrics";
import {
  type ProportionStatistic,
  type QuantileStatistic,
  type RatioStatistic,
  type SampleMeanStatistic,
  type SufficientStatistic,
  compare,
  nonInferiorityDecision,
  quantileDifferenceTest,
  quantileIntervalLevels,
  twoProportionZTest,
} from "@/lib/stats";

export async function listMetrics(db: Db) {
  return db.metric.findMany({ orderBy: [{ builtIn: "desc" }, { key: "asc" }] });
}

export async function createMetric(db: Db, definition: MetricDefinition, createdById: string) {
  try {
    return await db.metric.create({ data: { ...definition, builtIn: false, createdById } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw conflict(`A metric with key "${definition.key}" already exists`);
    throw error;
  }
}

/** Updates a user-defined metric (the whole definition is validated again); built-ins are read-only. */
export async function updateMetric(db: Db, id: string, patch: Record<string, unknown>) {
  const current = await db.metric.findUnique({ where: { id } });
  if (!current) throw notFound("No such metric");
  if (current.builtIn) throw conflict("Built-in metrics cannot be changed; define a new metric instead");
  const definition = metricDefinitionSchema.parse({ ...toDefinition(current), ...patch });
  return db.metric.update({ where: { id }, data: definition });
}

export async function deleteMetric(db: Db, id: string) {
  const current = await db.metric.findUnique({ where: { id }, include: { _count: { select: { experiments: true } } } });
  if (!current) throw notFound("No such metric");
  if (current.builtIn) throw conflict("Built-in metrics cannot be deleted");
  if (current._count.experiments > 0) throw conflict(`The metric is used by ${current._count.experiments} experiment(s)`);
  await db.metric.delete({ where: { id } });
}

type MetricRow = NonNullable<Awaited<ReturnType<Db["metric"]["findUnique"]>>>;

export function toDefinition(row: MetricRow): MetricDefinition {
  return metricDefinitionSchema.parse({
    key: row.key,
    name: row.name,
    description: row.description,
    aggregation: row.aggregation,
    event: row.event,
    measure: row.measure,
    denominatorEvent: row.denominatorEvent,
    denominatorMeasure: row.denominatorMeasure,
    quantile: row.quantile,
    direction: row.direction,
    capPercentile: row.capPercentile,
    nonInferiorityMargin: row.nonInferiorityMargin,
  });
}

/** SQL condition selecting one event kind on alias e (LIKE wildcards in custom names escaped). */
function eventFilter(event: Exclude<MetricEvent, "exposure" | "latency">): Prisma.Sql {
  if (event.startsWith("custom:")) {
    const prefix = `${event.slice("custom:".length).replace(/[\\%_]/g, (c) => `\\${c}`)}:%`;
    return Prisma.sql`e."type" = 'custom' AND e."eventId" LIKE ${prefix}`;
  }
  return Prisma.sql`e."type" = ${event}::"EventType"`;
}

/** Per-user value of an event: its count or the sum of its values; exposures: the user's exposure count. */
function perUserValue(event: MetricEvent, measure: "count" | "value"): { fromEvents: Prisma.Sql | null } {
  if (event === "exposure" || event === "latency") return { fromEvents: null };
  const f = eventFilter(event);
  return { fromEvents: measure === "count" ? Prisma.sql`count(*) FILTER (WHERE ${f})::float8` : Prisma.sql`coalesce(sum(e."value") FILTER (WHERE ${f}), 0)::float8` };
}

export type MetricArmStatistic = { variant: string } & (ProportionStatistic | SampleMeanStatistic | RatioStatistic | QuantileStatistic);

/** Per-variant sufficient statistics of one catalogue metric over exposures served in [from, to). */
export async function metricStatistics(db: Db, experimentId: string, window: ReportWindow, metric: MetricDefinition): Promise<MetricArmStatistic[]> {
  if (metric.aggregation === "quantile") return quantileStatistics(db, experimentId, window, metric);
  const num = perUserValue(metric.event, metric.measure);
  const den = metric.denominatorEvent ? perUserValue(metric.denominatorEvent, metric.denominatorMeasure) : { fromEvents: Prisma.sql`0::float8` };
  const m = num.fromEvents ? Prisma.sql`coalesce(v.m, 0)` : Prisma.sql`u.x`;
  const d = den.fromEvents ? Prisma.sql`coalesce(v.d, 0)` : Prisma.sql`u.x`;
  const cap = metric.capPercentile;
  const rows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    WITH exp_user AS (
      SELECT "variant", "userId", count(*)::float8 AS x
      FROM "Exposure"
      WHERE "experimentId" = ${experimentId} AND "createdAt" >= ${window.from} AND "createdAt" < ${window.to}
      GROUP BY 1, 2
    ),
    event_user AS (
      SELECT x."variant", x."userId", ${num.fromEvents ?? Prisma.sql`0::float8`} AS m, ${den.fromEvents ?? Prisma.sql`0::float8`} AS d
      FROM "Exposure" x JOIN "Event" e ON e."requestId" = x."requestId"
      WHERE x."experimentId" = ${experimentId} AND x."createdAt" >= ${window.from} AND x."createdAt" < ${window.to}
      GROUP BY 1, 2
    ),
    per_user AS (
      SELECT u."variant", ${m} AS m, ${d} AS d
      FROM exp_user u LEFT JOIN event_user v ON v."variant" = u."variant" AND v."userId" = u."userId"
    ),
    capped AS (
      SELECT p."variant", ${cap === null ? Prisma.sql`p.m` : Prisma.sql`least(p.m, c.cap)`} AS m, p.d
      FROM per_user p
      ${cap === null ? Prisma.empty : Prisma.sql`CROSS JOIN (SELECT percentile_cont(${cap}::float8) WITHIN GROUP (ORDER BY m) AS cap FROM per_user) c`}
    )
    SELECT "variant", count(*)::float8 AS n, sum(m) AS sum_m, sum(m * m) AS sum_m2, sum(d) AS sum_d, sum(d * d) AS sum_d2,
           sum(m * d) AS sum_md, count(*) FILTER (WHERE m > 0)::float8 AS users_with
    FROM capped GROUP BY 1 ORDER BY 1`);
  return rows.map((r): MetricArmStatistic => {
    const variant = String(r.variant);
    const n = Number(r.n);
    if (metric.aggregation === "share") return { variant, kind: "proportion", n, sum: Number(r.users_with) };
    if (metric.aggregation === "mean") return { variant, kind: "mean", n, sum: Number(r.sum_m), sumSquares: Number(r.sum_m2) };
    return {
      variant,
      kind: "ratio",
      n,
      sumM: Number(r.sum_m),
      sumM2: Number(r.sum_m2),
      sumD: Number(r.sum_d),
      sumD2: Number(r.sum_d2),
      sumMD: Number(r.sum_md),
    };
  });
}

/**
 * Quantile metrics: one value per request (latency in ms) or per attributed event (its value); per
 * variant the ν-quantile (percentile_cont) and the order statistics bounding it (percentile_disc at
 * the levels of quantileIntervalLevels).
 */
async function quantileStatistics(db: Db, experimentId: string, window: ReportWindow, metric: MetricDefinition): Promise<MetricArmStatistic[]> {
  const nu = metric.quantile as number;
  const values =
    metric.event === "latency"
      ? Prisma.sql`SELECT "variant", "latencyUs" / 1000.0 AS v FROM "Exposure"
                   WHERE "experimentId" = ${experimentId} AND "createdAt" >= ${window.from} AND "createdAt" < ${window.to}`
      : metric.event === "exposure"
        ? null
        : Prisma.sql`SELECT x."variant", e."value" AS v FROM "Exposure" x JOIN "Event" e ON e."requestId" = x."requestId"
                     WHERE x."experimentId" = ${experimentId} AND x."createdAt" >= ${window.from} AND x."createdAt" < ${window.to}
                       AND e."value" IS NOT NULL AND ${eventFilter(metric.event)}`;
  if (!values) return [];
  const counts = await db.$queryRaw<{ variant: string; n: number }[]>(Prisma.sql`SELECT "variant", count(*)::float8 AS n FROM (${values}) q GROUP BY 1 ORDER BY 1`);
  const out: MetricArmStatistic[] = [];
  for (const { variant, n } of counts) {
    const [lo, hi] = quantileIntervalLevels(Number(n), nu);
    const [row] = await db.$queryRaw<{ q: number; lo: number; hi: number }[]>(Prisma.sql`
      SELECT percentile_cont(${nu}::float8) WITHIN GROUP (ORDER BY v) AS q,
             percentile_disc(${lo}::float8) WITHIN GROUP (ORDER BY v) AS lo,
             percentile_disc(${hi}::float8) WITHIN GROUP (ORDER BY v) AS hi
      FROM (${values}) q WHERE "variant" = ${variant}`);
    out.push({ variant, kind: "quantile", n: Number(n), nu, estimate: Number(row.q), lower: Number(row.lo), upper: Number(row.hi) });
  }
  return out;
}

export const experimentMetricsSchema = z
  .array(
    z.object({
      metricKey: z.string().min(1),
      role: z.enum(METRIC_ROLES),
      /** overrides the metric's default non-inferiority margin for this experiment */
      nonInferiorityMargin: z.number().min(0).max(1).nullable().default(null),
    }),
  )
  .max(50)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((m, i) => {
      if (seen.has(m.metricKey)) ctx.addIssue({ code: "custom", path: [i, "metricKey"], message: `"${m.metricKey}" is listed twice` });
      seen.add(m.metricKey);
    });
    if (list.filter((m) => m.role === "primary").length > 1) ctx.addIssue({ code: "custom", path: [], message: "at most one primary metric" });
  });

/** Replaces an experiment's chosen metrics (400 naming the entry when a key is not in the catalogue). */
export async function setExperimentMetrics(db: Db, experimentId: string, chosen: z.output<typeof experimentMetricsSchema>) {
  const metrics = await db.metric.findMany({ where: { key: { in: chosen.map((c) => c.metricKey) } } });
  chosen.forEach((c, i) => {
    if (!metrics.some((m) => m.key === c.metricKey)) throw badRequest(`[${i}].metricKey: no metric "${c.metricKey}" in the catalogue`, { field: `${i}.metricKey` });
  });
  const experiment = await db.experiment.findUnique({ where: { id: experimentId }, select: { id: true } });
  if (!experiment) throw notFound("No such experiment");
  await db.$transaction([
    db.experimentMetric.deleteMany({ where: { experimentId } }),
    db.experimentMetric.createMany({
      data: chosen.map((c) => ({ experimentId, metricId: metrics.find((m) => m.key === c.metricKey)!.id, role: c.role, nonInferiorityMargin: c.nonInferiorityMargin })),
    }),
  ]);
}

export interface ExperimentMetricResult {
  key: string;
  name: string;
  role: string;
  direction: string;
  margin: number;
  control: number | null;
  candidate: number | null;
  /** relative difference candidate vs control, its (1 − α) CI and p-value */
  lift: number | null;
  ci: [number, number] | null;
  pValue: number | null;
  /** non-inferiority on the fixed-horizon CI against the margin, in the metric's direction */
  verdict: "non-inferior" | "inferior" | "inconclusive";
  degenerate?: string;
}

/** Every chosen metric of an experiment over a window: statistics in SQL, comparison in lib/stats. */
export async function experimentMetricResults(db: Db, experimentId: string, window: ReportWindow, alpha = 0.05): Promise<ExperimentMetricResult[]> {
  const chosen = await db.experimentMetric.findMany({ where: { experimentId }, include: { metric: true }, orderBy: { role: "asc" } });
  const out: ExperimentMetricResult[] = [];
  for (const c of chosen) {
    const definition = toDefinition(c.metric);
    const stats = await metricStatistics(db, experimentId, window, definition);
    const margin = c.nonInferiorityMargin ?? definition.nonInferiorityMargin;
    const base = { key: definition.key, name: definition.name, role: c.role, direction: definition.direction, margin };
    const a = stats.find((s) => s.variant === "control");
    const b = stats.find((s) => s.variant === "candidate");
    if (!a || !b) {
      out.push({ ...base, control: null, candidate: null, lift: null, ci: null, pValue: null, verdict: "inconclusive", degenerate: "an arm has no data" });
      continue;
    }
    const r =
      a.kind === "quantile" && b.kind === "quantile"
        ? quantileDifferenceTest(a, b, { difference: "relative", alpha })
        : a.kind === "proportion" && b.kind === "proportion"
          ? twoProportionZTest(a, b, { difference: "relative", alpha })
          : compare(a as SufficientStatistic, b as SufficientStatistic, { difference: "relative", alpha });
    const ci = Number.isFinite(r.ci[0]) && Number.isFinite(r.ci[1]) ? r.ci : null;
    out.push({
      ...base,
      control: r.control.n > 0 ? r.control.mean : null,
      candidate: r.treatment.n > 0 ? r.treatment.mean : null,
      lift: r.degenerate ? null : r.estimate,
      ci,
      pValue: r.pValue,
      verdict: ci ? nonInferiorityDecision(ci, margin, definition.direction) : "inconclusive",
      ...(r.degenerate ? { degenerate: r.degenerate } : {}),
    });
  }
  return out;
}
