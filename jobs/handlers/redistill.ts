// Redistills a production model and gates the student offline (lib/services/redistill.ts does the work).
import { abortableDelay, serviceHooks, type JobContext } from "../context";
import type { RedistillInput } from "@/lib/jobs/definitions";

export async function redistill(input: RedistillInput, ctx: JobContext) {
  const { runRedistill } = await import("@/lib/services/redistill");
  const { enqueueJob } = await import("@/lib/jobs/enqueue");
  const { senderBoss } = await import("@/lib/jobs/boss");
  const own = await ctx.db.jobRun.findUnique({ where: { id: ctx.jobRunId }, select: { createdById: true } });
  return runRedistill(input, {
    ...serviceHooks(ctx),
    createdById: own?.createdById ?? null,
    delay: (ms) => abortableDelay(ms, ctx.signal),
    enqueueTrain: async (train) =>
      enqueueJob({ queue: "train", input: train, createdById: own?.createdById ?? undefined }, { db: ctx.db, boss: await senderBoss() }),
  });
}
