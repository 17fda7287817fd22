// Full-catalogue scoring on a wasm SIMD kernel (kernels/score-wat.ts): the item table is copied once into
// the kernel's memory in panels of 32 items, and a block of users is scored against each panel while it
// sits in cache. The kernel also writes each panel's maximum score, which lets top-k skip most of the
// catalogue (topKBlocks in ../topk.ts). scoreKernel() is null where wasm SIMD or wabt is missing.
import { SCORE_WAT } from "./score-wat";
import { compileWat, fixedMemory } from "./wat";

/** items per panel (the kernel keeps 8 vectors of 4 lanes per user) */
export const PANEL = 32;

export function scoreKernel(): Promise<WebAssembly.Module | null> {
  return compileWat("score", SCORE_WAT);
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
  private readonly fn: ScoresFn;
  private readonly userRows: Float32Array;
  private readonly scores: Float32Array;
  private readonly maxima: Float32Array;
  private readonly offsets: { P: number; U: number; S: number; M: number };

  /**
   * `items`: the row-major item table (numItems × dim); `maxRows`: most users one call scores (the
   * memory holds that many score rows).
   */
  constructor(
    kernel: WebAssembly.Module,
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
    const S = U + Math.ceil((maxRows * dim) / 4) * 16;
    const M = S + maxRows * this.stride * 4;
    const end = M + Math.ceil((maxRows * this.panels) / 4) * 16;
    const memory = fixedMemory(end);
    this.offsets = { P, U, S, M };
    this.fn = new WebAssembly.Instance(kernel, { env: { memory } }).exports.scores as ScoresFn;
    const buf = memory.buffer;
    // panel layout; the padding items of the last panel keep zero weights (their scores are never read)
    const panelView = new Float32Array(buf, P, panelBytes / 4);
    for (let i = 0; i < numItems; i++) {
      const base = Math.floor(i / PANEL) * dim * PANEL + (i % PANEL);
      const row = i * dim;
      for (let k = 0; k < dim; k++) panelView[base + k * PANEL] = items[row + k];
    }
    this.userRows = new Float32Array(buf, U, maxRows * dim);
    this.scores = new Float32Array(buf, S, maxRows * this.stride);
    this.maxima = new Float32Array(buf, M, maxRows * this.panels);
  }

  /**
   * Scores users `users` (dense indices into the row-major `userTable`, numUsers × dim). The returned
   * views point into the kernel's memory and are overwritten by the next call.
   */
  score(userTable: Float32Array, users: ArrayLike<number>): ScoreBlock {
    const rows = users.length;
    if (rows > this.maxRows) throw new RangeError(`PanelScorer: ${rows} users in one call, at most ${this.maxRows}`);
    const d = this.dim;
    for (let j = 0; j < rows; j++) this.userRows.set(userTable.subarray(users[j] * d, (users[j] + 1) * d), j * d);
    const { P, U, S, M } = this.offsets;
    this.fn(P, this.panels, d, U, rows, S, this.stride * 4, M);
    return { rows, scores: this.scores, stride: this.stride, maxima: this.maxima, panels: this.panels };
  }
}
