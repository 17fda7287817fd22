// The metric catalogue in the database, and each metric's per-variant sufficient statistics computed
// in SQL over an experiment's window (one row per variant; rows never come into Node).
// Attribution as for the built-in KPIs (lib/experiments/kpis.ts): an event counts when its requestId
// is one of the window's exposures; per-user totals first, then sums per variant.
import { Prisma } from "./generated/client";
import type { Db } from "./client";
import { latencyQuantilesFromCounts, type ReportWindow, type RollupScope } from "./reports";
import { badRequest, conflict, notFound } from "@/lib/http/errors";
import { toIssues } from "@/lib/http/validation";
import { analyzeCatalogueMetrics, type ChosenMetric } from "@/lib/experiments/metric-analysis";
import {
  type ExperimentMetricChoice,
  type MetricArmStatistic,
  type MetricDefinition,
  type MetricEvent,
  type MetricRole,
  experimentMetricsSchema,
  metricDefinitionSchema,
} from "@/lib/experiments/metrics";
import type { CatalogueMetricResult } from "@/lib/experiments/report";
import { clusteredEffectiveN, quantileIntervalLevels } from "@/lib/stats";

export { experimentMetricsSchema, type MetricArmStatistic };

type Tx = Db | Prisma.TransactionClient;

/** Every catalogue metric, built-ins first; archived ones too unless `activeOnly`. */
export async function listMetrics(db: Tx, options: { activeOnly?: boolean } = {}) {
  return db.metric.findMany({
    where: options.activeOnly ? { archivedAt: null } : {},
    orderBy: [{ builtIn: "desc" }, { key: "asc" }],
    include: { _count: { select: { experiments: true } } },
  });
}

const keyTaken = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
const invalid = (path: string, message: string) => badRequest("The request has invalid fields", { issues: [{ path, message }] });

/** One catalogue metric with the experiments that use it (the metric's page). */
export function getMetricWithExperiments(db: Db, id: string) {
  return db.metric.findUnique({
    where: { id },
    include: { experiments: { include: { experiment: { select: { id: true, name: true, status: true, startedAt: true } } } } },
  });
}

export async function createMetric(db: Db, definition: MetricDefinition, createdById: string) {
  try {
    return await db.metric.create({ data: { ...definition, builtIn: false, createdById } });
  } catch (error) {
    if (keyTaken(error)) throw conflict(`A metric with key "${definition.key}" already exists`);
    throw error;
  }
}

/** Fields that change what a metric measures: frozen once a started experiment uses the metric. */
const MEASURING_FIELDS = [
  "aggregation",
  "event",
  "measure",
  "denominatorEvent",
  "denominatorMeasure",
  "quantile",
  "direction",
  "capPercentile",
  "nonInferiorityMargin",
] as const;

/**
 * Updates a user-defined metric: the merged definition is validated again (400 per field); the key
 * never changes; once a started experiment uses the metric only its name and description may change
 * (its reports and gates would otherwise change after the fact). Built-ins are read-only.
 */
export async function updateMetric(db: Db, id: string, patch: Record<string, unknown>) {
  const current = await db.metric.findUnique({ where: { id } });
  if (!current) throw notFound("No such metric");
  if (current.builtIn) throw conflict("Built-in metrics cannot be changed; define a new metric instead");
  if (patch.key !== undefined && patch.key !== current.key)
    throw invalid("key", "the key cannot change (experiments and API clients refer to it): define a new metric instead");
  const parsed = metricDefinitionSchema.safeParse({ ...toDefinition(current), ...patch });
  if (!parsed.success) throw badRequest("The request has invalid fields", { issues: toIssues(parsed.error) });
  const definition = parsed.data;
  const before = toDefinition(current);
  const changed = MEASURING_FIELDS.filter((f) => definition[f] !== before[f]);
  if (changed.length > 0) {
    const started = await db.experimentMetric.findFirst({
      where: { metricId: id, experiment: { startedAt: { not: null } } },
      include: { experiment: { select: { name: true } } },
    });
    if (started)
      throw conflict(
        `"${current.name}" is used by the started experiment "${started.experiment.name}": only its name and description can change (${changed.join(", ")} would change its results); define a new metric instead`,
      );
  }
  return db.metric.update({ where: { id }, data: definition });
}

/** Archives (no longer offered to new experiments; kept on those that use it) or restores a metric. */
export async function setMetricArchived(db: Db, id: string, archived: boolean) {
  const current = await db.metric.findUnique({ where: { id } });
  if (!current) throw notFound("No such metric");
  if (current.builtIn && archived) throw conflict("Built-in metrics cannot be archived");
  return db.metric.update({ where: { id }, data: { archivedAt: archived ? (current.archivedAt ?? new Date()) : null } });
}

export async function deleteMetric(db: Db, id: string) {
  const current = await db.metric.findUnique({ where: { id }, include: { _count: { select: { experiments: true } } } });
  if (!current) throw notFound("No such metric");
  if (current.builtIn) throw conflict("Built-in metrics cannot be deleted");
  if (current._count.experiments > 0) throw conflict(`The metric is used by ${current._count.experiments} experiment(s): archive it instead`);
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
  return {
    fromEvents: measure === "count" ? Prisma.sql`count(*) FILTER (WHERE ${f})::float8` : Prisma.sql`coalesce(sum(e."value") FILTER (WHERE ${f}), 0)::float8`,
  };
}

/**
 * Per-variant sufficient statistics of one catalogue metric over exposures served in [from, to). With a
 * rollup `scope` (the same window as the report reads it), latency quantiles come from the latency counts.
 */
export async function metricStatistics(
  db: Tx,
  experimentId: string,
  window: ReportWindow,
  metric: MetricDefinition,
  scope?: RollupScope,
): Promise<MetricArmStatistic[]> {
  if (metric.aggregation === "quantile" && metric.event === "latency" && scope)
    return latencyQuantileStatistics(db, experimentId, scope, metric.quantile as number);
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

/** A latency quantile metric (ms) from the latency counts: the same percentile_cont and bounding order statistics, at the requests' effective n. */
async function latencyQuantileStatistics(db: Tx, experimentId: string, scope: RollupScope, nu: number): Promise<MetricArmStatistic[]> {
  const rows = await latencyQuantilesFromCounts(db, experimentId, scope, [nu]);
  return rows.map((r) => {
    const q = r.quantiles.get(nu) as { value: number; bounds: [number, number] };
    return {
      variant: r.variant,
      kind: "quantile",
      n: r.requests,
      nEff: r.effectiveRequests,
      nu,
      estimate: q.value / 1000,
      lower: q.bounds[0] / 1000,
      upper: q.bounds[1] / 1000,
    };
  });
}

/**
 * Quantile metrics: one value per request (latency in ms) or per attributed event (its value); per
 * variant the ν-quantile (percentile_cont) and the order statistics bounding it (percentile_disc at
 * the levels of quantileIntervalLevels, at the effective n of requests scored in shared micro-batches).
 */
async function quantileStatistics(db: Tx, experimentId: string, window: ReportWindow, metric: MetricDefinition): Promise<MetricArmStatistic[]> {
  const nu = metric.quantile as number;
  const values =
    metric.event === "latency"
      ? Prisma.sql`SELECT "variant", "latencyUs" / 1000.0 AS v, "batchSize" AS bs FROM "Exposure"
                   WHERE "experimentId" = ${experimentId} AND "createdAt" >= ${window.from} AND "createdAt" < ${window.to}`
      : metric.event === "exposure"
        ? null
        : Prisma.sql`SELECT x."variant", e."value" AS v, 1 AS bs FROM "Exposure" x JOIN "Event" e ON e."requestId" = x."requestId"
                     WHERE x."experimentId" = ${experimentId} AND x."createdAt" >= ${window.from} AND x."createdAt" < ${window.to}
                       AND e."value" IS NOT NULL AND ${eventFilter(metric.event)}`;
  if (!values) return [];
  const counts = await db.$queryRaw<{ variant: string; n: number; bs: number }[]>(
    Prisma.sql`SELECT "variant", count(*)::float8 AS n, sum(bs)::float8 AS bs FROM (${values}) q GROUP BY 1 ORDER BY 1`,
  );
  const out: MetricArmStatistic[] = [];
  for (const { variant, n, bs } of counts) {
    const nEff = clusteredEffectiveN(Number(n), Number(bs));
    const [lo, hi] = quantileIntervalLevels(Number(n), nu, 0.05, nEff);
    const [row] = await db.$queryRaw<{ q: number; lo: number; hi: number }[]>(Prisma.sql`
      SELECT percentile_cont(${nu}::float8) WITHIN GROUP (ORDER BY v) AS q,
             percentile_disc(${lo}::float8) WITHIN GROUP (ORDER BY v) AS lo,
             percentile_disc(${hi}::float8) WITHIN GROUP (ORDER BY v) AS hi
      FROM (${values}) q WHERE "variant" = ${variant}`);
    out.push({ variant, kind: "quantile", n: Number(n), nEff, nu, estimate: Number(row.q), lower: Number(row.lo), upper: Number(row.hi) });
  }
  return out;
}

/**
 * Resolves an experiment's choice against the catalogue: 400 naming the entry for an unknown or
 * archived key. Returns the rows to store and the built-in KPI keys among them.
 */
async function resolveChoices(db: Tx, chosen: readonly ExperimentMetricChoice[], experimentId: string, pathPrefix: string) {
  const metrics = await db.metric.findMany({ where: { key: { in: chosen.map((c) => c.metricKey) } } });
  const rows = chosen.map((c, i) => {
    const m = metrics.find((x) => x.key === c.metricKey);
    if (!m) throw invalid(`${pathPrefix}${i}.metricKey`, `no metric "${c.metricKey}" in the catalogue`);
    if (m.archivedAt) throw invalid(`${pathPrefix}${i}.metricKey`, `"${m.name}" is archived: restore it in the catalogue first`);
    return { experimentId, metricId: m.id, role: c.role, nonInferiorityMargin: c.nonInferiorityMargin };
  });
  const builtInKeys = metrics.filter((m) => m.builtIn).map((m) => m.key);
  return { rows, builtInKeys };
}

/**
 * Stores an experiment's metric choice (in the caller's transaction when given one). The built-in
 * metrics among them become the experiment's KPIs, so the KPI table and its segments stay in step.
 */
export async function storeExperimentMetrics(tx: Tx, experimentId: string, chosen: readonly ExperimentMetricChoice[], pathPrefix = "metrics.") {
  const { rows, builtInKeys } = await resolveChoices(tx, chosen, experimentId, pathPrefix);
  await tx.experimentMetric.deleteMany({ where: { experimentId } });
  if (rows.length > 0) await tx.experimentMetric.createMany({ data: rows });
  if (rows.length > 0) await tx.experiment.update({ where: { id: experimentId }, data: { kpis: builtInKeys } });
}

/** Replaces a draft experiment's chosen metrics (409 once started: the gates must not move mid-test). */
export async function setExperimentMetrics(db: Db, experimentId: string, chosen: readonly ExperimentMetricChoice[]) {
  const experiment = await db.experiment.findUnique({ where: { id: experimentId }, select: { status: true } });
  if (!experiment) throw notFound("No such experiment");
  if (experiment.status !== "draft")
    throw conflict(`The metrics of an experiment that is ${experiment.status.replace("_", " ")} cannot change: its gates would move mid-test`);
  await db.$transaction((tx) => storeExperimentMetrics(tx, experimentId, chosen, ""));
}

/** The experiment's chosen metrics with the margin that applies (the experiment's, else the metric's). */
export async function chosenMetrics(db: Tx, experimentId: string): Promise<ChosenMetric[]> {
  const rows = await db.experimentMetric.findMany({ where: { experimentId }, include: { metric: true } });
  return rows.map((r) => {
    const definition = toDefinition(r.metric);
    return { definition, role: r.role as MetricRole, margin: r.nonInferiorityMargin ?? definition.nonInferiorityMargin, builtIn: r.metric.builtIn };
  });
}

/** SQL statistics of the chosen metrics that do not come from the KPI rollups (all when `includeBuiltIn`). */
export async function catalogueStatistics(
  db: Tx,
  experimentId: string,
  window: ReportWindow,
  chosen: readonly ChosenMetric[],
  includeBuiltIn = false,
  scope?: RollupScope,
) {
  const out: Record<string, MetricArmStatistic[]> = {};
  for (const c of chosen) if (includeBuiltIn || !c.builtIn) out[c.definition.key] = await metricStatistics(db, experimentId, window, c.definition, scope);
  return out;
}

/**
 * Every chosen metric over a raw window, each from its own SQL statistics (built-ins included, without
 * CUPED): the reference the report's rollup-based numbers are checked against.
 */
export async function experimentMetricResults(
  db: Db,
  experimentId: string,
  window: ReportWindow,
  options: { alpha?: number; severeAlpha?: number } = {},
): Promise<CatalogueMetricResult[]> {
  const chosen = (await chosenMetrics(db, experimentId)).map((c) => ({ ...c, builtIn: false }));
  const statistics = await catalogueStatistics(db, experimentId, window, chosen, true);
  return analyzeCatalogueMetrics({ chosen, statistics, kpiStats: [], alpha: options.alpha ?? 0.05, severeAlpha: options.severeAlpha ?? 0.001 });
}
