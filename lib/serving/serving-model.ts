// A loaded model plus what serving needs beside its weights: each user's training items (never
// recommended back) and the training popularity ranking (the answer for users the model never saw).
import { itemTrainCounts } from "@/lib/recsys/data/stats";
import { PANEL, type RankedItems, type ScoreBlock } from "@/lib/recsys/kernels/score";
import { topK, topKBlocks } from "@/lib/recsys/topk";
import type { Dataset, ServableModel } from "@/lib/recsys/types";

const EMPTY = new Int32Array(0);

export interface RecommendedItem {
  itemId: string;
  score: number;
}

export interface Recommendation {
  items: RecommendedItem[];
  /** "popularity" when the user is unknown to the model: most-trained items, score = training count */
  fallback?: "popularity";
}

export interface ScoredRecommendation extends Recommendation {
  /** wall time of the scoring this request waited for, µs */
  latencyUs: number;
  /** CPU time of the scoring attributed to this request, µs */
  cpuUs: number;
  /** requests scored in the same call, sharing its latency (absent: 1) */
  batchSize?: number;
}

interface PendingRequest {
  user: number;
  k: number;
  skip: Int32Array;
  resolve: (result: ScoredRecommendation) => void;
  reject: (error: unknown) => void;
}

/**
 * Most requests scored in one matmul or kernel call (bounds the score buffer: maxBatch × numItems
 * floats). SCORING_MAX_BATCH overrides the default of 32; 1 scores every request on its own.
 */
export function maxBatch(): number {
  const value = Number(process.env.SCORING_MAX_BATCH ?? 32);
  return Number.isInteger(value) && value >= 1 ? value : 32;
}

/**
 * The scoring cost of a batch: its wall time, and its CPU time read with process.cpuUsage around one
 * batch in CPU_SAMPLE_EVERY (a system call that sums every thread of the process: under load it cost
 * as much as a tenth of a student request in the profile). The other batches are charged their wall
 * time × the CPU/wall ratio of the recent sampled ones (scoring is synchronous, so the ratio is 1 unless
 * the process is preempted or other threads run).
 */
class ScoringClock {
  private static readonly CPU_SAMPLE_EVERY = 16;
  private untilSample = 0;
  private cpuPerWall = 1;
  private wallStart = 0n;
  private cpuStart: NodeJS.CpuUsage | null = null;

  start(): void {
    if (--this.untilSample <= 0) {
      this.untilSample = ScoringClock.CPU_SAMPLE_EVERY;
      this.cpuStart = process.cpuUsage();
    }
    this.wallStart = process.hrtime.bigint();
  }

  /** wall and CPU µs since start() */
  stop(): { latencyUs: number; cpuUs: number } {
    const latencyUs = Number(process.hrtime.bigint() - this.wallStart) / 1000;
    if (this.cpuStart === null) return { latencyUs: Math.round(latencyUs), cpuUs: latencyUs * this.cpuPerWall };
    const cpu = process.cpuUsage(this.cpuStart);
    this.cpuStart = null;
    const cpuUs = cpu.user + cpu.system;
    // a short batch's ratio is coarse (µs clocks): blend it in by its weight
    if (latencyUs > 0) this.cpuPerWall = (this.cpuPerWall * 4 * 100 + cpuUs) / (4 * 100 + latencyUs);
    return { latencyUs: Math.round(latencyUs), cpuUs };
  }
}

type BlockScorer = ServableModel & {
  scoreBlock(users: ArrayLike<number>): ScoreBlock | null;
  topKBlock(users: ArrayLike<number>, k: ArrayLike<number>, exclude: ArrayLike<Int32Array>): RankedItems[] | null;
  blockRows: number;
};

/** a model scored by the SIMD kernel (ServableBpr accelerated with the "kernel" engine) */
function isBlockScorer(model: ServableModel): model is BlockScorer {
  const m = model as { scoreBlock?: unknown; topKBlock?: unknown; blockRows?: number };
  return typeof m.scoreBlock === "function" && typeof m.topKBlock === "function" && (m.blockRows ?? 0) > 0;
}

function isBatchScorer(model: ServableModel): model is ServableModel & { scoreUsers(users: Int32Array, out: Float32Array): void } {
  return typeof (model as { scoreUsers?: unknown }).scoreUsers === "function";
}

export class ServingModel {
  /** sorted dense training items of each dense model user */
  private readonly trainItems: (Int32Array | undefined)[];
  /** dense model items by descending training count (ties: lower index first), and those counts */
  private readonly popularItems: Int32Array;
  private readonly popularCounts: Int32Array;
  /** score buffer reused by every batch (batches are scored synchronously, one at a time) */
  private scores: Float32Array;
  private pending: PendingRequest[] = [];
  /** batch users, reused (a batch is scored synchronously) */
  private batchUsers = new Int32Array(0);
  /** the kernel's block scorer when the model has one, else null (the generic score buffer path) */
  private readonly blockScorer: BlockScorer | null;
  /** most requests one scoring call takes */
  private readonly batchSize: number;
  private readonly clock = new ScoringClock();

  constructor(
    readonly id: string,
    readonly model: ServableModel,
    history: Dataset,
  ) {
    // the dataset and the model index ids independently in general: map through external ids
    this.trainItems = new Array(model.numUsers);
    const itemMap = new Int32Array(history.numItems).fill(-1);
    for (let i = 0; i < history.numItems; i++) itemMap[i] = model.itemIndex(history.itemIds[i]) ?? -1;
    for (let u = 0; u < history.numUsers; u++) {
      const mu = model.userIndex(history.userIds[u]);
      if (mu === undefined) continue;
      const mapped = Array.from(history.trainByUser[u], (i) => itemMap[i]).filter((i) => i >= 0);
      this.trainItems[mu] = Int32Array.from(mapped).sort();
    }
    const counts = new Int32Array(model.numItems);
    itemTrainCounts(history).forEach((c, i) => {
      if (itemMap[i] >= 0) counts[itemMap[i]] += c;
    });
    this.popularItems = Int32Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
    this.popularCounts = Int32Array.from(this.popularItems, (i) => counts[i]);
    this.scores = new Float32Array(0);
    this.blockScorer = isBlockScorer(model) ? model : null;
    this.batchSize = this.blockScorer ? Math.min(maxBatch(), this.blockScorer.blockRows) : maxBatch();
  }

  /**
   * Top-k for an external user id, without the user's training items nor `exclude` (external item
   * ids; unknown ones are ignored), with the scoring cost attributed to this request. Rejects only on
   * a scoring error of the model itself.
   *
   * Requests that arrive in the same event-loop turn are scored together (dynamic micro-batching):
   * one matmul over their user rows (`scoreUsers`, when the model has it) instead of one call each,
   * which amortises the backend's fixed cost per call. The batch's CPU time is shared equally among
   * its requests; each request's latency is the whole batch's scoring time (it waited for all of it).
   */
  recommend(userId: string, k: number, exclude?: readonly string[]): Promise<ScoredRecommendation> {
    const { model } = this;
    const extra: number[] = [];
    if (exclude !== undefined) {
      for (let e = 0; e < exclude.length; e++) {
        const i = model.itemIndex(exclude[e]);
        if (i !== undefined) extra.push(i);
      }
    }
    const user = model.userIndex(userId);
    if (user === undefined) {
      this.clock.start();
      const items = this.popular(k, new Set(extra));
      const { latencyUs, cpuUs } = this.clock.stop();
      return Promise.resolve({ items, fallback: "popularity", latencyUs, cpuUs: Math.round(cpuUs) });
    }
    const train = this.trainItems[user] ?? EMPTY;
    const skip = extra.length === 0 ? train : Int32Array.from([...train, ...extra]).sort();
    return new Promise((resolve, reject) => {
      this.pending.push({ user, k, skip, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.scorePending());
    });
  }

  /**
   * Scores a few throwaway batches (sizes cycling through the full batch, 1, 2 and 3 rows: every kernel
   * variant) and one popularity answer. The first batches of a process run in V8's interpreter and
   * wasm's baseline tier: 2–12 ms against 0.2 ms warm for a small model, all charged to whichever arm
   * happened to be scored first, which read as that arm's latency regression in an experiment.
   * Call before the model serves (its pending queue must be empty); costs ~150 users' scoring once.
   */
  warmUp(batches = 16): void {
    const numUsers = this.model.numUsers;
    if (numUsers === 0) return;
    const sizes = [this.batchSize, 1, 2, 3];
    let next = 0;
    for (let b = 0; b < batches; b++) {
      const batch: PendingRequest[] = [];
      for (let j = 0; j < Math.min(sizes[b % sizes.length], numUsers); j++) {
        const user = next++ % numUsers;
        batch.push({ user, k: 10, skip: this.trainItems[user] ?? EMPTY, resolve: () => {}, reject: () => {} });
      }
      this.scoreBatch(batch);
    }
    this.popular(10, new Set());
  }

  private scorePending(): void {
    const all = this.pending;
    this.pending = [];
    const size = this.batchSize;
    if (all.length <= size) this.scoreBatch(all);
    else for (let from = 0; from < all.length; from += size) this.scoreBatch(all.slice(from, from + size));
  }

  private scoreBatch(batch: PendingRequest[]): void {
    const { model } = this;
    const n = model.numItems;
    this.clock.start();
    const results: RecommendedItem[][] = new Array(batch.length);
    try {
      if (this.batchUsers.length < batch.length) this.batchUsers = new Int32Array(Math.max(batch.length, 32));
      const users = this.batchUsers.subarray(0, batch.length);
      for (let j = 0; j < batch.length; j++) users[j] = batch[j].user;
      let ranked: RankedItems[] | null = null;
      if (this.blockScorer) {
        const ks = new Array<number>(batch.length);
        const skips = new Array<Int32Array>(batch.length);
        for (let j = 0; j < batch.length; j++) {
          ks[j] = batch[j].k;
          skips[j] = batch[j].skip;
        }
        ranked = this.blockScorer.topKBlock(users, ks, skips);
      }
      const block = this.blockScorer && !ranked ? this.blockScorer.scoreBlock(users) : null;
      if (ranked) {
        for (let j = 0; j < batch.length; j++) results[j] = this.items(ranked[j].items, ranked[j].scores, true);
      } else if (block) {
        // kernel output in place: row j at j·stride, its panel maxima let top-k skip most panels
        for (let j = 0; j < batch.length; j++) {
          const row = block.scores.subarray(j * block.stride, j * block.stride + n);
          const top = topKBlocks(row, block.maxima.subarray(j * block.panels, (j + 1) * block.panels), PANEL, batch[j].k, batch[j].skip);
          results[j] = this.items(top, row);
        }
      } else {
        if (this.scores.length < batch.length * n) this.scores = new Float32Array(batch.length * n);
        const scores = this.scores;
        if (isBatchScorer(model)) model.scoreUsers(users, scores);
        else for (let j = 0; j < users.length; j++) model.scoreUser(users[j], scores.subarray(j * n, (j + 1) * n));
        for (let j = 0; j < batch.length; j++) {
          const row = scores.subarray(j * n, (j + 1) * n);
          results[j] = this.items(topK(row, batch[j].k, batch[j].skip), row);
        }
      }
    } catch (error) {
      this.clock.stop();
      for (const request of batch) request.reject(error);
      return;
    }
    const clock = this.clock.stop();
    const latencyUs = clock.latencyUs;
    const cpuUs = Math.round(clock.cpuUs / batch.length);
    for (let j = 0; j < batch.length; j++) batch[j].resolve({ items: results[j], latencyUs, cpuUs, batchSize: batch.length });
  }

  /** `scores`: the items' scores in their order (`ranked`), or the whole score row */
  private items(top: Int32Array, scores: Float32Array, ranked = false): RecommendedItem[] {
    const ids = this.model.itemIds;
    const items: RecommendedItem[] = new Array(top.length);
    for (let t = 0; t < top.length; t++) items[t] = { itemId: ids[top[t]], score: ranked ? scores[t] : scores[top[t]] };
    return items;
  }

  private popular(k: number, skip: ReadonlySet<number>): RecommendedItem[] {
    const items: RecommendedItem[] = [];
    for (let j = 0; j < this.popularItems.length && items.length < k; j++) {
      const item = this.popularItems[j];
      if (!skip.has(item)) items.push({ itemId: this.model.itemIds[item], score: this.popularCounts[j] });
    }
    return items;
  }
}
