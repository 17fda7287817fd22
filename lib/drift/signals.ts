// Drift signals between two snapshots of the same world (reference: what the production model was
// trained on; current: what users do now). Items and users are matched by external id, never by dense
// index, because a later snapshot may add items or reorder ids. Pure: no Prisma, no Next.
import type { Dataset } from "@/lib/recsys/types";

/** Training-interaction count per external item id (train split only: what a model learns from). */
export function itemCountsById(ds: Dataset): Map<string, number> {
  const counts = new Map<string, number>();
  for (const items of ds.trainByUser) {
    for (let k = 0; k < items.length; k++) {
      const id = ds.itemIds[items[k]];
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** External ids of items with at least one interaction in any split (train, valid or test). */
export function observedItemIds(ds: Dataset): Set<string> {
  const seen = new Set<string>();
  for (const items of ds.trainByUser) for (let k = 0; k < items.length; k++) seen.add(ds.itemIds[items[k]]);
  for (const split of [ds.valid, ds.test]) for (let u = 0; u < split.length; u++) if (split[u] >= 0) seen.add(ds.itemIds[split[u]]);
  return seen;
}

/**
 * Jensen–Shannon divergence, base 2 (0 = identical, 1 = disjoint supports), of two count vectors over
 * the union of their keys, each normalised to shares:
 *   JSD(P, Q) = ½·KL(P‖M) + ½·KL(Q‖M),  M = ½(P + Q),  KL(P‖M) = Σ p_i·log2(p_i / m_i)  (0·log 0 = 0).
 * Two empty distributions have divergence 0; one empty against a non-empty one has 1.
 */
export function jensenShannon(p: ReadonlyMap<string, number>, q: ReadonlyMap<string, number>): number {
  const sum = (m: ReadonlyMap<string, number>) => {
    let s = 0;
    for (const v of m.values()) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`counts must be finite and >= 0, got ${v}`);
      s += v;
    }
    return s;
  };
  const sp = sum(p);
  const sq = sum(q);
  if (sp === 0 && sq === 0) return 0;
  if (sp === 0 || sq === 0) return 1;
  let jsd = 0;
  for (const key of new Set([...p.keys(), ...q.keys()])) {
    const pi = (p.get(key) ?? 0) / sp;
    const qi = (q.get(key) ?? 0) / sq;
    const mi = (pi + qi) / 2;
    if (pi > 0) jsd += 0.5 * pi * Math.log2(pi / mi);
    if (qi > 0) jsd += 0.5 * qi * Math.log2(qi / mi);
  }
  // rounding can leave a tiny negative or a value a hair above 1
  return Math.min(1, Math.max(0, jsd));
}

export interface PopularityShift {
  /** JSD of the items' shares of training interactions, over the union of item ids */
  jsd: number;
  referenceItems: number;
  currentItems: number;
}

export function popularityShift(reference: Dataset, current: Dataset): PopularityShift {
  const ref = itemCountsById(reference);
  const cur = itemCountsById(current);
  return { jsd: jensenShannon(ref, cur), referenceItems: ref.size, currentItems: cur.size };
}

export interface NewItemSignal {
  /** share of the current training interactions on items no reference interaction (any split) touched */
  share: number;
  /** distinct such items with at least one current training interaction */
  items: number;
  interactions: number;
}

export function newItemSignal(reference: Dataset, current: Dataset): NewItemSignal {
  const known = observedItemIds(reference);
  let total = 0;
  let interactions = 0;
  const items = new Set<string>();
  for (const [id, n] of itemCountsById(current)) {
    total += n;
    if (!known.has(id)) {
      interactions += n;
      items.add(id);
    }
  }
  return { share: total === 0 ? 0 : interactions / total, items: items.size, interactions };
}

export interface UserActivityShift {
  /** mean training interactions per user with at least one */
  referenceMeanPerUser: number;
  currentMeanPerUser: number;
  /** (current − reference) / reference of the mean; 0 when the reference has no activity */
  relativeChange: number;
  /** JSD of the users' shares of training interactions, over the union of user ids */
  jsd: number;
  /** share of current active users absent from the reference */
  newUserShare: number;
}

function userCountsById(ds: Dataset): Map<string, number> {
  const counts = new Map<string, number>();
  for (let u = 0; u < ds.numUsers; u++) if (ds.trainByUser[u].length > 0) counts.set(ds.userIds[u], ds.trainByUser[u].length);
  return counts;
}

export function userActivityShift(reference: Dataset, current: Dataset): UserActivityShift {
  const ref = userCountsById(reference);
  const cur = userCountsById(current);
  const mean = (m: Map<string, number>) => {
    let s = 0;
    for (const v of m.values()) s += v;
    return m.size === 0 ? 0 : s / m.size;
  };
  const referenceMeanPerUser = mean(ref);
  const currentMeanPerUser = mean(cur);
  let newUsers = 0;
  for (const id of cur.keys()) if (!ref.has(id)) newUsers++;
  return {
    referenceMeanPerUser,
    currentMeanPerUser,
    relativeChange: referenceMeanPerUser === 0 ? 0 : (currentMeanPerUser - referenceMeanPerUser) / referenceMeanPerUser,
    jsd: jensenShannon(ref, cur),
    newUserShare: cur.size === 0 ? 0 : newUsers / cur.size,
  };
}
