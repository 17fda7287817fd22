// Readers of background-job state for the UI and the API.
import type { JobStatus, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";

/** A running job whose heartbeat is older than this is shown as stalled (its worker may have died; pg-boss will retry it). */
export const STALLED_AFTER_MS = 90_000;

export interface ListJobRunsOptions {
  queue?: string;
  status?: JobStatus;
  createdById?: string;
  take?: number;
  /** id of the last row of the previous page */
  cursor?: string;
  /** include runs created by cron schedules (e.g. the rollout evaluation every minute); default false */
  includeScheduled?: boolean;
}

/** Runs created by a cron schedule carry a singleton key starting with this. */
export const SCHEDULED_KEY_PREFIX = "schedule:";

const listSelect = {
  id: true,
  queue: true,
  status: true,
  progress: true,
  message: true,
  error: true,
  attempts: true,
  cancelRequested: true,
  singletonKey: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  heartbeatAt: true,
  createdBy: { select: { id: true, email: true } },
} satisfies Prisma.JobRunSelect;

export function listJobRuns(opts: ListJobRunsOptions = {}, db: Db = defaultDb()) {
  const take = Math.min(Math.max(opts.take ?? 50, 1), 200);
  return db.jobRun.findMany({
    where: {
      queue: opts.queue,
      status: opts.status,
      createdById: opts.createdById,
      // (a NULL key must count as "not scheduled": NOT LIKE alone would drop those rows)
      ...(opts.includeScheduled ? {} : { OR: [{ singletonKey: null }, { NOT: { singletonKey: { startsWith: SCHEDULED_KEY_PREFIX } } }] }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
    select: listSelect,
  });
}

/** One run with its input, result and the latest `logLimit` log lines (oldest first); `logsAfter` pages forward. */
export async function getJobRun(id: string, db: Db = defaultDb(), opts: { logLimit?: number; logsAfter?: bigint } = {}) {
  const run = await db.jobRun.findUnique({
    where: { id },
    include: { createdBy: { select: { id: true, email: true } }, trainingRun: { select: { id: true, model: { select: { id: true, name: true } } } } },
  });
  if (!run) return null;
  const logLimit = Math.min(Math.max(opts.logLimit ?? 500, 1), 5000);
  const logs = await db.jobLog.findMany({
    where: { jobRunId: id, ...(opts.logsAfter !== undefined ? { id: { gt: opts.logsAfter } } : {}) },
    orderBy: { id: opts.logsAfter !== undefined ? "asc" : "desc" },
    take: logLimit,
  });
  if (opts.logsAfter === undefined) logs.reverse();
  return { ...run, logs, stalled: isStalled(run) };
}

export function isStalled(run: { status: JobStatus; heartbeatAt: Date | null }, now = Date.now()): boolean {
  return run.status === "running" && (!run.heartbeatAt || now - run.heartbeatAt.getTime() > STALLED_AFTER_MS);
}

/** Counts per status for a dashboard tile. */
export async function jobStatusCounts(db: Db = defaultDb()): Promise<Record<JobStatus, number>> {
  const rows = await db.jobRun.groupBy({ by: ["status"], _count: { _all: true } });
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const r of rows) counts[r.status] = r._count._all;
  return counts;
}

/** Deletes successful scheduled runs (and their logs) older than `olderThanMs`: a cron every minute would otherwise pile up. */
export async function pruneScheduledRuns(db: Db = defaultDb(), olderThanMs = 24 * 3600_000): Promise<number> {
  const { count } = await db.jobRun.deleteMany({
    where: {
      singletonKey: { startsWith: SCHEDULED_KEY_PREFIX },
      status: "succeeded",
      finishedAt: { lt: new Date(Date.now() - olderThanMs) },
    },
  });
  return count;
}

/** Job runs newest first with their creator's email, as the jobs page and GET /api/jobs list them. */
export function recentJobRuns(filter: { status?: JobStatus; queue?: string; take: number }, db: Db = defaultDb()) {
  return db.jobRun.findMany({
    where: { status: filter.status, queue: filter.queue },
    orderBy: { createdAt: "desc" },
    take: filter.take,
    include: { createdBy: { select: { email: true } } },
  });
}

/** One run with its creator's email, or null. */
export function jobRunWithCreator(id: string, db: Db = defaultDb()) {
  return db.jobRun.findUnique({ where: { id }, include: { createdBy: { select: { email: true } } } });
}

/** A run's log lines in order: those after `afterId`, at most `take`. */
export function jobLogLines(jobRunId: string, opts: { afterId?: bigint; take: number }, db: Db = defaultDb()) {
  return db.jobLog.findMany({
    where: { jobRunId, ...(opts.afterId !== undefined ? { id: { gt: opts.afterId } } : {}) },
    orderBy: { id: "asc" },
    take: opts.take,
  });
}
