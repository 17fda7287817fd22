// The demo's closed loop from the dashboard: on a demo install (the seeded demo dataset) whose production
// model was trained on the demo dataset, an editor clicks "Replay drifted traffic (demo)" on that model's
// page, follows the job's progress to its end (drifted events ingested, folded, drift checked,
// redistillation queued) and finds the drift alert, then "redistillation started", on the Overview. The redistillation it queued is
// cancelled afterwards (training belongs to the closed-loop integration test) and the install restored.
import { expect, test } from "@playwright/test";
import type { PgBoss } from "pg-boss";
import { createDb, type Db } from "../lib/db/client";
import { createDemoDataset } from "../lib/db/seed";
import { createBoss } from "../lib/jobs/boss";
import { requestCancel } from "../lib/jobs/enqueue";
import { e2eDatabaseUrl } from "./database";
import { signInAt } from "./helpers";

let db: Db;
let boss: PgBoss;
let modelId: string;
let demoDatasetId: string;
let previousProduction: string | null;
const started = new Date();

test.beforeAll(async () => {
  db = createDb(e2eDatabaseUrl());
  boss = createBoss(e2eDatabaseUrl(), { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  const demo = await createDemoDataset(db);
  demoDatasetId = demo.id;
  // the demo teacher as the seed leaves it once trained; a live drift check of a teacher reads no weights
  const model = await db.model.create({
    data: {
      name: `E2E demo teacher ${Date.now()}`,
      role: "teacher",
      architecture: "bpr-mf",
      dimension: 8,
      parameterCount: 16_000,
      artifactUri: "/nonexistent/e2e-demo-teacher",
      datasetId: demo.id,
    },
  });
  modelId = model.id;
  previousProduction = (await db.servingSlot.findUnique({ where: { name: "production" } }))?.modelId ?? null;
  await db.servingSlot.upsert({ where: { name: "production" }, create: { name: "production", modelId }, update: { modelId } });
});

test.afterAll(async () => {
  if (db) {
    const left = await db.jobRun.findMany({
      where: { createdAt: { gte: started }, queue: { in: ["redistill", "train", "demo-replay"] }, status: { in: ["queued", "running"] } },
    });
    for (const run of left) await requestCancel(run.id, { db, boss });
    await expect
      .poll(async () => db.jobRun.count({ where: { id: { in: left.map((r) => r.id) }, status: { in: ["queued", "running"] } } }), { timeout: 60_000 })
      .toBe(0);
    if (previousProduction) await db.servingSlot.update({ where: { name: "production" }, data: { modelId: previousProduction } });
    else await db.servingSlot.deleteMany({ where: { name: "production", modelId } });
    // the rest of the suite runs on a non-demo install
    const demo = await db.dataset.findUniqueOrThrow({ where: { id: demoDatasetId } });
    await db.dataset.update({ where: { id: demoDatasetId }, data: { params: { ...(demo.params as object), demo: false } } });
  }
  await boss?.stop({ graceful: false });
  await db?.$disconnect();
});

test("an editor replays drifted demo traffic from the production model's page: the job's progress, then the drift alert", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAt(page, "editor", `/models/${modelId}`);
  await expect(page.getByTestId("demo-replay-hint")).toBeVisible();
  await page.locator("#loop").screenshot({ path: test.info().outputPath("model-loop-demo.png") });
  await page.getByRole("button", { name: "Replay drifted traffic (demo)" }).click();

  await expect(page).toHaveURL(/\/jobs\/[a-z0-9]+$/);
  const jobId = page.url().split("/").pop()!;
  const status = page.getByTestId("job-status");
  await expect(status).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByRole("progressbar", { name: "Job progress" })).toHaveAttribute("aria-valuenow", "100");
  const log = page.getByTestId("job-log");
  await expect(log).toContainText("through the events ingestion");
  await expect(log).toContainText(/events ingested: \d+ stored/);
  await expect(log).toContainText("live drift DETECTED");
  await expect(log).toContainText("redistillation queued: job");
  await expect(log).toContainText("drift detected: redistillation queued (job");

  const run = await db.jobRun.findUniqueOrThrow({ where: { id: jobId } });
  expect(run.queue).toBe("demo-replay");
  const redistillJobId = (run.result as { redistill: { jobRunId: string } }).redistill.jobRunId;
  expect((await db.jobRun.findUniqueOrThrow({ where: { id: redistillJobId } })).queue).toBe("redistill");

  // the Overview tells it
  await page.goto("/");
  const alerts = page.getByTestId("overview-alerts");
  await expect(alerts.getByTestId("alert").filter({ hasText: "drift on E2E demo teacher" }).first()).toBeVisible();
  // the worker picks up the queued redistillation: the next alert of the story
  await expect
    .poll(
      async () => {
        await page.reload();
        return alerts.getByTestId("alert").filter({ hasText: "redistilling E2E demo teacher" }).count();
      },
      { timeout: 60_000 },
    )
    .toBe(1);
  await alerts.screenshot({ path: test.info().outputPath("overview-alerts.png") });

  // a second replay while that redistillation is in flight is refused with the reason
  await page.goto(`/models/${modelId}`);
  await page.getByRole("button", { name: "Replay drifted traffic (demo)" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /redistillation .* is (queued|running)/ })).toBeVisible();
});
