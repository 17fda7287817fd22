// Which users the niche-retention guardrails look at, decided from a model's training dataset. Pure.
//
//   head items: the most popular 20% of items by training interactions (ties broken by item index)
//   long-tail:  more than half of the user's training interactions are outside the head
//   cold:       at most 5 training interactions (users unknown to the dataset count as cold: they have none)
// A user can be in both segments.
import type { Dataset } from "@/lib/recsys/types";

export const HEAD_ITEM_SHARE = 0.2;
export const COLD_MAX_INTERACTIONS = 5;
export const LONG_TAIL_MIN_SHARE = 0.5;

export const SEGMENT_KEYS = ["long_tail", "cold"] as const;
export type SegmentKey = (typeof SEGMENT_KEYS)[number];

export const SEGMENT_LABELS: Record<SegmentKey, string> = {
  long_tail: "Long-tail users",
  cold: "Cold users",
};

export interface UserSegmentRow {
  userId: string;
  trainInteractions: number;
  /** share of the user's training interactions on items outside the head */
  tailShare: number;
  longTail: boolean;
  cold: boolean;
}

export interface Segmentation {
  headItems: number;
  users: UserSegmentRow[];
}

export function userSegments(ds: Dataset): Segmentation {
  const counts = new Int32Array(ds.numItems);
  for (const items of ds.trainByUser) for (let j = 0; j < items.length; j++) counts[items[j]]++;
  const headItems = Math.ceil(ds.numItems * HEAD_ITEM_SHARE);
  const order = Int32Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  const head = new Uint8Array(ds.numItems);
  for (let r = 0; r < headItems; r++) head[order[r]] = 1;
  const users = ds.userIds.map((userId, u): UserSegmentRow => {
    const items = ds.trainByUser[u];
    let tail = 0;
    for (let j = 0; j < items.length; j++) if (!head[items[j]]) tail++;
    const tailShare = items.length === 0 ? 0 : tail / items.length;
    return { userId, trainInteractions: items.length, tailShare, longTail: tailShare > LONG_TAIL_MIN_SHARE, cold: items.length <= COLD_MAX_INTERACTIONS };
  });
  return { headItems, users };
}
