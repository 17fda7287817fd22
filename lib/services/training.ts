// Training a teacher or distilling a student for the `train` job: load the stored dataset, run
// lib/recsys's pipeline, save the artifact and record TrainingRun, Model and the test OfflineEvaluation.
// Idempotent per JobRun: TrainingRun is keyed by jobRunId, Model by trainingRunId, the artifact
// directory by the TrainingRun id, and the evaluation is replaced, so a re-run never duplicates.
import type { TrainInput } from "@/lib/jobs/definitions";
import type { Dataset as RecsysDataset, ProgressFn } from "@/lib/recsys/types";
import type { Model, Prisma } from "@/lib/db/generated/client";
import type { Db } from "@/lib/db/client";
import { datasetDirectory, readStoredTsvDir } from "@/lib/db/datasets";
import { recordAudit } from "@/lib/db/audit";
import { saveModel } from "@/lib/db/models";
import { modelArtifactDir } from "@/lib/db/storage";
import { PRESETS, presetStudentOptions, presetTeacherOptions } from "@/lib/recsys/presets";
import type { StudentOptions } from "@/lib/recsys/pipeline";
import { PRODUCTION_SLOT } from "@/lib/db/serving";

export interface TrainingHooks {
  db: Db;
  jobRunId: string;
  progress: ProgressFn;
  log: (message: string, level?: "info" | "warn" | "error") => Promise<void>;
  signal: AbortSignal;
  /** a problem retrying cannot fix: unknown dataset, teacher failed, ... */
  fail: (message: string) => Error;
  /** waits between polls for a teacher still being trained; rejects when the signal aborts */
  delay: (ms: number) => Promise<void>;
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

async function loadStoredDataset(input: TrainInput, h: TrainingHooks): Promise<RecsysDataset> {
  const row = await h.db.dataset.findUnique({ where: { id: input.datasetId } });
  if (!row) throw h.fail(`dataset ${input.datasetId} does not exist`);
  const dir = datasetDirectory(row);
  if (!dir) throw h.fail(`dataset ${row.id} has no stored files`);
  let ds: RecsysDataset;
  if (row.storagePath) {
    ds = await readStoredTsvDir(dir, row.name);
  } else {
    const { loadDataset } = await import("@/lib/recsys/data");
    ds = { ...loadDataset(dir), name: row.name };
  }
  if (ds.numUsers !== row.numUsers || ds.numItems !== row.numItems) {
    await h.log(`stored files hold ${ds.numUsers} users × ${ds.numItems} items; the dataset row says ${row.numUsers} × ${row.numItems}`, "warn");
  }
  await h.log(`loaded dataset "${row.name}": ${ds.numUsers} users, ${ds.numItems} items`);
  return ds;
}

/** The teacher to distill from: a model id, or the model a (possibly still running) teacher job produces. */
async function resolveTeacher(input: TrainInput, h: TrainingHooks): Promise<Model> {
  if (input.teacherModelId) {
    const teacher = await h.db.model.findUnique({ where: { id: input.teacherModelId } });
    if (!teacher) throw h.fail(`teacher model ${input.teacherModelId} does not exist`);
    return teacher;
  }
  const jobId = input.teacherJobRunId!;
  let announced = false;
  for (;;) {
    const job = await h.db.jobRun.findUnique({ where: { id: jobId }, include: { trainingRun: { include: { model: true } } } });
    if (!job) throw h.fail(`teacher job ${jobId} does not exist`);
    if (job.status === "failed" || job.status === "cancelled") throw h.fail(`teacher job ${jobId} ${job.status}; nothing to distill from`);
    if (job.status === "succeeded") {
      const teacher = job.trainingRun?.model;
      if (!teacher) throw h.fail(`teacher job ${jobId} succeeded without producing a model`);
      return teacher;
    }
    if (!announced) {
      await h.log(`waiting for teacher job ${jobId} to finish`);
      announced = true;
    }
    h.progress(0, `waiting for the teacher (job ${jobId}: ${job.status}, ${Math.round(job.progress)}%)`);
    await h.delay(2000);
  }
}

export async function runTraining(input: TrainInput, h: TrainingHooks): Promise<{ modelId: string; trainingRunId: string }> {
  // not pipeline: that would load tfjs into this thread, which only records the result
  const { metricsSummary } = await import("@/lib/recsys/eval/evaluate");
  const { trainInThread } = await import("@/lib/recsys/training-thread");

  const wantsTeacher = input.role === "student" && (input.teacherModelId !== undefined || input.teacherJobRunId !== undefined);
  const teacherRow = wantsTeacher ? await resolveTeacher(input, h) : null;
  if (teacherRow && teacherRow.datasetId !== input.datasetId) {
    throw h.fail(`teacher ${teacherRow.id} was trained on dataset ${teacherRow.datasetId}, not ${input.datasetId}`);
  }
  const ds = await loadStoredDataset(input, h);
  let warmStartDir: string | null = null;
  if (input.warmStartModelId) {
    const warm = await h.db.model.findUnique({ where: { id: input.warmStartModelId } });
    if (!warm) throw h.fail(`warm-start model ${input.warmStartModelId} does not exist`);
    if (warm.dimension !== input.dimension) throw h.fail(`warm-start model ${warm.id} has dimension ${warm.dimension}, the teacher ${input.dimension}`);
    warmStartDir = warm.artifactUri;
    await h.log(`warm start from ${warm.name} (${warm.id})`);
  }
  const kind = input.kind ?? (input.role === "teacher" ? "teacher" : "distill");
  const training = await h.db.trainingRun.upsert({
    where: { jobRunId: h.jobRunId },
    create: { jobRunId: h.jobRunId, kind, datasetId: input.datasetId, config: json(input) },
    update: { config: json(input), history: [], finishedAt: null },
  });

  // the preset's recipe under whatever the job names explicitly (dimension, seed, epochs, hyperparameters)
  const explicit = { ...(input.hyperparameters as StudentOptions), dim: input.dimension, seed: input.seed, ...(input.epochs ? { epochs: input.epochs } : {}) };
  const options = input.role === "teacher" ? presetTeacherOptions(input.preset, explicit) : presetStudentOptions(input.preset, input.method, explicit);
  await h.log(`preset ${input.preset}: ${PRESETS[input.preset].summary}${input.epochs ? `; this job sets ${input.epochs} epochs` : ""}`);
  if (input.role === "teacher") await h.log(`training teacher BPR-MF dim ${input.dimension}`);
  else if (teacherRow) await h.log(`distilling from teacher ${teacherRow.name} (dim ${teacherRow.dimension}) with ${input.method}`);
  else await h.log(`training student BPR-MF dim ${input.dimension} alone (method none)`);
  const dir = modelArtifactDir(training.id);
  // in a worker thread: this process's event loop keeps pg-boss's connections, heartbeats and cancellation alive
  const trained = await trainInThread(
    {
      role: input.role,
      dataset: ds,
      options: input.role === "student" ? { ...options, method: input.method } : options,
      teacherDir: teacherRow && input.method !== "none" ? teacherRow.artifactUri : null,
      outDir: dir,
      warmStartDir,
    },
    h.progress,
    h.signal,
  );
  const manifest = trained.manifest;
  const model = await saveModel(
    {
      name: input.name ?? `${input.role === "teacher" ? "Teacher" : `Student (${input.method})`} d${input.dimension}`,
      role: input.role,
      architecture: manifest.architecture,
      dimension: manifest.dimension,
      parameterCount: manifest.parameterCount,
      sizeBytes: manifest.sizeBytes,
      artifactUri: dir,
      datasetId: input.datasetId,
      teacherId: teacherRow?.id ?? null,
      distillationMethod: input.role === "student" ? input.method : null,
      hyperparameters: json(trained.config),
      metrics: json(manifest.metrics),
      trainingRunId: training.id,
    },
    h.db,
  );
  const evaluation = {
    modelId: model.id,
    datasetId: input.datasetId,
    split: "test",
    protocol: json({ negatives: trained.testMetrics.negatives, seed: trained.testMetrics.seed, cutoffs: [5, 10, 20] }),
    metrics: json(metricsSummary(trained.testMetrics)),
  };
  await h.db.$transaction([
    h.db.offlineEvaluation.deleteMany({ where: { modelId: model.id, split: "test" } }),
    h.db.offlineEvaluation.create({ data: evaluation }),
    h.db.trainingRun.update({ where: { id: training.id }, data: { history: json(trained.history), finishedAt: new Date() } }),
  ]);
  if (input.promoteIfNoProduction) await promoteIfNoProduction(model, h);
  const test = trained.testMetrics.sampled as Record<string, number> | undefined;
  await h.log(
    `saved model ${model.id} (${manifest.parameterCount} parameters) to ${dir}; best epoch ${trained.bestEpoch} of ${trained.epochsRun}` +
      (test?.["N@10"] !== undefined ? `; test N@10 ${test["N@10"].toFixed(4)}` : ""),
  );
  return { modelId: model.id, trainingRunId: training.id };
}

/**
 * Bootstrap of an empty installation: the first model becomes production so that experiments have a
 * control. Every later change of the production model goes through an approved experiment.
 */
async function promoteIfNoProduction(model: Model, h: TrainingHooks): Promise<void> {
  // Jobs a person enqueued set production only if that person may (the route checks too); jobs the
  // system enqueued (the demo seed) have no creator.
  const run = await h.db.jobRun.findUnique({ where: { id: h.jobRunId }, select: { createdBy: { select: { role: true } } } });
  if (run?.createdBy && !(run.createdBy.role === "approver" || run.createdBy.role === "admin")) {
    await h.log(`promoteIfNoProduction ignored: the job's creator is ${run.createdBy.role}; setting production needs an approver or admin`, "warn");
    return;
  }
  const promoted = await h.db.$transaction(async (tx) => {
    const created = await tx.servingSlot.createMany({ data: [{ name: PRODUCTION_SLOT, modelId: model.id }], skipDuplicates: true });
    if (created.count === 0) return false;
    await recordAudit(
      {
        actor: { label: "system" },
        action: "serving_slot.bootstrap",
        entityType: "serving_slot",
        entityId: PRODUCTION_SLOT,
        reason: "no model served production yet: the first trained model takes the slot",
        data: { modelId: model.id, modelName: model.name },
      },
      tx,
    );
    return true;
  });
  if (promoted) await h.log(`no model served production: ${model.name} now does`);
}
