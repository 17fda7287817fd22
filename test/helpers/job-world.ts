// One test file's job world: an isolated database, a DATA_DIR of its own, a pg-boss client and a real
// worker process (started in beforeAll, stopped in afterAll); and training run in this process as if a
// worker had run the job.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/lib/db/client";
import { createBoss } from "@/lib/jobs/boss";
import { trainInput } from "@/lib/jobs/definitions";
import { runTraining } from "@/lib/services/training";
import { isolatedTestDatabase } from "./db";
import { startWorkerProcess, type WorkerProcess } from "./worker";

export interface JobWorldOptions {
  /** WORKER_QUEUES of the worker (default: every queue) */
  queues?: string;
  /** runs in afterAll before the worker stops (e.g. cancelling jobs left queued) */
  beforeStop?: () => Promise<void>;
}

export function jobWorld(label: string, { queues, beforeStop }: JobWorldOptions = {}) {
  const t = isolatedTestDatabase(label);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `understudy-${label}-`));
  const previousDataDir = process.env.DATA_DIR;
  let boss: PgBoss;
  let worker: WorkerProcess;

  beforeAll(async () => {
    process.env.DATA_DIR = dataDir;
    boss = createBoss(t().url, { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
    await boss.start();
    worker = await startWorkerProcess(t().url, { DATA_DIR: dataDir, ...(queues && { WORKER_QUEUES: queues }) });
  });

  afterAll(async () => {
    await beforeStop?.();
    await worker?.stop();
    await boss?.stop({ graceful: false });
    process.env.DATA_DIR = previousDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  return { t, dataDir, deps: () => ({ db: t().db, boss }), worker: () => worker };
}

const noop = async () => undefined;

/** the hooks runTraining gets from a worker, for running job `jobRunId` in this process */
export function inProcessTraining(db: Db, jobRunId: string) {
  return { db, jobRunId, progress: () => undefined, log: noop, signal: new AbortController().signal, fail: (m: string) => new Error(m), delay: noop };
}

/** trains in this process; a finished JobRun row owns the TrainingRun, as if a worker had run it */
export async function trainInProcess(db: Db, raw: unknown) {
  const input = trainInput.parse(raw);
  const job = await db.jobRun.create({ data: { queue: "train", input: raw as object, status: "succeeded" } });
  return runTraining(input, inProcessTraining(db, job.id));
}

export const SMALL_HYPERPARAMETERS = { evalEvery: 1, patience: 2, batchSize: 256 };

/** a teacher of dimension 16 and an rrd student of dimension 4 distilled from it, trained here */
export async function trainTeacherAndStudent(
  db: Db,
  datasetId: string,
  { teacherEpochs, studentEpochs, seed }: { teacherEpochs: number; studentEpochs: number; seed: number },
) {
  const hyperparameters = SMALL_HYPERPARAMETERS;
  const teacher = await trainInProcess(db, { role: "teacher", datasetId, dimension: 16, epochs: teacherEpochs, seed, hyperparameters });
  const student = await trainInProcess(db, {
    role: "student",
    datasetId,
    dimension: 4,
    method: "rrd",
    teacherModelId: teacher.modelId,
    epochs: studentEpochs,
    seed,
    hyperparameters,
  });
  return { teacher, student };
}
