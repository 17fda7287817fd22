// Most-popular baseline: every user gets the same item scores, the training interaction counts.
// The sanity floor every trained model must beat, and the cold-start fallback.
import type { Dataset } from "../types";
import type { BatchScorer, CandidateScorer } from "../eval/scoring";
import { itemTrainCounts } from "./stats";

export function popularityScorer(ds: Dataset): BatchScorer & CandidateScorer {
  const counts = itemTrainCounts(ds);
  const scores = Float32Array.from(counts);
  return {
    numUsers: ds.numUsers,
    numItems: ds.numItems,
    scoreUser(_user: number, out: Float32Array): void {
      out.set(scores);
    },
    scoreUsers(users: Int32Array, out: Float32Array): void {
      for (let j = 0; j < users.length; j++) out.set(scores, j * scores.length);
    },
    scoreItems(_user: number, items: Int32Array, out: Float32Array): void {
      for (let j = 0; j < items.length; j++) out[j] = scores[items[j]];
    },
  };
}
