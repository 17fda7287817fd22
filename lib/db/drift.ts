// The drift-check job's work: load the two stored snapshots (and the production model), compare them
// with lib/drift, record a DriftCheck row and an audit entry, and on drift queue a redistillation
// (teacher, then a student chained on the teacher's job) on the current snapshot.
// Idempotent per JobRun: the row carries the job's id in metrics.jobRunId and a re-run finds it; the
// redistillation job ids are written to metrics.redistill once queued, so a re-run queues them at most once
// (and enqueueJob's singleton keys return the run already queued for the same training).
import { DEFAULT_PRESET } from "@/lib/recsys/presets";
import type { DriftCheckInput, TrainInput } from "@/jobs/definitions";
import { trainInput } from "@/jobs/definitions";
import { compareSnapshots, type DriftDecision } from "@/lib/drift";
import type { Dataset as RecsysDataset } from "@/lib/recsys/types";
import type { DriftCheck, Dataset, JobRun, Model, Prisma } from "./generated/client";
import type { Db } from "./client";
import { db as defaultDb } from "./client";
import { datasetDirectory, readStoredTsvDir } from "./datasets";
import { recordAudit } from "./audit";

export interface DriftCheckHooks {
  db: Db;
  jobRunId: string;
  log: (message: string, level?: "info" | "warn" | "error") => Promise<void>;
  progress: (fraction: number, message: string) => void;
  /** queues a job (the handler passes lib/jobs/enqueue.ts enqueueJob with its deps) */
  enqueueTrain: (input: TrainInput) => Promise<JobRun>;
  /** a problem retrying cannot fix: unknown dataset or model */
  fail: (message: string) => Error;
}

/** What DriftCheck.metrics holds (JSON). */
export interface DriftCheckMetrics {
  jobRunId: string;
  referenceDatasetId: string;
  referenceDatasetName: string;
  decision: Omit<DriftDecision, "driftDetected" | "score" | "threshold">;
  /** why the quality signal is missing, when it is */
  qualityNote?: string;
  redistillRequested: boolean;
  redistill?: { teacherJobRunId: string; studentJobRunId: string; teacherDimension: number; studentDimension: number; method: string };
}

/** Default redistillation shape when no production model tells us better (the product's standard pair). */
export const DEFAULT_REDISTILL = { teacherDimension: 200, studentDimension: 20, method: "de-rrd" as const };

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

export function driftCheckMetrics(row: Pick<DriftCheck, "metrics">): DriftCheckMetrics {
  return row.metrics as unknown as DriftCheckMetrics;
}

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

async function resolveModel(input: DriftCheckInput, h: DriftCheckHooks): Promise<ModelWithTeacher | null> {
  const withConfig = { trainingRun: { select: { config: true } } } as const;
  const include = { ...withConfig, teacher: { include: withConfig } } as const;
  if (input.modelId) {
    const model = await h.db.model.findUnique({ where: { id: input.modelId }, include });
    if (!model) throw h.fail(`model ${input.modelId} does not exist`);
    return model;
  }
  const slot = await h.db.servingSlot.findUnique({ where: { name: "production" }, include: { model: { include } } });
  return slot?.model ?? null;
}

/** Training settings (epochs, seed, hyperparameters) the production model was made with, when recorded. */
function trainingSettings(model: { trainingRun: { config: Prisma.JsonValue } | null } | null): Pick<TrainInput, "epochs" | "seed" | "hyperparameters" | "preset"> | null {
  const parsed = model?.trainingRun ? trainInput.safeParse(model.trainingRun.config) : null;
  if (!parsed?.success) return null;
  return { epochs: parsed.data.epochs, seed: parsed.data.seed, hyperparameters: parsed.data.hyperparameters, preset: parsed.data.preset };
}

/** Teacher and student shaped like the production pair when known, else DEFAULT_REDISTILL. */
export function redistillPlan(model: ModelWithTeacher | null, datasetId: string, datasetName: string): { teacher: TrainInput; student: Omit<TrainInput, "teacherJobRunId"> } {
  const isStudent = model?.role === "student" && model.distillationMethod && model.distillationMethod !== "none";
  const teacherModel = isStudent ? model.teacher : model?.role === "teacher" ? model : null;
  const teacherDimension = teacherModel?.dimension ?? DEFAULT_REDISTILL.teacherDimension;
  const studentDimension = isStudent ? model.dimension : DEFAULT_REDISTILL.studentDimension;
  const method = (isStudent ? model.distillationMethod : DEFAULT_REDISTILL.method) as TrainInput["method"];
  const teacherSettings = trainingSettings(teacherModel);
  const studentSettings = isStudent ? trainingSettings(model) : null;
  const base = { datasetId, kind: "redistill" as const, promoteIfNoProduction: false };
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

export async function runDriftCheck(input: DriftCheckInput, h: DriftCheckHooks): Promise<{ driftCheckId: string; driftDetected: boolean; score: number; redistill: DriftCheckMetrics["redistill"] | null }> {
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
      `drift ${driftDetected ? "DETECTED" : "not detected"} (score ${score.toFixed(3)} vs ${threshold})` + (decision.reasons.length ? `: ${decision.reasons.join("; ")}` : ""),
    );
  }

  const metrics = driftCheckMetrics(row);
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
  await h.log(`queued redistillation: teacher job ${teacherJob.id} (dim ${redistill.teacherDimension}), student job ${studentJob.id} (${redistill.method} ${redistill.studentDimension})`);
  h.progress(1, "drift detected: redistillation queued");
  return { driftCheckId: row.id, driftDetected: true, score: row.score, redistill };
}

/** Recent checks of a dataset (newest first) with the reference names and the redistillation jobs' states. */
export async function listDriftChecks(datasetId: string, db: Db = defaultDb(), take = 20) {
  const rows = await db.driftCheck.findMany({
    where: { datasetId },
    orderBy: { createdAt: "desc" },
    take: Math.min(take, 100),
    include: { model: { select: { id: true, name: true } } },
  });
  const jobIds = rows.flatMap((r) => {
    const m = driftCheckMetrics(r).redistill;
    return m ? [m.teacherJobRunId, m.studentJobRunId] : [];
  });
  const jobs = jobIds.length ? await db.jobRun.findMany({ where: { id: { in: jobIds } }, select: { id: true, status: true, progress: true } }) : [];
  const jobById = new Map(jobs.map((j) => [j.id, j]));
  return rows.map((r) => {
    const metrics = driftCheckMetrics(r);
    return {
      ...r,
      metrics,
      teacherJob: metrics.redistill ? (jobById.get(metrics.redistill.teacherJobRunId) ?? null) : null,
      studentJob: metrics.redistill ? (jobById.get(metrics.redistill.studentJobRunId) ?? null) : null,
    };
  });
}
