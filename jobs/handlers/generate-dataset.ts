// Generates a synthetic dataset and stores it (tsv-dir under DATA_DIR/datasets/<id>/ plus the Dataset
// row). Idempotent: same parameters ⇒ same snapshot ⇒ the same row.
import type { GenerateDatasetInput } from "@/lib/jobs/definitions";
import type { JobContext } from "../context";

export async function generateDataset(input: GenerateDatasetInput, ctx: JobContext): Promise<{ datasetId: string; snapshot: string }> {
  // loaded on use: a broken generator fails this job, not the worker
  const { createSyntheticDataset } = await import("@/lib/db/synthetic-datasets");
  ctx.progress(5, "generating interactions");
  const row = await createSyntheticDataset(input, ctx.db, (m) => ctx.log(m));
  return { datasetId: row.id, snapshot: row.snapshot };
}
