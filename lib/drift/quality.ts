// Quality decay: the production model's sampled HR@10 on the reference test split against the same
// metric on the current snapshot's test split (same negatives seed). The model only knows the users
// and items it was trained on, so each snapshot is first projected into the model's index space;
// users it does not know, and held-out items it does not know, are skipped and counted.
import { evaluate } from "@/lib/recsys/eval";
import type { Dataset, ServableModel } from "@/lib/recsys/types";

export type DriftScorer = Pick<ServableModel, "numUsers" | "numItems" | "scoreUser" | "userIndex" | "itemIndex" | "userIds" | "itemIds">;

export interface SplitQuality {
  /** sampled HR@10 over the users evaluated */
  hr10: number;
  users: number;
  /** users with a held-out test item that the model does not know */
  skippedUnknownUsers: number;
  /** known users whose held-out test item the model does not know */
  skippedUnknownItems: number;
}

export interface QualityDecay {
  reference: SplitQuality;
  current: SplitQuality;
  /** (reference HR@10 − current HR@10) / reference HR@10; 0 when the reference HR@10 is 0 */
  relativeDrop: number;
  seed: number;
  negatives: number;
}

/** The snapshot seen through the model: the model's users × items, interactions on unknown ones dropped. */
export function projectOntoModel(ds: Dataset, model: DriftScorer): { projected: Dataset; skippedUnknownUsers: number; skippedUnknownItems: number } {
  const trainByUser: Int32Array[] = Array.from({ length: model.numUsers }, () => new Int32Array(0));
  const valid = new Int32Array(model.numUsers).fill(-1);
  const test = new Int32Array(model.numUsers).fill(-1);
  let skippedUnknownUsers = 0;
  let skippedUnknownItems = 0;
  const mapItem = (i: number) => (i < 0 ? -1 : (model.itemIndex(ds.itemIds[i]) ?? -1));
  for (let u = 0; u < ds.numUsers; u++) {
    const mu = model.userIndex(ds.userIds[u]);
    if (mu === undefined) {
      if (ds.test[u] >= 0) skippedUnknownUsers++;
      continue;
    }
    const train: number[] = [];
    for (const i of ds.trainByUser[u]) {
      const mi = mapItem(i);
      if (mi >= 0) train.push(mi);
    }
    trainByUser[mu] = Int32Array.from(new Set(train)).sort();
    valid[mu] = mapItem(ds.valid[u]);
    const t = mapItem(ds.test[u]);
    if (ds.test[u] >= 0 && t < 0) skippedUnknownItems++;
    test[mu] = t;
  }
  const projected: Dataset = {
    name: `${ds.name} (as seen by the model)`,
    numUsers: model.numUsers,
    numItems: model.numItems,
    userIds: [...model.userIds],
    itemIds: [...model.itemIds],
    trainByUser,
    valid,
    test,
    source: ds.source,
  };
  return { projected, skippedUnknownUsers, skippedUnknownItems };
}

export function splitQuality(ds: Dataset, model: DriftScorer, opts: { seed: number; negatives: number }): SplitQuality {
  const { projected, skippedUnknownUsers, skippedUnknownItems } = projectOntoModel(ds, model);
  const result = evaluate(model, projected, { split: "test", seed: opts.seed, negatives: opts.negatives, full: false, cutoffs: [10] });
  return { hr10: result.users === 0 ? 0 : result.sampled["H@10"], users: result.users, skippedUnknownUsers, skippedUnknownItems };
}

export function qualityDecay(reference: Dataset, current: Dataset, model: DriftScorer, opts: { seed?: number; negatives?: number } = {}): QualityDecay {
  const seed = opts.seed ?? 0;
  const negatives = opts.negatives ?? 499;
  const ref = splitQuality(reference, model, { seed, negatives });
  const cur = splitQuality(current, model, { seed, negatives });
  return { reference: ref, current: cur, relativeDrop: ref.hr10 === 0 ? 0 : (ref.hr10 - cur.hr10) / ref.hr10, seed, negatives };
}
