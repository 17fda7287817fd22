// Compares two dataset snapshots and, on drift, raises an alert and queues a redistillation (lib/db/drift.ts does the work).
import { PermanentJobError, type JobContext } from "../context";
import type { DriftCheckInput } from "../definitions";

export async function driftCheck(input: DriftCheckInput, ctx: JobContext) {
  const { runDriftCheck } = await import("@/lib/db/drift");
  const { enqueueJob } = await import("@/lib/jobs/enqueue");
  const { senderBoss } = await import("@/lib/jobs/boss");
  // the redistillation jobs are credited to whoever asked for the check
  const own = await ctx.db.jobRun.findUnique({ where: { id: ctx.jobRunId }, select: { createdById: true } });
  return runDriftCheck(input, {
    db: ctx.db,
    jobRunId: ctx.jobRunId,
    progress: (fraction, message) => ctx.progress(100 * fraction, message),
    log: (message, level) => ctx.log(message, level),
    // the worker's DATABASE_URL is the database of ctx.db: the process-wide sender reaches the same pg-boss
    enqueueTrain: async (input) => enqueueJob({ queue: "train", input, createdById: own?.createdById ?? undefined }, { db: ctx.db, boss: await senderBoss() }),
    fail: (message) => new PermanentJobError(message),
    notify: async (n) => (await import("@/lib/notifications/notify")).notify(n, { db: ctx.db }),
  });
}
