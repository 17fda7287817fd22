// The teacher's ranking knowledge: its top-N unobserved items per user (and users per item, for IR-RRD), computed once per distillation
// by block scoring on the tfjs backend (one matmul per block of users) and a size-N heap per user.
import type { Dataset, ProgressFn } from "../types";
import type { BprModel } from "../models/bpr";
import { ItemMatrixScorer } from "../models/accel";
import { getTf } from "../backend";
import { topK } from "../topk";
import { usersByItem } from "./rrd";

/** numUsers x N item indices, best first; users with fewer than N unobserved items are padded with -1 */
export async function teacherTopN(teacher: BprModel, ds: Dataset, N: number, progress?: ProgressFn): Promise<Int32Array> {
  return topNOfRows(teacher.users, ds.numUsers, teacher.items, ds.numItems, teacher.dim, ds.trainByUser, N, "users", progress);
}

/** numItems x N user indices, best first (IR-RRD's item side): the teacher's top-N unobserved users of each item */
export async function teacherTopNUsers(teacher: BprModel, ds: Dataset, N: number, progress?: ProgressFn): Promise<Int32Array> {
  return topNOfRows(teacher.items, ds.numItems, teacher.users, ds.numUsers, teacher.dim, usersByItem(ds), N, "items", progress);
}

async function topNOfRows(
  rowTable: Float32Array,
  numRows: number,
  colTable: Float32Array,
  numCols: number,
  d: number,
  observed: Int32Array[],
  N: number,
  what: string,
  progress?: ProgressFn,
): Promise<Int32Array> {
  const out = new Int32Array(numRows * N).fill(-1);
  const tf = await getTf();
  const scorer = new ItemMatrixScorer(tf, colTable, numCols, d);
  try {
    const block = 256;
    const rows = new Float32Array(block * d);
    const scores = new Float32Array(block * numCols);
    for (let start = 0; start < numRows; start += block) {
      const b = Math.min(block, numRows - start);
      rows.set(rowTable.subarray(start * d, (start + b) * d));
      scorer.scoreBlock(rows, b, scores);
      for (let j = 0; j < b; j++) {
        const r = start + j;
        const top = topK(scores.subarray(j * numCols, (j + 1) * numCols), N, observed[r]);
        out.set(top, r * N);
      }
      progress?.(Math.min(1, (start + b) / numRows), `teacher top-${N} ${start + b}/${numRows} ${what}`);
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    scorer.dispose();
  }
  return out;
}
