// Folds live clicks and conversions into a new snapshot of the production model's dataset (lib/db/snapshots.ts).
import { serviceHooks, type JobContext } from "../context";
import type { SnapshotBuildInput } from "@/lib/jobs/definitions";

export async function snapshotBuild(input: SnapshotBuildInput, ctx: JobContext) {
  const { buildLiveSnapshot } = await import("@/lib/db/snapshots");
  return buildLiveSnapshot(input, serviceHooks(ctx));
}
