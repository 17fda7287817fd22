// `npm run worker`: runs background jobs from pg-boss until SIGINT/SIGTERM. Any number of these
// processes may run against one database. A handler's failure is recorded on its JobRun and never
// stops the process.
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PgBoss } from "pg-boss";
import { createDb } from "@/lib/db/client";
import { pruneScheduledRuns } from "@/lib/db/jobs";
import { createBoss, ensureQueues, ensureSchedules } from "@/lib/jobs/boss";
import { syncLoopSchedules } from "@/lib/jobs/loop-schedules";
import { QUEUE_NAMES, type QueueName } from "@/lib/jobs/queues";
import { jobDefinition } from "@/lib/jobs/definitions";
import { jobHandler } from "./registry";
import { runJob, type BossJobData } from "./runner";
import { WorkerStoppingError, type ManagedJobContext } from "./context";
import { guardProcess } from "./process-guard";

function numberFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return v;
}

function queuesFromEnv(): QueueName[] {
  const raw = process.env.WORKER_QUEUES;
  if (!raw) return QUEUE_NAMES;
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(QUEUE_NAMES as string[]).includes(n));
  if (unknown.length) throw new Error(`WORKER_QUEUES names unknown queues: ${unknown.join(", ")} (known: ${QUEUE_NAMES.join(", ")})`);
  return names as QueueName[];
}

export interface RunningWorker {
  boss: PgBoss;
  stop(): Promise<void>;
}

export async function startWorker(url: string): Promise<RunningWorker> {
  const queues = queuesFromEnv();
  const pollingIntervalSeconds = numberFromEnv("JOBS_POLL_SECONDS", 1, 0.5);
  // how often pg-boss looks for jobs whose worker went silent (heartbeat) or ran out of time
  const monitorSeconds = numberFromEnv("JOBS_MONITOR_SECONDS", 10, 1);
  const db = createDb(url);
  // JOBS_SCHEDULE=false: this worker runs queued jobs only, no cron (tests that must own every run)
  const schedule = process.env.JOBS_SCHEDULE !== "false";
  const boss = createBoss(url, {
    supervise: true,
    schedule,
    superviseIntervalSeconds: monitorSeconds,
    monitorIntervalSeconds: monitorSeconds,
    instanceName: `worker@${os.hostname()}:${process.pid}`,
  });
  await boss.start({ attempts: 5 });
  await ensureQueues(boss);
  let loopTimer: NodeJS.Timeout | undefined;
  if (schedule) {
    await ensureSchedules(boss);
    // per production model crons (drift check, snapshot, scheduled redistillation); re-synced as production changes
    const syncLoop = () => syncLoopSchedules(boss, db).catch((err: unknown) => console.error("[worker] syncing the loop schedules failed:", err));
    await syncLoop();
    loopTimer = setInterval(() => void syncLoop(), 5 * 60_000);
    loopTimer.unref();
  }

  const live = new Set<ManagedJobContext>();
  const track = (ctx: ManagedJobContext) => {
    live.add(ctx);
    return () => live.delete(ctx);
  };
  for (const queue of queues) {
    const handler = jobHandler(queue);
    await boss.work<BossJobData>(
      queue,
      {
        batchSize: 1,
        localConcurrency: jobDefinition(queue).concurrency,
        pollingIntervalSeconds,
        perJobResults: true,
      },
      async ([job]) => [await runJob({ db, queue, job, handler, track })],
    );
  }
  console.log(`[worker] pid ${process.pid} working on ${queues.join(", ")}`);
  const prune = () =>
    pruneScheduledRuns(db).then(
      (n) => n > 0 && console.log(`[worker] pruned ${n} finished scheduled runs older than a day`),
      (err: unknown) => console.error("[worker] pruning scheduled runs failed:", err),
    );
  const pruneTimer = setInterval(() => void prune(), 3600_000);
  pruneTimer.unref();

  let stopping: Promise<void> | null = null;
  return {
    boss,
    stop() {
      stopping ??= (async () => {
        clearInterval(pruneTimer);
        clearInterval(loopTimer);
        for (const ctx of live) ctx.abort(new WorkerStoppingError());
        await boss.stop({ graceful: true, timeout: 20_000 });
        await db.$disconnect();
      })();
      return stopping;
    },
  };
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is not set. Start everything with `npm start`, or set DATABASE_URL for a standalone worker.");
    process.exit(2);
  }
  guardProcess((what, err) => console.error(`[worker] ${what}:`, err));
  const worker = await startWorker(url);
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    // Ctrl-C reaches the launcher and its children alike: the second signal must not kill us mid-stop.
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`[worker] ${signal}: stopping (running jobs are interrupted and will resume)`);
    worker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("[worker] stop failed:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error("[worker] failed to start:", err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
