// Runs one pg-boss job: keeps its JobRun row (status, attempts, progress, error) in step with what
// happens, and tells pg-boss how the attempt ended (completed / failed → retry / deadletter → no retry).
// Nothing a handler does can escape this function as an exception.
import type { Job, JobResult } from "pg-boss";
import { ZodError } from "zod";
import type { Db } from "@/lib/db/client";
import type { JobRun } from "@/lib/db/generated/client";
import { jobDefinition } from "@/lib/jobs/definitions";
import type { QueueName } from "@/lib/jobs/queues";
import type { JobHandler } from "./registry";
import { createJobContext, JobCancelledError, PermanentJobError, WorkerStoppingError, type ManagedJobContext } from "./context";

/** pg-boss job payload: a JobRun id, or (jobs created by a schedule) the input itself. */
export interface BossJobData {
  jobRunId?: string;
  input?: unknown;
  scheduleKey?: string;
}

export interface RunJobOptions {
  db: Db;
  queue: QueueName;
  job: Job<BossJobData>;
  handler: JobHandler<unknown>;
  /** the worker tracks live contexts to abort them on shutdown */
  track?: (ctx: ManagedJobContext) => () => void;
}

function errorText(err: unknown): string {
  if (err instanceof ZodError) return `invalid input: ${err.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

async function resolveRun(db: Db, queue: QueueName, job: Job<BossJobData>): Promise<JobRun | null> {
  const data = job.data ?? {};
  if (data.jobRunId) return db.jobRun.findUnique({ where: { id: data.jobRunId } });
  // Created by a schedule: record it so it shows in the job list like any other run.
  return db.jobRun.upsert({
    where: { bossJobId: job.id },
    create: {
      queue,
      bossJobId: job.id,
      input: (data.input ?? {}) as object,
      singletonKey: data.scheduleKey ? `schedule:${queue}:${data.scheduleKey}` : null,
      message: "queued by schedule",
    },
    update: {},
  });
}

export async function runJob(opts: RunJobOptions): Promise<JobResult> {
  const { db, queue, job } = opts;
  const def = jobDefinition(queue);
  const attempt = job.retryCount + 1;
  const lastAttempt = attempt > def.retryLimit;
  const done = (status: JobResult["status"], output?: object): JobResult => ({ id: job.id, status, output });

  let run: JobRun | null;
  try {
    run = await resolveRun(db, queue, job);
  } catch (err) {
    console.error(`[worker] ${queue} job ${job.id}: cannot read its JobRun: ${errorText(err)}`);
    return done("failed", { error: errorText(err) });
  }
  if (!run) return done("deadletter", { error: "its JobRun row no longer exists" });
  if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled") {
    return done("completed", { alreadyFinished: run.status });
  }

  const now = new Date();
  if (run.singletonKey) {
    // pg-boss's exclusive policy keeps one job per key; this also covers runs it no longer tracks.
    const overlapping = await db.jobRun.findFirst({
      where: {
        queue,
        singletonKey: run.singletonKey,
        status: "running",
        id: { not: run.id },
        heartbeatAt: { gt: new Date(now.getTime() - 2 * def.heartbeatSeconds * 1000) },
      },
      select: { id: true },
    });
    if (overlapping) return done("failed", { error: `run ${overlapping.id} with the same key is still running` });
  }
  const claimed = await db.jobRun.updateMany({
    where: { id: run.id, status: { in: ["queued", "running"] }, cancelRequested: false },
    data: {
      status: "running",
      attempts: attempt,
      startedAt: run.startedAt ?? now,
      heartbeatAt: now,
      bossJobId: job.id,
      message: attempt > 1 ? `attempt ${attempt}` : "started",
    },
  });
  if (claimed.count === 0) {
    await db.jobRun.updateMany({
      where: { id: run.id, status: { in: ["queued", "running"] } },
      data: { status: "cancelled", finishedAt: now, message: "cancelled before it ran" },
    });
    return done("completed", { cancelled: true });
  }

  const ctx = createJobContext({ db, jobRunId: run.id, attempt, bossSignal: job.signal });
  const untrack = opts.track?.(ctx) ?? (() => undefined);
  try {
    if (attempt > 1) await ctx.log(`attempt ${attempt} of ${def.retryLimit + 1}${run.error ? ` (previous: ${run.error})` : ""}`, "warn");
    const input = def.input.parse(run.input);
    const result = await opts.handler(input, ctx);
    await ctx.close();
    await db.jobRun.update({
      where: { id: run.id },
      data: {
        status: "succeeded",
        progress: 100,
        message: "done",
        result: (result ?? null) === null ? undefined : (result as object),
        error: null,
        finishedAt: new Date(),
        heartbeatAt: new Date(),
      },
    });
    await ctx.log("succeeded");
    return done("completed", { jobRunId: run.id });
  } catch (err) {
    await ctx.close().catch(() => undefined);
    return settleFailure({ db, run, ctx, err, attempt, lastAttempt, done });
  } finally {
    untrack();
  }
}

async function settleFailure(a: {
  db: Db;
  run: JobRun;
  ctx: ManagedJobContext;
  err: unknown;
  attempt: number;
  lastAttempt: boolean;
  done: (status: JobResult["status"], output?: object) => JobResult;
}): Promise<JobResult> {
  const { db, run, ctx, attempt, lastAttempt, done } = a;
  const reason: unknown = ctx.signal.aborted ? ctx.signal.reason : a.err;
  // when pg-boss took the job away (expired, heartbeat missed) the handler only reports "aborted": say why
  const text = ctx.signal.aborted && reason instanceof Error && !(reason instanceof JobCancelledError) ? errorText(reason) : errorText(a.err);
  try {
    const fresh = await db.jobRun.findUnique({ where: { id: run.id }, select: { cancelRequested: true } });
    if (reason instanceof JobCancelledError || fresh?.cancelRequested) {
      await db.jobRun.update({ where: { id: run.id }, data: { status: "cancelled", message: "cancelled", finishedAt: new Date() } });
      await ctx.log("cancelled on request", "warn");
      return done("completed", { cancelled: true });
    }
    if (reason instanceof WorkerStoppingError && !lastAttempt) {
      await db.jobRun.update({ where: { id: run.id }, data: { status: "queued", message: "interrupted: the worker stopped; it will run again" } });
      await ctx.log("interrupted by worker shutdown; it will run again", "warn");
      return done("failed", { error: text });
    }
    const permanent = a.err instanceof PermanentJobError || a.err instanceof ZodError;
    if (permanent || lastAttempt) {
      await db.jobRun.update({
        where: { id: run.id },
        data: { status: "failed", error: text, message: "failed", finishedAt: new Date() },
      });
      await ctx.log(`failed${permanent ? "" : ` after ${attempt} attempts`}: ${text}`, "error");
      if (!permanent) console.error(a.err);
      return done(permanent ? "deadletter" : "failed", { error: text });
    }
    await db.jobRun.update({
      where: { id: run.id },
      data: { status: "queued", error: text, message: `attempt ${attempt} failed; retrying with backoff` },
    });
    await ctx.log(`attempt ${attempt} failed: ${text}; retrying`, "error");
    return done("failed", { error: text });
  } catch (bookkeeping) {
    console.error(`[worker] job ${run.id}: could not record the outcome (${errorText(bookkeeping)}); original error: ${text}`);
    return done("failed", { error: text });
  }
}
