// Top-k selection over a score vector: the serving hot path and the heart of evaluation.
// Order everywhere in Understudy: higher score first, ties broken by the lower item index,
// NaN treated as -Infinity (a broken score never outranks a real one).

/** dense item indices to skip: a Set, or an Int32Array sorted ascending (checked only for items that would enter the list) */
export type Exclusion = ReadonlySet<number> | Int32Array;

/**
 * Indices of the k highest scores, best first. Partial selection with a size-k min-heap:
 * O(n + m·log k) where m is how many items beat the running k-th best, far less than a sort.
 */
export function topK(scores: Float32Array, k: number, exclude?: Exclusion): Int32Array {
  return select(scores, k, exclude, -1).top;
}

/**
 * topK and rankInCatalogue(scores, item, exclude) in one pass over the scores (evaluation needs both
 * for every user). `exclude` must be sorted and must not contain `item`.
 */
export function rankAndTopK(scores: Float32Array, item: number, k: number, exclude?: Int32Array): { rank: number; top: Int32Array } {
  let target: number = scores[item];
  if (target !== target) target = -Infinity;
  // NaN ties with a -Infinity target: the generic path normalises every score
  if (target === -Infinity) return { rank: rankInCatalogue(scores, item, exclude), top: topK(scores, k, exclude) };
  const { top, better } = select(scores, k, exclude, item);
  return { rank: better - excludedBetter(scores, item, target, exclude), top };
}

/**
 * The heap selection behind topK. When `item` >= 0 it also counts the items (exclusions included)
 * that beat `item` under the topK order; that count is only meaningful for a finite or +Infinity score.
 */
function select(scores: Float32Array, k: number, exclude: Exclusion | undefined, item: number): { top: Int32Array; better: number } {
  const n = scores.length;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topK: k must be a non-negative integer, got ${k}`);
  const counting = item >= 0;
  const target = counting ? scores[item] : Infinity;
  let better = 0;
  const cap = Math.min(k, n);
  // heap[0] is the worst kept entry: lowest score, and among equal scores the highest index
  const hs = new Float64Array(cap);
  const hi = new Int32Array(cap);
  let size = 0;
  const excluded = exclusionTest(exclude);

  // fill the heap with the first `cap` eligible items
  let i = 0;
  for (; i < n && size < cap; i++) {
    let s: number = scores[i];
    if (counting && (s > target || (s === target && i < item))) better++;
    if (excluded(i)) continue;
    if (s !== s) s = -Infinity;
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
  }
  // the rest: items arrive in ascending index, so only a strictly higher score can enter (NaN never does);
  // the exclusion test runs only for those few
  let worst = size === cap ? (cap === 0 ? Infinity : hs[0]) : Infinity;
  if (counting) {
    for (; i < n; i++) {
      const s = scores[i];
      if (s > target || (s === target && i < item)) better++;
      if (s > worst && !excluded(i)) {
        siftDownReplace(hs, hi, size, s, i);
        worst = hs[0];
      }
    }
  } else {
    for (; i < n; i++) {
      const s = scores[i];
      if (s > worst && !excluded(i)) {
        siftDownReplace(hs, hi, size, s, i);
        worst = hs[0];
      }
    }
  }

  const top = new Int32Array(size);
  // pop the worst repeatedly, filling from the end
  for (let end = size - 1; end >= 0; end--) {
    top[end] = hi[0];
    const lastS = hs[end];
    const lastI = hi[end];
    if (end > 0) siftDownReplace(hs, hi, end, lastS, lastI);
  }
  return { top, better };
}

/** how many excluded items (other than `item`, duplicates once) beat `item`'s score `target` */
function excludedBetter(scores: Float32Array, item: number, target: number, exclude: Int32Array | undefined): number {
  if (exclude === undefined) return 0;
  let count = 0;
  for (let e = 0; e < exclude.length; e++) {
    const j = exclude[e];
    if (j === item || (e > 0 && exclude[e - 1] === j)) continue;
    let s: number = scores[j];
    if (s !== s) s = -Infinity;
    if (s > target || (s === target && j < item)) count++;
  }
  return count;
}

const NEVER = (): boolean => false;

function exclusionTest(exclude: Exclusion | undefined): (i: number) => boolean {
  if (exclude === undefined) return NEVER;
  if (exclude instanceof Int32Array) {
    if (exclude.length === 0) return NEVER;
    return (i) => {
      let lo = 0;
      let hi = exclude.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = exclude[mid];
        if (v === i) return true;
        if (v < i) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    };
  }
  if (exclude.size === 0) return NEVER;
  return (i) => exclude.has(i);
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
  if (target === -Infinity) {
    // NaN ties with a -Infinity target, so normalise every score
    for (let j = 0; j < n; j++) {
      let s: number = scores[j];
      if (s !== s) s = -Infinity;
      if (s > target || (s === target && j < item)) rank++;
    }
  } else {
    // NaN fails both comparisons: counted as worse, like -Infinity
    for (let j = 0; j < item; j++) if (scores[j] >= target) rank++;
    for (let j = item + 1; j < n; j++) if (scores[j] > target) rank++;
  }
  rank -= excludedBetter(scores, item, target, exclude);
  return rank;
}

// scratch of topKBlocks (synchronous, so one per process is enough)
let candScores = new Float32Array(1024);
let candItems = new Int32Array(1024);
let blockHeap = new Float64Array(64);
let maskedItems = new Int32Array(64);
let maskedScores = new Float32Array(64);
let maskedMaxima = new Float32Array(64);

/**
 * topK(scores, k, exclude), reading only the blocks that can hold a top-k item. `maxima[b]` must be the
 * maximum of scores[b·block … b·block + block) (NaN when one is NaN); the last block may be partial
 * (its maximum is then recomputed here from the real items). The excluded items are masked first (score
 * -Infinity, their blocks' maxima recomputed; both arrays are restored before returning), so the k-th
 * largest block maximum τ is reached by k distinct eligible items: every top-k item scores ≥ τ and lies
 * in a block whose maximum is ≥ τ. Only those blocks are scanned, in index order, so ties keep the topK
 * order (lower index first). Falls back to the full scan when that bound is useless (NaN maxima,
 * τ = -Infinity, k ≥ the number of blocks).
 */
export function topKBlocks(scores: Float32Array, maxima: Float32Array, block: number, k: number, exclude?: Exclusion): Int32Array {
  const n = scores.length;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topK: k must be a non-negative integer, got ${k}`);
  const blocks = Math.ceil(n / block);
  if (maxima.length < blocks) throw new RangeError(`topKBlocks: ${maxima.length} maxima for ${blocks} blocks`);
  if (k === 0 || k >= blocks) return topK(scores, k, exclude);
  const masked = exclude === undefined ? 0 : maskExcluded(scores, maxima, block, exclude);
  const top = selectInBlocks(scores, maxima, block, blocks, k);
  // restore in reverse order, so that an item or a block masked twice gets its original value back
  for (let j = masked - 1; j >= 0; j--) {
    const i = maskedItems[j];
    scores[i] = maskedScores[j];
    maxima[Math.floor(i / block)] = maskedMaxima[j];
  }
  return top ?? topK(scores, k, exclude);
}

/**
 * Sets the excluded items' scores to -Infinity and recomputes their blocks' maxima, saving what it
 * overwrites in the masked* scratch (a block's maximum is rescanned only when the item may have been
 * it); returns how many entries it saved.
 */
function maskExcluded(scores: Float32Array, maxima: Float32Array, block: number, exclude: Exclusion): number {
  const e = exclude instanceof Int32Array ? exclude.length : exclude.size;
  if (e === 0) return 0;
  if (maskedItems.length < e) {
    maskedItems = new Int32Array(2 * e);
    maskedScores = new Float32Array(2 * e);
    maskedMaxima = new Float32Array(2 * e);
  }
  const n = scores.length;
  let count = 0;
  const sorted = exclude instanceof Int32Array;
  const items = sorted ? exclude : exclude.values();
  for (let j = 0; j < e; j++) {
    const i = sorted ? (items as Int32Array)[j] : (items as IterableIterator<number>).next().value!;
    if (!(i >= 0 && i < n)) continue;
    const s = scores[i];
    const b = Math.floor(i / block);
    maskedItems[count] = i;
    maskedScores[count] = s;
    maskedMaxima[count++] = maxima[b];
    scores[i] = -Infinity;
    // the block's maximum changes only when the item was it (or may have been: NaN)
    if (s !== maxima[b] && s === s && maxima[b] === maxima[b]) continue;
    const end = Math.min(n, (b + 1) * block);
    let m = -Infinity;
    for (let x = b * block; x < end; x++) {
      const v = scores[x];
      if (v !== v) {
        m = NaN;
        break;
      }
      if (v > m) m = v;
    }
    maxima[b] = m;
  }
  return count;
}

/** the top-k of every item (none excluded) through the block maxima; null when the bound is useless */
function selectInBlocks(scores: Float32Array, maxima: Float32Array, block: number, blocks: number, k: number): Int32Array | null {
  const n = scores.length;
  const lastStart = (blocks - 1) * block;
  let lastMax = -Infinity;
  for (let i = lastStart; i < n; i++) {
    const s = scores[i];
    if (s !== s) return null;
    if (s > lastMax) lastMax = s;
  }
  // τ: the k-th largest maximum (the last block's from its real items)
  const saved = maxima[blocks - 1];
  maxima[blocks - 1] = lastMax;
  const tau = kthLargest(maxima, blocks, k);
  maxima[blocks - 1] = saved;
  if (!(tau > -Infinity)) return null; // NaN or -Infinity: no usable bound
  let count = 0;
  for (let b = 0; b < blocks; b++) {
    const m = b === blocks - 1 ? lastMax : maxima[b];
    if (m < tau) continue;
    const end = Math.min(n, (b + 1) * block);
    for (let i = b * block; i < end; i++) {
      const s = scores[i];
      if (s >= tau) {
        if (count === candScores.length) {
          const grownS = new Float32Array(count * 2);
          grownS.set(candScores);
          candScores = grownS;
          const grownI = new Int32Array(count * 2);
          grownI.set(candItems);
          candItems = grownI;
        }
        candScores[count] = s;
        candItems[count++] = i;
      }
    }
  }
  return topKAmong(candScores, candItems, count, k);
}

/**
 * The k-th largest of values[0 … count) (1 ≤ k ≤ count), through a min-heap of the k largest seen;
 * NaN when one of them is NaN.
 */
export function kthLargest(values: ArrayLike<number>, count: number, k: number): number {
  if (blockHeap.length < k) blockHeap = new Float64Array(k);
  let size = 0;
  for (let b = 0; b < count; b++) {
    const m = values[b];
    if (m !== m) return NaN;
    size = keepLargest(blockHeap, size, k, m);
  }
  return blockHeap[0];
}

/** v into the min-heap heap[0 … size) of at most k values, which keeps the k largest; returns the new size */
export function keepLargest(heap: Float64Array | Int32Array, size: number, k: number, v: number): number {
  if (size < k) {
    let c = size;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (heap[parent] <= v) break;
      heap[c] = heap[parent];
      c = parent;
    }
    heap[c] = v;
    return size + 1;
  }
  if (v > heap[0]) {
    let parent = 0;
    for (;;) {
      const l = 2 * parent + 1;
      if (l >= k) break;
      const c = l + 1 < k && heap[l + 1] < heap[l] ? l + 1 : l;
      if (v <= heap[c]) break;
      heap[parent] = heap[c];
      parent = c;
    }
    heap[parent] = v;
  }
  return size;
}

/**
 * The k best of `count` candidates (items[c], scores[c]) listed in ascending item order, as item
 * indices, best first: positions then order ties exactly like item indices.
 */
export function topKAmong(scores: Float32Array, items: Int32Array, count: number, k: number): Int32Array {
  const top = select(scores.subarray(0, count), k, undefined, -1).top;
  for (let t = 0; t < top.length; t++) top[t] = items[top[t]];
  return top;
}
