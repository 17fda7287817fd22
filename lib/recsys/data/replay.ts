// A dataset as a stream of timed interactions, for replaying a (drifted) synthetic world through the
// events API: per user, the training items first, then the validation item, then the test item, so a
// leave-one-out split by latest timestamp of the replayed events gives back the same held-out items.
import type { Dataset } from "../types";

export interface ReplayedInteraction {
  userId: string;
  itemId: string;
  /** epoch milliseconds */
  timestamp: number;
}

export function replayInteractions(
  ds: Dataset,
  opts: { startMs: number; stepMs?: number; users?: Iterable<number>; userId?: (u: number) => string },
): ReplayedInteraction[] {
  const step = opts.stepMs ?? 1000;
  const name = opts.userId ?? ((u: number) => ds.userIds[u]);
  const out: ReplayedInteraction[] = [];
  for (const u of opts.users ?? ds.userIds.keys()) {
    const items = [...ds.trainByUser[u]];
    if (ds.valid[u] >= 0) items.push(ds.valid[u]);
    if (ds.test[u] >= 0) items.push(ds.test[u]);
    items.forEach((i, k) => out.push({ userId: name(u), itemId: ds.itemIds[i], timestamp: opts.startMs + k * step }));
  }
  return out;
}
