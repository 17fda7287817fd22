// Hand-made datasets for unit tests: the counts follow from the id lists, and users without a held-out
// item have -1 as their valid and test item.
import type { Dataset } from "@/lib/recsys/types";

export function handDataset(d: {
  name: string;
  userIds: string[];
  itemIds: string[];
  trainByUser: Int32Array[];
  valid?: Int32Array;
  test?: Int32Array;
}): Dataset {
  const none = () => new Int32Array(d.userIds.length).fill(-1);
  return {
    name: d.name,
    numUsers: d.userIds.length,
    numItems: d.itemIds.length,
    userIds: d.userIds,
    itemIds: d.itemIds,
    trainByUser: d.trainByUser,
    valid: d.valid ?? none(),
    test: d.test ?? none(),
    source: { kind: "synthetic" },
  };
}

/** ids `${prefix}0` … `${prefix}${n - 1}` */
export const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** training interactions only, users u0… and items i0… */
export const trainOnlyDataset = (name: string, trainByUser: Int32Array[], numItems: number): Dataset =>
  handDataset({ name, userIds: ids("u", trainByUser.length), itemIds: ids("i", numItems), trainByUser });
