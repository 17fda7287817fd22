// What a handler gets besides its input: progress, logs, heartbeat and an AbortSignal that fires when
// someone cancels the run (JobRun.cancelRequested, polled with the heartbeat), when pg-boss takes the
// job away (expired, cancelled) or when the worker shuts down.
import type { Db } from "@/lib/db/client";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface JobContext {
  readonly jobRunId: string;
  /** 1 for the first attempt */
  readonly attempt: number;
  readonly signal: AbortSignal;
  readonly db: Db;
  /** percent 0..100 plus a short message; written at most every PROGRESS_INTERVAL_MS (the latest value wins) */
  progress(percent: number, message?: string): void;
  log(message: string, level?: LogLevel): Promise<void>;
  /** records liveness and checks for cancellation now (it also runs on a timer) */
  heartbeat(): Promise<void>;
  /** throws the abort reason when the run has been cancelled or the worker is stopping */
  throwIfAborted(): void;
}

export class JobCancelledError extends Error {
  constructor() {
    super("cancelled on request");
    this.name = "JobCancelledError";
  }
}

export class WorkerStoppingError extends Error {
  constructor() {
    super("the worker is shutting down; the job will be run again");
    this.name = "WorkerStoppingError";
  }
}

/** A failure that retrying cannot fix (bad input, missing dataset): the run fails without further attempts. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

function intervalFromEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export interface ManagedJobContext extends JobContext {
  /** writes pending progress and stops the timers */
  close(): Promise<void>;
  abort(reason: Error): void;
}

export function createJobContext(opts: {
  db: Db;
  jobRunId: string;
  attempt: number;
  /** pg-boss's signal for this job */
  bossSignal?: AbortSignal;
}): ManagedJobContext {
  const { db, jobRunId } = opts;
  const controller = new AbortController();
  const progressIntervalMs = intervalFromEnv("JOB_PROGRESS_INTERVAL_MS", 500);
  const heartbeatMs = intervalFromEnv("JOB_HEARTBEAT_MS", 2000);

  const onBossAbort = () => controller.abort(opts.bossSignal?.reason instanceof Error ? opts.bossSignal.reason : new JobCancelledError());
  opts.bossSignal?.addEventListener("abort", onBossAbort, { once: true });

  let pending: { progress: number; message?: string } | null = null;
  let lastWrite = 0;
  let flushTimer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = () => {
    flushTimer = null;
    if (!pending) return writing;
    const { progress, message } = pending;
    pending = null;
    lastWrite = Date.now();
    writing = writing
      .then(() =>
        db.jobRun.updateMany({
          where: { id: jobRunId, status: "running" },
          data: { progress, ...(message !== undefined ? { message } : {}), heartbeatAt: new Date() },
        }),
      )
      .then(
        () => undefined,
        (err: unknown) => console.error(`[job ${jobRunId}] progress write failed: ${String(err)}`),
      );
    return writing;
  };

  const heartbeat = async () => {
    if (closed) return;
    try {
      const row = await db.jobRun.update({
        where: { id: jobRunId },
        data: { heartbeatAt: new Date() },
        select: { cancelRequested: true },
      });
      if (row.cancelRequested && !controller.signal.aborted) controller.abort(new JobCancelledError());
    } catch (err) {
      console.error(`[job ${jobRunId}] heartbeat failed: ${String(err)}`);
    }
  };
  const heartbeatTimer = setInterval(() => void heartbeat(), heartbeatMs);

  return {
    jobRunId,
    attempt: opts.attempt,
    signal: controller.signal,
    db,
    progress(percent, message) {
      if (closed) return;
      const clamped = Math.max(0, Math.min(100, Number.isFinite(percent) ? percent : 0));
      pending = { progress: clamped, message };
      const due = lastWrite + progressIntervalMs - Date.now();
      if (due <= 0) void flush();
      else flushTimer ??= setTimeout(() => void flush(), due);
    },
    async log(message, level = "info") {
      const line = `[job ${jobRunId}] ${level}: ${message}`;
      if (level === "error" || level === "warn") console.error(line);
      else console.log(line);
      try {
        await db.jobLog.create({ data: { jobRunId, level, message: message.slice(0, 10_000) } });
      } catch (err) {
        console.error(`[job ${jobRunId}] log write failed: ${String(err)}`);
      }
    },
    heartbeat,
    throwIfAborted() {
      if (controller.signal.aborted) throw controller.signal.reason;
    },
    abort(reason) {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    async close() {
      if (flushTimer) clearTimeout(flushTimer);
      clearInterval(heartbeatTimer);
      opts.bossSignal?.removeEventListener("abort", onBossAbort);
      await flush();
      closed = true;
    },
  };
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** what a service run needs of its job: database, run id, progress as a fraction, logs and permanent failures */
export function serviceHooks(ctx: JobContext) {
  return {
    db: ctx.db,
    jobRunId: ctx.jobRunId,
    progress: (fraction: number, message?: string) => ctx.progress(100 * fraction, message),
    log: (message: string, level?: LogLevel) => ctx.log(message, level),
    fail: (message: string) => new PermanentJobError(message),
  };
}
