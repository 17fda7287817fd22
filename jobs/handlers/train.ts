// Trains a teacher or distills a student (lib/services/training.ts does the work); with compareWithTeacher, a
// trained student's offline comparison with its teacher is queued next.
import { abortableDelay, serviceHooks, type JobContext } from "../context";
import type { TrainInput } from "@/lib/jobs/definitions";

export async function train(input: TrainInput, ctx: JobContext): Promise<{ modelId: string; trainingRunId: string; comparisonJobRunId?: string }> {
  const { runTraining } = await import("@/lib/services/training");
  const result = await runTraining(input, {
    ...serviceHooks(ctx),
    signal: ctx.signal,
    delay: (ms) => abortableDelay(ms, ctx.signal),
  });
  if (!input.compareWithTeacher) return result;
  const model = await ctx.db.model.findUniqueOrThrow({ where: { id: result.modelId }, select: { teacherId: true } });
  if (!model.teacherId) {
    await ctx.log("compareWithTeacher: this student has no teacher to compare with", "warn");
    return result;
  }
  const { enqueueJob } = await import("@/lib/jobs/enqueue");
  const { senderBoss } = await import("@/lib/jobs/boss");
  const own = await ctx.db.jobRun.findUnique({ where: { id: ctx.jobRunId }, select: { createdById: true } });
  const comparison = await enqueueJob(
    { queue: "compare-models", input: { teacherId: model.teacherId, modelIds: [result.modelId] }, createdById: own?.createdById ?? undefined },
    { db: ctx.db, boss: await senderBoss() },
  );
  await ctx.log(`queued the offline comparison with the teacher: job ${comparison.id}`);
  return { ...result, comparisonJobRunId: comparison.id };
}
