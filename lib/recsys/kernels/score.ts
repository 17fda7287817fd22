// Full-catalogue scoring on wasm SIMD kernels (kernels/score-wat.ts): the item table is copied once into
// the kernels' memory in panels of 32 items, and a block of users is scored against each panel while it
// sits in cache, four (then two) users at a time where the block has them (each item vector then serves
// several users) and one at a time for the rest. The kernels also write each panel's maximum score, which lets top-k
// skip most of the catalogue (topKBlocks in ../topk.ts). scoreKernel() is null where wasm SIMD or wabt
// is missing.
import { kthLargest, topKAmong, type Exclusion } from "../topk";
import { SCORE_I16_WAT, SCORE_WAT, scoreGroupWat } from "./score-wat";
import { compileWat, fixedMemory } from "./wat";

/** items per panel (the kernel keeps 8 vectors of 4 lanes per user) */
export const PANEL = 32;

/** the kernels: one user per pass, two, and four; and the 16-bit candidate filter */
export interface ScoreKernels {
  one: WebAssembly.Module;
  two: WebAssembly.Module;
  four: WebAssembly.Module;
  i16: WebAssembly.Module;
}

export async function scoreKernel(): Promise<ScoreKernels | null> {
  const [one, two, four, i16] = await Promise.all([
    compileWat("score", SCORE_WAT),
    compileWat("score2", scoreGroupWat(2)),
    compileWat("score4", scoreGroupWat(4)),
    compileWat("score-i16", SCORE_I16_WAT),
  ]);
  return one && two && four && i16 ? { one, two, four, i16 } : null;
}

/** largest |quantized value|: keeps every i32 sum of the 16-bit kernel far from overflow (dim ≤ 256) */
const QMAX = 2047;
const INT_MIN = -0x80000000;

type ScoresFn = (P: number, panels: number, dim: number, U: number, rows: number, S: number, stride: number, M: number) => void;

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
  private readonly one: ScoresFn;
  private readonly two: ScoresFn;
  private readonly four: ScoresFn;
  private readonly userRows: Float32Array;
  private readonly userGroups: Float32Array;
  private readonly userPair: Float32Array;
  private readonly scores: Float32Array;
  private readonly maxima: Float32Array;
  private readonly block: ScoreBlock;
  private readonly offsets: { P: number; U: number; G: number; G2: number; S: number; M: number; QP: number; QU: number; QS: number; QM: number };
  private readonly i16: ScoresFn | null;
  private readonly items: Float32Array;
  /** the item quantization: q = round(x / itemScale); the largest |x|, and the largest L1 norm of a dequantized item */
  private readonly itemScale: number;
  private readonly maxAbsItem: number;
  private readonly maxItemL1: number;
  private readonly qUsers: Int16Array;
  private readonly qScores: Int32Array;
  private readonly qMaxima: Int32Array;
  private readonly pairs: number;
  private cand = { scores: new Float32Array(256), items: new Int32Array(256) };
  private masked = { items: new Int32Array(64), scores: new Int32Array(64), maxima: new Int32Array(64) };

  /**
   * `items`: the row-major item table (numItems × dim); `maxRows`: most users one call scores (the
   * memory holds that many score rows).
   */
  constructor(
    kernels: ScoreKernels,
    items: Float32Array,
    readonly numItems: number,
    readonly dim: number,
    readonly maxRows: number,
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
    const QP = M + Math.ceil((maxRows * this.panels) / 4) * 16;
    const QU = QP + this.panels * this.pairs * PANEL * 4;
    const QS = QU + Math.ceil((maxRows * this.pairs) / 4) * 16;
    const QM = QS + maxRows * this.stride * 4;
    const end = QM + Math.ceil((maxRows * this.panels) / 4) * 16;
    const memory = fixedMemory(end);
    this.offsets = { P, U, G, G2, S, M, QP, QU, QS, QM };
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
    const pairWords = new Int16Array(buf, QP, this.panels * this.pairs * PANEL * 2);
    let maxL1 = 0;
    if (usable) {
      for (let i = 0; i < numItems; i++) {
        const base = (Math.floor(i / PANEL) * this.pairs * PANEL + (i % PANEL)) * 2;
        let l1 = 0;
        for (let k = 0; k < dim; k++) {
          const q = Math.round(items[i * dim + k] / this.itemScale);
          pairWords[base + (k >> 1) * PANEL * 2 + (k & 1)] = q;
          l1 += Math.abs(q);
        }
        if (l1 > maxL1) maxL1 = l1;
      }
    }
    this.maxItemL1 = maxL1 * this.itemScale;
    this.i16 = usable ? instance(kernels.i16) : null;
    this.qUsers = new Int16Array(buf, QU, maxRows * this.pairs * 2);
    this.qScores = new Int32Array(buf, QS, maxRows * this.stride);
    this.qMaxima = new Int32Array(buf, QM, maxRows * this.panels);
  }

  /**
   * The exact top-k of each user (as topK over its f32 kernel scores: higher first, ties to the lower
   * index, `exclude[j]` left out), through the 16-bit kernel: every item's score is approximated by
   * exact integer sums of the quantized weights, within a bound B of its f32 score (quantization error of
   * both sides, plus the f32 rounding error). With T the k-th largest panel maximum once the excluded
   * items are masked, k eligible items approximate to ≥ T, so the k-th best f32 score is ≥ T − B and every
   * top-k item approximates to ≥ T − 2B: only those candidates (a few more than k) get their f32 score,
   * computed like the kernel's lanes (f32, features in ascending order), and are ranked. Null when the
   * filter does not apply (no usable quantization, a zero or non-finite user row, k ≥ panels): the
   * caller then takes score() and topKBlocks.
   */
  topK(userTable: Float32Array, users: ArrayLike<number>, k: ArrayLike<number>, exclude: ArrayLike<Exclusion | undefined>): RankedItems[] | null {
    const rows = users.length;
    if (!this.i16 || rows > this.maxRows) return null;
    const d = this.dim;
    const pairs = this.pairs;
    const slack = new Float64Array(rows);
    for (let j = 0; j < rows; j++) {
      if (!(k[j] >= 1 && k[j] < this.panels)) return null;
      const row = users[j] * d;
      let maxAbs = 0;
      let l1 = 0;
      for (let x = 0; x < d; x++) {
        const a = Math.abs(userTable[row + x]);
        l1 += a;
        if (a > maxAbs) maxAbs = a;
      }
      if (!(maxAbs > 0 && Number.isFinite(l1))) return null;
      const scale = maxAbs / QMAX;
      const q = this.qUsers;
      const at = j * pairs * 2;
      for (let x = 0; x < d; x++) q[at + x] = Math.round(userTable[row + x] / scale);
      if (d & 1) q[at + d] = 0;
      // |f32 score − approximation| ≤ B (with a margin for the rounding of B itself)
      const quantization = (this.itemScale / 2) * l1 + (scale / 2) * this.maxItemL1;
      const rounding = (d + 2) * 2 ** -23 * l1 * this.maxAbsItem;
      const bound = (quantization + rounding) * 1.001 + 1e-30;
      slack[j] = Math.ceil((2 * bound) / (scale * this.itemScale)) + 2;
    }
    const { QP, QU, QS, QM } = this.offsets;
    this.i16(QP, this.panels, pairs, QU, rows, QS, this.stride * 4, QM);
    const out: RankedItems[] = new Array(rows);
    for (let j = 0; j < rows; j++) {
      const top = this.rankCandidates(userTable, users[j], j, k[j], exclude[j], slack[j]);
      if (top === null) return null;
      const scores = new Float32Array(top.length);
      for (let t = 0; t < top.length; t++) scores[t] = f32Dot(userTable, users[j] * d, this.items, top[t] * d, d);
      out[j] = { items: top, scores };
    }
    return out;
  }

  /** topK's selection for row j of the 16-bit scores */
  private rankCandidates(userTable: Float32Array, user: number, j: number, k: number, exclude: Exclusion | undefined, slack: number): Int32Array | null {
    const n = this.numItems;
    const panels = this.panels;
    const A = this.qScores.subarray(j * this.stride, j * this.stride + n);
    const maxima = this.qMaxima.subarray(j * panels, (j + 1) * panels);
    // the last panel's maximum over its real items only
    let lastMax = INT_MIN;
    for (let i = (panels - 1) * PANEL; i < n; i++) if (A[i] > lastMax) lastMax = A[i];
    maxima[panels - 1] = lastMax;
    const masked = exclude === undefined ? 0 : this.mask(A, maxima, exclude);
    // T: the k-th largest panel maximum
    const T = kthLargest(maxima, panels, k);
    const threshold = T - slack;
    let top: Int32Array | null = null;
    // (masked items sit at INT_MIN: the threshold must stay above it)
    if (T !== INT_MIN && threshold > INT_MIN) {
      const d = this.dim;
      const u = user * d;
      let count = 0;
      for (let p = 0; p < panels; p++) {
        if (maxima[p] < threshold) continue;
        const end = Math.min(n, (p + 1) * PANEL);
        for (let i = p * PANEL; i < end; i++) {
          if (A[i] < threshold) continue;
          const s = f32Dot(userTable, u, this.items, i * d, d);
          if (count === this.cand.scores.length) this.growCandidates();
          this.cand.scores[count] = s;
          this.cand.items[count++] = i;
        }
      }
      top = topKAmong(this.cand.scores, this.cand.items, count, k);
    }
    for (let m = masked - 1; m >= 0; m--) {
      const i = this.masked.items[m];
      A[i] = this.masked.scores[m];
      maxima[Math.floor(i / PANEL)] = this.masked.maxima[m];
    }
    return top;
  }

  /** excluded items to INT_MIN, their panels' maxima recomputed; saves what it overwrites, returns how many */
  private mask(A: Int32Array, maxima: Int32Array, exclude: Exclusion): number {
    const e = exclude instanceof Int32Array ? exclude.length : exclude.size;
    if (this.masked.items.length < e) this.masked = { items: new Int32Array(2 * e), scores: new Int32Array(2 * e), maxima: new Int32Array(2 * e) };
    const { items, scores, maxima: saved } = this.masked;
    const n = A.length;
    const sorted = exclude instanceof Int32Array;
    const values = sorted ? null : exclude.values();
    let count = 0;
    for (let j = 0; j < e; j++) {
      const i = sorted ? exclude[j] : values!.next().value!;
      if (!(i >= 0 && i < n)) continue;
      const p = Math.floor(i / PANEL);
      const s = A[i];
      items[count] = i;
      scores[count] = s;
      saved[count++] = maxima[p];
      A[i] = INT_MIN;
      if (s !== maxima[p]) continue;
      let m = INT_MIN;
      for (let x = p * PANEL, end = Math.min(n, x + PANEL); x < end; x++) if (A[x] > m) m = A[x];
      maxima[p] = m;
    }
    return count;
  }

  private growCandidates(): void {
    const scores = new Float32Array(this.cand.scores.length * 2);
    scores.set(this.cand.scores);
    const items = new Int32Array(this.cand.items.length * 2);
    items.set(this.cand.items);
    this.cand = { scores, items };
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
