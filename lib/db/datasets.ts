// Dataset rows and their stored copies. The interactions themselves are files (tsv-dir under
// DATA_DIR/datasets/<id>/); the row keeps the source, parameters, counts and the snapshot hash.
import path from "node:path";
import { INTERACTIONS_FILE, interactionsFromDataset, writeInteractionsTsv } from "@/lib/recsys/data/interactions-tsv";
import type { DedupedInteractions } from "@/lib/recsys/data/split";
import { writeTsvDir } from "@/lib/recsys/data/tsv-dir";
import type { Dataset as RecsysDataset } from "@/lib/recsys/types";
import type { Dataset, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";
import { datasetStoragePath, resolveStoragePath } from "./storage";

/** Reads a stored dataset directory (lib/recsys writeTsvDir: tsv files + ids.json) under the row's name. */
export async function readStoredTsvDir(dir: string, name: string): Promise<RecsysDataset> {
  const { loadTsvDir } = await import("@/lib/recsys/data");
  return { ...loadTsvDir(dir), name };
}

/** Where a dataset came from (the database's CHECK constraint on Dataset.source holds the same list). */
export const DATASET_SOURCES = ["synthetic", "tsv-dir", "movielens", "csv", "live"] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

export interface DatasetRecordInput {
  name: string;
  source: DatasetSource;
  sourcePath?: string | null;
  snapshot: string;
  params: Prisma.InputJsonValue;
  numUsers: number;
  numItems: number;
  numInteractions: number;
  parentId?: string | null;
}

/**
 * Records a dataset snapshot and stores its files: train/valid/test.tsv, ids.json and interactions.tsv
 * (`interactions` with their times when known, else derived from the split without times). Idempotent:
 * the same (source, snapshot) maps to one row, so a job that runs again after a crash finds and
 * completes the row it made.
 */
export async function saveDataset(
  input: DatasetRecordInput,
  data: RecsysDataset,
  db: Db = defaultDb(),
  opts: { interactions?: DedupedInteractions } = {},
): Promise<Dataset> {
  const row = await db.dataset.upsert({
    where: { source_snapshot: { source: input.source, snapshot: input.snapshot } },
    create: { ...input, sourcePath: input.sourcePath ?? null, parentId: input.parentId ?? null },
    update: {},
  });
  if (row.storagePath) return row;
  const storagePath = datasetStoragePath(row.id);
  const interactions = opts.interactions ?? interactionsFromDataset(data);
  writeTsvDir(data, resolveStoragePath(storagePath), (tmp) => writeInteractionsTsv(path.join(tmp, INTERACTIONS_FILE), interactions));
  return db.dataset.update({ where: { id: row.id }, data: { storagePath } });
}

/** Directory of a dataset's interactions: our stored copy, else where it was loaded from. */
export function datasetDirectory(row: Pick<Dataset, "id" | "storagePath" | "sourcePath">): string | null {
  if (row.storagePath) return resolveStoragePath(row.storagePath);
  return row.sourcePath ?? null;
}

export function listDatasets(db: Db = defaultDb(), opts: { take?: number } = {}) {
  return db.dataset.findMany({
    orderBy: { createdAt: "desc" },
    take: Math.min(opts.take ?? 100, 500),
    include: { _count: { select: { models: true } } },
  });
}

export function getDataset(id: string, db: Db = defaultDb()) {
  return db.dataset.findUnique({
    where: { id },
    include: { models: { orderBy: { createdAt: "desc" } }, parent: { select: { id: true, name: true } } },
  });
}

/** statistics and distributions of a stored dataset for its page; null when its files are not readable */
export async function datasetPageProfile(row: Pick<Dataset, "id" | "name" | "storagePath" | "sourcePath">) {
  const dir = datasetDirectory(row);
  if (!dir) return null;
  try {
    const ds = row.storagePath ? await readStoredTsvDir(dir, row.name) : { ...(await import("@/lib/recsys/data")).loadDataset(dir), name: row.name };
    const { datasetStats } = await import("@/lib/recsys/data/stats");
    const { datasetProfile } = await import("@/lib/recsys/data/profile");
    return { stats: datasetStats(ds), profile: datasetProfile(ds) };
  } catch {
    return null;
  }
}

/** Datasets as a picker lists them (id and name), newest first. */
export function listDatasetChoices(db: Db = defaultDb(), take = 200) {
  return db.dataset.findMany({ select: { id: true, name: true }, orderBy: { createdAt: "desc" }, take });
}

/** Later snapshots of a dataset, oldest first. */
export function listChildDatasets(parentId: string, db: Db = defaultDb()) {
  return db.dataset.findMany({ where: { parentId }, select: { id: true, name: true, createdAt: true }, orderBy: { createdAt: "asc" } });
}
