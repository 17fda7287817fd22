// Dataset rows and their stored copies. The interactions themselves are files (tsv-dir under
// DATA_DIR/datasets/<id>/); the row keeps the source, parameters, counts and the snapshot hash.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Dataset as RecsysDataset } from "@/lib/recsys/types";
import type { Dataset, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";
import { datasetStoragePath, resolveStoragePath } from "./storage";

/**
 * Writes train/valid/test.tsv (header `user<TAB>item`) atomically into `dir`, with dense indices as
 * ids and the external ids in ids.json: integer ids let the loader keep users and items that have no
 * interaction (a declared catalogue size), and ids.json restores the external ids.
 */
export function writeTsvDir(ds: RecsysDataset, dir: string): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const train: string[] = ["user\titem"];
  const valid: string[] = ["user\titem"];
  const test: string[] = ["user\titem"];
  for (let u = 0; u < ds.numUsers; u++) {
    for (const item of ds.trainByUser[u]) train.push(`${u}\t${item}`);
    if (ds.valid[u] >= 0) valid.push(`${u}\t${ds.valid[u]}`);
    if (ds.test[u] >= 0) test.push(`${u}\t${ds.test[u]}`);
  }
  writeFileSync(path.join(tmp, "train.tsv"), train.join("\n") + "\n");
  writeFileSync(path.join(tmp, "valid.tsv"), valid.join("\n") + "\n");
  writeFileSync(path.join(tmp, "test.tsv"), test.join("\n") + "\n");
  writeFileSync(path.join(tmp, "ids.json"), JSON.stringify({ userIds: ds.userIds, itemIds: ds.itemIds }));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
}

/** Reads a directory written by writeTsvDir back into the same dataset (same ids, same catalogue). */
export async function readStoredTsvDir(dir: string, name: string): Promise<RecsysDataset> {
  const { loadTsvDir } = await import("@/lib/recsys/data");
  const ids = JSON.parse(readFileSync(path.join(dir, "ids.json"), "utf8")) as { userIds: string[]; itemIds: string[] };
  const ds = loadTsvDir(dir, { numUsers: ids.userIds.length, numItems: ids.itemIds.length });
  return { ...ds, name, userIds: ids.userIds, itemIds: ids.itemIds };
}

export interface DatasetRecordInput {
  name: string;
  source: "synthetic" | "tsv-dir" | "movielens" | "csv";
  sourcePath?: string | null;
  snapshot: string;
  params: Prisma.InputJsonValue;
  numUsers: number;
  numItems: number;
  numInteractions: number;
  parentId?: string | null;
}

/**
 * Records a dataset snapshot and stores its files. Idempotent: the same (source, snapshot) maps to
 * one row, so a job that runs again after a crash finds and completes the row it made.
 */
export async function saveDataset(input: DatasetRecordInput, data: RecsysDataset, db: Db = defaultDb()): Promise<Dataset> {
  const row = await db.dataset.upsert({
    where: { source_snapshot: { source: input.source, snapshot: input.snapshot } },
    create: { ...input, sourcePath: input.sourcePath ?? null, parentId: input.parentId ?? null },
    update: {},
  });
  if (row.storagePath) return row;
  const storagePath = datasetStoragePath(row.id);
  writeTsvDir(data, resolveStoragePath(storagePath));
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
