// A loaded model plus what serving needs beside its weights: each user's training items (never
// recommended back) and the training popularity ranking (the answer for users the model never saw).
import { itemTrainCounts } from "@/lib/recsys/data/stats";
import { topK } from "@/lib/recsys/topk";
import type { Dataset, ServableModel } from "@/lib/recsys/types";

const EMPTY = new Int32Array(0);

export interface RecommendedItem {
  itemId: string;
  score: number;
}

export interface Recommendation {
  items: RecommendedItem[];
  /** "popularity" when the user is unknown to the model: most-trained items, score = training count */
  fallback?: "popularity";
}

export class ServingModel {
  /** sorted dense training items of each dense model user */
  private readonly trainItems: (Int32Array | undefined)[];
  /** dense model items by descending training count (ties: lower index first), and those counts */
  private readonly popularItems: Int32Array;
  private readonly popularCounts: Int32Array;
  /** score buffer reused by every request (scoring is synchronous: one request at a time uses it) */
  private readonly scores: Float32Array;

  constructor(
    readonly id: string,
    readonly model: ServableModel,
    history: Dataset,
  ) {
    // the dataset and the model index ids independently in general: map through external ids
    this.trainItems = new Array(model.numUsers);
    const itemMap = new Int32Array(history.numItems).fill(-1);
    for (let i = 0; i < history.numItems; i++) itemMap[i] = model.itemIndex(history.itemIds[i]) ?? -1;
    for (let u = 0; u < history.numUsers; u++) {
      const mu = model.userIndex(history.userIds[u]);
      if (mu === undefined) continue;
      const mapped = Array.from(history.trainByUser[u], (i) => itemMap[i]).filter((i) => i >= 0);
      this.trainItems[mu] = Int32Array.from(mapped).sort();
    }
    const counts = new Int32Array(model.numItems);
    itemTrainCounts(history).forEach((c, i) => {
      if (itemMap[i] >= 0) counts[itemMap[i]] += c;
    });
    this.popularItems = Int32Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
    this.popularCounts = Int32Array.from(this.popularItems, (i) => counts[i]);
    this.scores = new Float32Array(model.numItems);
  }

  /**
   * Top-k for an external user id, without the user's training items nor `exclude` (external item
   * ids; unknown ones are ignored). Throws only on a scoring error of the model itself.
   */
  recommend(userId: string, k: number, exclude: readonly string[] = []): Recommendation {
    const { model } = this;
    const extra: number[] = [];
    for (const itemId of exclude) {
      const i = model.itemIndex(itemId);
      if (i !== undefined) extra.push(i);
    }
    const user = model.userIndex(userId);
    if (user === undefined) return { items: this.popular(k, new Set(extra)), fallback: "popularity" };
    // scoreUser into a reused buffer + topK over a sorted exclusion list: no per-request allocation of
    // the catalogue-sized score vector and no Set lookups per item (the hot path of every request)
    const train = this.trainItems[user] ?? EMPTY;
    const skip = extra.length === 0 ? train : Int32Array.from([...train, ...extra]).sort();
    const scores = this.scores;
    model.scoreUser(user, scores);
    const top = topK(scores, k, skip);
    const items: RecommendedItem[] = new Array(top.length);
    for (let j = 0; j < top.length; j++) items[j] = { itemId: model.itemIds[top[j]], score: scores[top[j]] };
    return { items };
  }

  private popular(k: number, skip: ReadonlySet<number>): RecommendedItem[] {
    const items: RecommendedItem[] = [];
    for (let j = 0; j < this.popularItems.length && items.length < k; j++) {
      const item = this.popularItems[j];
      if (!skip.has(item)) items.push({ itemId: this.model.itemIds[item], score: this.popularCounts[j] });
    }
    return items;
  }
}
