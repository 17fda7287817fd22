// The Adam update as a wasm SIMD kernel (four lanes per instruction). Dense Adam touches every parameter
// every step, which made it the largest single cost of a student epoch in plain JS (≈10–13 ns an element
// here); the kernel does the same arithmetic in f32. adamKernel() is null where wasm SIMD or wabt is
// missing (or UNDERSTUDY_ADAM=js), and the optimisers then keep their JS loop.
import { ADAM_WAT } from "./adam-wat";
import { compileWat, fixedMemory } from "./wat";

export function adamKernel(): Promise<WebAssembly.Module | null> {
  return process.env.UNDERSTUDY_ADAM === "js" ? Promise.resolve(null) : compileWat("adam", ADAM_WAT);
}

type AdamFn = (off: number, len: number, n: number, step: number, b1: number, b2: number, wd: number, invSqrtC2: number, eps: number) => void;

/**
 * Weights, moments and gradient of one parameter array of n floats, in a wasm memory of its own; `extraBytes`
 * more follow them (from byte `extraOffset`) for another kernel that works on the same weights.
 */
export class WasmAdamState {
  readonly memory: WebAssembly.Memory;
  readonly extraOffset: number;
  readonly w: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly g: Float32Array;
  private readonly fn: AdamFn;

  constructor(
    kernel: WebAssembly.Module,
    readonly n: number,
    extraBytes = 0,
  ) {
    this.extraOffset = 16 * n;
    const memory = fixedMemory(16 * n + extraBytes);
    this.memory = memory;
    const instance = new WebAssembly.Instance(kernel, { env: { memory } });
    this.fn = instance.exports.adam as AdamFn;
    const buf = memory.buffer;
    this.w = new Float32Array(buf, 0, n);
    this.m = new Float32Array(buf, 4 * n, n);
    this.v = new Float32Array(buf, 8 * n, n);
    this.g = new Float32Array(buf, 12 * n, n);
  }

  /** one Adam step on elements [off, off+len) of w, m, v with gradient g */
  update(off: number, len: number, stepSize: number, b1: number, b2: number, wd: number, invSqrtC2: number, eps: number): void {
    this.fn(off, len, this.n, stepSize, b1, b2, wd, invSqrtC2, eps);
  }
}
