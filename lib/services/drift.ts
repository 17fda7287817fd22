// The drift-check job's work: load the two stored snapshots (and the production model), compare them
// with lib/drift, record a DriftCheck row and an audit entry, and on drift queue a redistillation
// (teacher, then a student chained on the teacher's job) on the current snapshot.
// Idempotent per JobRun: the row carries the job's id in metrics.jobRunId and a re-run finds it; the
// redistillation job ids are written to metrics.redistill once queued, so a re-run queues them at most once
// (and enqueueJob's singleton keys return the run already queued for the same training).
import { DEFAULT_PRESET } from "@/lib/recsys/presets";
import type { LiveDriftCheckInput, SnapshotDriftCheckInput, TrainInput } from "@/lib/jobs/definitions";
import { trainInput } from "@/lib/jobs/definitions";
import { compareSnapshots, type DriftDecision } from "@/lib/drift";
import { liveDriftDecision, type KpiDriftInput } from "@/lib/drift/live";
import type { Dataset as RecsysDataset } from "@/lib/recsys/types";
import type { DriftCheck, Dataset, JobRun, Model, Prisma } from "@/lib/db/generated/client";
import type { Db } from "@/lib/db/client";
import { datasetDirectory, readStoredTsvDir } from "@/lib/db/datasets";
import { recordAudit } from "@/lib/db/audit";
import type { NotificationInput } from "@/lib/notifications/types";
import { getLoopSettings } from "@/lib/db/loop-settings";
import { raiseDriftDetected } from "@/lib/db/loop-events";
import { requestRedistill } from "./redistill";
import { driftCheckMetrics, type DriftCheckMetrics, type LiveDriftCheckMetrics } from "@/lib/db/drift-checks";
import { PRODUCTION_SLOT } from "@/lib/db/serving";

export interface DriftCheckHooks {
  db: Db;
  jobRunId: string;
  log: (message: string, level?: "info" | "warn" | "error") => Promise<void>;
  progress: (fraction: number, message: string) => void;
  /** queues a job (the handler passes lib/jobs/enqueue.ts enqueueJob with its deps) */
  enqueueTrain: (input: TrainInput) => Promise<JobRun>;
  /** a problem retrying cannot fix: unknown dataset or model */
  fail: (message: string) => Error;
  /** raises a notification (the handler passes lib/notifications notify; it never throws) */
  notify?: (input: NotificationInput) => Promise<unknown>;
  /** queues a redistillation (live checks on a breach) */
  enqueueRedistill?: (input: import("@/lib/jobs/definitions").RedistillInput) => Promise<JobRun>;
}

/** Default redistillation shape when no production model tells us better (the product's standard pair). */
export const DEFAULT_REDISTILL = { teacherDimension: 200, studentDimension: 20, method: "de-rrd" as const };

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

async function loadSnapshot(id: string, role: string, h: DriftCheckHooks): Promise<{ row: Dataset; data: RecsysDataset }> {
  const row = await h.db.dataset.findUnique({ where: { id } });
  if (!row) throw h.fail(`${role} dataset ${id} does not exist`);
  const dir = datasetDirectory(row);
  if (!dir) throw h.fail(`${role} dataset ${id} has no stored files`);
  let data: RecsysDataset;
  if (row.storagePath) data = await readStoredTsvDir(dir, row.name);
  else {
    const { loadDataset } = await import("@/lib/recsys/data");
    data = { ...loadDataset(dir), name: row.name };
  }
  await h.log(`loaded ${role} dataset "${row.name}": ${data.numUsers} users, ${data.numItems} items`);
  return { row, data };
}

type WithConfig = { trainingRun: { config: Prisma.JsonValue } | null };
type ModelWithTeacher = Model & WithConfig & { teacher: (Model & WithConfig) | null };

async function resolveModel(input: Pick<SnapshotDriftCheckInput, "modelId">, h: DriftCheckHooks): Promise<ModelWithTeacher | null> {
  const withConfig = { trainingRun: { select: { config: true } } } as const;
  const include = { ...withConfig, teacher: { include: withConfig } } as const;
  if (input.modelId) {
    const model = await h.db.model.findUnique({ where: { id: input.modelId }, include });
    if (!model) throw h.fail(`model ${input.modelId} does not exist`);
    return model;
  }
  const slot = await h.db.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT }, include: { model: { include } } });
  return slot?.model ?? null;
}

/** Training settings (epochs, seed, hyperparameters) the production model was made with, when recorded. */
function trainingSettings(
  model: { trainingRun: { config: Prisma.JsonValue } | null } | null,
): Pick<TrainInput, "epochs" | "seed" | "hyperparameters" | "preset"> | null {
  const parsed = model?.trainingRun ? trainInput.safeParse(model.trainingRun.config) : null;
  if (!parsed?.success) return null;
  return { epochs: parsed.data.epochs, seed: parsed.data.seed, hyperparameters: parsed.data.hyperparameters, preset: parsed.data.preset };
}

/**
 * Teacher and student shaped like the production pair when known, else DEFAULT_REDISTILL. A production
 * teacher (the demo's until its cutover) has no production student: `studentTemplate`, its newest
 * distilled student, then gives the student's method, dimension and settings.
 */
export function redistillPlan(
  model: ModelWithTeacher | null,
  datasetId: string,
  datasetName: string,
  studentTemplate?: (Model & WithConfig) | null,
): { teacher: TrainInput; student: Omit<TrainInput, "teacherJobRunId"> } {
  const isStudent = model?.role === "student" && model.distillationMethod && model.distillationMethod !== "none";
  const teacherModel = isStudent ? model.teacher : model?.role === "teacher" ? model : null;
  const template = isStudent
    ? model
    : model?.role === "teacher" && studentTemplate?.distillationMethod && studentTemplate.distillationMethod !== "none"
      ? studentTemplate
      : null;
  const teacherDimension = teacherModel?.dimension ?? DEFAULT_REDISTILL.teacherDimension;
  const studentDimension = template ? template.dimension : DEFAULT_REDISTILL.studentDimension;
  const method = (template ? template.distillationMethod : DEFAULT_REDISTILL.method) as TrainInput["method"];
  const teacherSettings = trainingSettings(teacherModel);
  const studentSettings = template ? trainingSettings(template) : null;
  const base = { datasetId, kind: "redistill" as const, promoteIfNoProduction: false, compareWithTeacher: false };
  return {
    teacher: trainInput.parse({
      ...base,
      ...teacherSettings,
      role: "teacher",
      dimension: teacherDimension,
      method: "none",
      name: `Redistill teacher (BPR-MF ${teacherDimension}) on ${datasetName}`.slice(0, 120),
    }),
    student: {
      ...base,
      seed: 42,
      hyperparameters: {},
      preset: DEFAULT_PRESET,
      ...studentSettings,
      role: "student",
      dimension: studentDimension,
      method,
      name: `Redistill student (${method.toUpperCase()} ${studentDimension}) on ${datasetName}`.slice(0, 120),
    },
  };
}

export async function runDriftCheck(
  input: SnapshotDriftCheckInput,
  h: DriftCheckHooks,
): Promise<{ driftCheckId: string; driftDetected: boolean; score: number; redistill: DriftCheckMetrics["redistill"] | null }> {
  let row = await h.db.driftCheck.findFirst({ where: { metrics: { path: ["jobRunId"], equals: h.jobRunId } } });
  if (row) {
    await h.log(`drift check ${row.id} was already recorded by this job; resuming`);
  } else {
    const reference = await loadSnapshot(input.referenceDatasetId, "reference", h);
    const current = await loadSnapshot(input.currentDatasetId, "current", h);
    h.progress(0.2, "datasets loaded");
    const modelRow = await resolveModel(input, h);
    let qualityNote: string | undefined;
    let model: Awaited<ReturnType<typeof import("@/lib/recsys/artifact").loadModel>> | null = null;
    if (!modelRow) qualityNote = "no model serves production: quality decay not measured";
    else {
      try {
        const { loadModel } = await import("@/lib/recsys/artifact");
        model = await loadModel(modelRow.artifactUri, { accelerate: false });
        await h.log(`measuring HR@10 decay of model ${modelRow.name} (${modelRow.id})`);
      } catch (err) {
        // a missing artifact must not hide the data signals
        qualityNote = `model ${modelRow.id} could not be loaded (${err instanceof Error ? err.message : String(err)}): quality decay not measured`;
        await h.log(qualityNote, "warn");
      }
    }
    h.progress(0.4, "comparing snapshots");
    let decision: DriftDecision;
    try {
      decision = compareSnapshots(reference.data, current.data, { model: model ?? undefined, seed: 0 });
    } finally {
      model?.dispose();
    }
    const { driftDetected, score, threshold, ...rest } = decision;
    const metrics: DriftCheckMetrics = {
      jobRunId: h.jobRunId,
      referenceDatasetId: reference.row.id,
      referenceDatasetName: reference.row.name,
      decision: rest,
      ...(qualityNote ? { qualityNote } : {}),
      redistillRequested: input.redistill,
    };
    row = await h.db.$transaction(async (tx) => {
      const created = await tx.driftCheck.create({
        data: { datasetId: current.row.id, modelId: model ? modelRow!.id : null, metrics: json(metrics), score, threshold, driftDetected },
      });
      await recordAudit(
        {
          actor: { label: "system" },
          action: "drift_check.recorded",
          entityType: "dataset",
          entityId: current.row.id,
          reason: driftDetected ? decision.reasons.join("; ") : "no signal over its threshold",
          data: json({ driftCheckId: created.id, referenceDatasetId: reference.row.id, driftDetected, score, jobRunId: h.jobRunId }),
        },
        tx,
      );
      return created;
    });
    await h.log(
      `drift ${driftDetected ? "DETECTED" : "not detected"} (score ${score.toFixed(3)} vs ${threshold})` +
        (decision.reasons.length ? `: ${decision.reasons.join("; ")}` : ""),
    );
  }

  const metrics = driftCheckMetrics(row);
  // keyed by the check: a re-run of this job raises it once
  if (row.driftDetected) await h.notify?.(driftNotification(row, metrics, await datasetName(h.db, row.datasetId)));
  if (!row.driftDetected || !input.redistill || metrics.redistill) {
    h.progress(1, row.driftDetected ? "drift detected" : "no drift");
    return { driftCheckId: row.id, driftDetected: row.driftDetected, score: row.score, redistill: metrics.redistill ?? null };
  }

  h.progress(0.9, "queueing redistillation");
  const modelRow = row.modelId ? await resolveModel({ ...input, modelId: row.modelId }, h) : await resolveModel(input, h);
  const dataset = await h.db.dataset.findUniqueOrThrow({ where: { id: row.datasetId }, select: { id: true, name: true } });
  const plan = redistillPlan(modelRow, dataset.id, dataset.name);
  const teacherJob = await h.enqueueTrain(plan.teacher);
  const studentJob = await h.enqueueTrain(trainInput.parse({ ...plan.student, teacherJobRunId: teacherJob.id }));
  const redistill = {
    teacherJobRunId: teacherJob.id,
    studentJobRunId: studentJob.id,
    teacherDimension: plan.teacher.dimension,
    studentDimension: plan.student.dimension,
    method: plan.student.method,
  };
  row = await h.db.driftCheck.update({ where: { id: row.id }, data: { metrics: json({ ...metrics, redistill }) } });
  await recordAudit(
    {
      actor: { label: "system" },
      action: "drift_check.redistill_queued",
      entityType: "dataset",
      entityId: dataset.id,
      reason: `drift detected (check ${row.id}): redistilling on the current snapshot`,
      data: json({ driftCheckId: row.id, ...redistill }),
    },
    h.db,
  );
  await h.notify?.({
    type: "redistill.started",
    severity: "info",
    title: `Redistilling on "${dataset.name}" after drift`,
    message: `Teacher (BPR-MF ${redistill.teacherDimension}) and student (${redistill.method} ${redistill.studentDimension}) queued on the current snapshot.`,
    ...(row.modelId ? { modelId: row.modelId } : {}),
    data: { driftCheckId: row.id, datasetId: dataset.id, ...redistill },
    dedupeKey: `redistill.started:${row.id}`,
  });
  await h.log(
    `queued redistillation: teacher job ${teacherJob.id} (dim ${redistill.teacherDimension}), student job ${studentJob.id} (${redistill.method} ${redistill.studentDimension})`,
  );
  h.progress(1, "drift detected: redistillation queued");
  return { driftCheckId: row.id, driftDetected: true, score: row.score, redistill };
}

async function datasetName(db: Db, id: string): Promise<string> {
  return (await db.dataset.findUnique({ where: { id }, select: { name: true } }))?.name ?? id;
}

/** The alert a detected drift raises (one per check: dedupeKey). */
export function driftNotification(
  row: Pick<DriftCheck, "id" | "datasetId" | "modelId" | "score" | "threshold">,
  metrics: DriftCheckMetrics,
  name: string,
): NotificationInput {
  const reasons = metrics.decision.reasons;
  return {
    type: "drift.detected",
    severity: "warning",
    title: `Drift detected on "${name}" (score ${row.score.toFixed(3)} > ${row.threshold})`,
    message: reasons.length ? `${reasons.join("; ")}.` : "A drift signal crossed its threshold.",
    ...(row.modelId ? { modelId: row.modelId } : {}),
    data: {
      driftCheckId: row.id,
      datasetId: row.datasetId,
      referenceDatasetId: metrics.referenceDatasetId,
      score: row.score,
      threshold: row.threshold,
      reasons,
    },
    dedupeKey: `drift.detected:${row.id}`,
  };
}

// ---------- live drift: the production model's training snapshot against its recent traffic ----------

const KPI_MIN_EXPOSURES = 100;

/** CTR per exposure of the production arm (no experiment, or an experiment's control) before and inside the window. */
async function productionKpi(db: Db, modelId: string, windowStart: Date, alpha: number): Promise<KpiDriftInput> {
  const rows = await db.$queryRaw<{ recent: boolean; n: number; clicks: number }[]>`
    SELECT (x."createdAt" >= ${windowStart}) AS recent, COUNT(*)::int AS n,
           COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM "Event" e WHERE e."requestId" = x."requestId" AND e."type" = 'click'))::int AS clicks
    FROM "Exposure" x
    WHERE x."modelId" = ${modelId} AND (x."experimentId" IS NULL OR x."variant" = 'control')
    GROUP BY 1`;
  const of = (recent: boolean) => {
    const r = rows.find((x) => x.recent === recent);
    return { exposures: r?.n ?? 0, clicks: r?.clicks ?? 0 };
  };
  const baseline = of(false);
  const recent = of(true);
  if (baseline.exposures < KPI_MIN_EXPOSURES || recent.exposures < KPI_MIN_EXPOSURES) {
    return {
      test: null,
      baseline,
      recent,
      note: `needs ${KPI_MIN_EXPOSURES} production exposures before and inside the window (has ${baseline.exposures} and ${recent.exposures})`,
    };
  }
  const { moments, proportion, sequentialCompare } = await import("@/lib/stats");
  const test = sequentialCompare(moments(proportion(baseline.exposures, baseline.clicks)), moments(proportion(recent.exposures, recent.clicks)), {
    alpha,
    difference: "absolute",
  });
  return { test, baseline, recent };
}

/** Teacher–student agreement@10 on up to `sample` recent users both models know (seeded sample). */
async function recentAgreement(
  db: Db,
  model: Model,
  reference: RecsysDataset,
  recentUsers: Iterable<string>,
  sample: number,
): Promise<{ value: number; users: number } | { value: null; note: string }> {
  if (model.role !== "student" || !model.teacherId) return { value: null, note: "the production model is not a distilled student: no teacher to agree with" };
  const teacherRow = await db.model.findUnique({ where: { id: model.teacherId } });
  if (!teacherRow) return { value: null, note: `teacher ${model.teacherId} no longer exists` };
  const index = new Map(reference.userIds.map((id, u) => [id, u]));
  const known = [...new Set(recentUsers)].map((id) => index.get(id)).filter((u): u is number => u !== undefined);
  if (known.length === 0) return { value: null, note: "no recent user is known to the models" };
  const { loadModel } = await import("@/lib/recsys/artifact");
  const { agreement } = await import("@/lib/recsys/eval/agreement");
  const { Rng } = await import("@/lib/recsys/random");
  const picked = new Rng(0).shuffle(Int32Array.from(known));
  const users = picked.slice(0, sample).sort();
  let student: Awaited<ReturnType<typeof loadModel>> | null = null;
  let teacher: Awaited<ReturnType<typeof loadModel>> | null = null;
  try {
    student = await loadModel(model.artifactUri, { accelerate: false });
    teacher = await loadModel(teacherRow.artifactUri, { accelerate: false });
    if (student.numItems !== reference.numItems || teacher.numItems !== reference.numItems)
      return { value: null, note: "the models do not cover the training snapshot's catalogue" };
    return { value: agreement(teacher, student, reference, 10, { users }), users: users.length };
  } catch (err) {
    return { value: null, note: `models could not be loaded (${err instanceof Error ? err.message : String(err)})` };
  } finally {
    student?.dispose();
    teacher?.dispose();
  }
}

/** users sampled for agreement@10 */
const AGREEMENT_SAMPLE = 200;

export async function runLiveDriftCheck(input: LiveDriftCheckInput, h: DriftCheckHooks & { now?: Date }) {
  const existing = await h.db.driftCheck.findFirst({ where: { metrics: { path: ["jobRunId"], equals: h.jobRunId } } });
  if (existing) {
    await h.log(`drift check ${existing.id} was already recorded by this job`);
    return { driftCheckId: existing.id, driftDetected: existing.driftDetected, score: existing.score };
  }
  const now = h.now ?? new Date();
  const model = await h.db.model.findUnique({ where: { id: input.modelId } });
  if (!model) throw h.fail(`model ${input.modelId} does not exist`);
  const settings = await getLoopSettings(h.db, model.id);
  const reference = await loadSnapshot(model.datasetId, "training", h);
  const windowStart = new Date(now.getTime() - settings.driftWindowHours * 3_600_000);
  const events = await h.db.event.findMany({
    where: { type: { in: ["click", "conversion"] }, itemId: { not: null }, receivedAt: { gt: windowStart, lte: now } },
    select: { userId: true, itemId: true },
  });
  h.progress(0.3, `${events.length} live interactions in the last ${settings.driftWindowHours} h`);
  const userIndex = new Set(reference.data.userIds);
  const itemIndex = new Set(reference.data.itemIds);
  const live = { userIds: events.map((e) => e.userId), itemIds: events.map((e) => e.itemId!) };
  const agreement10 = await recentAgreement(h.db, model, reference.data, live.userIds, AGREEMENT_SAMPLE);
  h.progress(0.7, "production KPI against its baseline");
  const kpi = await productionKpi(h.db, model.id, windowStart, settings.thresholds.kpiAlpha);
  const decision = liveDriftDecision({
    reference: reference.data,
    live,
    knownUser: (id) => userIndex.has(id),
    knownItem: (id) => itemIndex.has(id),
    agreement10,
    kpi,
    thresholds: settings.thresholds,
  });
  const { driftDetected, score, threshold, ...rest } = decision;
  const metrics: LiveDriftCheckMetrics = {
    kind: "live",
    jobRunId: h.jobRunId,
    trigger: input.trigger,
    windowHours: settings.driftWindowHours,
    windowStart: windowStart.toISOString(),
    decision: rest,
  };
  let row = await h.db.driftCheck.create({ data: { datasetId: model.datasetId, modelId: model.id, metrics: json(metrics), score, threshold, driftDetected } });
  await h.log(
    `live drift ${driftDetected ? "DETECTED" : "not detected"} (score ${score.toFixed(3)})` +
      (decision.reasons.length ? `: ${decision.reasons.join("; ")}` : ""),
  );
  if (!driftDetected) {
    h.progress(1, "no drift");
    return { driftCheckId: row.id, driftDetected, score };
  }
  await raiseDriftDetected(h.db, {
    modelId: model.id,
    entityType: "drift_check",
    entityId: row.id,
    summary: `drift on ${model.name}: ${decision.reasons.join("; ")}`,
    data: { score, reasons: decision.reasons },
  });
  let redistill: LiveDriftCheckMetrics["redistill"];
  if (!input.redistill) redistill = { skipped: "the check was asked not to redistill" };
  else if (!settings.redistillOnDrift) redistill = { skipped: "the model's settings do not redistill on drift" };
  else if (!h.enqueueRedistill) redistill = { skipped: "no redistillation queue available" };
  else redistill = await requestRedistill(h.db, h.enqueueRedistill, { modelId: model.id, trigger: "drift", driftCheckId: row.id });
  row = await h.db.driftCheck.update({ where: { id: row.id }, data: { metrics: json({ ...metrics, redistill }) } });
  await h.log(
    "skipped" in redistill
      ? `no redistillation: ${redistill.skipped}`
      : redistill.reused
        ? `redistillation already covered: ${redistill.reason}`
        : `redistillation queued: job ${redistill.jobRunId}`,
  );
  h.progress(1, "drift detected");
  return { driftCheckId: row.id, driftDetected, score, redistill };
}
