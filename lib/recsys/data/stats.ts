// Summary numbers and a content hash of a dataset: what the platform stores beside each snapshot.
import { createHash } from "node:crypto";
import type { Dataset } from "../types";

export interface DatasetStats {
  users: number;
  items: number;
  /** train + valid + test interactions */
  interactions: number;
  trainInteractions: number;
  /** users with a held-out test item */
  testUsers: number;
  validUsers: number;
  /** interactions / (users × items) */
  density: number;
  /** Gini coefficient of items' training counts: 0 = uniform popularity, → 1 = concentrated on few items */
  popularityGini: number;
  /** items with no training interaction */
  coldItems: number;
  meanItemsPerUser: number;
}

/** training interaction count of every item */
export function itemTrainCounts(ds: Dataset): Int32Array {
  const counts = new Int32Array(ds.numItems);
  for (const items of ds.trainByUser) for (let k = 0; k < items.length; k++) counts[items[k]]++;
  return counts;
}

export function gini(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  let weighted = 0;
  for (let k = 0; k < n; k++) {
    sum += sorted[k];
    weighted += (k + 1) * sorted[k];
  }
  if (sum === 0) return 0;
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}

export function datasetStats(ds: Dataset): DatasetStats {
  let train = 0;
  for (const items of ds.trainByUser) train += items.length;
  let testUsers = 0;
  let validUsers = 0;
  for (let u = 0; u < ds.numUsers; u++) {
    if (ds.test[u] >= 0) testUsers++;
    if (ds.valid[u] >= 0) validUsers++;
  }
  const counts = itemTrainCounts(ds);
  let cold = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] === 0) cold++;
  const interactions = train + testUsers + validUsers;
  return {
    users: ds.numUsers,
    items: ds.numItems,
    interactions,
    trainInteractions: train,
    testUsers,
    validUsers,
    density: ds.numUsers * ds.numItems === 0 ? 0 : interactions / (ds.numUsers * ds.numItems),
    popularityGini: gini(counts),
    coldItems: cold,
    meanItemsPerUser: ds.numUsers === 0 ? 0 : interactions / ds.numUsers,
  };
}

/**
 * Stable snapshot id: sha256 (hex) over the catalogue ids and every (user, item, split) triple in
 * external ids, sorted, so it depends on content only, not on dense ordering or file line order.
 */
export function contentHash(ds: Dataset): string {
  const byCodeUnit = (ids: readonly string[]) => Array.from(ids.keys()).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const userOrder = byCodeUnit(ds.userIds);
  const itemOrder = byCodeUnit(ds.itemIds);
  const itemRank = new Int32Array(ds.numItems);
  itemOrder.forEach((i, r) => (itemRank[i] = r));

  const h = createHash("sha256");
  h.update(`understudy-dataset-v1\n${ds.numUsers}\n${ds.numItems}\n`);
  for (const u of userOrder) h.update(ds.userIds[u] + "\n");
  for (const i of itemOrder) h.update(ds.itemIds[i] + "\n");
  // per user (in id order): train item ranks sorted, then valid and test ranks (-1 when absent)
  for (const u of userOrder) {
    const items = ds.trainByUser[u];
    const row = new Int32Array(items.length + 3);
    row[0] = items.length;
    for (let k = 0; k < items.length; k++) row[k + 1] = itemRank[items[k]];
    row.subarray(1, items.length + 1).sort();
    row[items.length + 1] = ds.valid[u] >= 0 ? itemRank[ds.valid[u]] : -1;
    row[items.length + 2] = ds.test[u] >= 0 ? itemRank[ds.test[u]] : -1;
    h.update(new Uint8Array(row.buffer));
  }
  return h.digest("hex");
}
