// Full-catalogue scoring on wasm SIMD kernels (kernels/score-wat.ts): the item table is copied once into
// the kernels' memory in panels of 32 items, and a block of users is scored against each panel while it
// sits in cache, four (then two) users at a time where the block has them (each item vector then serves
// several users) and one at a time for the rest. The kernels also write each panel's maximum score, which lets top-k
// skip most of the catalogue (topKBlocks in ../topk.ts). scoreKernel() is null where wasm SIMD or wabt
// is missing.
import { SCORE_WAT, scoreGroupWat } from "./score-wat";
import { compileWat, fixedMemory } from "./wat";

/** items per panel (the kernel keeps 8 vectors of 4 lanes per user) */
export const PANEL = 32;

/** the kernels: one user per pass, two, and four */
export interface ScoreKernels {
  one: WebAssembly.Module;
  two: WebAssembly.Module;
  four: WebAssembly.Module;
}

export async function scoreKernel(): Promise<ScoreKernels | null> {
  const [one, two, four] = await Promise.all([compileWat("score", SCORE_WAT), compileWat("score2", scoreGroupWat(2)), compileWat("score4", scoreGroupWat(4))]);
  return one && two && four ? { one, two, four } : null;
}

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
  private readonly offsets: { P: number; U: number; G: number; G2: number; S: number; M: number };

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
    const P = 0;
    const U = P + panelBytes;
    const G = U + Math.ceil((maxRows * dim) / 4) * 16;
    const G2 = G + Math.floor(maxRows / 4) * dim * 64;
    const S = G2 + dim * 32;
    const M = S + maxRows * this.stride * 4;
    const end = M + Math.ceil((maxRows * this.panels) / 4) * 16;
    const memory = fixedMemory(end);
    this.offsets = { P, U, G, G2, S, M };
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
