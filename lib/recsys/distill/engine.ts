// One interface for the dense math of distillation: C = A·B for row-major 2-D Float32Arrays, on either
// the tfjs backend (wasm: XNNPACK fast path for plain non-transposed 2-D matmuls) or plain typed arrays.
// Callers transpose in JS so the backend only ever sees its fast path.
import type { Tf } from "../backend";

export interface MatmulEngine {
  readonly name: string;
  /** A (m x k) · B (k x n) → new Float32Array (m x n) */
  matmul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array;
}

export class JsEngine implements MatmulEngine {
  readonly name = "typed-arrays";
  matmul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
    const c = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      const cb = i * n;
      const ab = i * k;
      for (let p = 0; p < k; p++) {
        const av = a[ab + p];
        if (av === 0) continue;
        const bb = p * n;
        for (let j = 0; j < n; j++) c[cb + j] += av * b[bb + j];
      }
    }
    return c;
  }
}

export class TfEngine implements MatmulEngine {
  readonly name: string;
  constructor(private readonly tf: Tf) {
    this.name = `tfjs-${tf.getBackend()}`;
  }
  matmul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
    const tf = this.tf;
    if (m === 0 || n === 0) return new Float32Array(m * n);
    const ta = tf.tensor2d(a.length === m * k ? a : a.subarray(0, m * k), [m, k]);
    const tb = tf.tensor2d(b.length === k * n ? b : b.subarray(0, k * n), [k, n]);
    const tc = tf.matMul(ta, tb);
    const out = tc.dataSync() as Float32Array;
    ta.dispose();
    tb.dispose();
    tc.dispose();
    return out;
  }
}

/**
 * tfjs-wasm's own BatchMatMul kernel (XNNPACK) called directly on the backend's heap, skipping the tfjs
 * engine's per-op bookkeeping (tensor objects, kernel dispatch, two reshapes, dataSync). Same kernel and
 * results as TfEngine, ~3x less fixed cost per call (measured: ≈45 µs against ≈130 µs), which matters
 * because DE makes ~360 small matmuls a batch. It relies on tfjs-backend-wasm 4.22 internals (cwrap,
 * _malloc, registerTensor), so `create` returns null unless every one of them is present.
 */
export class WasmKernelEngine implements MatmulEngine {
  readonly name = "tfjs-wasm-kernel";
  /** ids far above the backend's own counter (which starts at 1), so they never collide */
  private nextId = 2 ** 30;
  private readonly shapeA = new Int32Array(3);
  private readonly shapeB = new Int32Array(3);

  private constructor(
    private readonly wasm: WasmModule,
    private readonly batchMatMul: (
      aId: number,
      aShape: Uint8Array,
      aRank: number,
      bId: number,
      bShape: Uint8Array,
      bRank: number,
      transposeA: number,
      transposeB: number,
      outId: number,
    ) => void,
  ) {}

  static create(tf: Tf): WasmKernelEngine | null {
    if (tf.getBackend() !== "wasm") return null;
    const wasm = (tf.backend() as unknown as { wasm?: Partial<WasmModule> }).wasm;
    if (
      !wasm ||
      typeof wasm.cwrap !== "function" ||
      typeof wasm._malloc !== "function" ||
      typeof wasm._free !== "function" ||
      !wasm.tfjs ||
      typeof wasm.tfjs.registerTensor !== "function" ||
      typeof wasm.tfjs.disposeData !== "function"
    ) {
      return null;
    }
    const full = wasm as WasmModule;
    const fn = full.cwrap("BatchMatMul", null, ["number", "array", "number", "number", "array", "number", "number", "number", "number"]);
    return new WasmKernelEngine(full, fn as WasmKernelEngine["batchMatMul"]);
  }

  matmul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
    if (m === 0 || n === 0) return new Float32Array(m * n);
    const w = this.wasm;
    const ta = this.put(a, m * k);
    // a fresh id for B every call: the kernel caches XNNPACK operators (with packed weights) by B's id
    const tb = this.put(b, k * n);
    const tc = this.put(null, m * n);
    try {
      this.shapeA.set([1, m, k]);
      this.shapeB.set([1, k, n]);
      this.batchMatMul(ta.id, new Uint8Array(this.shapeA.buffer), 3, tb.id, new Uint8Array(this.shapeB.buffer), 3, 0, 0, tc.id);
      const at = tc.offset >>> 2;
      return w.HEAPF32.slice(at, at + m * n);
    } finally {
      this.release(ta);
      this.release(tb);
      this.release(tc);
    }
  }

  private put(values: Float32Array | null, size: number): { id: number; offset: number } {
    const w = this.wasm;
    const id = this.nextId;
    this.nextId = this.nextId >= 2 ** 31 - 2 ? 2 ** 30 : this.nextId + 1;
    const offset = w._malloc(size * 4) >>> 0;
    w.tfjs.registerTensor(id, size, offset);
    // HEAPF32 is re-read after _malloc: growing the heap replaces the buffer
    if (values) w.HEAPF32.set(values.length === size ? values : values.subarray(0, size), offset >>> 2);
    return { id, offset };
  }

  private release(t: { id: number; offset: number }): void {
    this.wasm._free(t.offset);
    this.wasm.tfjs.disposeData(t.id);
  }
}

interface WasmModule {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  _malloc(bytes: number): number;
  _free(offset: number): void;
  HEAPF32: Float32Array;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}

/** transpose of a row-major (rows x cols) matrix */
export function transpose(a: Float32Array, rows: number, cols: number, out = new Float32Array(rows * cols)): Float32Array {
  for (let r = 0; r < rows; r++) {
    const rb = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[rb + c];
  }
  return out;
}

/**
 * Times both engines on a given shape and returns the faster (measured, not assumed).
 * Shapes default to the DE expert's second layer for a typical per-expert group.
 */
export function pickFasterEngine(tf: Tf | null, shape: [number, number, number] = [96, 110, 200]): { engine: MatmulEngine; timings: Record<string, number> } {
  const js = new JsEngine();
  if (!tf) return { engine: js, timings: {} };
  const tfe = WasmKernelEngine.create(tf) ?? new TfEngine(tf);
  const [m, k, n] = shape;
  const a = new Float32Array(m * k).map((_, i) => ((i * 7919) % 97) / 97 - 0.5);
  const b = new Float32Array(k * n).map((_, i) => ((i * 104729) % 89) / 89 - 0.5);
  const time = (e: MatmulEngine) => {
    e.matmul(a, m, k, b, n);
    const reps = 10;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) e.matmul(a, m, k, b, n);
    return ((performance.now() - t0) / reps) * 1000;
  };
  const timings = { [js.name]: time(js), [tfe.name]: time(tfe) };
  return { engine: timings[tfe.name] <= timings[js.name] ? tfe : js, timings };
}
