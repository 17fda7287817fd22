// Top-k selection over a score vector: the serving hot path and the heart of evaluation.
// Order everywhere in Understudy: higher score first, ties broken by the lower item index,
// NaN treated as -Infinity (a broken score never outranks a real one).

/** dense item indices to skip: a Set, or an Int32Array sorted ascending (cheaper to walk) */
export type Exclusion = ReadonlySet<number> | Int32Array;

const EMPTY = new Int32Array(0);

/**
 * Indices of the k highest scores, best first. Partial selection with a size-k min-heap:
 * O(n + m·log k) where m is how many items beat the running k-th best, far less than a sort.
 */
export function topK(scores: Float32Array, k: number, exclude?: Exclusion): Int32Array {
  const n = scores.length;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topK: k must be a non-negative integer, got ${k}`);
  if (k === 0 || n === 0) return new Int32Array(0);
  const cap = Math.min(k, n);
  // heap[0] is the worst kept entry: lowest score, and among equal scores the highest index
  const hs = new Float64Array(cap);
  const hi = new Int32Array(cap);
  let size = 0;

  const sorted = exclude instanceof Int32Array ? exclude : EMPTY;
  const set = exclude instanceof Int32Array ? undefined : exclude;
  let ex = 0;
  let nextEx = sorted.length > 0 ? sorted[0] : -1;

  for (let i = 0; i < n; i++) {
    if (i === nextEx) {
      // skip duplicates in the exclusion list as well
      while (ex < sorted.length && sorted[ex] <= i) ex++;
      nextEx = ex < sorted.length ? sorted[ex] : -1;
      continue;
    }
    if (set !== undefined && set.has(i)) continue;
    let s: number = scores[i];
    if (s !== s) s = -Infinity;
    if (size < cap) {
      // sift up: an entry is "worse" with a lower score or, at equal score, a higher index
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (hs[p] < s || (hs[p] === s && hi[p] > i)) break;
        hs[c] = hs[p];
        hi[c] = hi[p];
        c = p;
      }
      hs[c] = s;
      hi[c] = i;
    } else if (s > hs[0]) {
      // items arrive in ascending index, so an equal score never beats the kept one
      siftDownReplace(hs, hi, size, s, i);
    }
  }

  const out = new Int32Array(size);
  // pop the worst repeatedly, filling from the end
  for (let end = size - 1; end >= 0; end--) {
    out[end] = hi[0];
    const lastS = hs[end];
    const lastI = hi[end];
    if (end > 0) siftDownReplace(hs, hi, end, lastS, lastI);
  }
  return out;
}

/** replace the root of a heap of `size` entries by (s, i) and restore the heap property */
function siftDownReplace(hs: Float64Array, hi: Int32Array, size: number, s: number, i: number): void {
  let p = 0;
  for (;;) {
    const l = 2 * p + 1;
    if (l >= size) break;
    let c = l;
    const r = l + 1;
    // pick the worse child
    if (r < size && (hs[r] < hs[l] || (hs[r] === hs[l] && hi[r] > hi[l]))) c = r;
    // stop when (s, i) is worse than that child
    if (s < hs[c] || (s === hs[c] && i > hi[c])) break;
    hs[p] = hs[c];
    hi[p] = hi[c];
    p = c;
  }
  hs[p] = s;
  hi[p] = i;
}

/**
 * 0-based rank of `item` among `candidates` (which may or may not contain it) under the topK order:
 * the number of candidates with a higher score, or an equal score and a lower index.
 * So `rankOf(...) < k` exactly when `item` would appear in the top-k of {item} ∪ candidates.
 */
export function rankOf(scores: Float32Array, item: number, candidates: ArrayLike<number>): number {
  let target: number = scores[item];
  if (target !== target) target = -Infinity;
  let rank = 0;
  for (let j = 0; j < candidates.length; j++) {
    const c = candidates[j];
    if (c === item) continue;
    let s: number = scores[c];
    if (s !== s) s = -Infinity;
    if (s > target || (s === target && c < item)) rank++;
  }
  return rank;
}

/**
 * 0-based rank of `item` among all items except `exclude` (sorted ascending; `item` itself is never
 * counted against itself). Full-catalogue version of rankOf without materialising the candidate list.
 */
export function rankInCatalogue(scores: Float32Array, item: number, exclude?: Int32Array): number {
  let target: number = scores[item];
  if (target !== target) target = -Infinity;
  let rank = 0;
  const n = scores.length;
  for (let j = 0; j < n; j++) {
    let s: number = scores[j];
    if (s !== s) s = -Infinity;
    if (s > target || (s === target && j < item)) rank++;
  }
  if (exclude !== undefined) {
    for (let e = 0; e < exclude.length; e++) {
      const j = exclude[e];
      if (j === item || (e > 0 && exclude[e - 1] === j)) continue;
      let s: number = scores[j];
      if (s !== s) s = -Infinity;
      if (s > target || (s === target && j < item)) rank--;
    }
  }
  return rank;
}
