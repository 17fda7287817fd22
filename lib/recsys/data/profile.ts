// What a dataset page draws: the popularity curve (items by training count, rank against count, log-spaced
// points so a long catalogue stays small), where the long tail starts, and interactions per user binned.
import type { Dataset } from "../types";
import { itemTrainCounts } from "./stats";

export interface DatasetProfile {
  /** [rank (1-based), training count] of items sorted by count, log-spaced ranks, counts > 0 only */
  popularity: [number, number][];
  /** rank of the last head item: the ceil(headShare × items) most popular form the head */
  longTailStartRank: number;
  headShare: number;
  /** share of training interactions on head items */
  headInteractionShare: number;
  /** bins of training interactions per user: [low, high] inclusive and the number of users */
  perUser: { low: number; high: number; users: number }[];
}

export function datasetProfile(ds: Dataset, opts: { headShare?: number; points?: number; bins?: number } = {}): DatasetProfile {
  const headShare = opts.headShare ?? 0.2;
  const counts = Array.from(itemTrainCounts(ds)).sort((a, b) => b - a);
  const positive = counts.filter((c) => c > 0);
  const n = positive.length;
  const wanted = opts.points ?? 200;
  const ranks = new Set<number>();
  for (let j = 0; j < wanted && n > 0; j++) ranks.add(Math.max(1, Math.min(n, Math.round(Math.exp((Math.log(n) * j) / Math.max(1, wanted - 1))))));
  const popularity = [...ranks].sort((a, b) => a - b).map((r) => [r, positive[r - 1]] as [number, number]);
  const headSize = Math.ceil(headShare * ds.numItems);
  let total = 0;
  let head = 0;
  counts.forEach((c, i) => {
    total += c;
    if (i < headSize) head += c;
  });

  const perUserCounts = ds.trainByUser.map((items) => items.length);
  const max = Math.max(0, ...perUserCounts);
  const binCount = Math.max(1, Math.min(opts.bins ?? 20, max + 1));
  const width = Math.ceil((max + 1) / binCount);
  const perUser = Array.from({ length: Math.ceil((max + 1) / width) }, (_, b) => ({ low: b * width, high: b * width + width - 1, users: 0 }));
  for (const c of perUserCounts) perUser[Math.floor(c / width)].users++;
  return { popularity, longTailStartRank: headSize, headShare, headInteractionShare: total === 0 ? 0 : head / total, perUser };
}
