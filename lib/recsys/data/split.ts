// Splits of raw interactions into train / validation / test: leave-one-out by time or at random, or a
// time cut-off (SplitSpec); duplicates of a (user, item) pair collapse to their latest time first.
import type { Dataset } from "../types";
import { Rng } from "../random";
import { DatasetError } from "./errors";

/** Growable columns of raw interactions in provisional indices. */
export class InteractionColumns {
  users = new Int32Array(1024);
  items = new Int32Array(1024);
  times = new Float64Array(1024);
  length = 0;

  /** makes room for `capacity` rows (a size estimate saves the copies of doubling) */
  reserve(capacity: number): void {
    if (capacity <= this.users.length) return;
    this.users = grow(this.users, new Int32Array(capacity));
    this.items = grow(this.items, new Int32Array(capacity));
    this.times = grow(this.times, new Float64Array(capacity));
  }

  push(user: number, item: number, time: number): void {
    if (this.length === this.users.length) {
      // 1.5×: past a size estimate, growth by doubling would cost half the columns again
      const cap = Math.ceil(this.users.length * 1.5);
      this.users = grow(this.users, new Int32Array(cap));
      this.items = grow(this.items, new Int32Array(cap));
      this.times = grow(this.times, new Float64Array(cap));
    }
    this.users[this.length] = user;
    this.items[this.length] = item;
    this.times[this.length] = time;
    this.length++;
  }
}

function grow<T extends Int32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

/** users with fewer distinct items than this keep everything in train */
export const MIN_ITEMS_FOR_HOLDOUT = 3;

export interface LeaveOneOutInput {
  name: string;
  source: Dataset["source"];
  userIds: string[];
  itemIds: string[];
  /** interactions in dense indices; duplicates of a (user, item) pair keep their latest time */
  columns: InteractionColumns;
  /** whether `columns.times` are meaningful; else held-out items are drawn at random */
  timed: boolean;
  seed: number;
}

export function leaveOneOut(input: LeaveOneOutInput): Dataset {
  return splitDataset({ ...input, spec: { kind: input.timed ? "loo-time" : "loo-random", seed: input.seed } });
}

/** Splits dense-index interactions by `spec` into a Dataset (the import's and the live snapshots' split). */
export function splitDataset(input: Omit<LeaveOneOutInput, "timed" | "seed"> & { spec: SplitSpec }): Dataset {
  if (input.columns.length === 0) throw new DatasetError(`${input.name}: no interactions`);
  const split = splitInteractions(input.columns, input.spec, { numUsers: input.userIds.length, numItems: input.itemIds.length });
  return {
    name: input.name,
    numUsers: split.numUsers,
    numItems: split.numItems,
    userIds: input.userIds,
    itemIds: input.itemIds,
    trainByUser: split.trainByUser,
    valid: split.valid,
    test: split.test,
    source: input.source,
  };
}

/**
 * How held-out items are chosen, recorded in Dataset.params.split so a later snapshot is split the same way:
 * - loo-time: per user the latest item is test, the one before it validation (time ties broken by seed);
 * - loo-random: per user a seeded random item is test, another validation;
 * - time-cutoff: interactions after `cutoff` (ISO 8601) are the future: per user the first of them is the
 *   test item (a dataset holds one test item per user), the rest stay out of train; the latest
 *   interaction before the cut-off is validation.
 * Users with fewer than MIN_ITEMS_FOR_HOLDOUT distinct items keep everything in train (LOO kinds).
 */
export type SplitSpec = { kind: "loo-time"; seed?: number } | { kind: "loo-random"; seed?: number } | { kind: "time-cutoff"; cutoff: string; seed?: number };

export const SPLIT_KINDS = ["loo-time", "loo-random", "time-cutoff"] as const;

/** Interactions with one row per (user, item), sorted by user then item, in CSR form. */
export interface DedupedInteractions {
  numUsers: number;
  numItems: number;
  /** rows of user u are userStart[u] .. userStart[u + 1] - 1 */
  userStart: Int32Array;
  items: Int32Array;
  /** latest time of the pair in unix seconds, NaN when unknown */
  times: Float64Array;
}

export interface SplitResult {
  numUsers: number;
  numItems: number;
  trainByUser: Int32Array[];
  valid: Int32Array;
  test: Int32Array;
  interactions: DedupedInteractions;
  counts: {
    /** input rows */
    rows: number;
    /** distinct (user, item) pairs */
    interactions: number;
    train: number;
    valid: number;
    test: number;
    /** time-cutoff: interactions after the cut-off that are neither test nor train */
    afterCutoffNotHeldOut: number;
  };
}

function sizesOf(c: InteractionColumns): { numUsers: number; numItems: number } {
  let maxU = -1;
  let maxI = -1;
  for (let k = 0; k < c.length; k++) {
    if (c.users[k] > maxU) maxU = c.users[k];
    if (c.items[k] > maxI) maxI = c.items[k];
  }
  return { numUsers: maxU + 1, numItems: maxI + 1 };
}

/**
 * Collapses repeated (user, item) pairs to their latest time: one counting sort by user, then each
 * user's rows sorted by item (packed numeric keys, native sort) and compacted in place.
 */
export function dedupeInteractions(c: InteractionColumns, sizes: { numUsers: number; numItems: number } = sizesOf(c)): DedupedInteractions {
  const { numUsers, numItems } = sizes;
  const n = c.length;
  const { users, items, times } = c;
  for (let k = 0; k < n; k++) {
    if (users[k] < 0 || users[k] >= numUsers || items[k] < 0 || items[k] >= numItems) {
      throw new DatasetError(`interaction ${k}: user ${users[k]} / item ${items[k]} outside ${numUsers} users × ${numItems} items`);
    }
  }
  const start = new Int32Array(numUsers + 1);
  for (let k = 0; k < n; k++) start[users[k] + 1]++;
  let maxLen = 0;
  for (let u = 0; u < numUsers; u++) {
    if (start[u + 1] > maxLen) maxLen = start[u + 1];
    start[u + 1] += start[u];
  }
  const fill = start.slice(0, numUsers);
  const outItems = new Int32Array(n);
  const outTimes = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const p = fill[users[k]]++;
    outItems[p] = items[k];
    outTimes[p] = times[k];
  }
  const SHIFT = 1048576; // 2^20 positions per user in a packed key (item * 2^20 + position)
  const keys = new Float64Array(maxLen);
  const segTimes = new Float64Array(maxLen);
  const userStart = new Int32Array(numUsers + 1);
  let w = 0;
  for (let u = 0; u < numUsers; u++) {
    const s = start[u];
    const len = start[u + 1] - s;
    userStart[u] = w;
    if (len === 0) continue;
    segTimes.set(outTimes.subarray(s, s + len));
    let prevItem = -1;
    const keep = (item: number, t: number) => {
      if (item !== prevItem) {
        outItems[w] = item;
        outTimes[w] = t;
        w++;
        prevItem = item;
      } else if (t > outTimes[w - 1] || (outTimes[w - 1] !== outTimes[w - 1] && t === t)) {
        outTimes[w - 1] = t;
      }
    };
    if (len < SHIFT) {
      for (let j = 0; j < len; j++) keys[j] = outItems[s + j] * SHIFT + j;
      keys.subarray(0, len).sort();
      for (let j = 0; j < len; j++) {
        const key = keys[j];
        const item = Math.floor(key / SHIFT);
        keep(item, segTimes[key - item * SHIFT]);
      }
    } else {
      // a user with a million rows or more: sort positions by comparator
      const segItems = outItems.slice(s, s + len);
      const idx = Int32Array.from({ length: len }, (_, j) => j).sort((a, b) => segItems[a] - segItems[b]);
      for (let j = 0; j < len; j++) keep(segItems[idx[j]], segTimes[idx[j]]);
    }
  }
  userStart[numUsers] = w;
  return { numUsers, numItems, userStart, items: outItems.subarray(0, w), times: outTimes.subarray(0, w) };
}

/** later in time (unknown = earliest), ties by the random key */
function later(t1: number, k1: number, t2: number, k2: number): boolean {
  const a = t1 === t1 ? t1 : -Infinity;
  const b = t2 === t2 ? t2 : -Infinity;
  return a > b || (a === b && k1 > k2);
}

/** Parses an ISO 8601 cut-off to unix seconds, or throws a DatasetError naming it. */
export function cutoffSeconds(cutoff: string): number {
  const ms = Date.parse(cutoff);
  if (!Number.isFinite(ms)) throw new DatasetError(`split cut-off '${cutoff}' is not a date (ISO 8601, e.g. 2024-01-31 or 2024-01-31T12:00:00Z)`);
  return ms / 1000;
}

/**
 * The one entry point of splitting: de-duplicates `columns` (dense indices; times in unix seconds, NaN
 * unknown) and splits them by `spec`. Deterministic for the same content and spec. `sizes` keeps
 * users/items without rows (default: max index + 1).
 */
export function splitInteractions(columns: InteractionColumns, spec: SplitSpec, sizes?: { numUsers: number; numItems: number }): SplitResult {
  const d = dedupeInteractions(columns, sizes);
  const { numUsers, userStart, items, times } = d;
  const rng = new Rng(spec.seed ?? 0);
  const valid = new Int32Array(numUsers).fill(-1);
  const test = new Int32Array(numUsers).fill(-1);
  const trainStart = new Int32Array(numUsers + 1);
  const trainItems = new Int32Array(items.length);
  const cutoff = spec.kind === "time-cutoff" ? cutoffSeconds(spec.cutoff) : 0;
  let afterCutoff = 0;
  let w = 0;
  for (let u = 0; u < numUsers; u++) {
    const s = userStart[u];
    const e = userStart[u + 1];
    const len = e - s;
    let testPos = -1;
    let validPos = -1;
    let skipFrom = Infinity; // time-cutoff: rows after the cut-off never go to train
    if (spec.kind === "time-cutoff") {
      let firstAfter = -1;
      let firstAfterKey = 0;
      let lastBefore = -1;
      let lastBeforeKey = 0;
      let before = 0;
      let after = 0;
      for (let p = s; p < e; p++) {
        const key = rng.next();
        if (times[p] > cutoff) {
          after++;
          if (firstAfter < 0 || later(times[firstAfter], firstAfterKey, times[p], key)) {
            firstAfter = p;
            firstAfterKey = key;
          }
        } else {
          before++;
          if (lastBefore < 0 || later(times[p], key, times[lastBefore], lastBeforeKey)) {
            lastBefore = p;
            lastBeforeKey = key;
          }
        }
      }
      skipFrom = cutoff;
      if (before >= 1 && after >= 1) testPos = firstAfter;
      if (before >= 2) validPos = lastBefore;
      afterCutoff += after - (testPos >= 0 ? 1 : 0);
    } else if (len >= MIN_ITEMS_FOR_HOLDOUT) {
      if (spec.kind === "loo-time") {
        let bestKey = -1;
        let secondKey = -1;
        for (let p = s; p < e; p++) {
          const key = rng.next();
          if (testPos < 0 || later(times[p], key, times[testPos], bestKey)) {
            validPos = testPos;
            secondKey = bestKey;
            testPos = p;
            bestKey = key;
          } else if (validPos < 0 || later(times[p], key, times[validPos], secondKey)) {
            validPos = p;
            secondKey = key;
          }
        }
      } else {
        const t = rng.int(len);
        let v = rng.int(len - 1);
        if (v >= t) v++;
        testPos = s + t;
        validPos = s + v;
      }
    }
    if (testPos >= 0) test[u] = items[testPos];
    if (validPos >= 0) valid[u] = items[validPos];
    trainStart[u] = w;
    for (let p = s; p < e; p++) {
      if (p === testPos || p === validPos || times[p] > skipFrom) continue;
      trainItems[w++] = items[p];
    }
  }
  trainStart[numUsers] = w;
  const trainByUser = new Array<Int32Array>(numUsers);
  for (let u = 0; u < numUsers; u++) trainByUser[u] = trainItems.subarray(trainStart[u], trainStart[u + 1]);
  let nValid = 0;
  let nTest = 0;
  for (let u = 0; u < numUsers; u++) {
    if (valid[u] >= 0) nValid++;
    if (test[u] >= 0) nTest++;
  }
  return {
    numUsers,
    numItems: d.numItems,
    trainByUser,
    valid,
    test,
    interactions: d,
    counts: { rows: columns.length, interactions: items.length, train: w, valid: nValid, test: nTest, afterCutoffNotHeldOut: afterCutoff },
  };
}
