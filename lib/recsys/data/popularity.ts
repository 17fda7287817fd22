// Most-popular baseline: every user gets the same item scores, the training interaction counts.
// The sanity floor every trained model must beat, and the cold-start fallback.
import type { Dataset, Scorer } from "../types";
import { itemTrainCounts } from "./stats";

export function popularityScorer(ds: Dataset): Scorer {
  const counts = itemTrainCounts(ds);
  const scores = Float32Array.from(counts);
  return {
    numUsers: ds.numUsers,
    numItems: ds.numItems,
    scoreUser(_user: number, out: Float32Array): void {
      out.set(scores);
    },
  };
}
