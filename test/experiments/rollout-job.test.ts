// The rollout evaluation as a real job: enqueued on pg-boss, run by a real worker process.
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBoss } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { JOB_SCHEDULES } from "@/lib/jobs/definitions";
import { useTestDatabase as setupTestDatabase } from "../helpers/db";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker";
import { waitFor } from "../helpers/wait";
import { seedWorld, startedExperiment, writeHealthyTraffic } from "./rollout-fixtures";

const t = setupTestDatabase("exp_job");
let boss: PgBoss;
let worker: WorkerProcess | null = null;

beforeAll(async () => {
  boss = createBoss(t().url, { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
});

afterAll(async () => {
  await worker?.stop();
  await boss?.stop({ graceful: false });
});

describe("rollout-evaluate job", () => {
  it("is scheduled every minute", () => {
    expect(JOB_SCHEDULES).toContainEqual(expect.objectContaining({ queue: "rollout-evaluate", cron: "* * * * *" }));
  });

  it("advances a live experiment when run by the worker, audited as the scheduler", async () => {
    const { db } = t();
    const world = await seedWorld(db);
    const now = Date.now();
    const exp = await startedExperiment(db, world, { kpis: ["ctr"] }, new Date(now - 120_000));
    await writeHealthyTraffic(db, world, exp.id, 10, new Date(now - 60_000), "job");

    // cron off: a scheduled pass must not advance the experiment before the run under test
    worker = await startWorkerProcess(t().url, { JOBS_SCHEDULE: "false" });
    const run = await enqueueJob({ queue: "rollout-evaluate", input: {} }, { db, boss });
    const done = await waitFor("the rollout job to finish", async () => {
      const r = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
      return ["succeeded", "failed"].includes(r.status) ? r : undefined;
    });
    expect(done.status, done.error ?? "").toBe("succeeded");
    expect(done.result).toMatchObject({ evaluated: 1, results: [{ experimentId: exp.id, action: "advance", applied: true }] });

    const after = await db.experiment.findUniqueOrThrow({ where: { id: exp.id } });
    expect(after.currentStageIndex).toBe(1);
    const audit = await db.auditLog.findMany({ where: { entityId: exp.id, action: "experiment.advance" } });
    expect(audit).toHaveLength(1);
    expect(audit[0].actorLabel).toBe("scheduler");
    expect(await db.jobRun.count({ where: { queue: "rollout-evaluate" } })).toBe(1); // no cron run came between
  });
});
