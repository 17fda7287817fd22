// What an evaluation asks of every model, fixed once per (dataset, split, seed): which users, their
// held-out item, the sampled negatives, the full-catalogue exclusions, the long-tail users.
// Independent of any model, so every model in a comparison sees the same negatives.
import type { Dataset } from "../types";
import { Rng } from "../random";
import { itemTrainCounts } from "../data/stats";

export type EvalSplit = "valid" | "test";

export interface EvalPlanOptions {
  split: EvalSplit;
  /** sampled negatives per user (default 499: the held-out item is ranked among 500) */
  negatives?: number;
  /** sampling seed (default 0) */
  seed?: number;
  /** share of the most popular training items forming the head; the rest is the long tail (default 0.2) */
  headShare?: number;
}

export interface EvalPlan {
  readonly split: EvalSplit;
  readonly negatives: number;
  readonly seed: number;
  readonly headShare: number;
  readonly numItems: number;
  /** users with a held-out item in this split, ascending */
  readonly users: Int32Array;
  /** held-out item of users[p] */
  readonly heldOut: Int32Array;
  /** sampled negatives of users[p] at negativeOffsets[p] .. negativeOffsets[p+1] (fewer than `negatives` only when the user has not enough unobserved items) */
  readonly negativeItems: Int32Array;
  readonly negativeOffsets: Int32Array;
  /** items excluded from users[p]'s full-catalogue ranking (train, plus the valid item for the test split), sorted */
  readonly fullExclude: Int32Array[];
  /** 1 for head items (the headShare most popular in training) */
  readonly isHeadItem: Uint8Array;
  /** positions p whose held-out item is in the long tail */
  readonly longTailPositions: Int32Array;
}

/** the head: the ceil(share × numItems) items with the most training interactions (ties: lower index) */
export function headItems(ds: Dataset, share = 0.2): Uint8Array {
  const counts = itemTrainCounts(ds);
  const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  const head = new Uint8Array(ds.numItems);
  const size = Math.ceil(share * ds.numItems);
  for (let r = 0; r < size; r++) head[order[r]] = 1;
  return head;
}

const SPLIT_SALT: Record<EvalSplit, number> = { valid: 0x76616c69, test: 0x74657374 };

export function buildEvalPlan(ds: Dataset, opts: EvalPlanOptions): EvalPlan {
  const negatives = opts.negatives ?? 499;
  const seed = opts.seed ?? 0;
  const headShare = opts.headShare ?? 0.2;
  if (opts.split !== "valid" && opts.split !== "test") throw new RangeError(`split must be "valid" or "test", got ${String(opts.split)}`);
  if (!Number.isInteger(negatives) || negatives < 1) throw new RangeError(`negatives must be a positive integer, got ${negatives}`);
  if (!(headShare > 0 && headShare < 1)) throw new RangeError(`headShare must be in (0, 1), got ${headShare}`);
  const target = opts.split === "test" ? ds.test : ds.valid;

  const userList: number[] = [];
  for (let u = 0; u < ds.numUsers; u++) if (target[u] >= 0) userList.push(u);
  const users = Int32Array.from(userList);
  const heldOut = Int32Array.from(userList, (u) => target[u]);

  const rng = new Rng((seed ^ SPLIT_SALT[opts.split]) >>> 0);
  const numItems = ds.numItems;
  const seen = new Uint8Array(numItems);
  const negativeOffsets = new Int32Array(users.length + 1);
  const negativeItems = new Int32Array(users.length * negatives);
  const fullExclude: Int32Array[] = new Array(users.length);
  let w = 0;
  for (let p = 0; p < users.length; p++) {
    const u = users[p];
    const train = ds.trainByUser[u];
    // observed = train ∪ valid ∪ test: never a negative
    const observed: number[] = Array.from(train);
    if (ds.valid[u] >= 0) observed.push(ds.valid[u]);
    if (ds.test[u] >= 0) observed.push(ds.test[u]);
    let numObserved = 0;
    for (const i of observed) {
      if (seen[i]) continue;
      seen[i] = 1;
      numObserved++;
    }
    const available = numItems - numObserved;
    const want = Math.min(negatives, available);
    if (want === available) {
      // fewer unobserved items than asked: take them all (in random order, like a sample)
      const all: number[] = [];
      for (let i = 0; i < numItems; i++) if (!seen[i]) all.push(i);
      rng.shuffle(all);
      for (const i of all) negativeItems[w++] = i;
    } else if (want * 2 <= available) {
      // rejection sampling without replacement; marks are cleared below
      for (let got = 0; got < want;) {
        const i = rng.int(numItems);
        if (seen[i]) continue;
        seen[i] = 2;
        negativeItems[w++] = i;
        got++;
      }
    } else {
      // dense case: partial Fisher-Yates over the unobserved items
      const pool: number[] = [];
      for (let i = 0; i < numItems; i++) if (!seen[i]) pool.push(i);
      for (let j = 0; j < want; j++) {
        const r = j + rng.int(pool.length - j);
        const tmp = pool[j];
        pool[j] = pool[r];
        pool[r] = tmp;
        negativeItems[w++] = pool[j];
      }
    }
    for (let q = negativeOffsets[p]; q < w; q++) seen[negativeItems[q]] = 0;
    for (const i of observed) seen[i] = 0;
    negativeOffsets[p + 1] = w;

    if (opts.split === "test" && ds.valid[u] >= 0) {
      const ex = new Int32Array(train.length + 1);
      ex.set(train);
      ex[train.length] = ds.valid[u];
      fullExclude[p] = ex.sort();
    } else {
      fullExclude[p] = train;
    }
  }

  const isHeadItem = headItems(ds, headShare);
  const tail: number[] = [];
  for (let p = 0; p < users.length; p++) if (!isHeadItem[heldOut[p]]) tail.push(p);

  return {
    split: opts.split,
    negatives,
    seed,
    headShare,
    numItems,
    users,
    heldOut,
    negativeItems: w === negativeItems.length ? negativeItems : negativeItems.slice(0, w),
    negativeOffsets,
    fullExclude,
    isHeadItem,
    longTailPositions: Int32Array.from(tail),
  };
}

const planCache = new WeakMap<Dataset, Map<string, EvalPlan>>();

/** buildEvalPlan, memoised per dataset object and options (early stopping re-evaluates every few epochs) */
export function cachedEvalPlan(ds: Dataset, opts: EvalPlanOptions): EvalPlan {
  const key = `${opts.split}|${opts.negatives ?? 499}|${opts.seed ?? 0}|${opts.headShare ?? 0.2}`;
  let byKey = planCache.get(ds);
  if (byKey === undefined) planCache.set(ds, (byKey = new Map()));
  let plan = byKey.get(key);
  if (plan === undefined) byKey.set(key, (plan = buildEvalPlan(ds, opts)));
  return plan;
}
