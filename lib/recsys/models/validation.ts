// Cheap sampled validation for early stopping: only the 500 candidates of each user are scored (the
// full-catalogue pass of evaluate() is unnecessary there). Same plan, tie rule and metrics as evaluate().
import type { Dataset } from "../types";
import { cachedEvalPlan, type EvalPlan } from "../eval/plan";
import { sampledMetrics } from "../eval/metrics";
import { rankOf } from "../topk";
import type { BprModel } from "./bpr";

export function sampledValidator(
  ds: Dataset,
  opts: { seed?: number; negatives?: number; split?: "valid" | "test"; cutoffs?: number[] } = {},
): (model: BprModel) => Record<string, number> {
  const plan: EvalPlan = cachedEvalPlan(ds, { split: opts.split ?? "valid", seed: opts.seed ?? 0, negatives: opts.negatives ?? 499 });
  const cutoffs = opts.cutoffs ?? [5, 10, 20];
  const scratch = new Float32Array(ds.numItems);
  const cand = new Int32Array(plan.negatives + 1);
  const candScores = new Float32Array(plan.negatives + 1);
  const ranks = new Int32Array(plan.users.length);
  return (model) => {
    for (let p = 0; p < plan.users.length; p++) {
      const negs = plan.negativeItems.subarray(plan.negativeOffsets[p], plan.negativeOffsets[p + 1]);
      cand[0] = plan.heldOut[p];
      cand.set(negs, 1);
      const c = cand.subarray(0, negs.length + 1);
      model.scoreItems(plan.users[p], c, candScores);
      for (let j = 0; j < c.length; j++) scratch[c[j]] = candScores[j];
      ranks[p] = rankOf(scratch, plan.heldOut[p], negs);
    }
    return sampledMetrics(ranks, cutoffs);
  };
}
