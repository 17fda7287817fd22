// Evaluates a teacher and other models on the same split and negatives (lib/db/comparisons.ts does the work).
import { PermanentJobError, type JobContext } from "../context";
import type { CompareModelsInput } from "@/lib/jobs/definitions";

export async function compareModels(input: CompareModelsInput, ctx: JobContext) {
  const { runComparison } = await import("@/lib/db/comparisons");
  return runComparison(input, {
    db: ctx.db,
    jobRunId: ctx.jobRunId,
    progress: (fraction, message) => ctx.progress(100 * fraction, message),
    log: (message, level) => ctx.log(message, level),
    fail: (message) => new PermanentJobError(message),
  });
}
