// pg-boss in our own database, schema "pgboss". One instance per process: the web process only sends
// and cancels (no maintenance, no cron); workers run handlers, maintenance and schedules.
import { PgBoss, type ConstructorOptions } from "pg-boss";
import { JOB_SCHEDULES, jobDefinition, type JobDefinition } from "@/lib/jobs/definitions";
import { QUEUE_NAMES } from "@/lib/jobs/queues";

export const BOSS_SCHEMA = "pgboss";

export function createBoss(url: string, options: Partial<ConstructorOptions> = {}): PgBoss {
  const boss = new PgBoss({
    connectionString: url,
    schema: BOSS_SCHEMA,
    application_name: "understudy",
    ...options,
  });
  // pg-boss reports background errors (lost connection, failed maintenance) here; they must never crash the process.
  boss.on("error", (err) => console.error(`[pg-boss] ${err.message}`));
  return boss;
}

function queueOptions(def: JobDefinition) {
  return {
    retryLimit: def.retryLimit,
    retryDelay: def.retryDelaySeconds,
    retryBackoff: def.retryBackoff,
    retryDelayMax: def.retryDelayMaxSeconds,
    expireInSeconds: def.expireInSeconds,
    heartbeatSeconds: def.heartbeatSeconds,
  };
}

/** Creates every queue (policy "exclusive", see JobDefinition.singletonKey) and brings its options up to date. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  for (const name of QUEUE_NAMES) {
    const def = jobDefinition(name);
    if (!existing.has(name)) await boss.createQueue(name, { policy: "exclusive", ...queueOptions(def) });
    else await boss.updateQueue(name, queueOptions(def));
  }
}

/** Registers JOB_SCHEDULES (idempotent: pg-boss keys schedules by queue and key). */
export async function ensureSchedules(boss: PgBoss): Promise<void> {
  for (const s of JOB_SCHEDULES) {
    const def = jobDefinition(s.queue);
    const input = def.input.parse(s.input);
    const key = s.key ?? "default";
    await boss.schedule(s.queue, s.cron, { input, scheduleKey: key } as object, {
      key,
      tz: "UTC",
      // a run still going when the next one is due: the next one is skipped, not stacked
      singletonKey: `schedule:${s.queue}:${key}`,
    });
  }
}

/** Installs (or migrates) pg-boss's schema and our queues. Run by the migration step. */
export async function installJobQueues(url: string): Promise<void> {
  const boss = createBoss(url, { supervise: false, schedule: false, max: 2, registerInstance: false });
  await boss.start();
  try {
    await ensureQueues(boss);
  } finally {
    await boss.stop({ graceful: false });
  }
}

const globalForBoss = globalThis as unknown as { understudyBoss?: Promise<PgBoss> };

/** The web process's sender: started on first use, never runs maintenance or cron. */
export function senderBoss(): Promise<PgBoss> {
  if (!globalForBoss.understudyBoss) {
    const url = process.env.DATABASE_URL;
    if (!url) return Promise.reject(new Error("DATABASE_URL is not set: start Understudy with `npm start`, which provides it"));
    const boss = createBoss(url, { supervise: false, schedule: false, migrate: false, max: 3, registerInstance: false });
    globalForBoss.understudyBoss = boss.start().catch((err: unknown) => {
      globalForBoss.understudyBoss = undefined;
      throw err;
    });
  }
  return globalForBoss.understudyBoss;
}
