// Every minute (pg-boss cron): user segments of live candidates' datasets, then the teacher agreement
// of sampled slates (lib/serving/distillation-signals.ts does the work).
import type { JobContext } from "../context";
import type { DistillationSignalsInput } from "@/lib/jobs/definitions";

export async function distillationSignals(input: DistillationSignalsInput, ctx: JobContext) {
  const { scoreSlateSamples, segmentLiveDatasets } = await import("@/lib/serving/distillation-signals");
  const segments = await segmentLiveDatasets(ctx.db);
  for (const f of segments.failed) await ctx.log(`dataset ${f.datasetId}: user segments not computed: ${f.error}`, "error");
  ctx.progress(30, `${segments.computed.length} dataset(s) segmented`);
  const slates = await scoreSlateSamples(ctx.db, { limit: input.limit });
  if (slates.failed > 0) await ctx.log(`${slates.failed} sampled slate(s) could not be scored (see SlateSample.scoreError)`, "warn");
  ctx.progress(100, `${slates.scored} slate(s) scored`);
  return { segmented: segments.computed, segmentErrors: segments.failed, ...slates };
}
