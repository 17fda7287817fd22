// Folds live clicks and conversions into a new snapshot of the production model's dataset (lib/db/snapshots.ts).
import { PermanentJobError, type JobContext } from "../context";
import type { SnapshotBuildInput } from "@/lib/jobs/definitions";

export async function snapshotBuild(input: SnapshotBuildInput, ctx: JobContext) {
  const { buildLiveSnapshot } = await import("@/lib/db/snapshots");
  return buildLiveSnapshot(input, {
    db: ctx.db,
    jobRunId: ctx.jobRunId,
    progress: (fraction, message) => ctx.progress(100 * fraction, message),
    log: (message, level) => ctx.log(message, level),
    fail: (message) => new PermanentJobError(message),
  });
}
