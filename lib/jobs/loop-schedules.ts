// The closed loop's pg-boss crons, one set per production model: the live drift check (every
// driftIntervalMinutes), the snapshot build (every snapshotIntervalHours) and, when set, a scheduled
// redistillation. Keys name the model ("live.<modelId>"; pg-boss keys allow no colon), so a model that stops serving production
// loses its schedules at the next sync (worker start, every few minutes, and when its settings change).
import type { PgBoss } from "pg-boss";
import type { Db } from "@/lib/db/client";
import { cronForMinutes, getLoopSettings } from "@/lib/db/loop-settings";
import { QUEUES } from "@/lib/jobs/queues";
import { PRODUCTION_SLOT } from "@/lib/db/serving";

const LOOP_QUEUES = [QUEUES.driftCheck, QUEUES.snapshotBuild, QUEUES.redistill] as const;
const PREFIX = { [QUEUES.driftCheck]: "live.", [QUEUES.snapshotBuild]: "snapshot.", [QUEUES.redistill]: "redistill." } as const;

export function cronForHours(hours: number): string {
  return hours < 24 ? `5 */${hours} * * *` : `5 0 */${hours / 24} * *`;
}

export interface LoopSchedule {
  queue: (typeof LOOP_QUEUES)[number];
  key: string;
  cron: string;
  input: object;
}

export async function loopSchedulesFor(db: Db, modelId: string): Promise<LoopSchedule[]> {
  const s = await getLoopSettings(db, modelId);
  const out: LoopSchedule[] = [
    {
      queue: QUEUES.driftCheck,
      key: `live.${modelId}`,
      cron: cronForMinutes(s.driftIntervalMinutes),
      input: { kind: "live", modelId, redistill: true, trigger: "schedule" },
    },
    { queue: QUEUES.snapshotBuild, key: `snapshot.${modelId}`, cron: cronForHours(s.snapshotIntervalHours), input: { modelId } },
  ];
  if (s.redistillIntervalHours) {
    out.push({
      queue: QUEUES.redistill,
      key: `redistill.${modelId}`,
      cron: cronForHours(s.redistillIntervalHours),
      input: { modelId, trigger: "schedule", buildSnapshot: true },
    });
  }
  return out;
}

/** Brings pg-boss's loop schedules in line with the production slot and its model's settings. */
export async function syncLoopSchedules(boss: PgBoss, db: Db): Promise<LoopSchedule[]> {
  const slot = await db.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT }, select: { modelId: true } });
  const wanted = slot ? await loopSchedulesFor(db, slot.modelId) : [];
  for (const queue of LOOP_QUEUES) {
    for (const existing of await boss.getSchedules(queue)) {
      if (!existing.key.startsWith(PREFIX[queue])) continue;
      if (!wanted.some((w) => w.queue === queue && w.key === existing.key)) await boss.unschedule(queue, existing.key);
    }
  }
  for (const w of wanted) {
    await boss.schedule(w.queue, w.cron, { input: w.input, scheduleKey: w.key }, { key: w.key, tz: "UTC", singletonKey: `schedule:${w.queue}:${w.key}` });
  }
  return wanted;
}
