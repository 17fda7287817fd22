// Generate a synthetic dataset with lib/recsys's seeded generator, store its files and record the row.
// Shared by the generate-dataset job and the demo seed.
import { contentHash, datasetStats, generateSynthetic, type SyntheticOptions } from "@/lib/recsys/data";
import type { Dataset, Prisma } from "./generated/client";
import type { Db } from "./client";
import { saveDataset } from "./datasets";

export interface SyntheticDatasetRequest extends SyntheticOptions {
  name: string;
  parentDatasetId?: string;
}

export async function createSyntheticDataset(
  request: SyntheticDatasetRequest,
  db: Db,
  log: (message: string) => void | Promise<void> = () => undefined,
): Promise<Dataset> {
  const { name, parentDatasetId, ...options } = request;
  const ds = { ...generateSynthetic(options), name };
  const stats = datasetStats(ds);
  const snapshot = contentHash(ds);
  await log(`generated ${stats.users} users, ${stats.items} items, ${stats.interactions} interactions (snapshot ${snapshot.slice(0, 12)})`);
  const row = await saveDataset(
    {
      name,
      source: "synthetic",
      snapshot,
      params: JSON.parse(JSON.stringify({ ...options, stats })) as Prisma.InputJsonValue,
      numUsers: stats.users,
      numItems: stats.items,
      numInteractions: stats.interactions,
      parentId: parentDatasetId ?? null,
    },
    ds,
    db,
  );
  await log(`stored as dataset ${row.id} in ${row.storagePath}`);
  return row;
}
