// DE's expert MLPs on a wasm SIMD kernel (kernels/de-wat.ts), in the memory where the experts' Adam kernel
// keeps their weights and gradient, so nothing is copied per batch. Through XNNPACK the same math took ~360
// small matmul calls a batch, each with a fixed cost (≈45 µs, plus weight packing) larger than its
// arithmetic, and JS transposes and copies around them: a DE epoch went from ≈5.3 s to ≈2.5 s here.
// Rows are (entity, expert) pairs grouped by expert: expert m owns pair rows [from, from + cnt).
import { alignedRegions, compileWat } from "../kernels/wat";
import { DE_WAT } from "../kernels/de-wat";

type ForwardFn = (w: number, x: number, h: number, y: number, cnt: number, ds: number, dh: number, dt: number) => void;
type BackwardFn = (w: number, g: number, x: number, h: number, dy: number, dhrow: number, dx: number, cnt: number, ds: number, dh: number, dt: number) => void;

export interface ExpertShape {
  ds: number;
  dh: number;
  dt: number;
  /** floats per expert block */
  block: number;
}

/** the compiled kernel, or null where wasm SIMD or wabt is missing (or UNDERSTUDY_DE=matmul) */
export function deExpertModule(): Promise<WebAssembly.Module | null> {
  return process.env.UNDERSTUDY_DE === "matmul" ? Promise.resolve(null) : compileWat("de", DE_WAT);
}

export class DeExpertKernel {
  /** pair rows: inputs (student embeddings), hidden activations, outputs, output gradients, input gradients */
  readonly X: Float32Array;
  readonly H: Float32Array;
  readonly Y: Float32Array;
  readonly DY: Float32Array;
  readonly DX: Float32Array;
  private readonly off: { X: number; H: number; Y: number; DY: number; DX: number; DH: number };
  private readonly forwardFn: ForwardFn;
  private readonly backwardFn: BackwardFn;

  /** bytes of scratch for `capacity` pair rows */
  static scratchBytes(shape: ExpertShape, capacity: number): number {
    return alignedRegions(scratchSizes(shape, capacity)).end;
  }

  /**
   * `memory` holds the experts' weights from byte 0 and their gradient from byte `gradOffset` (one block per
   * expert each), and scratchBytes(shape, capacity) free bytes from byte `scratchOffset`.
   */
  constructor(
    mod: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly gradOffset: number,
    scratchOffset: number,
    private readonly shape: ExpertShape,
    readonly capacity: number,
  ) {
    const sizes = scratchSizes(shape, capacity);
    const { offsets: off, end } = alignedRegions(sizes, scratchOffset);
    if (end > memory.buffer.byteLength) throw new RangeError(`DE kernel scratch needs ${end} bytes, memory has ${memory.buffer.byteLength}`);
    this.off = off;
    const inst = new WebAssembly.Instance(mod, { env: { memory } });
    this.forwardFn = inst.exports.forward as ForwardFn;
    this.backwardFn = inst.exports.backward as BackwardFn;
    const buf = memory.buffer;
    this.X = new Float32Array(buf, off.X, sizes.X);
    this.H = new Float32Array(buf, off.H, sizes.H);
    this.Y = new Float32Array(buf, off.Y, sizes.Y);
    this.DY = new Float32Array(buf, off.DY, sizes.DY);
    this.DX = new Float32Array(buf, off.DX, sizes.DX);
  }

  /** H and Y of pair rows [from, from+cnt) from their X, through expert m */
  forward(m: number, from: number, cnt: number): void {
    const { ds, dh, dt, block } = this.shape;
    const o = this.off;
    this.forwardFn(4 * m * block, o.X + 4 * from * ds, o.H + 4 * from * dh, o.Y + 4 * from * dt, cnt, ds, dh, dt);
  }

  /** expert m's gradient (accumulated) and DX of pair rows [from, from+cnt) from their DY */
  backward(m: number, from: number, cnt: number): void {
    const { ds, dh, dt, block } = this.shape;
    const o = this.off;
    this.backwardFn(
      4 * m * block,
      this.gradOffset + 4 * m * block,
      o.X + 4 * from * ds,
      o.H + 4 * from * dh,
      o.DY + 4 * from * dt,
      o.DH,
      o.DX + 4 * from * ds,
      cnt,
      ds,
      dh,
      dt,
    );
  }
}

function scratchSizes({ ds, dh, dt }: ExpertShape, capacity: number) {
  return { X: capacity * ds, H: capacity * dh, Y: capacity * dt, DY: capacity * dt, DX: capacity * ds, DH: dh };
}
