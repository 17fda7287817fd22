// The loop against real PostgreSQL and pg-boss, without a worker: the per-model crons follow the
// production slot and the settings, and the production arm's CTR drift is measured from exposures and
// click events (a drop against its own baseline breaches; too little traffic is said, not guessed).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBoss, ensureQueues } from "@/lib/jobs/boss";
import { syncLoopSchedules } from "@/lib/jobs/loop-schedules";
import { saveLoopSettings } from "@/lib/db/loop-settings";
import { createSyntheticDataset } from "@/lib/db/synthetic-datasets";
import type { LiveDriftCheckMetrics } from "@/lib/db/drift-checks";
import { runLiveDriftCheck } from "@/lib/services/drift";
import { isolatedTestDatabase } from "../helpers/db";

const t = isolatedTestDatabase("loopdb");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "understudy-loopdb-"));
const previousDataDir = process.env.DATA_DIR;
let boss: PgBoss;
let datasetId: string;
const models: string[] = [];

beforeAll(async () => {
  process.env.DATA_DIR = dataDir;
  boss = createBoss(t().url, { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  await ensureQueues(boss);
  datasetId = (await createSyntheticDataset({ name: "w", seed: 2, numUsers: 50, numItems: 50, interactionsPerUser: 6 }, t().db)).id;
  for (const name of ["a", "b"]) {
    const m = await t().db.model.create({
      data: { name, role: "teacher", architecture: "bpr-mf", dimension: 4, parameterCount: 400, artifactUri: path.join(dataDir, "none"), datasetId },
    });
    models.push(m.id);
  }
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
  process.env.DATA_DIR = previousDataDir;
  rmSync(dataDir, { recursive: true, force: true });
});

const loopSchedules = async () =>
  (await Promise.all(["drift-check", "snapshot-build", "redistill"].map((q) => boss.getSchedules(q))))
    .flat()
    .map((s) => [s.name, s.key, s.cron])
    .sort();

describe("per-model loop crons", () => {
  it("follow the production slot and the model's settings", async () => {
    expect(await syncLoopSchedules(boss, t().db)).toEqual([]);
    const [a, b] = models;
    await t().db.servingSlot.create({ data: { name: "production", modelId: a } });
    await syncLoopSchedules(boss, t().db);
    expect(await loopSchedules()).toEqual([
      ["drift-check", `live.${a}`, "0 */1 * * *"],
      ["snapshot-build", `snapshot.${a}`, "5 0 */1 * *"],
    ]);
    await saveLoopSettings(t().db, a, { driftIntervalMinutes: 15, snapshotIntervalHours: 6, redistillIntervalHours: 168 }, null);
    await syncLoopSchedules(boss, t().db);
    expect(await loopSchedules()).toEqual([
      ["drift-check", `live.${a}`, "*/15 * * * *"],
      ["redistill", `redistill.${a}`, "5 0 */7 * *"],
      ["snapshot-build", `snapshot.${a}`, "5 */6 * * *"],
    ]);
    const [live] = await boss.getSchedules("drift-check", `live.${a}`);
    expect(live.data).toEqual({ input: { kind: "live", modelId: a, redistill: true, trigger: "schedule" }, scheduleKey: `live.${a}` });
    // a cutover moves the crons to the new production model
    await t().db.servingSlot.update({ where: { name: "production" }, data: { modelId: b } });
    await syncLoopSchedules(boss, t().db);
    expect(await loopSchedules()).toEqual([
      ["drift-check", `live.${b}`, "0 */1 * * *"],
      ["snapshot-build", `snapshot.${b}`, "5 0 */1 * *"],
    ]);
  });
});

describe("production KPI drift", () => {
  const now = new Date();
  const hooks = (jobRunId: string) => ({
    db: t().db,
    jobRunId,
    log: async () => undefined,
    progress: () => undefined,
    enqueueTrain: async () => {
      throw new Error("no training here");
    },
    fail: (m: string) => new Error(m),
    now,
  });
  async function exposures(modelId: string, n: number, clicked: number, at: Date) {
    const ids = Array.from({ length: n }, () => randomUUID());
    await t().db.exposure.createMany({
      data: ids.map((requestId, k) => ({
        requestId,
        variant: "production",
        modelId,
        userId: `u${k % 50}`,
        itemCount: 10,
        latencyUs: 100,
        cpuUs: 100,
        createdAt: at,
      })),
    });
    await t().db.event.createMany({
      data: ids
        .slice(0, clicked)
        .map((requestId, k) => ({ eventId: `c-${requestId}`, type: "click" as const, userId: `u${k % 50}`, requestId, timestamp: at })),
    });
  }
  const kpiSignal = async (modelId: string) => {
    const job = await t().db.jobRun.create({ data: { queue: "drift-check", input: {} } });
    const result = await runLiveDriftCheck({ kind: "live", modelId, redistill: false, trigger: "manual" }, hooks(job.id));
    const row = await t().db.driftCheck.findUniqueOrThrow({ where: { id: result.driftCheckId } });
    return (row.metrics as unknown as LiveDriftCheckMetrics).decision.signals.find((s) => s.key === "kpiDrift")!;
  };

  it("says why when there is too little traffic, and breaches on a significant CTR drop", async () => {
    const [a] = models;
    expect(await kpiSignal(a)).toMatchObject({ value: null, breached: false, note: expect.stringMatching(/needs 100 production exposures/) });
    await exposures(a, 300, 90, new Date(now.getTime() - 10 * 86_400_000)); // baseline CTR 30%
    await exposures(a, 300, 15, new Date(now.getTime() - 3_600_000)); // recent CTR 5%
    const kpi = await kpiSignal(a);
    expect(kpi.breached).toBe(true);
    expect(kpi.value!).toBeLessThan(0.01);
  });
});
