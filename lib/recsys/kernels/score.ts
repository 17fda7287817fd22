// Full-catalogue scoring on wasm SIMD kernels (kernels/score-wat.ts): the item table is copied once into
// the kernels' memory in panels of 32 items, and a block of users is scored against each panel while it
// sits in cache, four (then two) users at a time where the block has them (each item vector then serves
// several users) and one at a time for the rest. The kernels also write each panel's maximum score, which lets top-k
// skip most of the catalogue (topKBlocks in ../topk.ts). Serving's top-k (PanelScorer.topK) goes further:
// a 16-bit copy of the table, in panels of similar items, is scored only where a panel's upper bound can
// reach the user's top-k. scoreKernel() is null where wasm SIMD or wabt is missing.
import { keepLargest, topKAmong, type Exclusion } from "../topk";
import { panelLayout, type PanelLayout } from "./panel-order";
import { SCORE_I16_LIST_WAT, SCORE_WAT, SURVIVORS_WAT, scoreGroupWat } from "./score-wat";
import { alignedRegions, compileWat, fixedMemory } from "./wat";

/** items per panel (the kernel keeps 8 vectors of 4 lanes per user) */
export const PANEL = 32;

/** the kernels: one user per pass, two, and four; and the 16-bit candidate filter over a list of panels */
export interface ScoreKernels {
  one: WebAssembly.Module;
  two: WebAssembly.Module;
  four: WebAssembly.Module;
  i16list: WebAssembly.Module;
  survivors: WebAssembly.Module;
}

export async function scoreKernel(): Promise<ScoreKernels | null> {
  const [one, two, four, i16list, survivors] = await Promise.all([
    compileWat("score", SCORE_WAT),
    compileWat("score2", scoreGroupWat(2)),
    compileWat("score4", scoreGroupWat(4)),
    compileWat("score-i16-list", SCORE_I16_LIST_WAT),
    compileWat("survivors", SURVIVORS_WAT),
  ]);
  return one && two && four && i16list && survivors ? { one, two, four, i16list, survivors } : null;
}

/** largest |quantized value|: keeps every i32 sum of the 16-bit kernel far from overflow (dim ≤ 256) */
const QMAX = 2047;
const INT_MIN = -0x80000000;
/** panels of largest upper bound scored first (at least; k/8 for larger k), whose k-th best score sets the first floor */
const SEED_PANELS = 4;
/** rounds of the best-first search after the seeds (the last takes every panel still in reach; more rounds cost more than they save) */
const ROUNDS = 2;

type ScoresFn = (P: number, panels: number, dim: number, U: number, rows: number, S: number, stride: number, M: number) => void;
type ListScoresFn = (P: number, count: number, dim: number, U: number, L: number, S: number, M: number) => void;
type SurvivorsFn = (
  CS: number,
  NM: number,
  panels: number,
  norm: number,
  ballError: number,
  scoreError: number,
  floor: number,
  BND: number,
  OUT: number,
) => number;

/** What one call scored: row j's scores are scores[j·stride … j·stride + numItems), its panel maxima maxima[j·panels …]. */
export interface ScoreBlock {
  rows: number;
  scores: Float32Array;
  /** floats between consecutive rows of `scores` (numItems rounded up to a whole panel) */
  stride: number;
  maxima: Float32Array;
  panels: number;
}

/** a user's top-k: item indices best first and their f32 scores */
export interface RankedItems {
  items: Int32Array;
  scores: Float32Array;
}

export class PanelScorer {
  readonly panels: number;
  readonly stride: number;
  /** users scored four (then two) at a time (false: every user alone, the former kernel; for comparisons) */
  grouped = true;
  /** topK skips the panels its bounds rule out (false: it scores every panel; for comparisons) */
  pruned = true;
  private readonly one: ScoresFn;
  private readonly two: ScoresFn;
  private readonly four: ScoresFn;
  private readonly userRows: Float32Array;
  private readonly userGroups: Float32Array;
  private readonly userPair: Float32Array;
  private readonly scores: Float32Array;
  private readonly maxima: Float32Array;
  private readonly block: ScoreBlock;
  private readonly offsets: Record<
    "P" | "U" | "G" | "G2" | "S" | "M" | "QP" | "QU" | "QS" | "QM" | "QL" | "CP" | "CU" | "CS" | "CM" | "NM" | "BND" | "PL",
    number
  >;
  private readonly i16List: ListScoresFn | null;
  private readonly survivors: SurvivorsFn;
  private readonly items: Float32Array;
  /** the item quantization: q = round(x / itemScale); the largest |x|, and the largest L1 norm of a dequantized item */
  private readonly itemScale: number;
  private readonly maxAbsItem: number;
  private readonly maxItemL1: number;
  /** the 16-bit table's order: slot → item, and item → slot */
  private readonly order: Int32Array;
  private readonly slotOf: Int32Array;
  /** over the centre table: the largest |centre feature| and radius (each panel's largest item norm sits in the kernels' memory at NM) */
  private readonly maxAbsCentre: number;
  private readonly maxRadius: number;
  private readonly centrePanels: number;
  private readonly centreUser: Float32Array;
  private readonly centreMaxima: Float32Array;
  private readonly seedBounds = new Float64Array(PANEL);
  /** the current user's upper bound of each panel, and the panels not yet scored that can still hold a top-k item */
  private readonly panelBounds: Float64Array;
  private readonly pendingPanels: Int32Array;
  /** min-heap of the k best eligible 16-bit scores so far, and its size */
  private readonly best = { heap: new Int32Array(16), size: 0 };
  /** the panels scored for the current user, in compact-slot order, and panel → its compact slot (−1: not scored) */
  private readonly panelList: Int32Array;
  private readonly panelSlot: Int32Array;
  private readonly qUsers: Int16Array;
  private readonly qScores: Int32Array;
  private readonly qMaxima: Int32Array;
  private readonly pairs: number;
  private cand = { scores: new Float32Array(256), items: new Int32Array(256) };
  /** users ranked by topK and the panels it scored for them (the rest were skipped by their bounds) */
  readonly stats = { users: 0, panels: 0 };

  /**
   * `items`: the row-major item table (numItems × dim); `maxRows`: most users one call scores (the
   * memory holds that many score rows); `layout`: panelLayout(items, numItems, dim, PANEL) when the caller
   * has it already (panelLayoutYielding), else it is computed here.
   */
  constructor(
    kernels: ScoreKernels,
    items: Float32Array,
    readonly numItems: number,
    readonly dim: number,
    readonly maxRows: number,
    layout?: PanelLayout,
  ) {
    if (items.length !== numItems * dim) throw new RangeError(`PanelScorer: ${items.length} floats is not ${numItems} items × ${dim}`);
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`PanelScorer: maxRows must be a positive integer, got ${maxRows}`);
    this.panels = Math.ceil(numItems / PANEL);
    this.stride = this.panels * PANEL;
    const panelBytes = this.panels * dim * PANEL * 4;
    this.pairs = Math.ceil(dim / 2);
    const P = 0;
    const U = P + panelBytes;
    const G = U + Math.ceil((maxRows * dim) / 4) * 16;
    const G2 = G + Math.floor(maxRows / 4) * dim * 64;
    const S = G2 + dim * 32;
    const M = S + maxRows * this.stride * 4;
    const centrePanels = Math.ceil(this.panels / PANEL);
    const { offsets: q, end } = alignedRegions(
      {
        QP: this.panels * this.pairs * PANEL,
        QU: this.pairs,
        QS: this.stride,
        QM: this.panels,
        QL: this.panels,
        CP: centrePanels * (dim + 1) * PANEL,
        CU: dim + 1,
        CS: centrePanels * PANEL,
        CM: centrePanels,
        NM: 2 * this.panels,
        BND: 2 * this.panels,
        PL: this.panels,
      },
      M + Math.ceil((maxRows * this.panels) / 4) * 16,
    );
    const memory = fixedMemory(end);
    this.offsets = { P, U, G, G2, S, M, ...q };
    const { QP, QU, QS, QM, QL, CP, CU } = q;
    const instance = (module: WebAssembly.Module) => new WebAssembly.Instance(module, { env: { memory } }).exports.scores as ScoresFn;
    this.one = instance(kernels.one);
    this.two = instance(kernels.two);
    this.four = instance(kernels.four);
    const buf = memory.buffer;
    // panel layout; the padding items of the last panel keep zero weights (their scores are never read)
    const panelView = new Float32Array(buf, P, panelBytes / 4);
    for (let i = 0; i < numItems; i++) {
      const base = Math.floor(i / PANEL) * dim * PANEL + (i % PANEL);
      const row = i * dim;
      for (let k = 0; k < dim; k++) panelView[base + k * PANEL] = items[row + k];
    }
    this.userRows = new Float32Array(buf, U, maxRows * dim);
    this.userGroups = new Float32Array(buf, G, Math.floor(maxRows / 4) * dim * 16);
    this.userPair = new Float32Array(buf, G2, dim * 8);
    this.scores = new Float32Array(buf, S, maxRows * this.stride);
    this.maxima = new Float32Array(buf, M, maxRows * this.panels);
    this.block = { rows: 0, scores: this.scores, stride: this.stride, maxima: this.maxima, panels: this.panels };

    // the 16-bit table: one scale for the whole table (0 disables the filter: no finite non-zero weight)
    this.items = items;
    let maxAbs = 0;
    for (let i = 0; i < items.length; i++) {
      const a = Math.abs(items[i]);
      if (!(a <= maxAbs)) maxAbs = a; // NaN lands here and disables the filter below
    }
    const usable = Number.isFinite(maxAbs) && maxAbs > 0 && dim <= 256;
    this.itemScale = usable ? maxAbs / QMAX : 0;
    this.maxAbsItem = maxAbs;
    this.centrePanels = centrePanels;
    if (layout !== undefined && (layout.order.length !== numItems || layout.centres.length !== this.panels * dim)) {
      throw new RangeError(`PanelScorer: a layout of ${layout.order.length} items and ${layout.centres.length / dim} centres for ${numItems} items`);
    }
    const { order, centres: ballCentres } = usable
      ? (layout ?? panelLayout(items, numItems, dim, PANEL))
      : { order: Int32Array.from({ length: numItems }, (_, i) => i), centres: null };
    this.order = order;
    this.slotOf = new Int32Array(numItems);
    for (let t = 0; t < numItems; t++) this.slotOf[this.order[t]] = t;
    const pairWords = new Int16Array(buf, QP, this.panels * this.pairs * PANEL * 2);
    const centres = new Float32Array(buf, CP, centrePanels * (dim + 1) * PANEL);
    const maxNorm = new Float64Array(buf, q.NM, this.panels);
    let maxL1 = 0;
    let maxAbsCentre = 0;
    let maxRadius = 0;
    for (let p = 0; ballCentres !== null && p < this.panels; p++) {
      const from = p * PANEL;
      const to = Math.min(numItems, from + PANEL);
      const centre = ballCentres.subarray(p * dim, (p + 1) * dim);
      let maxNormSq = 0;
      for (let t = from; t < to; t++) {
        const row = this.order[t] * dim;
        const base = (p * this.pairs * PANEL + (t - from)) * 2;
        let l1 = 0;
        let sq = 0;
        for (let x = 0; x < dim; x++) {
          const v = items[row + x];
          const q16 = Math.round(v / this.itemScale);
          pairWords[base + (x >> 1) * PANEL * 2 + (x & 1)] = q16;
          l1 += Math.abs(q16);
          sq += v * v;
        }
        if (l1 > maxL1) maxL1 = l1;
        if (sq > maxNormSq) maxNormSq = sq;
      }
      // the ball around the f32 centre as stored, its radius rounded up
      let radiusSq = 0;
      for (let t = from; t < to; t++) {
        const row = this.order[t] * dim;
        let sq = 0;
        for (let x = 0; x < dim; x++) sq += (items[row + x] - centre[x]) ** 2;
        if (sq > radiusSq) radiusSq = sq;
      }
      const radius = Math.fround(Math.sqrt(radiusSq) * (1 + 2 ** -20));
      const at = Math.floor(p / PANEL) * (dim + 1) * PANEL + (p % PANEL);
      for (let x = 0; x < dim; x++) {
        centres[at + x * PANEL] = centre[x];
        maxAbsCentre = Math.max(maxAbsCentre, Math.abs(centre[x]));
      }
      centres[at + dim * PANEL] = radius;
      maxRadius = Math.max(maxRadius, radius);
      maxNorm[p] = Math.sqrt(maxNormSq) * (1 + 2 ** -20);
    }
    this.maxItemL1 = maxL1 * this.itemScale;
    this.maxAbsCentre = maxAbsCentre;
    this.maxRadius = maxRadius;
    this.i16List = usable ? (new WebAssembly.Instance(kernels.i16list, { env: { memory } }).exports.scores as ListScoresFn) : null;
    this.qUsers = new Int16Array(buf, QU, this.pairs * 2);
    this.qScores = new Int32Array(buf, QS, this.stride);
    this.qMaxima = new Int32Array(buf, QM, this.panels);
    this.panelList = new Int32Array(buf, QL, this.panels);
    this.panelSlot = new Int32Array(this.panels).fill(-1);
    this.panelBounds = new Float64Array(buf, q.BND, this.panels);
    this.pendingPanels = new Int32Array(buf, q.PL, this.panels);
    this.survivors = new WebAssembly.Instance(kernels.survivors, { env: { memory } }).exports.survivors as SurvivorsFn;
    this.centreUser = new Float32Array(buf, CU, dim + 1);
    this.centreMaxima = new Float32Array(buf, q.CM, centrePanels);
  }

  /**
   * The exact top-k of each user (as topK over its f32 kernel scores: higher first, ties to the lower
   * index, `exclude[j]` left out), scoring only the panels that can hold one of them, through the 16-bit
   * kernel. Items sit in panelOrder's panels of similar items, each with a bounding ball (centre c, radius
   * r) and its largest norm; u·c + ‖u‖·r (one f32 kernel pass over the centres) and ‖u‖·max‖v‖, plus
   * their rounding errors, bound the f32 scores of a panel's items from above. Each item's integer score
   * approximates its f32 score within a bound B (quantization error of both sides, plus the f32 rounding
   * error), so the k-th best eligible approximation A_k among the panels scored so far gives the k-th
   * best f32 score ≥ A_k − B: a floor, below which a panel's bound rules it out. The search goes best
   * first: a few seed panels of large bound, then the panels still in reach from halfway between the
   * floor and the largest bound up, then every panel still in reach of the risen floor. Every top-k item
   * then approximates to ≥ A_k − 2B: only those candidates (a few more than k) get their f32 score,
   * computed like the kernel's lanes (f32, features in ascending order), and are ranked. Null when the
   * filter does not apply (no usable quantization, a zero or non-finite user row, k ≥ panels, fewer than
   * k eligible items): the caller then takes score() and topKBlocks.
   */
  topK(userTable: Float32Array, users: ArrayLike<number>, k: ArrayLike<number>, exclude: ArrayLike<Exclusion | undefined>): RankedItems[] | null {
    const rows = users.length;
    if (!this.i16List || rows > this.maxRows) return null;
    const out: RankedItems[] = new Array(rows);
    for (let j = 0; j < rows; j++) {
      const top = this.topKOfUser(userTable, users[j], k[j], exclude[j]);
      if (top === null) return null;
      out[j] = top;
    }
    return out;
  }

  /** topK for one user */
  private topKOfUser(userTable: Float32Array, user: number, k: number, exclude: Exclusion | undefined): RankedItems | null {
    const panels = this.panels;
    if (!(k >= 1 && k < panels)) return null;
    const d = this.dim;
    const row = user * d;
    let maxAbs = 0;
    let l1 = 0;
    let squares = 0;
    for (let x = 0; x < d; x++) {
      const v = userTable[row + x];
      const a = Math.abs(v);
      l1 += a;
      squares += v * v;
      if (a > maxAbs) maxAbs = a;
    }
    if (!(maxAbs > 0 && Number.isFinite(l1) && Number.isFinite(squares))) return null;
    const scale = maxAbs / QMAX;
    const q = this.qUsers;
    for (let x = 0; x < d; x++) q[x] = Math.round(userTable[row + x] / scale);
    if (d & 1) q[d] = 0;
    // |f32 score − approximation| ≤ B (with a margin for the rounding of B itself)
    const rounding = (d + 2) * 2 ** -23 * l1 * this.maxAbsItem;
    const quantization = (this.itemScale / 2) * l1 + (scale / 2) * this.maxItemL1;
    const B = (quantization + rounding) * 1.001 + 1e-30;
    const unit = scale * this.itemScale;
    const slack = Math.ceil((2 * B) / unit) + 2;

    // upper bounds of the panels' f32 scores
    const norm = Math.fround(Math.sqrt(squares) * (1 + 2 ** -20));
    const cu = this.centreUser;
    for (let x = 0; x < d; x++) cu[x] = userTable[row + x];
    cu[d] = norm;
    const { CP, CU, CS, CM, NM, BND, PL } = this.offsets;
    this.one(CP, this.centrePanels, d + 1, CU, 1, CS, this.centrePanels * PANEL * 4, CM);
    const ballError = (d + 3) * 2 ** -23 * (l1 * this.maxAbsCentre + norm * this.maxRadius) * 1.001;
    const scoreError = rounding * 1.001;
    const bounds = this.panelBounds;
    const list = this.panelList;
    // seeds: the panels of largest bound within the 32 of largest ball bound
    const groupMax = this.centreMaxima;
    let best = 0;
    for (let g = 1; g < this.centrePanels; g++) if (groupMax[g] > groupMax[best]) best = g;
    const first = best * PANEL;
    const inGroup = Math.min(panels - first, PANEL);
    // (their bounds from the survivors pass over the group alone, with a floor nothing reaches)
    this.survivors(CS + 4 * first, NM + 8 * first, inGroup, norm, ballError, scoreError, Infinity, BND + 8 * first, PL);
    let listed = largestBounds(bounds, first, inGroup, Math.min(inGroup, Math.max(SEED_PANELS, Math.ceil(k / 8))), this.seedBounds, list);
    if (this.best.heap.length < k) this.best.heap = new Int32Array(k);
    this.best.size = 0;
    this.scoreSlots(0, listed, k, exclude);
    let floor = this.floorOf(k, unit, B);
    // then, best first: the pending panels (bound ≥ floor) down to halfway between the floor and the
    // largest pending bound, which raises the floor, until none is pending (the last round takes them all)
    const pending = this.pendingPanels;
    const survivors = this.survivors(CS, NM, panels, norm, ballError, scoreError, floor, BND, PL);
    let count = 0;
    let highest = -Infinity;
    for (let c = 0; c < survivors; c++) {
      const p = pending[c];
      if (this.panelSlot[p] >= 0) continue;
      pending[count++] = p;
      if (bounds[p] > highest) highest = bounds[p];
    }
    for (let round = 1; count > 0; round++) {
      const cut = round < ROUNDS ? Math.max(floor, (floor + highest) / 2) : floor;
      const from = listed;
      let kept = 0;
      for (let c = 0; c < count; c++) {
        const p = pending[c];
        if (bounds[p] >= cut) list[listed++] = p;
        else pending[kept++] = p;
      }
      this.scoreSlots(from, listed, k, exclude);
      floor = this.floorOf(k, unit, B);
      count = 0;
      highest = -Infinity;
      for (let c = 0; c < kept; c++) {
        const p = pending[c];
        if (bounds[p] >= floor) {
          pending[count++] = p;
          if (bounds[p] > highest) highest = bounds[p];
        }
      }
    }
    this.stats.users++;
    this.stats.panels += listed;

    let top: RankedItems | null = null;
    const A = this.qScores;
    const maxima = this.qMaxima;
    const T = this.kthScore(k);
    const threshold = T - slack;
    // (masked items sit at INT_MIN: the threshold must stay above it)
    if (T !== INT_MIN && threshold > INT_MIN) {
      const u = user * d;
      const order = this.order;
      const items = this.items;
      let scores: Float32Array = this.cand.scores;
      let ids: Int32Array = this.cand.items;
      let candidates = 0;
      for (let t = 0; t < listed; t++) {
        if (maxima[t] < threshold) continue;
        const base = list[t] * PANEL;
        for (let lane = 0; lane < PANEL; lane++) {
          if (A[t * PANEL + lane] < threshold) continue;
          const i = order[base + lane];
          if (candidates === scores.length) ({ scores, items: ids } = this.growCandidates());
          scores[candidates] = f32Dot(userTable, u, items, i * d, d);
          ids[candidates++] = i;
        }
      }
      top = bestOf(scores, ids, candidates, k);
    }

    for (let t = 0; t < listed; t++) this.panelSlot[list[t]] = -1;
    return top;
  }

  /** panels list[from … to) scored by the 16-bit kernel into their compact slots, prepared, and fed to the heap of the k best */
  private scoreSlots(from: number, to: number, k: number, exclude: Exclusion | undefined): void {
    if (to === from) return;
    const { QP, QU, QL, QS, QM } = this.offsets;
    this.i16List!(QP, to - from, this.pairs, QU, QL + 4 * from, QS + 4 * PANEL * from, QM + 4 * from);
    this.prepareSlots(from, to, exclude);
    const A = this.qScores;
    const maxima = this.qMaxima;
    const heap = this.best.heap;
    let size = this.best.size;
    for (let t = from; t < to; t++) {
      if (size === k && maxima[t] <= heap[0]) continue;
      for (let x = t * PANEL, end = x + PANEL; x < end; x++) if (A[x] !== INT_MIN) size = keepLargest(heap, size, k, A[x]);
    }
    this.best.size = size;
  }

  /** the k-th best eligible 16-bit score of the panels scored so far (INT_MIN: fewer than k) */
  private kthScore(k: number): number {
    return this.best.size === k ? this.best.heap[0] : INT_MIN;
  }

  /** the floor of the k-th best f32 score (A_k·unit − B, A_k = kthScore); −∞ before k, or unpruned */
  private floorOf(k: number, unit: number, B: number): number {
    const kth = this.kthScore(k);
    if (kth === INT_MIN || !this.pruned) return -Infinity;
    const a = kth * unit;
    return a - B - 1e-12 * Math.abs(a);
  }

  /**
   * Compact slots [from, to) just scored: their panels' slots recorded, the padding of the last panel and
   * the excluded items set to INT_MIN, and those slots' maxima recomputed.
   */
  private prepareSlots(from: number, to: number, exclude: Exclusion | undefined): void {
    const A = this.qScores;
    const maxima = this.qMaxima;
    const list = this.panelList;
    for (let t = from; t < to; t++) {
      const p = list[t];
      this.panelSlot[p] = t;
      if (p === this.panels - 1 && this.numItems < this.stride) {
        for (let lane = this.numItems - p * PANEL; lane < PANEL; lane++) A[t * PANEL + lane] = INT_MIN;
        maxima[t] = panelMax(A, t);
      }
    }
    if (exclude === undefined) return;
    const n = this.numItems;
    for (const i of exclude instanceof Int32Array ? exclude : exclude.values()) {
      if (!(i >= 0 && i < n)) continue;
      const slot = this.slotOf[i];
      const t = this.panelSlot[Math.floor(slot / PANEL)];
      if (t < from || t >= to) continue;
      const at = t * PANEL + (slot & (PANEL - 1));
      const s = A[at];
      A[at] = INT_MIN;
      if (s === maxima[t]) maxima[t] = panelMax(A, t);
    }
  }

  private growCandidates(): { scores: Float32Array; items: Int32Array } {
    const scores = new Float32Array(this.cand.scores.length * 2);
    scores.set(this.cand.scores);
    const items = new Int32Array(this.cand.items.length * 2);
    items.set(this.cand.items);
    this.cand = { scores, items };
    return this.cand;
  }

  /**
   * Scores users `users` (dense indices into the row-major `userTable`, numUsers × dim). The returned
   * block and its views point into the kernels' memory and are overwritten by the next call.
   */
  score(userTable: Float32Array, users: ArrayLike<number>): ScoreBlock {
    const rows = users.length;
    if (rows > this.maxRows) throw new RangeError(`PanelScorer: ${rows} users in one call, at most ${this.maxRows}`);
    const d = this.dim;
    const { P, U, G, G2, S, M } = this.offsets;
    const rowBytes = this.stride * 4;
    const groups = this.grouped ? rows >> 2 : 0;
    for (let g = 0; g < groups; g++) splatUsers(this.userGroups, g * d * 16, 4, userTable, users, 4 * g, d);
    const pair = this.grouped && rows - 4 * groups >= 2 ? 1 : 0;
    if (pair) splatUsers(this.userPair, 0, 2, userTable, users, 4 * groups, d);
    const first = 4 * groups + 2 * pair;
    const R = this.userRows;
    for (let j = first; j < rows; j++) {
      const from = users[j] * d;
      for (let k = 0; k < d; k++) R[(j - first) * d + k] = userTable[from + k];
    }
    if (groups > 0) this.four(P, this.panels, d, G, groups, S, rowBytes, M);
    if (pair) this.two(P, this.panels, d, G2, 1, S + 4 * groups * rowBytes, rowBytes, M + 4 * groups * this.panels * 4);
    if (rows > first) this.one(P, this.panels, d, U, rows - first, S + first * rowBytes, rowBytes, M + first * this.panels * 4);
    this.block.rows = rows;
    return this.block;
  }
}

/** the kernel lane's arithmetic: f32 products summed in f32, features in ascending order */
function f32Dot(a: Float32Array, at: number, b: Float32Array, bt: number, d: number): number {
  let s = 0;
  for (let x = 0; x < d; x++) s = Math.fround(s + Math.fround(a[at + x] * b[bt + x]));
  return s;
}

/** users[from … from+R) into `out` at `at`, feature by feature, each value in 4 lanes (the group kernels' layout) */
function splatUsers(out: Float32Array, at: number, R: number, userTable: Float32Array, users: ArrayLike<number>, from: number, d: number): void {
  for (let u = 0; u < R; u++) {
    const row = users[from + u] * d;
    for (let k = 0, o = at + 4 * u; k < d; k++, o += 4 * R) {
      const x = userTable[row + k];
      out[o] = x;
      out[o + 1] = x;
      out[o + 2] = x;
      out[o + 3] = x;
    }
  }
}

/** the largest of compact slot t's 32 integer scores */
function panelMax(A: Int32Array, t: number): number {
  let m = INT_MIN;
  for (let x = t * PANEL, end = x + PANEL; x < end; x++) if (A[x] > m) m = A[x];
  return m;
}

/** the k best of `count` candidates (scores[c], items[c]) in any order: higher score first, ties to the lower item */
function bestOf(scores: Float32Array, items: Int32Array, count: number, k: number): RankedItems {
  if (count > 64) {
    // many ties: into ascending item order, topKAmong's tie order
    const byItem = Int32Array.from({ length: count }, (_, c) => c).sort((a, b) => items[a] - items[b]);
    const sortedItems = Int32Array.from(byItem, (c) => items[c]);
    const sortedScores = Float32Array.from(byItem, (c) => scores[c]);
    const top = topKAmong(sortedScores, sortedItems, count, k);
    const at = (item: number) => {
      let [lo, hi] = [0, count - 1];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortedItems[mid] < item) lo = mid + 1;
        else hi = mid;
      }
      return sortedScores[lo];
    };
    return { items: top, scores: Float32Array.from(top, at) };
  }
  for (let c = 1; c < count; c++) {
    const item = items[c];
    const score = scores[c];
    let t = c;
    while (t > 0 && (scores[t - 1] < score || (scores[t - 1] === score && items[t - 1] > item))) {
      items[t] = items[t - 1];
      scores[t] = scores[t - 1];
      t--;
    }
    items[t] = item;
    scores[t] = score;
  }
  const n = Math.min(k, count);
  return { items: items.slice(0, n), scores: scores.slice(0, n) };
}

/** the `count` panels of largest bound among [from, from + panels) into list[0 … count), largest first; returns count */
function largestBounds(bounds: Float64Array, from: number, panels: number, count: number, best: Float64Array, list: Int32Array): number {
  let listed = 0;
  for (let p = from; p < from + panels; p++) {
    const b = bounds[p];
    if (listed === count && !(b > best[count - 1])) continue;
    let t = listed < count ? listed++ : count - 1;
    while (t > 0 && !(best[t - 1] >= b)) {
      best[t] = best[t - 1];
      list[t] = list[t - 1];
      t--;
    }
    best[t] = b;
    list[t] = p;
  }
  return listed;
}
