// Compares two dataset snapshots, or a production model's training snapshot with its live traffic, and
// on drift raises an alert and queues a redistillation (lib/services/drift.ts does the work).
import { serviceHooks, type JobContext } from "../context";
import type { DriftCheckInput } from "@/lib/jobs/definitions";
import type { NotificationInput } from "@/lib/notifications/types";

export async function driftCheck(input: DriftCheckInput, ctx: JobContext) {
  const { runDriftCheck, runLiveDriftCheck } = await import("@/lib/services/drift");
  const { enqueueJob } = await import("@/lib/jobs/enqueue");
  const { senderBoss } = await import("@/lib/jobs/boss");
  // the redistillation jobs are credited to whoever asked for the check
  const own = await ctx.db.jobRun.findUnique({ where: { id: ctx.jobRunId }, select: { createdById: true } });
  const createdById = own?.createdById ?? undefined;
  const hooks = {
    ...serviceHooks(ctx),
    // the worker's DATABASE_URL is the database of ctx.db: the process-wide sender reaches the same pg-boss
    enqueueTrain: async (train: unknown) => enqueueJob({ queue: "train", input: train, createdById }, { db: ctx.db, boss: await senderBoss() }),
    enqueueRedistill: async (redistill: unknown) => enqueueJob({ queue: "redistill", input: redistill, createdById }, { db: ctx.db, boss: await senderBoss() }),
    notify: async (n: NotificationInput) => (await import("@/lib/notifications/notify")).notify(n, { db: ctx.db }),
  };
  return "kind" in input ? runLiveDriftCheck(input, hooks) : runDriftCheck(input, hooks);
}
