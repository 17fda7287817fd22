// The redistillation workflow of a production model: on its newest snapshot, a teacher (from scratch or warm-started
// from the current teacher) and a student shaped like the production student, then the offline gate
// against the production student on the snapshot's test split (same negatives). A pass creates an
// experiment with the standard ramp, waiting for a person to start it (or started at once when the
// model's settings say so); a failure records which gate failed and by how much. Nothing here touches
// the production slot: the candidate reaches users only through the experiment's rollout rules.
import type { RedistillInput, TrainInput } from "@/lib/jobs/definitions";
import { trainInput } from "@/lib/jobs/definitions";
import { experimentConfigSchema } from "@/lib/experiments/config";
import type { GateResult } from "@/lib/recsys/eval/gate";
import type { JobRun, Prisma, RedistillRun } from "@/lib/db/generated/client";
import type { Db } from "@/lib/db/client";
import type { RedistillRequestOutcome } from "@/lib/db/drift-checks";
import { redistillPlan } from "./drift";
import { createExperiment, startExperiment, type Person } from "./experiments";
import { getLoopSettings } from "@/lib/db/loop-settings";
import { raiseCandidateCreated, raiseGateFailed, raiseGatePassed, raiseRedistillStarted } from "@/lib/db/loop-events";
import { buildLiveSnapshot, latestSnapshot, loadDatasetFiles } from "@/lib/db/snapshots";

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

/** The model's redistillation in flight, if any; a row whose job is no longer alive is closed as an error. */
async function activeRedistill(db: Db, modelId: string, exceptJobRunId?: string): Promise<RedistillRun | null> {
  const rows = await db.redistillRun.findMany({ where: { modelId, status: "running", ...(exceptJobRunId ? { jobRunId: { not: exceptJobRunId } } : {}) } });
  for (const row of rows) {
    const job = await db.jobRun.findUnique({ where: { id: row.jobRunId }, select: { status: true } });
    if (job && (job.status === "queued" || job.status === "running")) return row;
    await db.redistillRun.update({
      where: { id: row.id },
      data: { status: "error", error: `its job ended (${job?.status ?? "gone"}) before the run finished`, finishedAt: new Date() },
    });
  }
  return null;
}

/** Why a new redistillation of the model would only join one already queued or running, or null when none is. */
export async function redistillInFlight(db: Db, modelId: string): Promise<string | null> {
  const running = await activeRedistill(db, modelId);
  if (running) return `redistillation ${running.id} is running (job ${running.jobRunId})`;
  const queued = await db.jobRun.findFirst({ where: { queue: "redistill", singletonKey: `redistill:${modelId}`, status: { in: ["queued", "running"] } } });
  return queued ? `redistillation job ${queued.id} is ${queued.status}` : null;
}

/**
 * Single flight per production model: a redistillation already queued or running takes the request,
 * and a breach on a snapshot that was already redistilled starts nothing new (two breaches, one run).
 */
export async function requestRedistill(
  db: Db,
  enqueue: (input: RedistillInput, createdById?: string) => Promise<JobRun>,
  request: { modelId: string; trigger: RedistillInput["trigger"]; driftCheckId?: string; buildSnapshot?: boolean; createdById?: string },
): Promise<RedistillRequestOutcome> {
  const running = await activeRedistill(db, request.modelId);
  if (running) return { jobRunId: running.jobRunId, reused: true, reason: `redistillation ${running.id} is already running` };
  if (request.trigger === "drift") {
    const model = await db.model.findUniqueOrThrow({ where: { id: request.modelId }, include: { dataset: true } });
    const snapshot = await latestSnapshot(db, model.dataset);
    const done = await db.redistillRun.findFirst({
      where: { modelId: model.id, datasetId: snapshot.id, status: { in: ["passed", "failed"] } },
      orderBy: { createdAt: "desc" },
    });
    if (done)
      return { jobRunId: done.jobRunId, reused: true, reason: `snapshot ${snapshot.name} was already redistilled (run ${done.id}, gate ${done.status})` };
  }
  const queued = await db.jobRun.findFirst({
    where: { queue: "redistill", singletonKey: `redistill:${request.modelId}`, status: { in: ["queued", "running"] } },
  });
  if (queued) return { jobRunId: queued.id, reused: true, reason: `redistillation job ${queued.id} is already ${queued.status}` };
  const job = await enqueue(
    {
      modelId: request.modelId,
      trigger: request.trigger,
      buildSnapshot: request.buildSnapshot ?? false,
      ...(request.driftCheckId ? { driftCheckId: request.driftCheckId } : {}),
    },
    request.createdById,
  );
  return { jobRunId: job.id, reused: false };
}

export interface RedistillHooks {
  db: Db;
  jobRunId: string;
  createdById: string | null;
  log: (message: string, level?: "info" | "warn" | "error") => Promise<void>;
  progress: (fraction: number, message: string) => void;
  fail: (message: string) => Error;
  delay: (ms: number) => Promise<void>;
  enqueueTrain: (input: TrainInput) => Promise<JobRun>;
}

const withConfig = { trainingRun: { select: { config: true } } } as const;

async function waitForJob(h: RedistillHooks, id: string, label: string) {
  for (;;) {
    const job = await h.db.jobRun.findUniqueOrThrow({ where: { id }, include: { trainingRun: { include: { model: true } } } });
    if (job.status === "succeeded") return job;
    if (job.status === "failed" || job.status === "cancelled") throw h.fail(`${label} job ${id} ${job.status}${job.error ? `: ${job.error}` : ""}`);
    h.progress(0.1 + 0.7 * (label === "student" ? 0.5 + job.progress / 200 : job.progress / 200), `${label}: ${job.message} (${Math.round(job.progress)}%)`);
    await h.delay(1000);
  }
}

/** Who owns the candidate experiment: the person who asked, else who last set the loop up, else the oldest admin. */
async function experimentOwner(db: Db, ids: (string | null | undefined)[]): Promise<Person | null> {
  for (const id of ids) {
    if (!id) continue;
    const u = await db.user.findUnique({ where: { id } });
    if (u && !u.disabledAt && u.role !== "viewer") return { id: u.id, email: u.email, role: u.role };
  }
  const admin = await db.user.findFirst({ where: { role: "admin", disabledAt: null }, orderBy: { createdAt: "asc" } });
  return admin ? { id: admin.id, email: admin.email, role: admin.role } : null;
}

export async function runRedistill(
  input: RedistillInput,
  h: RedistillHooks,
): Promise<{ redistillRunId: string; status: string; experimentId: string | null; gate: GateResult | null }> {
  const model = await h.db.model.findUnique({ where: { id: input.modelId }, include: { ...withConfig, dataset: true, teacher: { include: withConfig } } });
  if (!model) throw h.fail(`model ${input.modelId} does not exist`);
  const settings = await getLoopSettings(h.db, model.id);

  let run: RedistillRun | null = await h.db.redistillRun.findUnique({ where: { jobRunId: h.jobRunId } });
  if (run && run.status !== "running")
    return { redistillRunId: run.id, status: run.status, experimentId: run.experimentId, gate: run.gate as unknown as GateResult | null };
  if (!run) {
    const other = await activeRedistill(h.db, model.id, h.jobRunId);
    if (other) {
      await h.log(`redistillation ${other.id} of this model is already running: nothing to do (single flight)`);
      return { redistillRunId: other.id, status: "already_running", experimentId: null, gate: null };
    }
    if (input.buildSnapshot) {
      const built = await buildLiveSnapshot(
        { modelId: model.id },
        { db: h.db, jobRunId: h.jobRunId, log: h.log, progress: (f, m) => h.progress(0.1 * f, m), fail: h.fail },
      );
      await h.log(built.created ? `built snapshot v${built.version}` : `no new snapshot: ${built.reason}`);
    }
    const snapshot = await latestSnapshot(h.db, model.dataset);
    if (snapshot.id === model.datasetId) await h.log(`no snapshot newer than the model's own dataset: redistilling on ${snapshot.name}`, "warn");
    run = await h.db.redistillRun.create({
      data: {
        modelId: model.id,
        trigger: input.trigger,
        driftCheckId: input.driftCheckId ?? null,
        datasetId: snapshot.id,
        jobRunId: h.jobRunId,
        createdById: h.createdById,
      },
    });
    await raiseRedistillStarted(h.db, {
      modelId: model.id,
      entityType: "redistill_run",
      entityId: run.id,
      summary: `redistilling ${model.name} on ${snapshot.name} (${input.trigger})`,
      data: { trigger: input.trigger, driftCheckId: input.driftCheckId ?? null, datasetId: snapshot.id, jobRunId: h.jobRunId },
    });
  }
  const snapshot = await h.db.dataset.findUniqueOrThrow({ where: { id: run.datasetId } });
  try {
    // teacher then student, each a train job of its own (progress and logs on the Jobs page)
    if (!run.teacherJobRunId || !run.studentJobRunId) {
      // a production teacher: its newest distilled student shapes the new one
      const template =
        model.role === "teacher"
          ? await h.db.model.findFirst({
              where: { teacherId: model.id, role: "student", distillationMethod: { notIn: ["none"] }, archivedAt: null },
              orderBy: { createdAt: "desc" },
              include: withConfig,
            })
          : null;
      const plan = redistillPlan(model, snapshot.id, snapshot.name, template);
      const warm = settings.warmStartTeacher && model.teacher && model.teacher.dimension === plan.teacher.dimension ? model.teacher.id : undefined;
      const teacherJob = await h.enqueueTrain(trainInput.parse({ ...plan.teacher, ...(warm ? { warmStartModelId: warm } : {}) }));
      const studentJob = await h.enqueueTrain(trainInput.parse({ ...plan.student, teacherJobRunId: teacherJob.id }));
      run = await h.db.redistillRun.update({ where: { id: run.id }, data: { teacherJobRunId: teacherJob.id, studentJobRunId: studentJob.id } });
      await h.log(
        `queued teacher job ${teacherJob.id}${warm ? ` (warm start from ${warm})` : " (from scratch)"} and student job ${studentJob.id} on ${snapshot.name}`,
      );
    }
    await waitForJob(h, run.teacherJobRunId!, "teacher");
    const studentJob = await waitForJob(h, run.studentJobRunId!, "student");
    const candidate = studentJob.trainingRun?.model;
    if (!candidate) throw h.fail(`student job ${studentJob.id} produced no model`);
    run = await h.db.redistillRun.update({ where: { id: run.id }, data: { candidateModelId: candidate.id } });

    h.progress(0.85, "offline gate");
    const gate = await gateCandidate(h.db, candidate.artifactUri, model, snapshot, settings.gate);
    await h.log(`offline gate ${gate.summary}`);
    if (!gate.passed) {
      run = await h.db.redistillRun.update({ where: { id: run.id }, data: { status: "failed", gate: json(gate), finishedAt: new Date() } });
      await raiseGateFailed(h.db, {
        modelId: model.id,
        entityType: "redistill_run",
        entityId: run.id,
        summary: `redistilled ${candidate.name} failed the offline gate: ${gate.summary}`,
        data: { failed: gate.failed, checks: gate.checks, candidateModelId: candidate.id },
      });
      return { redistillRunId: run.id, status: "failed", experimentId: null, gate };
    }
    await raiseGatePassed(h.db, {
      modelId: model.id,
      entityType: "redistill_run",
      entityId: run.id,
      summary: `redistilled ${candidate.name} passed the offline gate: ${gate.summary}`,
      data: { checks: gate.checks, candidateModelId: candidate.id },
    });
    const owner = await experimentOwner(h.db, [run.createdById, settings.updatedById]);
    if (!owner) throw h.fail("no editor or admin account to own the candidate experiment");
    const cfg = experimentConfigSchema.parse({
      name: `Redistillation on ${snapshot.name}`.slice(0, 120),
      description: `Created by redistillation ${run.id} (${input.trigger}) on snapshot ${snapshot.name}. Offline gate ${gate.summary}`.slice(0, 2000),
      controlModelId: model.id,
      candidateModelId: candidate.id,
    });
    // a retry after the experiment was created (before the run recorded it) finds it by the run id it names
    const experiment =
      (await h.db.experiment.findFirst({ where: { description: { contains: `redistillation ${run.id} ` } } })) ?? (await createExperiment(h.db, cfg, owner));
    let started = false;
    if (settings.autoStartExperiment) {
      try {
        await startExperiment(h.db, experiment.id, owner, "started at once: the model's loop settings say so");
        started = true;
      } catch (err) {
        await h.log(`the experiment could not start at once (${err instanceof Error ? err.message : String(err)}); it waits for a person`, "warn");
      }
    }
    run = await h.db.redistillRun.update({
      where: { id: run.id },
      data: { status: "passed", gate: json(gate), experimentId: experiment.id, finishedAt: new Date() },
    });
    await raiseCandidateCreated(h.db, {
      modelId: model.id,
      entityType: "experiment",
      entityId: experiment.id,
      summary: `candidate experiment "${experiment.name}" ${started ? "started" : "waits for a person to start it"}`,
      data: { redistillRunId: run.id, candidateModelId: candidate.id, started },
    });
    h.progress(1, started ? "candidate experiment started" : "candidate experiment waiting to be started");
    return { redistillRunId: run.id, status: "passed", experimentId: experiment.id, gate };
  } catch (err) {
    await h.db.redistillRun.update({
      where: { id: run.id },
      data: { status: "error", error: err instanceof Error ? err.message : String(err), finishedAt: new Date() },
    });
    throw err;
  }
}

/** The candidate against the production student on the snapshot's test split (lib/recsys/eval/gate.ts). */
async function gateCandidate(
  db: Db,
  candidateDir: string,
  production: { artifactUri: string; datasetId: string },
  snapshot: Parameters<typeof loadDatasetFiles>[0],
  settings: GateResult["settings"],
) {
  const { loadModel } = await import("@/lib/recsys/artifact");
  const { runOfflineGate } = await import("@/lib/recsys/eval/gate");
  const { itemCountsById } = await import("@/lib/drift/signals");
  const { data } = await loadDatasetFiles(snapshot);
  const productionData = await loadDatasetFiles(await db.dataset.findUniqueOrThrow({ where: { id: production.datasetId } }));
  const candidate = await loadModel(candidateDir);
  const prod = await loadModel(production.artifactUri);
  try {
    return runOfflineGate(candidate, prod, data, itemCountsById(productionData.data), settings);
  } finally {
    candidate.dispose();
    prod.dispose();
  }
}
