// Starting and cancelling background jobs: what route handlers, server actions and the seed call.
// The JobRun row is what people see; the pg-boss job (data: {jobRunId}) is what a worker runs.
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import type { JobRun, Prisma } from "@/lib/db/generated/client";
import { jobDefinition } from "@/lib/jobs/definitions";
import { QUEUE_NAMES, type QueueName } from "@/lib/jobs/queues";
import { senderBoss } from "./boss";

export interface JobDeps {
  db: Db;
  boss: PgBoss;
}

async function defaultDeps(): Promise<JobDeps> {
  return { db: defaultDb(), boss: await senderBoss() };
}

const enqueueRequest = z.object({
  queue: z.enum(QUEUE_NAMES),
  input: z.unknown(),
  singletonKey: z.string().min(1).max(300).optional(),
  createdById: z.string().min(1).optional(),
});

export interface EnqueueRequest {
  queue: QueueName;
  input: unknown;
  /** runs with the same key never overlap; defaults to the queue's key for this input, if any */
  singletonKey?: string;
  createdById?: string;
}

/**
 * A person's enqueueJob, with its `job.enqueued` audit entry (queue and input). The run comes back with
 * its creator's email, ready for toJobView.
 */
export async function enqueueAudited(request: { queue: QueueName; input: unknown; by: { id: string; email: string } }, deps?: JobDeps) {
  const run = await enqueueJob({ queue: request.queue, input: request.input, createdById: request.by.id }, deps);
  await recordAudit({
    actor: { id: request.by.id, label: request.by.email },
    action: "job.enqueued",
    entityType: "job",
    entityId: run.id,
    data: { queue: request.queue, input: request.input as Prisma.InputJsonValue },
  });
  return { ...run, createdBy: { email: request.by.email } };
}

/**
 * Validates `input` with the queue's zod schema (a ZodError names the failing fields, under "input"),
 * records a queued JobRun and sends the pg-boss job. When a run with the same singleton key is
 * already queued or running, that run is returned instead of a new one.
 */
export async function enqueueJob(request: EnqueueRequest, deps?: JobDeps): Promise<JobRun> {
  const req = enqueueRequest.parse(request);
  const def = jobDefinition(req.queue);
  const parsed = def.input.safeParse(req.input);
  if (!parsed.success) {
    throw new z.ZodError(parsed.error.issues.map((issue) => ({ ...issue, path: ["input", ...issue.path] })));
  }
  const input = parsed.data;
  const { db, boss } = deps ?? (await defaultDeps());
  const singletonKey = req.singletonKey ?? def.singletonKey?.(input) ?? null;

  if (singletonKey) {
    const active = await findActiveRun(db, req.queue, singletonKey);
    if (active) return active;
  }

  const run = await db.jobRun.create({
    data: {
      queue: req.queue,
      input: input as object,
      singletonKey,
      createdById: req.createdById ?? null,
      message: "queued",
    },
  });
  let bossJobId: string | null;
  try {
    bossJobId = await boss.send(req.queue, { jobRunId: run.id }, { singletonKey: singletonKey ?? `run:${run.id}` });
  } catch (err) {
    await db.jobRun.delete({ where: { id: run.id } });
    throw err;
  }
  if (!bossJobId) {
    // Another run with this key got in between our check and our send (pg-boss's exclusive policy refused ours).
    await db.jobRun.delete({ where: { id: run.id } });
    const active = singletonKey ? await findActiveRun(db, req.queue, singletonKey) : null;
    if (active) return active;
    throw new Error(`a ${req.queue} job with key "${singletonKey}" is already queued or running`);
  }
  return db.jobRun.update({ where: { id: run.id }, data: { bossJobId } });
}

function findActiveRun(db: Db, queue: string, singletonKey: string): Promise<JobRun | null> {
  return db.jobRun.findFirst({
    where: { queue, singletonKey, status: { in: ["queued", "running"] } },
    orderBy: { createdAt: "asc" },
  });
}

export class JobNotFoundError extends Error {
  constructor(id: string) {
    super(`job ${id} does not exist`);
    this.name = "JobNotFoundError";
  }
}

/**
 * Asks a run to stop. A queued run is cancelled at once; a running one sees its AbortSignal fire
 * within a heartbeat and ends as "cancelled". Finished runs are returned unchanged.
 */
export async function requestCancel(jobRunId: string, deps?: JobDeps): Promise<JobRun> {
  const { db, boss } = deps ?? (await defaultDeps());
  const run = await db.jobRun.findUnique({ where: { id: jobRunId } });
  if (!run) throw new JobNotFoundError(jobRunId);
  if (run.status !== "queued" && run.status !== "running") return run;

  await db.jobRun.update({ where: { id: run.id }, data: { cancelRequested: true } });
  // Queued (including waiting for a retry): nobody is running it, so it is cancelled now.
  await db.jobRun.updateMany({
    where: { id: run.id, status: "queued" },
    data: { status: "cancelled", finishedAt: new Date(), message: "cancelled before it ran" },
  });
  if (run.bossJobId) await boss.cancel(run.queue, run.bossJobId);
  return (await db.jobRun.findUnique({ where: { id: run.id } }))!;
}
