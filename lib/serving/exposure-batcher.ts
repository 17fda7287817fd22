// Writes exposures in batches, off the request path.
//
// Requests call `enqueue` (synchronous, O(1)). A flush starts FLUSH_MS (default 250 ms) after the first
// row enters an empty queue, or at once when 500 rows are waiting, and writes up to 500 rows with one
// multi-row INSERT; only one flush runs at a time. Nothing is lost silently:
// - the queue is bounded (default 50,000 rows): beyond it the OLDEST rows are dropped and counted
//   ("queue_overflow"), per experiment;
// - a batch whose INSERT fails is retried on the next flush, up to 3 attempts, then dropped and counted
//   ("flush_failed");
// - counted losses are written to ExposureLoss on the next successful flush (kept in memory until then);
// - on SIGTERM/SIGINT/beforeExit the queue is flushed; rows still unwritten when the final flush fails
//   are counted ("shutdown") and written if the database accepts that last small insert.
// A hard crash (kill -9, OOM) can lose what was queued: at most one flush interval of traffic. Those
// requests are detectable afterwards because their events reference requestIds with no exposure row
// (`orphanEventCount` in lib/db/exposures.ts), which the experiment report shows.
import type { ExposureLossEntry, ExposureLossReason, ExposureRow } from "@/lib/db/exposures";

export interface ExposureSink {
  write(rows: readonly ExposureRow[]): Promise<unknown>;
  recordLoss(entries: readonly ExposureLossEntry[]): Promise<void>;
}

export interface ExposureBatcherOptions {
  flushMs?: number;
  batchSize?: number;
  maxQueue?: number;
  maxAttempts?: number;
  /** called when a write fails (logging); never throws into the request path */
  onError?: (error: unknown) => void;
}

export interface ExposureBatcherStats {
  enqueued: number;
  written: number;
  queued: number;
  dropped: Record<ExposureLossReason, number>;
  flushes: number;
  failedFlushes: number;
}

export class ExposureBatcher {
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly maxAttempts: number;
  private readonly onError: (error: unknown) => void;

  // ring-free queue: an array consumed from `head`, compacted when the consumed prefix grows large
  private queue: ExposureRow[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private failedAttempts = 0;
  private stopped = false;
  /** losses counted but not yet written to ExposureLoss, keyed by `${reason}\u0000${experimentId}` */
  private pendingLoss = new Map<string, ExposureLossEntry>();
  private readonly counters: ExposureBatcherStats = {
    enqueued: 0,
    written: 0,
    queued: 0,
    dropped: { queue_overflow: 0, flush_failed: 0, shutdown: 0 },
    flushes: 0,
    failedFlushes: 0,
  };

  constructor(
    private readonly sink: ExposureSink,
    options: ExposureBatcherOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
    this.maxQueue = options.maxQueue ?? 50_000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.onError = options.onError ?? ((error) => console.error("[exposures] flush failed:", error));
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  stats(): ExposureBatcherStats {
    return { ...this.counters, queued: this.size, dropped: { ...this.counters.dropped } };
  }

  enqueue(row: ExposureRow): void {
    this.counters.enqueued++;
    if (this.stopped) {
      this.countLoss([row], "shutdown");
      return;
    }
    this.queue.push(row);
    if (this.size > this.maxQueue) {
      const overflow = this.size - this.maxQueue;
      this.countLoss(this.queue.slice(this.head, this.head + overflow), "queue_overflow");
      this.head += overflow;
      this.compact();
    }
    if (this.size >= this.batchSize) this.schedule(0);
    else this.schedule(this.flushMs);
  }

  /** Writes everything queued now (and the loss counters); resolves when done or failed. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.size === 0 && this.pendingLoss.size === 0) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  /** Final flush: stops accepting rows, writes what it can, counts the rest as lost. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
    // a few rounds: each writes what it can; a failing database makes the batch retry, then give up
    for (let round = 0; round < this.maxAttempts && (this.size > 0 || this.pendingLoss.size > 0); round++) {
      await this.flush();
    }
    if (this.size > 0) {
      this.countLoss(this.queue.slice(this.head), "shutdown");
      this.queue = [];
      this.head = 0;
      await this.writeLoss();
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) {
      if (delayMs > 0) return; // a flush is already due sooner or at the interval
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.size > 0) this.schedule(this.size >= this.batchSize ? 0 : this.flushMs);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  private async flushOnce(): Promise<void> {
    while (this.size > 0) {
      // the batch leaves the queue while in flight, so an overflow meanwhile never drops it twice
      const end = Math.min(this.queue.length, this.head + this.batchSize);
      const batch = this.queue.slice(this.head, end);
      this.head = end;
      this.compact();
      try {
        await this.sink.write(batch);
      } catch (error) {
        this.counters.failedFlushes++;
        this.failedAttempts++;
        this.onError(error);
        if (this.failedAttempts >= this.maxAttempts) {
          // give up on this batch; it still counts, as lost
          this.countLoss(batch, "flush_failed");
          this.failedAttempts = 0;
          await this.writeLoss();
        } else {
          // back at the front, retried on the next flush
          this.queue = batch.concat(this.queue.slice(this.head));
          this.head = 0;
        }
        return;
      }
      this.failedAttempts = 0;
      this.counters.flushes++;
      this.counters.written += batch.length;
    }
    await this.writeLoss();
  }

  private compact(): void {
    if (this.head > 0 && (this.head >= this.queue.length || this.head > 4096)) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private countLoss(rows: readonly ExposureRow[], reason: ExposureLossReason): void {
    for (const row of rows) {
      const key = `${reason}\u0000${row.experimentId ?? ""}`;
      const entry = this.pendingLoss.get(key);
      if (entry) entry.count++;
      else this.pendingLoss.set(key, { experimentId: row.experimentId, count: 1, reason });
      this.counters.dropped[reason]++;
    }
  }

  private async writeLoss(): Promise<void> {
    if (this.pendingLoss.size === 0) return;
    const entries = [...this.pendingLoss.values()];
    this.pendingLoss = new Map();
    try {
      await this.sink.recordLoss(entries);
    } catch (error) {
      this.onError(error);
      // keep the counts for the next flush
      for (const entry of entries) {
        const key = `${entry.reason}\u0000${entry.experimentId ?? ""}`;
        const current = this.pendingLoss.get(key);
        if (current) current.count += entry.count;
        else this.pendingLoss.set(key, entry);
      }
    }
  }
}
