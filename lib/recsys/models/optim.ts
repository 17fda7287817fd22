// Optimisers over Float32Array parameters. Embedding tables use sparse ("lazy") Adam: only the rows a
// batch touched get their moments and weights updated, so a step costs O(touched rows), not O(table).
// Weight decay is L2 added to the gradient (PyTorch Adam's weight_decay), on the touched rows only.
// Given the compiled wasm kernel (kernels/adam.ts) the arithmetic runs there; the JS loops are the fallback.
import { WasmAdamState } from "../kernels/adam";

export interface AdamConfig {
  lr: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Gradient accumulator for a row table: rows touched in this batch get a compact slot. */
export class RowGrads {
  readonly dim: number;
  private readonly slotOf: Int32Array;
  /** touched rows, in first-touch order; valid up to `count` */
  rows: Int32Array;
  /** gradient of touched row rows[s] at [s*dim, (s+1)*dim) */
  grad: Float32Array;
  count = 0;

  constructor(numRows: number, dim: number, capacity = 1024) {
    this.dim = dim;
    this.slotOf = new Int32Array(numRows).fill(-1);
    this.rows = new Int32Array(capacity);
    this.grad = new Float32Array(capacity * dim);
  }

  /** offset into `grad` of `row`'s gradient (allocating a zeroed slot on first touch) */
  offset(row: number): number {
    let s = this.slotOf[row];
    if (s < 0) {
      s = this.count++;
      if (s >= this.rows.length) this.grow();
      this.slotOf[row] = s;
      this.rows[s] = row;
      this.grad.fill(0, s * this.dim, (s + 1) * this.dim);
    }
    return s * this.dim;
  }

  /** slot of each row in this batch, -1 when untouched (read-only view) */
  get slots(): Int32Array {
    return this.slotOf;
  }

  reset(): void {
    for (let s = 0; s < this.count; s++) this.slotOf[this.rows[s]] = -1;
    this.count = 0;
  }

  private grow(): void {
    const rows = new Int32Array(this.rows.length * 2);
    rows.set(this.rows);
    const grad = new Float32Array(rows.length * this.dim);
    grad.set(this.grad);
    this.rows = rows;
    this.grad = grad;
  }
}

/**
 * Adam over a row-major table (rows x dim), lazy (`step`) or dense (`stepDense`); bias correction uses the
 * global step count. With the wasm kernel the table moves into the kernel's memory: train on `table` from
 * then on, so a step copies nothing (not even a dense step over a 24 MB teacher table).
 */
export class SparseAdam {
  readonly table: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly wasm: WasmAdamState | null;
  private t = 0;
  /** learning rate of the next steps (a schedule may change it between epochs) */
  lr: number;
  private readonly wd: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(
    table: Float32Array,
    private readonly dim: number,
    cfg: AdamConfig,
    kernel: WebAssembly.Module | null = null,
  ) {
    this.wasm = kernel ? new WasmAdamState(kernel, table.length) : null;
    this.wasm?.w.set(table);
    this.table = this.wasm ? this.wasm.w : table;
    this.m = this.wasm ? this.wasm.m : new Float32Array(table.length);
    this.v = this.wasm ? this.wasm.v : new Float32Array(table.length);
    this.lr = cfg.lr;
    this.wd = cfg.weightDecay;
    this.b1 = cfg.beta1 ?? 0.9;
    this.b2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
  }

  /** lazy step over the touched rows */
  step(g: RowGrads): void {
    this.t++;
    if (this.wasm) return this.stepWasm(g, false);
    const { table, m, v, dim, wd, b1, b2, eps } = this;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    const stepSize = this.lr / c1;
    const grad = g.grad;
    for (let s = 0; s < g.count; s++) {
      const base = g.rows[s] * dim;
      const gb = s * dim;
      for (let k = 0; k < dim; k++) {
        const p = base + k;
        const gr = grad[gb + k] + wd * table[p];
        const mk = (m[p] = b1 * m[p] + (1 - b1) * gr);
        const vk = (v[p] = b2 * v[p] + (1 - b2) * gr * gr);
        table[p] -= (stepSize * mk) / (Math.sqrt(vk / c2) + eps);
      }
    }
  }

  /**
   * dense step (PyTorch semantics for a non-sparse embedding): every row moves, untouched rows with
   * gradient wd·w only. O(table) per step, which generalises better than the lazy step on CiteULike.
   */
  stepDense(g: RowGrads): void {
    this.t++;
    if (this.wasm) return this.stepWasm(g, true);
    const { table, m, v, dim, wd, b1, b2, eps } = this;
    const c1 = 1 - Math.pow(b1, this.t);
    const invC2 = 1 / (1 - Math.pow(b2, this.t));
    const stepSize = this.lr / c1;
    const a1 = 1 - b1;
    const a2 = 1 - b2;
    const grad = g.grad;
    const slotOf = g.slots;
    const rows = table.length / dim;
    for (let r = 0, base = 0; r < rows; r++, base += dim) {
      const s = slotOf[r];
      const end = base + dim;
      if (s < 0) {
        for (let p = base; p < end; p++) {
          const gr = wd * table[p];
          const mk = (m[p] = b1 * m[p] + a1 * gr);
          const vk = (v[p] = b2 * v[p] + a2 * gr * gr);
          table[p] -= (stepSize * mk) / (Math.sqrt(vk * invC2) + eps);
        }
      } else {
        for (let p = base, q = s * dim; p < end; p++, q++) {
          const gr = grad[q] + wd * table[p];
          const mk = (m[p] = b1 * m[p] + a1 * gr);
          const vk = (v[p] = b2 * v[p] + a2 * gr * gr);
          table[p] -= (stepSize * mk) / (Math.sqrt(vk * invC2) + eps);
        }
      }
    }
  }

  private stepWasm(g: RowGrads, dense: boolean): void {
    const st = this.wasm!;
    const { table, dim } = this;
    const stepSize = this.lr / (1 - Math.pow(this.b1, this.t));
    const invSqrtC2 = 1 / Math.sqrt(1 - Math.pow(this.b2, this.t));
    const args = [stepSize, this.b1, this.b2, this.wd, invSqrtC2, this.eps] as const;
    for (let s = 0; s < g.count; s++) st.g.set(g.grad.subarray(s * dim, (s + 1) * dim), g.rows[s] * dim);
    if (dense) st.update(0, table.length, ...args);
    else for (let s = 0; s < g.count; s++) st.update(g.rows[s] * dim, dim, ...args);
    // untouched rows must see a zero gradient next step
    for (let s = 0; s < g.count; s++) st.g.fill(0, g.rows[s] * dim, (g.rows[s] + 1) * dim);
  }
}

/**
 * Adam over a flat parameter vector split into equal blocks (e.g. one expert per block); blocks whose
 * `touched` flag is false this step are skipped (lazy, like SparseAdam's rows). With the wasm kernel the
 * parameters move into the kernel's memory: use `params` (and `gradBuffer()` for the gradient) from then
 * on, so a step copies nothing.
 */
export class BlockAdam {
  readonly params: Float32Array;
  /** learning rate of the next steps (a schedule may change it between epochs) */
  lr: number;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly wasm: WasmAdamState | null;
  private t = 0;
  constructor(
    params: Float32Array,
    private readonly blockSize: number,
    private readonly cfg: AdamConfig,
    kernel: WebAssembly.Module | null = null,
    scratchBytes = 0,
  ) {
    this.lr = cfg.lr;
    this.wasm = kernel ? new WasmAdamState(kernel, params.length, scratchBytes) : null;
    if (this.wasm) this.wasm.w.set(params);
    this.params = this.wasm ? this.wasm.w : params;
    this.m = this.wasm ? this.wasm.m : new Float32Array(params.length);
    this.v = this.wasm ? this.wasm.v : new Float32Array(params.length);
  }

  /**
   * With the wasm kernel: its memory, holding the parameters from byte 0, the gradient from byte 12·n
   * (n parameters) and `scratchBytes` free bytes from byte `offset`, for kernels that read the parameters.
   */
  get shared(): { memory: WebAssembly.Memory; gradOffset: number; offset: number } | null {
    const st = this.wasm;
    return st ? { memory: st.memory, gradOffset: st.g.byteOffset, offset: st.extraOffset } : null;
  }

  /** a gradient array for step(); in the kernel's memory when the kernel runs */
  gradBuffer(): Float32Array {
    return this.wasm ? this.wasm.g : new Float32Array(this.params.length);
  }

  step(grad: Float32Array, touched?: ArrayLike<boolean | number>): void {
    this.t++;
    const { params, m, v, blockSize } = this;
    const wd = this.cfg.weightDecay;
    const b1 = this.cfg.beta1 ?? 0.9;
    const b2 = this.cfg.beta2 ?? 0.999;
    const eps = this.cfg.eps ?? 1e-8;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    const stepSize = this.lr / c1;
    const blocks = params.length / blockSize;
    const st = this.wasm;
    if (st) {
      const invSqrtC2 = 1 / Math.sqrt(c2);
      for (let b = 0; b < blocks; b++) {
        if (touched && !touched[b]) continue;
        const from = b * blockSize;
        if (grad !== st.g) st.g.set(grad.subarray(from, from + blockSize), from);
        st.update(from, blockSize, stepSize, b1, b2, wd, invSqrtC2, eps);
      }
      return;
    }
    for (let b = 0; b < blocks; b++) {
      if (touched && !touched[b]) continue;
      const end = (b + 1) * blockSize;
      for (let p = b * blockSize; p < end; p++) {
        const gr = grad[p] + wd * params[p];
        const mk = (m[p] = b1 * m[p] + (1 - b1) * gr);
        const vk = (v[p] = b2 * v[p] + (1 - b2) * gr * gr);
        params[p] -= (stepSize * mk) / (Math.sqrt(vk / c2) + eps);
      }
    }
  }
}
