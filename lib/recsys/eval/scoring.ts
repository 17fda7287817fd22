// Scoring many users: one at a time through Scorer.scoreUser, or in blocks when the scorer can
// (a matmul on the wasm backend scores a block of users far faster than one user at a time).
import type { ProgressFn, Scorer } from "../types";

/** A Scorer that can also score a block of users at once. */
export interface BatchScorer extends Scorer {
  /** writes users.length × numItems scores, row-major (row j = users[j]), into `out` */
  scoreUsers(users: Int32Array, out: Float32Array): void;
}

export function isBatchScorer(s: Scorer): s is BatchScorer {
  return typeof (s as Partial<BatchScorer>).scoreUsers === "function";
}

/** users per block for batch scorers: bounded so the block buffer stays around 32 MB */
function blockSize(numItems: number): number {
  return Math.max(1, Math.min(512, Math.floor((8 << 20) / Math.max(1, numItems))));
}

/**
 * Calls `visit(user, scores, position)` for every user in `users` with that user's full score vector.
 * `scores` is reused between calls: copy what you keep.
 */
export function forEachUserScores(
  scorer: Scorer,
  users: Int32Array,
  visit: (user: number, scores: Float32Array, position: number) => void,
  progress?: ProgressFn,
  label = "scoring",
): void {
  const n = scorer.numItems;
  const total = users.length;
  let lastReport = -1;
  const report = (done: number) => {
    if (progress === undefined) return;
    const pct = Math.floor((100 * done) / Math.max(1, total));
    if (pct !== lastReport) {
      lastReport = pct;
      progress(done / Math.max(1, total), `${label} ${done}/${total} users`);
    }
  };
  if (isBatchScorer(scorer)) {
    const b = blockSize(n);
    const buf = new Float32Array(b * n);
    for (let start = 0; start < total; start += b) {
      const block = users.subarray(start, Math.min(total, start + b));
      scorer.scoreUsers(block, buf.subarray(0, block.length * n));
      for (let j = 0; j < block.length; j++) visit(block[j], buf.subarray(j * n, (j + 1) * n), start + j);
      report(start + block.length);
    }
  } else {
    const scores = new Float32Array(n);
    for (let p = 0; p < total; p++) {
      scorer.scoreUser(users[p], scores);
      visit(users[p], scores, p);
      if ((p & 63) === 63 || p === total - 1) report(p + 1);
    }
  }
  report(total);
}

/** A Scorer that can score just a few items for a user (sampled-only evaluation needs 500 of 25k). */
export interface CandidateScorer extends Scorer {
  /** writes the score of items[j] for dense user `user` into out[j] */
  scoreItems(user: number, items: Int32Array, out: Float32Array): void;
}

export function isCandidateScorer(s: Scorer): s is CandidateScorer {
  return typeof (s as Partial<CandidateScorer>).scoreItems === "function";
}
