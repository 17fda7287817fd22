// Evaluates a teacher and other models on the same split and negatives (lib/db/comparisons.ts does the work).
import { serviceHooks, type JobContext } from "../context";
import type { CompareModelsInput } from "@/lib/jobs/definitions";

export async function compareModels(input: CompareModelsInput, ctx: JobContext) {
  const { runComparison } = await import("@/lib/db/comparisons");
  return runComparison(input, serviceHooks(ctx));
}
