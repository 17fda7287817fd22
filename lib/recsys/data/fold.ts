// Folding live interactions into a new snapshot: the parent snapshot's raw interactions (within a
// retention window) plus the new ones, split the same way as the parent. Dense indices of the parent's
// users and items are kept and new external ids are appended, so models trained on the parent still
// line up with the prefix of the new catalogue (warm starts, projections). Pure: no files, no database.
import type { Dataset } from "../types";
import { DatasetError } from "./errors";
import { InteractionColumns, splitDataset, type SplitSpec } from "./split";

export type { SplitSpec };

export interface LiveInteraction {
  userId: string;
  itemId: string;
  /** unix seconds */
  time: number;
}

export interface FoldInput {
  name: string;
  parent: Dataset;
  /** the parent's interactions.tsv; null: reconstructed from its split files, without timestamps */
  parentRows: InteractionColumns | null;
  /** new interactions, in any order */
  events: readonly LiveInteraction[];
  /** parent interactions with a timestamp before this (unix seconds) are dropped; untimed ones are kept */
  retainSince: number;
  /** the parent's split; default leave-one-out by latest timestamp */
  split?: SplitSpec;
}

export interface FoldLineage {
  parentInteractions: number;
  /** parent rows without a timestamp: the retention window cannot apply to them, they are all kept */
  untimedParentInteractions: number;
  droppedByRetention: number;
  newInteractions: number;
  newUsers: number;
  newItems: number;
  /** rows of the new snapshot (before duplicate (user, item) pairs collapse in the split) */
  totalInteractions: number;
  parentRowsReconstructed: boolean;
  split: { requested: SplitSpec; applied: SplitSpec; note?: string };
  notes: string[];
}

export interface FoldResult {
  dataset: Dataset;
  /** the new snapshot's raw interactions (what interactions.tsv holds) */
  rows: InteractionColumns;
  lineage: FoldLineage;
}

/** Raw interactions from train/valid/test of a dataset that has no interactions.tsv (no timestamps). */
export function rowsFromSplit(ds: Dataset): InteractionColumns {
  const rows = new InteractionColumns();
  for (let u = 0; u < ds.numUsers; u++) {
    for (const i of ds.trainByUser[u]) rows.push(u, i, NaN);
    if (ds.valid[u] >= 0) rows.push(u, ds.valid[u], NaN);
    if (ds.test[u] >= 0) rows.push(u, ds.test[u], NaN);
  }
  return rows;
}

/**
 * The one place a snapshot is split. Untimed rows (from a parent without timestamps) are ordered
 * before every timed one, and among themselves as the parent split them (train, then valid, then
 * test), so a user without new interactions keeps the held-out items the parent gave them.
 */
export function splitSnapshot(
  rows: InteractionColumns,
  ids: { userIds: string[]; itemIds: string[] },
  name: string,
  requested: SplitSpec,
  parent: Dataset,
): { dataset: Dataset; applied: SplitSpec } {
  const ordered = new InteractionColumns();
  for (let k = 0; k < rows.length; k++) {
    const u = rows.users[k];
    const i = rows.items[k];
    let t = rows.times[k];
    if (Number.isNaN(t)) {
      const inParent = u < parent.numUsers;
      t = inParent && parent.test[u] === i ? -1 : inParent && parent.valid[u] === i ? -2 : -3;
    }
    ordered.push(u, i, t);
  }
  const dataset = splitDataset({ name, source: { kind: "tsv-dir" }, userIds: ids.userIds, itemIds: ids.itemIds, columns: ordered, spec: requested });
  return { dataset, applied: requested };
}

export function foldLiveInteractions(input: FoldInput): FoldResult {
  const { parent } = input;
  const requested = input.split ?? { kind: "loo-time" };
  const reconstructed = input.parentRows === null;
  const parentRows = input.parentRows ?? rowsFromSplit(parent);
  const userIds = [...parent.userIds];
  const itemIds = [...parent.itemIds];
  const userIndex = new Map(userIds.map((id, k) => [id, k]));
  const itemIndex = new Map(itemIds.map((id, k) => [id, k]));
  const rows = new InteractionColumns();
  let untimed = 0;
  let dropped = 0;
  for (let k = 0; k < parentRows.length; k++) {
    const t = parentRows.times[k];
    if (Number.isNaN(t)) untimed++;
    else if (t < input.retainSince) {
      dropped++;
      continue;
    }
    rows.push(parentRows.users[k], parentRows.items[k], t);
  }
  const intern = (id: string, ids: string[], index: Map<string, number>) => {
    let k = index.get(id);
    if (k === undefined) {
      k = ids.length;
      ids.push(id);
      index.set(id, k);
    }
    return k;
  };
  // new ids in a fixed order (by time, then id) so the same events always give the same snapshot
  const events = [...input.events].sort(
    (a, b) => a.time - b.time || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0),
  );
  for (const e of events) {
    if (!Number.isFinite(e.time)) throw new DatasetError(`live interaction of user '${e.userId}' on item '${e.itemId}' has no valid time`);
    rows.push(intern(e.userId, userIds, userIndex), intern(e.itemId, itemIds, itemIndex), e.time);
  }
  const notes: string[] = [];
  if (untimed > 0) {
    notes.push(
      `${untimed} interactions inherited from ${reconstructed ? "the parent's split files" : "the parent"} have no timestamp: the retention window does not apply to them, all are kept`,
    );
  }
  const { dataset, applied } = splitSnapshot(rows, { userIds, itemIds }, input.name, requested, parent);
  return {
    dataset,
    rows,
    lineage: {
      parentInteractions: parentRows.length,
      untimedParentInteractions: untimed,
      droppedByRetention: dropped,
      newInteractions: events.length,
      newUsers: userIds.length - parent.numUsers,
      newItems: itemIds.length - parent.numItems,
      totalInteractions: rows.length,
      parentRowsReconstructed: reconstructed,
      split: { requested, applied },
      notes,
    },
  };
}
