// RRD's per-user (and IR-RRD's per-item) score and gradient loops on the wasm SIMD kernel (kernels/rrd-wat.ts). In JS those loops ran
// at ~4–5 ns per multiply-add on this machine (2.7 s of a 3.6 s RRD epoch); the loss itself (exp/log over
// K+L scores) stays in JS. The student's tables are copied in once per batch, gradients accumulate in
// dense tables here and are handed to the trainer's RowGrads for the rows the batch touched.
import { alignedRegions, compileWat, fixedMemory } from "../kernels/wat";
import { RRD_WAT } from "../kernels/rrd-wat";

type ScoresFn = (U: number, V: number, items: number, S: number, u: number, count: number, dbytes: number) => void;
type GradsFn = (U: number, V: number, GU: number, GV: number, items: number, D: number, u: number, count: number, dbytes: number) => void;

export class RrdKernel {
  readonly U: Float32Array;
  readonly V: Float32Array;
  readonly GU: Float32Array;
  readonly GV: Float32Array;
  readonly items: Int32Array;
  /** scores of the current user's items */
  readonly S: Float32Array;
  /** d loss / d score of the current user's items */
  readonly D: Float32Array;
  private readonly off: { U: number; V: number; GU: number; GV: number; items: number; S: number; D: number };
  private readonly dbytes: number;

  private constructor(
    mod: WebAssembly.Module,
    numUsers: number,
    numItems: number,
    readonly dim: number,
    perUser: number,
  ) {
    this.dbytes = 4 * dim;
    const sizes = { U: numUsers * dim, V: numItems * dim, GU: numUsers * dim, GV: numItems * dim, items: perUser, S: perUser, D: perUser };
    const { offsets: off, end } = alignedRegions(sizes);
    this.off = off;
    const memory = fixedMemory(end);
    const inst = new WebAssembly.Instance(mod, { env: { memory } });
    this.scoresFn = inst.exports.scores as ScoresFn;
    this.gradsFn = inst.exports.grads as GradsFn;
    const buf = memory.buffer;
    this.U = new Float32Array(buf, off.U, sizes.U);
    this.V = new Float32Array(buf, off.V, sizes.V);
    this.GU = new Float32Array(buf, off.GU, sizes.GU);
    this.GV = new Float32Array(buf, off.GV, sizes.GV);
    this.items = new Int32Array(buf, off.items, perUser);
    this.S = new Float32Array(buf, off.S, perUser);
    this.D = new Float32Array(buf, off.D, perUser);
  }

  private readonly scoresFn: ScoresFn;
  private readonly gradsFn: GradsFn;

  /** null when the dimension is not a multiple of 4 or wasm SIMD is unavailable */
  static async create(numUsers: number, numItems: number, dim: number, perUser: number): Promise<RrdKernel | null> {
    if (dim % 4 !== 0 || process.env.UNDERSTUDY_RRD === "js") return null;
    const mod = await compileWat("rrd", RRD_WAT);
    return mod ? new RrdKernel(mod, numUsers, numItems, dim, perUser) : null;
  }

  /**
   * S[a] = U[u]·V[items[a]] for a < count. Side "item" swaps the tables' roles: `u` is an item and
   * `items` holds users, S[a] = V[u]·U[items[a]] (IR-RRD's item side, same loops).
   */
  scores(u: number, count: number, side: "user" | "item" = "user"): void {
    const o = this.off;
    if (side === "user") this.scoresFn(o.U, o.V, o.items, o.S, u, count, this.dbytes);
    else this.scoresFn(o.V, o.U, o.items, o.S, u, count, this.dbytes);
  }

  /** GU[u] += Σ D[a]·V[items[a]] and GV[items[a]] += D[a]·U[u] for a < count (side "item": roles swapped) */
  grads(u: number, count: number, side: "user" | "item" = "user"): void {
    const o = this.off;
    if (side === "user") this.gradsFn(o.U, o.V, o.GU, o.GV, o.items, o.D, u, count, this.dbytes);
    else this.gradsFn(o.V, o.U, o.GV, o.GU, o.items, o.D, u, count, this.dbytes);
  }
}
