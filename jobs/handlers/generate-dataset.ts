// Generates a synthetic dataset (lib/recsys's seeded generator), stores it as a tsv-dir under
// DATA_DIR/datasets/<id>/ and records the Dataset row. Idempotent: same parameters ⇒ same snapshot ⇒ same row.
import { saveDataset } from "@/lib/db/datasets";
import type { GenerateDatasetInput } from "../definitions";
import type { JobContext } from "../context";

export async function generateDataset(input: GenerateDatasetInput, ctx: JobContext): Promise<{ datasetId: string; snapshot: string }> {
  // loaded on use: a missing or broken generator fails this job, not the worker
  const data = await import("@/lib/recsys/data");
  ctx.progress(5, "generating interactions");
  const { name, parentDatasetId, ...options } = input;
  const ds = { ...data.generateSynthetic(options), name };
  ctx.throwIfAborted();
  const stats = data.datasetStats(ds);
  const snapshot = data.contentHash(ds);
  await ctx.log(`generated ${stats.users} users, ${stats.items} items, ${stats.interactions} interactions (snapshot ${snapshot.slice(0, 12)})`);
  ctx.progress(60, "storing the snapshot");
  const row = await saveDataset(
    {
      name,
      source: "synthetic",
      snapshot,
      params: { ...options, stats: { ...stats } },
      numUsers: stats.users,
      numItems: stats.items,
      numInteractions: stats.interactions,
      parentId: parentDatasetId ?? null,
    },
    ds,
    ctx.db,
  );
  await ctx.log(`stored as dataset ${row.id} in ${row.storagePath}`);
  return { datasetId: row.id, snapshot };
}
