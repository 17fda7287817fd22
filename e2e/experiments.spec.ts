// An experiment through the dashboard: create (with a validation error first), start, ramp by the
// scheduler's rollout-evaluate job (run by the e2e server's worker) on simulated traffic, self-approval
// refused in the UI, approval by another approver swaps production, and the audit trail shows who did what.
import { expect, test } from "@playwright/test";
import type { PgBoss } from "pg-boss";
import { createDb, type Db } from "../lib/db/client";
import { STAGE_SETTLE_MS } from "../lib/db/reports";
import { createBoss } from "../lib/jobs/boss";
import { enqueueJob } from "../lib/jobs/enqueue";
import { writeHealthyTraffic, type World } from "../test/experiments/rollout-fixtures";
import { e2eDatabaseUrl } from "./database";
import { signIn } from "./helpers";

let db: Db;
let boss: PgBoss;
let world: World;

test.beforeAll(async () => {
  db = createDb(e2eDatabaseUrl());
  // a sender only, as the web process has: the e2e server's worker runs the jobs
  boss = createBoss(e2eDatabaseUrl(), { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  // one live experiment at a time: make room (a fresh e2e database has none)
  await db.experiment.updateMany({ where: { status: { in: ["running", "paused", "awaiting_approval"] } }, data: { status: "cancelled" } });
  const dataset = await db.dataset.create({
    data: { name: "e2e-tiny", source: "synthetic", snapshot: `e2e-${Date.now()}`, numUsers: 10, numItems: 10, numInteractions: 20 },
  });
  const model = (name: string, role: "teacher" | "student", dimension: number) =>
    db.model.create({
      data: { name, role, architecture: "bpr-mf", dimension, parameterCount: dimension * 20, sizeBytes: dimension * 80, artifactUri: `/tmp/${name}`, datasetId: dataset.id },
    });
  const teacher = await model("e2e-teacher", "teacher", 200);
  const student = await model("e2e-student", "student", 20);
  await db.servingSlot.upsert({ where: { name: "production" }, create: { name: "production", modelId: teacher.id }, update: { modelId: teacher.id } });
  const person = async (email: string) => {
    const u = await db.user.findUniqueOrThrow({ where: { email } });
    return { id: u.id, email: u.email, role: u.role };
  };
  world = {
    editor: await person("approver@e2e.test"),
    plainEditor: await person("editor@e2e.test"),
    approver: await person("admin@e2e.test"),
    approver2: await person("admin@e2e.test"),
    viewer: await person("viewer@e2e.test"),
    teacherId: teacher.id,
    studentId: student.id,
  };
});

test.afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.$disconnect();
});

/** Runs the scheduler's rollout-evaluate job on the e2e server's worker and waits for it to end. */
async function runSchedulerJob(): Promise<void> {
  // the singleton key returns a run already queued or running (a cron pass) instead of a second one
  const run = await enqueueJob({ queue: "rollout-evaluate", input: {} }, { db, boss });
  await expect
    .poll(async () => (await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).status, { timeout: 20_000 })
    .toMatch(/^(succeeded|failed|cancelled)$/);
  const done = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
  expect(done.status, done.error ?? "").toBe("succeeded");
}

/** Simulated traffic at the current stage, then scheduler job runs until the experiment reaches `status`. */
async function rampTo(experimentId: string, percent: number, status: string, tag: string) {
  // stamped inside the current stage's report window (it starts STAGE_SETTLE_MS after the stage); the
  // job evaluates at its own clock, so the first runs may hold until that clock passes the stamps
  const exp = await db.experiment.findUniqueOrThrow({ where: { id: experimentId }, include: { stages: true } });
  const stageStart = exp.stages.find((s) => s.index === exp.currentStageIndex)?.startedAt?.getTime() ?? Date.now();
  await writeHealthyTraffic(db, world, experimentId, percent, new Date(Math.max(Date.now(), stageStart + STAGE_SETTLE_MS + 1)), tag);
  await expect
    .poll(
      async () => {
        await runSchedulerJob();
        const e = await db.experiment.findUniqueOrThrow({ where: { id: experimentId } });
        return `${e.status}@${e.rampSchedule[e.currentStageIndex]}`;
      },
      { timeout: 30_000 },
    )
    .toBe(status);
}

test("create, start, ramp, four-eyes approval and production cutover", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signIn(page, "approver");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Experiments" }).click();
  await page.getByRole("link", { name: "New experiment" }).click();

  // a bad ramp is refused field by field
  await page.getByLabel("Name").fill("e2e student vs teacher");
  await page.getByLabel("Ramp schedule (candidate %)").fill("10, 5, 100");
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page.getByText("must increase at every stage")).toBeVisible();

  await page.getByLabel("Ramp schedule (candidate %)").fill("10, 50, 100");
  await page.getByLabel("Min minutes per stage").fill("0");
  await page.getByLabel("Min candidate exposures per stage").fill("100");
  // CTR is the primary metric by default; conversion and revenue are not used
  await expect(page.getByLabel("CTR", { exact: true })).toHaveValue("primary");
  await page.locator("#margin-ctr").fill("50");
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page).toHaveURL(/\/experiments\/(?!new$)[a-z0-9]+$/);
  const experimentId = page.url().split("/").pop()!;
  await expect(page.getByTestId("experiment-status")).toHaveText("draft");

  await page.getByTestId("action-start").click();
  await page.getByTestId("action-submit").click();
  await expect(page.getByTestId("experiment-status")).toHaveText("running");
  await expect(page.getByTestId("candidate-share")).toHaveText("10%");

  await rampTo(experimentId, 10, "running@50", "e2e-s0");
  await rampTo(experimentId, 50, "awaiting_approval@50", "e2e-s1");

  // the creator (an approver) cannot approve their own experiment
  await page.reload();
  await expect(page.getByTestId("experiment-status")).toHaveText("awaiting approval");
  await expect(page.getByTestId("approval-blocked")).toContainText("You created this experiment");
  await expect(page.getByTestId("approve")).toBeDisabled();
  await expect(page.getByTestId("metric-results").locator('tr[data-metric="ctr"]')).toContainText("non-inferior");
  await expect(page.getByTestId("metric-forest-plot")).toBeVisible();
  await expect(page.getByTestId("dropped-exposures")).toContainText("0");

  // another approver approves: production switches to the student
  const context = await browser.newContext();
  const admin = await context.newPage();
  await signIn(admin, "admin");
  await admin.goto(`/experiments/${experimentId}`);
  await admin.getByLabel("Comment (required to reject)").fill("guardrails held at 50%");
  await admin.getByTestId("approve").click();
  await expect(admin.getByTestId("experiment-status")).toHaveText("completed");
  await expect(admin.getByTestId("candidate-share")).toHaveText("100%");
  await expect(admin.getByTestId("approvals")).toContainText("approved by admin@e2e.test");
  const trail = admin.getByTestId("audit-trail");
  await expect(trail).toContainText("experiment.advance");
  await expect(trail).toContainText("scheduler");
  await expect(trail).toContainText("experiment.approve");
  await expect(trail).toContainText("serving_slot.cutover");
  const slot = await db.servingSlot.findUniqueOrThrow({ where: { name: "production" } });
  expect(slot.modelId).toBe(world.studentId);
  await context.close();
});
