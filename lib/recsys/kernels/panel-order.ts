// An order of the items in which consecutive panels hold similar items, so that a panel's bounding ball
// (centre and radius) is small and a user's upper bound on a panel's scores rules most panels out. The
// items are cut into bands of similar norm (largest first), and each band is halved recursively along
// its principal direction (a PCA tree) down to whole panels. Every cut puts a whole number of panels
// on its first side, so only the last panel of the order can be partly filled. Each panel's ball is then
// centred close to the smallest one around its items.

/** norm bands before the PCA tree (fewer when the catalogue has fewer panels) */
const BANDS = 8;
/** power-iteration steps for a node's principal direction (a rough direction splits as well) */
const POWER_STEPS = 3;
/** Bădoiu–Clarkson steps for a panel's ball centre */
const BALL_STEPS = 24;
/** most items a node's direction is estimated on */
const SAMPLE = 128;

/** the panels' order (slot → item) and the centre of each panel's bounding ball (panels × dim, f32) */
export interface PanelLayout {
  order: Int32Array;
  centres: Float32Array;
}

/** slot → item: the order of `numItems` row-major items (numItems × dim) in panels of `panel` */
export function panelOrder(items: Float32Array, numItems: number, dim: number, panel: number): Int32Array {
  return runSteps(orderSteps(items, numItems, dim, panel));
}

/** panelOrder and the centres of its panels' balls */
export function panelLayout(items: Float32Array, numItems: number, dim: number, panel: number): PanelLayout {
  return runSteps(layoutSteps(items, numItems, dim, panel));
}

/**
 * panelLayout without holding the thread: it yields to the event loop (setImmediate) after each `sliceMs`
 * of work, so that a serving process loading a model keeps answering (a dim-200 table of 25k items
 * takes one to two seconds here).
 */
export async function panelLayoutYielding(items: Float32Array, numItems: number, dim: number, panel: number, sliceMs = 10): Promise<PanelLayout> {
  const steps = layoutSteps(items, numItems, dim, panel);
  for (let sliceEnd = performance.now() + sliceMs; ;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() >= sliceEnd) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceEnd = performance.now() + sliceMs;
    }
  }
}

function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function* layoutSteps(items: Float32Array, numItems: number, dim: number, panel: number): Generator<void, PanelLayout> {
  const order = yield* orderSteps(items, numItems, dim, panel);
  const panels = Math.ceil(numItems / panel);
  const centres = new Float32Array(panels * dim);
  const scratch = new Float32Array(dim);
  for (let p = 0; p < panels; p++) {
    yield;
    ballCentre(items, dim, order, p * panel, Math.min(numItems, (p + 1) * panel), centres.subarray(p * dim, (p + 1) * dim), scratch);
  }
  return { order, centres };
}

/**
 * A centre for the smallest ball around order[from … to): from the mean, Bădoiu–Clarkson steps (move
 * 1/(s+1) of the way to the farthest item), keeping the centre of smallest radius met, so never worse
 * than the mean (24 steps: a trained dim-20 student scores 16 % of the panels a user instead of 23 %, its teacher 41 % instead of 51 %).
 */
function ballCentre(items: Float32Array, dim: number, order: Int32Array, from: number, to: number, best: Float32Array, centre: Float32Array): void {
  centre.fill(0);
  for (let t = from; t < to; t++) for (let x = 0, r = order[t] * dim; x < dim; x++) centre[x] += items[r + x] / (to - from);
  let bestSq = Infinity;
  for (let step = 1; ; step++) {
    let far = 0;
    let farSq = -1;
    for (let t = from; t < to; t++) {
      const r = order[t] * dim;
      let sq = 0;
      for (let x = 0; x < dim; x++) sq += (items[r + x] - centre[x]) ** 2;
      if (sq > farSq) [far, farSq] = [r, sq];
    }
    if (farSq < bestSq) {
      bestSq = farSq;
      best.set(centre);
    }
    if (step > BALL_STEPS) return;
    for (let x = 0; x < dim; x++) centre[x] += (items[far + x] - centre[x]) / (step + 1);
  }
}

/** the work of panelOrder, a node of the tree at a time (yields between nodes, returns the order) */
function* orderSteps(items: Float32Array, numItems: number, dim: number, panel: number): Generator<void, Int32Array> {
  if (items.length !== numItems * dim) throw new RangeError(`panelOrder: ${items.length} floats is not ${numItems} items × ${dim}`);
  const norms = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) {
    let s = 0;
    for (let x = 0, r = i * dim; x < dim; x++) s += items[r + x] * items[r + x];
    norms[i] = Number.isFinite(s) ? s : 0;
  }
  const order = Int32Array.from({ length: numItems }, (_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b);
  const panels = Math.ceil(numItems / panel);
  const bandPanels = Math.max(1, Math.ceil(panels / BANDS));
  const work = {
    direction: new Float64Array(dim),
    next: new Float64Array(dim),
    mean: new Float64Array(dim),
    spread: new Float64Array(dim),
    keys: new Float64Array(numItems),
  };
  // nodes [from, to) still to split
  const nodes: [number, number][] = [];
  for (let from = 0; from < numItems; from += bandPanels * panel) nodes.push([from, Math.min(numItems, from + bandPanels * panel)]);
  for (let node = nodes.pop(); node; node = nodes.pop()) {
    yield;
    const [from, to] = node;
    const left = split(items, dim, panel, order, from, to, work);
    if (left > 0) nodes.push([from + left, to], [from, from + left]);
  }
  return order;
}

interface Scratch {
  direction: Float64Array;
  next: Float64Array;
  mean: Float64Array;
  spread: Float64Array;
  keys: Float64Array;
}

/**
 * Halves order[from … to) along its principal direction: the `left` items of smallest projection first
 * (a whole number of panels), returned; 0 for a node of one panel, left as it is.
 */
function split(items: Float32Array, dim: number, panel: number, order: Int32Array, from: number, to: number, work: Scratch): number {
  const count = to - from;
  if (count <= panel) return 0;
  const { direction: w, next, mean, spread, keys } = work;
  // the direction is estimated on an evenly spaced sample of the node (its order is the parent's projection)
  const step = Math.max(1, Math.floor(count / SAMPLE));
  const sampled = Math.ceil(count / step);
  mean.fill(0);
  for (let t = from; t < to; t += step) for (let x = 0, r = order[t] * dim; x < dim; x++) mean[x] += items[r + x];
  for (let x = 0; x < dim; x++) mean[x] /= sampled;
  // start from the feature of largest spread, then w ← Cᵀ C w
  spread.fill(0);
  for (let t = from; t < to; t += step) {
    for (let x = 0, r = order[t] * dim; x < dim; x++) spread[x] += (items[r + x] - mean[x]) ** 2;
  }
  let widest = 0;
  for (let x = 1; x < dim; x++) if (spread[x] > spread[widest]) widest = x;
  w.fill(0);
  w[widest] = 1;
  for (let s = 0; s < POWER_STEPS; s++) {
    next.fill(0);
    for (let t = from; t < to; t += step) {
      const r = order[t] * dim;
      let proj = 0;
      for (let x = 0; x < dim; x++) proj += (items[r + x] - mean[x]) * w[x];
      for (let x = 0; x < dim; x++) next[x] += proj * (items[r + x] - mean[x]);
    }
    let norm = 0;
    for (let x = 0; x < dim; x++) norm += next[x] * next[x];
    if (!(norm > 0) || !Number.isFinite(norm)) break;
    norm = Math.sqrt(norm);
    for (let x = 0; x < dim; x++) w[x] = next[x] / norm;
  }
  for (let t = from; t < to; t++) {
    const r = order[t] * dim;
    let proj = 0;
    for (let x = 0; x < dim; x++) proj += (items[r + x] - mean[x]) * w[x];
    keys[order[t]] = Number.isFinite(proj) ? proj : 0;
  }
  const left = Math.floor(Math.ceil(count / panel) / 2) * panel;
  selectSmallest(order, from, to, from + left, keys);
  return left;
}

/**
 * Reorders order[from … to) so that the `nth − from` items of smallest key (ties to the lower item) come
 * first, in no particular order: quickselect with a median-of-three pivot.
 */
function selectSmallest(order: Int32Array, from: number, to: number, nth: number, keys: Float64Array): void {
  const before = (a: number, b: number) => keys[a] < keys[b] || (keys[a] === keys[b] && a < b);
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    let [a, b, c] = [order[lo], order[mid], order[hi]];
    if (before(b, a)) [a, b] = [b, a];
    if (before(c, b)) [b, c] = [c, b];
    if (before(b, a)) [a, b] = [b, a];
    const pivot = b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(order[i], pivot)) i++;
      while (before(pivot, order[j])) j--;
      if (i <= j) {
        const t = order[i];
        order[i++] = order[j];
        order[j--] = t;
      }
    }
    // [lo, j] ≤ pivot ≤ [i, hi]
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}
