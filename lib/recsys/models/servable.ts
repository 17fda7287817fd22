// A trained BPR model in the shape serving and evaluation use: external ids, manifest, top-k, and
// fast block scoring through the tfjs backend when one has been attached.
import type { ModelManifest, ServableModel } from "../types";
import { topK } from "../topk";
import { getTf } from "../backend";
import { BprModel } from "./bpr";
import { ItemMatrixScorer } from "./accel";
import { panelLayoutYielding } from "../kernels/panel-order";
import { PANEL, PanelScorer, scoreKernel, type RankedItems, type ScoreBlock } from "../kernels/score";
import type { Exclusion } from "../topk";

/**
 * Where full-catalogue scores are computed: "tfjs" (one matmul per block on the tfjs backend) or
 * "kernel" (our wasm SIMD kernel, which also gives top-k the panel maxima it needs to skip most items;
 * falls back to tfjs where wasm SIMD is missing).
 */
export type ScoringEngine = "tfjs" | "kernel";

export class ServableBpr implements ServableModel {
  private userMap: Map<string, number> | null = null;
  private itemMap: Map<string, number> | null = null;
  private accel: ItemMatrixScorer | null = null;
  private panel: PanelScorer | null = null;
  private rowBuf: Float32Array | null = null;

  constructor(
    readonly model: BprModel,
    readonly manifest: ModelManifest,
    readonly userIds: readonly string[],
    readonly itemIds: readonly string[],
  ) {
    if (userIds.length !== model.numUsers || itemIds.length !== model.numItems) {
      throw new Error(`id maps (${userIds.length} users, ${itemIds.length} items) do not match the model (${model.numUsers} x ${model.numItems})`);
    }
  }

  get numUsers(): number {
    return this.model.numUsers;
  }
  get numItems(): number {
    return this.model.numItems;
  }
  get dim(): number {
    return this.model.dim;
  }

  /**
   * Prepare fast block scoring: upload the item matrix to the tfjs backend (one matmul per block), or with
   * engine "kernel" lay it out for the SIMD kernel, scoring at most `maxRows` users per kernel call.
   */
  async accelerate(engine: ScoringEngine = "tfjs", maxRows = 32): Promise<this> {
    if (engine === "kernel" && !this.panel) {
      const kernel = await scoreKernel();
      if (kernel) {
        const { items, numItems, dim } = this.model;
        // (the panels' order and balls are the long part: computed without holding a serving process's event loop)
        const layout = await panelLayoutYielding(items, numItems, dim, PANEL);
        this.panel = new PanelScorer(kernel, items, numItems, dim, maxRows, layout);
        return this;
      }
    }
    if (!this.accel && !this.panel) {
      const tf = await getTf();
      this.accel = new ItemMatrixScorer(tf, this.model.items, this.model.numItems, this.model.dim);
    }
    return this;
  }

  /** release backend memory (the model keeps working on the JS path) */
  dispose(): void {
    this.accel?.dispose();
    this.accel = null;
    this.panel = null;
  }

  /** the SIMD kernel's scorer (null unless accelerated with the "kernel" engine) */
  get panelScorer(): PanelScorer | null {
    return this.panel;
  }

  /** most users one scoreBlock call takes (0 without the kernel) */
  get blockRows(): number {
    return this.panel?.maxRows ?? 0;
  }

  /** the engine block scoring runs on: "kernel", "tfjs", or "js" (not accelerated) */
  get engine(): ScoringEngine | "js" {
    return this.panel ? "kernel" : this.accel ? "tfjs" : "js";
  }

  /**
   * Kernel scores of up to `maxRows` users with their panel maxima, as views into the kernel's memory
   * (valid until the next call); null unless accelerated with the "kernel" engine.
   */
  scoreBlock(users: ArrayLike<number>): ScoreBlock | null {
    return this.panel ? this.panel.score(this.model.users, users) : null;
  }

  /**
   * The exact top-k of each of up to `maxRows` users (PanelScorer.topK: the kernel scores' top-k, found
   * through the 16-bit filter); null unless accelerated with the "kernel" engine or where the filter
   * does not apply (then scoreBlock and topKBlocks).
   */
  topKBlock(users: ArrayLike<number>, k: ArrayLike<number>, exclude: ArrayLike<Exclusion | undefined>): RankedItems[] | null {
    return this.panel ? this.panel.topK(this.model.users, users, k, exclude) : null;
  }

  scoreUser(user: number, out: Float32Array): void {
    if (this.accel || this.panel) this.scoreUsers(Int32Array.of(user), out);
    else this.model.scoreUser(user, out);
  }

  /** row-major block: out[j*numItems + i] = score(users[j], i) */
  scoreUsers(users: Int32Array, out: Float32Array): void {
    const d = this.model.dim;
    const n = this.model.numItems;
    if (this.panel) {
      const panel = this.panel;
      for (let from = 0; from < users.length; from += panel.maxRows) {
        const part = users.subarray(from, Math.min(users.length, from + panel.maxRows));
        const { scores, stride } = panel.score(this.model.users, part);
        for (let j = 0; j < part.length; j++) out.set(scores.subarray(j * stride, j * stride + n), (from + j) * n);
      }
      return;
    }
    if (!this.accel) {
      for (let j = 0; j < users.length; j++) this.model.scoreUser(users[j], out.subarray(j * n, (j + 1) * n));
      return;
    }
    if (!this.rowBuf || this.rowBuf.length < users.length * d) this.rowBuf = new Float32Array(users.length * d);
    const U = this.model.users;
    for (let j = 0; j < users.length; j++) this.rowBuf.set(U.subarray(users[j] * d, (users[j] + 1) * d), j * d);
    this.accel.scoreBlock(this.rowBuf, users.length, out);
  }

  userIndex(externalId: string): number | undefined {
    if (!this.userMap) this.userMap = new Map(this.userIds.map((id, i) => [id, i]));
    return this.userMap.get(externalId);
  }

  itemIndex(externalId: string): number | undefined {
    if (!this.itemMap) this.itemMap = new Map(this.itemIds.map((id, i) => [id, i]));
    return this.itemMap.get(externalId);
  }

  recommend(user: number, k: number, exclude?: ReadonlySet<number>): { item: number; score: number }[] {
    if (!Number.isInteger(user) || user < 0 || user >= this.numUsers) throw new RangeError(`unknown user index ${user}`);
    const scores = new Float32Array(this.numItems);
    this.scoreUser(user, scores);
    return Array.from(topK(scores, k, exclude), (item) => ({ item, score: scores[item] }));
  }
}
