// Storage and aggregates of the guardrails for distilled students: sampled slates of the candidate
// arm with their teacher agreement, and per-dataset user segments joined to the report rollups.
// Raw exposures are never read here: slates are a small sample, segments join the per-user rollup rows.
import { Prisma } from "./generated/client";
import type { Db } from "./client";
import type { ModelSource } from "./serving";
import { USER_STAT_COLUMNS, rollupPerUserSql, statsRow, variantSums, type RollupScope } from "./reports";
import type { Guardrails } from "@/lib/experiments/config";
import type { KpiKey } from "@/lib/experiments/kpis";
import { analyzeSegments, type SegmentReport, type SegmentVariantStats } from "@/lib/experiments/segment-analysis";
import { summarizeAgreement, type AgreementSums, type TeacherAgreementReport } from "@/lib/experiments/teacher-agreement";
import type { Segmentation, SegmentKey } from "@/lib/experiments/user-segments";

export interface SlateSampleRow {
  requestId: string;
  experimentId: string;
  userId: string;
  items: string[];
  exclude: string[];
  createdAt: Date;
}

/** One INSERT for a batch of samples; a requestId already stored is skipped. */
export async function insertSlateSamples(db: Db, rows: readonly SlateSampleRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const json = JSON.stringify(rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })));
  return db.$executeRaw(Prisma.sql`
    INSERT INTO "SlateSample" ("requestId", "experimentId", "userId", "items", "exclude", "createdAt")
    SELECT x."requestId", x."experimentId", x."userId", x."items", x."exclude", x."createdAt"
    FROM json_to_recordset(${json}::json) AS x("requestId" uuid, "experimentId" text, "userId" text, "items" text[], "exclude" text[], "createdAt" timestamp(3))
    ON CONFLICT ("requestId") DO NOTHING`);
}

export interface PendingSlate {
  requestId: string;
  experimentId: string;
  userId: string;
  items: string[];
  exclude: string[];
  /** the candidate's teacher, else the experiment's control model; null when neither exists */
  referenceModelId: string | null;
}

/** The oldest unscored samples, each with its reference model. */
export async function pendingSlateSamples(db: Db, limit: number): Promise<PendingSlate[]> {
  const rows = await db.$queryRaw<
    { requestId: string; experimentId: string; userId: string; items: string[]; exclude: string[]; reference: string | null }[]
  >(Prisma.sql`
    SELECT s."requestId"::text AS "requestId", s."experimentId", s."userId", s."items", s."exclude",
           coalesce(cm."teacherId", ctl."modelId") AS reference
    FROM "SlateSample" s
    LEFT JOIN "Variant" cv ON cv."experimentId" = s."experimentId" AND cv."key" = 'candidate'
    LEFT JOIN "Model" cm ON cm."id" = cv."modelId"
    LEFT JOIN "Variant" ctl ON ctl."experimentId" = s."experimentId" AND ctl."key" = 'control'
    WHERE s."scoredAt" IS NULL
    ORDER BY s."createdAt"
    LIMIT ${limit}`);
  return rows.map((r) => ({
    requestId: r.requestId,
    experimentId: r.experimentId,
    userId: r.userId,
    items: r.items,
    exclude: r.exclude,
    referenceModelId: r.reference,
  }));
}

export async function modelSources(db: Db, ids: readonly string[]): Promise<ModelSource[]> {
  return db.model.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, artifactUri: true, dataset: { select: { id: true, name: true, source: true, sourcePath: true, storagePath: true } } },
  });
}

export interface SlateScore {
  requestId: string;
  referenceModelId: string | null;
  agreement: number | null;
  error: string | null;
}

export async function recordSlateScores(db: Db, scores: readonly SlateScore[], now = new Date()): Promise<number> {
  if (scores.length === 0) return 0;
  return db.$executeRaw(Prisma.sql`
    UPDATE "SlateSample" s
    SET "referenceModelId" = x."referenceModelId", "agreement" = x."agreement", "scoreError" = x."error", "scoredAt" = ${now}
    FROM json_to_recordset(${JSON.stringify(scores)}::json) AS x("requestId" uuid, "referenceModelId" text, "agreement" float8, "error" text)
    WHERE s."requestId" = x."requestId"`);
}

interface StageAgreementRow extends AgreementSums {
  stageIndex: number;
  stageStartedAt: Date;
  settling: boolean;
  pending: number;
}

/** Scored and pending samples per stage window (the stage a sample falls in, as the rollups assign it). */
async function agreementByStageWindow(db: Db, experimentId: string): Promise<StageAgreementRow[]> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT st.stage_index, st.stage_started_at, st.settling,
           count(s."agreement")::float8 AS n, coalesce(sum(s."agreement"), 0)::float8 AS sum,
           coalesce(sum(s."agreement" * s."agreement"), 0)::float8 AS sum_sq,
           count(*) FILTER (WHERE s."scoredAt" IS NULL)::float8 AS pending
    FROM "SlateSample" s CROSS JOIN LATERAL understudy_stage_of(s."experimentId", s."createdAt") st
    WHERE s."experimentId" = ${experimentId}
    GROUP BY 1, 2, 3`);
  return rows.map((r) => ({
    stageIndex: Number(r.stage_index),
    stageStartedAt: new Date(r.stage_started_at as Date),
    settling: Boolean(r.settling),
    n: Number(r.n),
    sum: Number(r.sum),
    sumSquares: Number(r.sum_sq),
    pending: Number(r.pending),
  }));
}

const addSums = (rows: readonly StageAgreementRow[]) =>
  rows.reduce((s, r) => ({ n: s.n + r.n, sum: s.sum + r.sum, sumSquares: s.sumSquares + r.sumSquares, pending: s.pending + r.pending }), {
    n: 0,
    sum: 0,
    sumSquares: 0,
    pending: 0,
  });

export async function teacherAgreementReport(
  db: Db,
  experimentId: string,
  scope: RollupScope,
  stages: readonly { index: number; percent: number }[],
  referenceModelId: string | null,
  g: Guardrails,
): Promise<TeacherAgreementReport> {
  const rows = (await agreementByStageWindow(db, experimentId)).filter((r) => !r.settling && r.stageIndex >= 0);
  const inScope = scope.kind === "stage" ? rows.filter((r) => r.stageIndex === scope.index && r.stageStartedAt.getTime() === scope.startedAt.getTime()) : rows;
  const current = addSums(inScope);
  const byStage = stages
    .map((st) => ({ st, sums: addSums(rows.filter((r) => r.stageIndex === st.index)) }))
    .filter(({ sums }) => sums.n > 0)
    .map(({ st, sums }) => ({ stageIndex: st.index, percent: st.percent, ...summarizeAgreement(sums) }));
  return {
    referenceModelId,
    sampleRate: g.distillation.teacherAgreementSampleRate,
    threshold: g.distillation.minTeacherAgreement,
    minSamples: g.distillation.minAgreementSamples,
    current: summarizeAgreement(current),
    pending: current.pending,
    byStage,
  };
}

// ---------- user segments ----------

export async function segmentationOf(db: Db, datasetId: string): Promise<{ headItems: number } | null> {
  return db.datasetSegmentation.findUnique({ where: { datasetId }, select: { headItems: true } });
}

/** Stores a dataset's segments once (a concurrent second writer changes nothing). */
export async function saveSegmentation(db: Db, datasetId: string, seg: Segmentation): Promise<void> {
  await db.$transaction(
    async (tx) => {
      const created = await tx.$executeRaw(Prisma.sql`
        INSERT INTO "DatasetSegmentation" ("datasetId", "headItems", "users", "longTailUsers", "coldUsers")
        VALUES (${datasetId}, ${seg.headItems}, ${seg.users.length}, ${seg.users.filter((u) => u.longTail).length}, ${seg.users.filter((u) => u.cold).length})
        ON CONFLICT ("datasetId") DO NOTHING`);
      if (created === 0) return;
      for (let from = 0; from < seg.users.length; from += 10_000) {
        const chunk = JSON.stringify(seg.users.slice(from, from + 10_000));
        await tx.$executeRaw(Prisma.sql`
          INSERT INTO "DatasetUserSegment" ("datasetId", "userId", "trainInteractions", "tailShare", "longTail", "cold")
          SELECT ${datasetId}, x."userId", x."trainInteractions", x."tailShare", x."longTail", x."cold"
          FROM json_to_recordset(${chunk}::json) AS x("userId" text, "trainInteractions" int, "tailShare" float8, "longTail" boolean, "cold" boolean)`);
      }
      // the segment sums of experiments already running on this dataset (later rows: the triggers)
      await tx.$executeRaw(Prisma.sql`
        SELECT understudy_rebuild_variant_sums(v."experimentId") FROM "Variant" v JOIN "Model" m ON m."id" = v."modelId"
        WHERE v."key" = 'candidate' AND m."datasetId" = ${datasetId}`);
    },
    { timeout: 10 * 60_000 },
  );
}

/**
 * The report's sufficient statistics per (segment, variant): a stage's from the running sums, the whole
 * experiment's from the rollup's per-user rows joined to the dataset's segments. Users the dataset does
 * not know have no training interactions: cold.
 */
export async function segmentKpiStats(db: Db, experimentId: string, datasetId: string, scope: RollupScope, withPre: boolean): Promise<SegmentVariantStats[]> {
  if (scope.kind === "stage") {
    // the running sums' segments are the candidate dataset's, which is `datasetId`
    const rows = await variantSums(db, experimentId, scope, withPre, ["cold", "long_tail"]);
    return rows.map((r) => ({ ...r.stats, segment: r.segment as SegmentKey }));
  }
  return perUserSegmentStats(db, experimentId, datasetId, scope, withPre);
}

/** The same from the per-user rollup rows joined to the dataset's segments (whole experiment; the reference for the sums). */
export async function perUserSegmentStats(
  db: Db,
  experimentId: string,
  datasetId: string,
  scope: RollupScope,
  withPre: boolean,
): Promise<SegmentVariantStats[]> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    WITH per_user AS (
      ${rollupPerUserSql(experimentId, scope)}
    ),
    with_pre AS (
      SELECT u.*, p."preEvents" AS pre_events, p."preRevenue"::float8 AS pr, p."preConverted"::float8 AS pv,
             coalesce(s."longTail", false) AS long_tail, coalesce(s."cold", true) AS cold
      FROM per_user u
      LEFT JOIN "ExperimentUserPre" p ON ${withPre} AND p."experimentId" = ${experimentId} AND p."userId" = u."userId"
      LEFT JOIN "DatasetUserSegment" s ON s."datasetId" = ${datasetId} AND s."userId" = u."userId"
    ),
    segmented AS (
      SELECT 'long_tail' AS segment, * FROM with_pre WHERE long_tail
      UNION ALL
      SELECT 'cold' AS segment, * FROM with_pre WHERE cold
    )
    SELECT segment, "variant",
           ${USER_STAT_COLUMNS}
    FROM segmented
    GROUP BY segment, "variant"
    ORDER BY segment, "variant"`);
  return rows.map((r) => ({ ...statsRow(r), segment: String(r.segment) as SegmentKey }));
}

export interface DistillationExperiment {
  id: string;
  variants: { key: string; modelId: string; model: { datasetId: string; teacherId: string | null } }[];
  stages: { index: number; percent: number; startedAt: Date | null }[];
}

/** Teacher agreement and niche-user results for a report's window. */
export async function loadDistillationSignals(
  db: Db,
  exp: DistillationExperiment,
  scope: RollupScope,
  kpis: readonly KpiKey[],
  g: Guardrails,
  withPre: boolean,
): Promise<{ teacherAgreement: TeacherAgreementReport; segments: SegmentReport }> {
  const candidate = exp.variants.find((v) => v.key === "candidate");
  const control = exp.variants.find((v) => v.key === "control");
  const reference = candidate?.model.teacherId ?? control?.modelId ?? null;
  const started = exp.stages.filter((s) => s.startedAt !== null);
  const datasetId = candidate?.model.datasetId ?? null;
  const [teacherAgreement, segmentation] = await Promise.all([
    teacherAgreementReport(db, exp.id, scope, started, reference, g),
    datasetId && g.distillation.segmentGuardrails ? segmentationOf(db, datasetId) : Promise.resolve(null),
  ]);
  const stats = segmentation && datasetId ? await segmentKpiStats(db, exp.id, datasetId, scope, withPre) : [];
  const segments = analyzeSegments({ datasetId, computed: segmentation !== null, headItems: segmentation?.headItems ?? null, kpis, guardrails: g, stats });
  return { teacherAgreement, segments };
}
