// Trains a teacher or distills a student (lib/services/training.ts does the work).
import { abortableDelay, PermanentJobError, type JobContext } from "../context";
import type { TrainInput } from "@/lib/jobs/definitions";

export async function train(input: TrainInput, ctx: JobContext): Promise<{ modelId: string; trainingRunId: string }> {
  const { runTraining } = await import("@/lib/services/training");
  return runTraining(input, {
    db: ctx.db,
    jobRunId: ctx.jobRunId,
    progress: (fraction, message) => ctx.progress(100 * fraction, message),
    log: (message, level) => ctx.log(message, level),
    signal: ctx.signal,
    fail: (message) => new PermanentJobError(message),
    delay: (ms) => abortableDelay(ms, ctx.signal),
  });
}
