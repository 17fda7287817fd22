// The teacher's ranking knowledge: its top-N unobserved items per user, computed once per distillation
// by block scoring on the tfjs backend (one matmul per block of users) and a size-N heap per user.
import type { Dataset, ProgressFn } from "../types";
import type { BprModel } from "../models/bpr";
import { ItemMatrixScorer } from "../models/accel";
import { getTf } from "../backend";
import { topK } from "../topk";

/** numUsers x N item indices, best first; users with fewer than N unobserved items are padded with -1 */
export async function teacherTopN(teacher: BprModel, ds: Dataset, N: number, progress?: ProgressFn): Promise<Int32Array> {
  const out = new Int32Array(ds.numUsers * N).fill(-1);
  const tf = await getTf();
  const scorer = new ItemMatrixScorer(tf, teacher.items, teacher.numItems, teacher.dim);
  try {
    const block = 256;
    const d = teacher.dim;
    const rows = new Float32Array(block * d);
    const scores = new Float32Array(block * teacher.numItems);
    for (let start = 0; start < ds.numUsers; start += block) {
      const b = Math.min(block, ds.numUsers - start);
      rows.set(teacher.users.subarray(start * d, (start + b) * d));
      scorer.scoreBlock(rows, b, scores);
      for (let j = 0; j < b; j++) {
        const u = start + j;
        const top = topK(scores.subarray(j * teacher.numItems, (j + 1) * teacher.numItems), N, ds.trainByUser[u]);
        out.set(top, u * N);
      }
      progress?.(Math.min(1, (start + b) / ds.numUsers), `teacher top-${N} ${start + b}/${ds.numUsers} users`);
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    scorer.dispose();
  }
  return out;
}
