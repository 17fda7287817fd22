// Leave-one-out split of raw interactions: per user, the latest item (by time, or a seeded random one
// when there is no time) is the test item and the one before it the validation item.
import type { Dataset } from "../types";
import { Rng } from "../random";
import { DatasetError } from "./errors";

/** Growable columns of raw interactions in provisional indices. */
export class InteractionColumns {
  users = new Int32Array(1024);
  items = new Int32Array(1024);
  times = new Float64Array(1024);
  length = 0;

  push(user: number, item: number, time: number): void {
    if (this.length === this.users.length) {
      const cap = this.users.length * 2;
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
  const { columns: c, userIds, itemIds } = input;
  const numUsers = userIds.length;
  const numItems = itemIds.length;
  if (c.length === 0) throw new DatasetError(`${input.name}: no interactions`);

  // counting sort of interaction positions by user
  const start = new Int32Array(numUsers + 1);
  for (let k = 0; k < c.length; k++) start[c.users[k] + 1]++;
  for (let u = 0; u < numUsers; u++) start[u + 1] += start[u];
  const fill = start.slice(0, numUsers);
  const byUser = new Int32Array(c.length);
  for (let k = 0; k < c.length; k++) byUser[fill[c.users[k]]++] = k;

  const rng = new Rng(input.seed);
  const trainByUser: Int32Array[] = new Array(numUsers);
  const valid = new Int32Array(numUsers).fill(-1);
  const test = new Int32Array(numUsers).fill(-1);
  const latest = new Map<number, number>();

  for (let u = 0; u < numUsers; u++) {
    latest.clear();
    for (let p = start[u]; p < start[u + 1]; p++) {
      const k = byUser[p];
      const prev = latest.get(c.items[k]);
      if (prev === undefined || c.times[k] > prev) latest.set(c.items[k], c.times[k]);
    }
    const items = Int32Array.from(latest.keys()).sort();
    if (items.length < MIN_ITEMS_FOR_HOLDOUT) {
      trainByUser[u] = items;
      continue;
    }
    let testItem: number;
    let validItem: number;
    if (input.timed) {
      // order by time; equal times are ordered by a seeded random key so no id order leaks into the split
      const keys = new Float64Array(items.length);
      for (let j = 0; j < items.length; j++) keys[j] = rng.next();
      const order = Array.from(items.keys()).sort(
        (a, b) => latest.get(items[a])! - latest.get(items[b])! || keys[a] - keys[b],
      );
      testItem = items[order[order.length - 1]];
      validItem = items[order[order.length - 2]];
    } else {
      const t = rng.int(items.length);
      let v = rng.int(items.length - 1);
      if (v >= t) v++;
      testItem = items[t];
      validItem = items[v];
    }
    test[u] = testItem;
    valid[u] = validItem;
    trainByUser[u] = items.filter((i) => i !== testItem && i !== validItem);
  }

  return { name: input.name, numUsers, numItems, userIds, itemIds, trainByUser, valid, test, source: input.source };
}
