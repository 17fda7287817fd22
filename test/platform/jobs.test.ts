// The job system end to end: JobRun rows, a real pg-boss, real worker processes.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createBoss } from "@/lib/jobs/boss";
import { enqueueJob, requestCancel, type JobDeps } from "@/lib/jobs/enqueue";
import { getJobRun, listJobRuns } from "@/lib/db/jobs";
import { JOB_SCHEDULES } from "@/lib/jobs/definitions";
import { isolatedTestDatabase } from "../helpers/db";
import { startWorkerProcess, waitForJobToFinish, type WorkerProcess } from "../helpers/worker";
import { waitFor } from "../helpers/wait";

const t = isolatedTestDatabase("jobs");
let boss: PgBoss;
let deps: JobDeps;
let worker: WorkerProcess | null = null;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "understudy-jobs-"));

beforeAll(async () => {
  boss = createBoss(t().url, { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  deps = { db: t().db, boss };
});

afterAll(async () => {
  await worker?.stop();
  await boss?.stop({ graceful: false });
  rmSync(dataDir, { recursive: true, force: true });
});

const runOf = (id: string) => t().db.jobRun.findUniqueOrThrow({ where: { id } });
const finished = (id: string, timeoutMs = 30_000) => waitForJobToFinish(t().db, id, { timeoutMs });

describe("enqueue without a worker", () => {
  it("rejects bad input with the failing field under input", async () => {
    const err = await enqueueJob({ queue: "selftest", input: { steps: -1 } }, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZodError);
    expect((err as ZodError).issues[0].path).toEqual(["input", "steps"]);
    expect(await t().db.jobRun.count()).toBe(0);
  });

  it("cancels a queued run at once, and no worker runs it later", async () => {
    const run = await enqueueJob({ queue: "selftest", input: { steps: 2, stepMs: 1 } }, deps);
    expect(run.status).toBe("queued");
    expect(run.bossJobId).toBeTruthy();
    const cancelled = await requestCancel(run.id, deps);
    expect(cancelled.status).toBe("cancelled");
    expect((await boss.findJobs("selftest", { id: run.bossJobId! }))[0].state).toBe("cancelled");
  });

  it("returns the active run for a singleton key instead of a second one", async () => {
    const a = await enqueueJob({ queue: "selftest", input: { steps: 3, stepMs: 50, singletonKey: "only-one" } }, deps);
    const b = await enqueueJob({ queue: "selftest", input: { steps: 3, stepMs: 50, singletonKey: "only-one" } }, deps);
    expect(b.id).toBe(a.id);
    expect(await t().db.jobRun.count({ where: { singletonKey: "only-one" } })).toBe(1);
  });
});

describe("with a worker", () => {
  beforeAll(async () => {
    worker = await startWorkerProcess(t().url, { DATA_DIR: dataDir });
  });

  it("runs a job to 100% with progress and logs visible while it runs", async () => {
    const run = await enqueueJob({ queue: "selftest", input: { steps: 20, stepMs: 100 } }, deps);
    const midway = await waitFor("progress between 0 and 100", async () => {
      const r = await runOf(run.id);
      return r.status === "running" && r.progress > 0 && r.progress < 100 ? r : undefined;
    });
    expect(midway.message).toMatch(/^step \d+ of 20$/);
    const done = await finished(run.id);
    expect(done.status).toBe("succeeded");
    expect(done.progress).toBe(100);
    expect(done.attempts).toBe(1);
    expect(done.result).toEqual({ counted: 20, attempt: 1 });
    const withLogs = await getJobRun(run.id, t().db);
    expect(withLogs!.logs.map((l) => l.message)).toEqual(expect.arrayContaining(["counting to 20 (attempt 1)", "succeeded"]));
  });

  it("the earlier singleton run completes; then the key is free again", async () => {
    const first = await t().db.jobRun.findFirstOrThrow({ where: { singletonKey: "only-one" } });
    expect((await finished(first.id)).status).toBe("succeeded");
    const again = await enqueueJob({ queue: "selftest", input: { steps: 1, stepMs: 1, singletonKey: "only-one" } }, deps);
    expect(again.id).not.toBe(first.id);
    expect((await finished(again.id)).status).toBe("succeeded");
  });

  it("records a failure and keeps working", async () => {
    const bad = await enqueueJob({ queue: "selftest", input: { steps: 4, stepMs: 10, permanentFailure: true, failAtStep: 2 } }, deps);
    const failed = await finished(bad.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("selftest: permanent failure at step 2");
    expect(failed.attempts).toBe(1);
    expect(failed.finishedAt).not.toBeNull();
    const good = await enqueueJob({ queue: "selftest", input: { steps: 2, stepMs: 10 } }, deps);
    expect((await finished(good.id)).status).toBe("succeeded");
    expect(worker!.child.exitCode).toBeNull();
  });

  it("retries a failing attempt with backoff until it succeeds", async () => {
    const run = await enqueueJob({ queue: "selftest", input: { steps: 4, stepMs: 10, failAttempts: 2, failAtStep: 2 } }, deps);
    const done = await finished(run.id, 60_000);
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(3);
    expect(done.result).toEqual({ counted: 4, attempt: 3 });
    const logs = await t().db.jobLog.findMany({ where: { jobRunId: run.id }, orderBy: { id: "asc" } });
    const failure = logs.find((l) => l.message.startsWith("attempt 1 failed"));
    const secondStart = logs.find((l) => l.message === "counting to 4 (attempt 2)");
    expect(failure && secondStart).toBeTruthy();
    // retryDelay 1 s with exponential backoff: the first retry waits at least 1 s
    expect(secondStart!.createdAt.getTime() - failure!.createdAt.getTime()).toBeGreaterThanOrEqual(900);
  });

  it("a job failing on every attempt ends failed after its retry limit, not before and not retried further", async () => {
    const { jobDefinition } = await import("@/lib/jobs/definitions");
    const limit = jobDefinition("selftest").retryLimit;
    const run = await enqueueJob({ queue: "selftest", input: { steps: 2, stepMs: 10, failAttempts: 10, failAtStep: 1 } }, deps);
    const done = await finished(run.id, 90_000);
    expect(done.status).toBe("failed");
    expect(done.attempts).toBe(limit + 1);
    expect(done.finishedAt).not.toBeNull();
    const starts = await t().db.jobLog.count({ where: { jobRunId: run.id, message: { startsWith: "counting to 2" } } });
    expect(starts).toBe(limit + 1);
  });

  it("cancels a running job through its signal", async () => {
    const run = await enqueueJob({ queue: "selftest", input: { steps: 1000, stepMs: 50 } }, deps);
    await waitFor("the job to make progress", async () => (await runOf(run.id)).progress > 0);
    await requestCancel(run.id, deps);
    const done = await finished(run.id);
    expect(done.status).toBe("cancelled");
    expect(done.progress).toBeLessThan(100);
    const logs = await t().db.jobLog.findMany({ where: { jobRunId: run.id } });
    expect(logs.map((l) => l.message)).toContain("cancelled on request");
  });

  it("registers the cron schedules, and records a job a schedule sends as a run", async () => {
    const schedules = await boss.getSchedules();
    for (const s of JOB_SCHEDULES) expect(schedules.map((x) => [x.name, x.cron])).toContainEqual([s.queue, s.cron]);
    // what a schedule sends: the input itself instead of a JobRun id
    await boss.send("selftest", { input: { steps: 2, stepMs: 1 }, scheduleKey: "probe" }, { singletonKey: "schedule:selftest:probe" });
    const run = await waitFor("the scheduled job's run", () =>
      t()
        .db.jobRun.findFirst({ where: { singletonKey: "schedule:selftest:probe" } })
        .then((r) => r ?? undefined),
    );
    const done = await finished(run.id);
    expect([done.status, done.createdById]).toEqual(["succeeded", null]);
    // the job list leaves scheduled runs out unless asked
    const listed = (await listJobRuns({ take: 200 }, t().db)).map((r) => r.id);
    expect(listed).not.toContain(run.id);
    const all = await t().db.jobRun.findMany({ select: { singletonKey: true } });
    expect(listed.length).toBe(all.filter((r) => !r.singletonKey?.startsWith("schedule:")).length);
    expect((await listJobRuns({ take: 200, includeScheduled: true }, t().db)).map((r) => r.id)).toContain(run.id);
  });

  it("generating a dataset twice stores one dataset (idempotent handler)", async () => {
    const input = { name: "tiny", seed: 7, numUsers: 40, numItems: 60, interactionsPerUser: 8 };
    const a = await enqueueJob({ queue: "generate-dataset", input }, deps);
    const b = await enqueueJob({ queue: "generate-dataset", input }, deps);
    const [ra, rb] = [await finished(a.id), await finished(b.id)];
    expect([ra.status, rb.status, ra.error]).toEqual(["succeeded", "succeeded", null]);
    expect(await t().db.dataset.count()).toBe(1);
    const ds = await t().db.dataset.findFirstOrThrow();
    expect(ds.numUsers).toBe(40);
    expect(ds.storagePath).toBe(`datasets/${ds.id}`);
  });
});

describe("worker crashes", () => {
  /** the shared worker stopped, a new one alone runs a 6 s self-test, returned once past 10 % */
  async function runOnALoneWorker() {
    await worker?.stop();
    worker = null;
    const first = await startWorkerProcess(t().url, { DATA_DIR: dataDir });
    const run = await enqueueJob({ queue: "selftest", input: { steps: 30, stepMs: 200 } }, deps);
    await waitFor("progress past 10%", async () => (await runOf(run.id)).progress >= 10);
    return { first, run };
  }

  it("a job whose worker is killed mid-run is finished by a new worker, once", async () => {
    const { first, run } = await runOnALoneWorker();
    await first.kill9();
    const stalled = await runOf(run.id);
    expect(stalled.status).toBe("running");
    expect(stalled.progress).toBeLessThan(100);

    worker = await startWorkerProcess(t().url, { DATA_DIR: dataDir });
    const done = await finished(run.id, 90_000);
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(2);
    expect(done.result).toEqual({ counted: 30, attempt: 2 });
    expect(await t().db.jobRun.count({ where: { bossJobId: run.bossJobId } })).toBe(1);
  });

  it("SIGTERM mid-job hands the job to another worker, which finishes it", async () => {
    const { first, run } = await runOnALoneWorker();
    await first.stop(); // SIGTERM: the worker interrupts its job and exits
    const handedOver = await runOf(run.id);
    expect(handedOver.status).not.toBe("succeeded");
    expect(handedOver.status).not.toBe("failed");

    worker = await startWorkerProcess(t().url, { DATA_DIR: dataDir });
    const done = await finished(run.id, 90_000);
    expect(done.status).toBe("succeeded");
    expect(done.result).toMatchObject({ counted: 30 });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
  });

  it("several workers share the queue and run each job exactly once", async () => {
    const second = await startWorkerProcess(t().url, { DATA_DIR: dataDir });
    try {
      const runs = await Promise.all(Array.from({ length: 6 }, () => enqueueJob({ queue: "selftest", input: { steps: 5, stepMs: 100 } }, deps)));
      const done = await Promise.all(runs.map((r) => finished(r.id)));
      expect(done.map((d) => [d.status, d.attempts])).toEqual(runs.map(() => ["succeeded", 1]));
    } finally {
      await second.stop();
    }
  });
});
