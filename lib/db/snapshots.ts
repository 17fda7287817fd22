// Live interactions become data: clicks and conversions with an itemId that arrived since the last
// snapshot are folded into a new, versioned snapshot of the production model's dataset (lineage in
// Dataset.params.lineage, raw rows in interactions.tsv). The split is the parent's (lib/recsys/data/fold.ts).
import { z } from "zod";
import { splitSpecInput } from "@/lib/jobs/definitions";
import { contentHash } from "@/lib/recsys/data/stats";
import { foldLiveInteractions, type FoldLineage, type SplitSpec } from "@/lib/recsys/data/fold";
import { readInteractions, INTERACTIONS_FILE } from "@/lib/recsys/data/interactions-tsv";
import { dedupeInteractions } from "@/lib/recsys/data/split";
import type { Dataset as RecsysDataset } from "@/lib/recsys/types";
import type { Dataset, Prisma } from "./generated/client";
import type { Db } from "./client";
import { datasetDirectory, readStoredTsvDir, saveDataset } from "./datasets";
import { getLoopSettings } from "./loop-settings";
import { raiseSnapshotCreated } from "./loop-events";
import { PRODUCTION_SLOT } from "./serving";

export interface SnapshotHooks {
  db: Db;
  jobRunId: string | null;
  log: (message: string, level?: "info" | "warn" | "error") => Promise<void>;
  progress: (fraction: number, message: string) => void;
  fail: (message: string) => Error;
  now?: Date;
}

/** What Dataset.params.lineage holds for a live snapshot. */
export interface SnapshotLineage extends FoldLineage {
  version: number;
  /** the dataset the chain of live snapshots started from */
  rootDatasetId: string;
  parentDatasetId: string;
  /** events received in (from, to]; from null = everything before `to` */
  eventWindow: { from: string | null; to: string };
  retentionDays: number;
  /** the model whose dataset this extends */
  modelId: string;
  jobRunId: string | null;
}

const lineageSchema = z
  .object({ version: z.number(), rootDatasetId: z.string(), eventWindow: z.object({ from: z.string().nullable(), to: z.string() }) })
  .passthrough();

export function snapshotLineage(row: Pick<Dataset, "params">): SnapshotLineage | null {
  const parsed = lineageSchema.safeParse((row.params as { lineage?: unknown } | null)?.lineage);
  return parsed.success ? (parsed.data as unknown as SnapshotLineage) : null;
}

function splitOf(row: Pick<Dataset, "params">): SplitSpec | undefined {
  const parsed = splitSpecInput.safeParse((row.params as { split?: unknown } | null)?.split);
  return parsed.success ? parsed.data : undefined;
}

export async function loadDatasetFiles(row: Dataset): Promise<{ dir: string; data: RecsysDataset }> {
  const dir = datasetDirectory(row);
  if (!dir) throw new Error(`dataset ${row.id} has no stored files`);
  if (row.storagePath) return { dir, data: await readStoredTsvDir(dir, row.name) };
  const { loadDataset } = await import("@/lib/recsys/data");
  return { dir, data: { ...loadDataset(dir), name: row.name } };
}

/** The newest snapshot of the chain a dataset belongs to (the dataset itself when nothing newer exists). */
export async function latestSnapshot(db: Db, base: Dataset): Promise<Dataset> {
  const rootId = snapshotLineage(base)?.rootDatasetId ?? base.id;
  const newest = await db.dataset.findFirst({
    where: { source: "live", params: { path: ["lineage", "rootDatasetId"], equals: rootId }, createdAt: { gte: base.createdAt } },
    orderBy: { createdAt: "desc" },
  });
  return newest ?? base;
}

export async function resolveProductionModel(db: Db, modelId: string | undefined, fail: (m: string) => Error) {
  if (modelId) {
    const model = await db.model.findUnique({ where: { id: modelId } });
    if (!model) throw fail(`model ${modelId} does not exist`);
    return model;
  }
  const slot = await db.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT }, include: { model: true } });
  if (!slot) throw fail("no model serves production: nothing to extend");
  return slot.model;
}

export type SnapshotOutcome =
  { created: true; datasetId: string; version: number; lineage: SnapshotLineage } | { created: false; datasetId: string; reason: string };

export async function buildLiveSnapshot(input: { modelId?: string }, h: SnapshotHooks): Promise<SnapshotOutcome> {
  const now = h.now ?? new Date();
  const model = await resolveProductionModel(h.db, input.modelId, h.fail);
  const settings = await getLoopSettings(h.db, model.id);
  const base = await h.db.dataset.findUniqueOrThrow({ where: { id: model.datasetId } });
  const head = await latestSnapshot(h.db, base);
  const headLineage = snapshotLineage(head);
  const from = headLineage ? new Date(headLineage.eventWindow.to) : null;
  const events = await h.db.event.findMany({
    where: { type: { in: ["click", "conversion"] }, itemId: { not: null }, receivedAt: { ...(from ? { gt: from } : {}), lte: now } },
    select: { userId: true, itemId: true, timestamp: true },
  });
  if (events.length === 0) {
    const reason = `no clicks or conversions with an itemId received since ${from ? from.toISOString() : "the start"}: no new snapshot`;
    await h.log(reason);
    return { created: false, datasetId: head.id, reason };
  }
  h.progress(0.2, `${events.length} new interactions; loading snapshot ${head.name}`);
  const { dir, data: parent } = await loadDatasetFiles(head);
  const parentRows = readInteractions(dir, parent);
  if (!parentRows) await h.log(`${head.name} has no ${INTERACTIONS_FILE}: its interactions are reconstructed from the split files, without timestamps`, "warn");
  const rootId = headLineage?.rootDatasetId ?? head.id;
  const root = rootId === head.id ? head : await h.db.dataset.findUniqueOrThrow({ where: { id: rootId } });
  const version = (headLineage?.version ?? 0) + 1;
  const name = `${root.name} · live v${version}`.slice(0, 120);
  const folded = foldLiveInteractions({
    name,
    parent,
    parentRows,
    events: events.map((e) => ({ userId: e.userId, itemId: e.itemId!, time: e.timestamp.getTime() / 1000 })),
    retainSince: now.getTime() / 1000 - settings.retentionDays * 86_400,
    split: splitOf(head) ?? splitOf(root),
  });
  h.progress(0.7, "storing the snapshot");
  const lineage: SnapshotLineage = {
    ...folded.lineage,
    version,
    rootDatasetId: rootId,
    parentDatasetId: head.id,
    eventWindow: { from: from?.toISOString() ?? null, to: now.toISOString() },
    retentionDays: settings.retentionDays,
    modelId: model.id,
    jobRunId: h.jobRunId,
  };
  const ds = folded.dataset;
  const numInteractions = ds.trainByUser.reduce((s, r) => s + r.length, 0) + ds.valid.filter((i) => i >= 0).length + ds.test.filter((i) => i >= 0).length;
  const row = await saveDataset(
    {
      name,
      source: "live",
      snapshot: contentHash(ds),
      params: JSON.parse(JSON.stringify({ lineage, split: folded.lineage.split.applied })) as Prisma.InputJsonValue,
      numUsers: ds.numUsers,
      numItems: ds.numItems,
      numInteractions,
      parentId: head.id,
    },
    ds,
    h.db,
    // the snapshot's own rows with their times (not the split's untimed pairs): the next snapshot's retention reads them
    { interactions: dedupeInteractions(folded.rows, { numUsers: ds.numUsers, numItems: ds.numItems }) },
  );
  const stamp = snapshotLineage(row);
  if (stamp && stamp.jobRunId !== h.jobRunId) {
    await h.log(`the same content was already stored as snapshot ${row.id} (v${stamp.version})`);
    return { created: false, datasetId: row.id, reason: "same content as an existing snapshot" };
  }
  // a retried job that stored the row before it failed raises the fact once
  const raised = await h.db.loopEvent.findFirst({ where: { kind: "snapshot_created", entityId: row.id }, select: { id: true } });
  if (!raised)
    await raiseSnapshotCreated(h.db, {
      modelId: model.id,
      entityType: "dataset",
      entityId: row.id,
      summary: `snapshot v${version} of ${root.name}: +${lineage.newInteractions} interactions, +${lineage.newUsers} users, +${lineage.newItems} items`,
      data: { parentDatasetId: head.id, version, eventWindow: lineage.eventWindow },
    });
  await h.log(
    `stored snapshot ${row.id} (v${version}): ${lineage.newInteractions} new interactions, ${lineage.newUsers} new users, ${lineage.newItems} new items, ${lineage.droppedByRetention} dropped by retention` +
      (lineage.notes.length ? `; ${lineage.notes.join("; ")}` : ""),
  );
  return { created: true, datasetId: row.id, version, lineage };
}
