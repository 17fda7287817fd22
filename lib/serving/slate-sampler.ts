// Sampled slates of the candidate arm, written in batches off the request path (like exposures, but
// best effort): `enqueue` is synchronous and O(1); a flush runs FLUSH_MS after the first row, writes
// one INSERT per batch, and a batch whose INSERT fails is dropped and counted. Losing a sample makes the
// sample smaller, not biased: whether a write fails has nothing to do with what was served.
import type { SlateSampleRow } from "@/lib/db/distillation-signals";

export interface SlateSamplerOptions {
  flushMs?: number;
  batchSize?: number;
  /** beyond this many waiting rows, new samples are dropped */
  maxQueue?: number;
  onError?: (error: unknown) => void;
}

export class SlateSampler {
  private queue: SlateSampleRow[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly onError: (error: unknown) => void;
  readonly counters = { enqueued: 0, written: 0, dropped: 0 };

  constructor(
    private readonly write: (rows: readonly SlateSampleRow[]) => Promise<unknown>,
    options: SlateSamplerOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 1000;
    this.batchSize = options.batchSize ?? 500;
    this.maxQueue = options.maxQueue ?? 10_000;
    this.onError = options.onError ?? ((error) => console.error("[slates] write failed:", error));
  }

  enqueue(row: SlateSampleRow): void {
    this.counters.enqueued++;
    if (this.stopped || this.queue.length >= this.maxQueue) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(row);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.flushMs);
      this.timer.unref?.();
    }
  }

  /** Writes everything queued now. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    this.flushing = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchSize);
        try {
          await this.write(batch);
          this.counters.written += batch.length;
        } catch (error) {
          this.counters.dropped += batch.length;
          this.onError(error);
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
    await this.flush();
  }
}
