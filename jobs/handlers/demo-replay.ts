// Demo installs: replays the drifted demo world through the events ingestion, folds it into a snapshot
// and checks drift; a breach queues a redistillation (lib/db/demo-replay.ts does the work).
import { serviceHooks, type JobContext } from "../context";
import type { DemoReplayInput } from "@/lib/jobs/definitions";
import type { NotificationInput } from "@/lib/notifications/types";

export async function demoReplay(input: DemoReplayInput, ctx: JobContext) {
  const { runDemoReplay } = await import("@/lib/services/demo-replay");
  const { enqueueJob } = await import("@/lib/jobs/enqueue");
  const { senderBoss } = await import("@/lib/jobs/boss");
  // the redistillation (and its candidate experiment) is credited to whoever asked for the replay
  const own = await ctx.db.jobRun.findUnique({ where: { id: ctx.jobRunId }, select: { createdById: true } });
  const createdById = own?.createdById ?? undefined;
  return runDemoReplay(input, {
    ...serviceHooks(ctx),
    enqueueTrain: async (train) => enqueueJob({ queue: "train", input: train, createdById }, { db: ctx.db, boss: await senderBoss() }),
    enqueueRedistill: async (redistill) => enqueueJob({ queue: "redistill", input: redistill, createdById }, { db: ctx.db, boss: await senderBoss() }),
    notify: async (n: NotificationInput) => (await import("@/lib/notifications/notify")).notify(n, { db: ctx.db }),
  });
}
