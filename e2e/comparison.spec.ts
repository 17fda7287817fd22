// The offline comparison on the real stack: a teacher and a student trained by the e2e worker, the
// comparison run from the page by the compare-models job, the numbers on screen equal to the stored
// OfflineEvaluation rows, and "Create experiment from this comparison" prefilling the experiment form.
import { expect, test } from "@playwright/test";
import type { PgBoss } from "pg-boss";
import { createDb, type Db } from "../lib/db/client";
import { createBoss } from "../lib/jobs/boss";
import { enqueueJob } from "../lib/jobs/enqueue";
import { createSyntheticDataset } from "../lib/db/synthetic-datasets";
import { comparisonMetrics, findComparison } from "../lib/db/comparisons";
import { shareOf } from "../lib/experiments/offline-comparison";
import { formatShare } from "../lib/format";
import { e2eDatabaseUrl } from "./database";
import { checkPage } from "./a11y";
import { signInAt } from "./helpers";

let db: Db;
let boss: PgBoss;
let teacherId: string;
let studentId: string;

async function trained(jobId: string): Promise<string> {
  await expect.poll(async () => (await db.jobRun.findUniqueOrThrow({ where: { id: jobId } })).status, { timeout: 120_000 }).toBe("succeeded");
  const run = await db.trainingRun.findUniqueOrThrow({ where: { jobRunId: jobId }, include: { model: true } });
  return run.model!.id;
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  db = createDb(e2eDatabaseUrl());
  boss = createBoss(e2eDatabaseUrl(), { supervise: false, schedule: false, migrate: false, registerInstance: false, max: 2 });
  await boss.start();
  // a catalogue and a teacher large enough that scoring, not top-k's fixed cost, sets the price: the
  // dim-4 student is then clearly cheaper to serve (on 150 items the two cost the same)
  const dataset = await createSyntheticDataset({ name: `e2e compare ${Date.now()}`, seed: 11, numUsers: 200, numItems: 3000, interactionsPerUser: 12 }, db);
  const hyper = { evalEvery: 1, patience: 2, batchSize: 256 };
  const teacherJob = await enqueueJob(
    { queue: "train", input: { role: "teacher", datasetId: dataset.id, name: "e2e cmp teacher", dimension: 128, epochs: 3, seed: 3, hyperparameters: hyper } },
    { db, boss },
  );
  teacherId = await trained(teacherJob.id);
  const studentJob = await enqueueJob(
    {
      queue: "train",
      input: {
        role: "student",
        datasetId: dataset.id,
        name: "e2e cmp student",
        dimension: 4,
        method: "rrd",
        teacherModelId: teacherId,
        epochs: 2,
        seed: 3,
        hyperparameters: hyper,
      },
    },
    { db, boss },
  );
  studentId = await trained(studentJob.id);
});

test.afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.$disconnect();
});

test("compare a student with its teacher: job from the page, numbers equal to the stored evaluations, experiment prefilled", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAt(page, "editor", `/models/${studentId}`);
  await page.getByTestId("compare-with-teacher").click();
  await expect(page.getByTestId("comparison-missing")).toBeVisible();
  await page.getByRole("button", { name: "Run comparison" }).click();
  await expect(page.getByTestId("comparison")).toBeVisible({ timeout: 150_000 });

  const stored = await findComparison({ teacherId, modelIds: [studentId], split: "test", negatives: 499, seed: 0 }, db);
  expect(stored).not.toBeNull();
  const metrics = new Map(stored!.evaluations.map((e) => [e.modelId, comparisonMetrics(e)]));
  const t = metrics.get(teacherId)!;
  const s = metrics.get(studentId)!;
  for (const [id, m] of [
    [teacherId, t],
    [studentId, s],
  ] as const) {
    for (const k of ["H@5", "N@5", "M@5", "H@10", "N@10", "M@10", "H@20", "N@20", "M@20"]) {
      await expect(page.getByTestId(`m-${id}-sampled-${k}`)).toHaveText(m.sampled[k].toFixed(4));
    }
    await expect(page.getByTestId(`m-${id}-full-R@20`)).toHaveText(m.full["R@20"].toFixed(4));
    await expect(page.getByTestId(`m-${id}-longTail-N@10`)).toHaveText(m.longTail["N@10"].toFixed(4));
    await expect(page.getByTestId(`m-${id}-cold-N@10`)).toHaveText(m.segments.cold.metrics["N@10"].toFixed(4));
    await expect(page.getByTestId(`m-${id}-coverage10`)).toHaveText(m.coverage10.toFixed(4));
    await expect(page.getByTestId(`m-${id}-p50`)).toHaveText(`${(m.latency.p50us / 1000).toFixed(3)} ms`);
  }
  await expect(page.getByTestId(`m-${studentId}-agreement10`)).toHaveText(s.agreement10.toFixed(4));
  const share = formatShare(shareOf(s.sampled["N@10"], t.sampled["N@10"]));
  await expect(page.getByTestId(`share-${studentId}`)).toHaveText(`keeps ${share} of NDCG@10`);
  await expect(page.getByTestId("comparison-headline")).toContainText(`RRD student keeps ${share} of the teacher's NDCG@10`);
  await expect(page.getByTestId("roi-summary")).toContainText("Switching saves");
  await expect(page.getByTestId("chart-metrics").locator("svg.chart")).toBeVisible();
  await checkPage(page, "models-compare");

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId("create-experiment-from-comparison").click();
  await expect(page).toHaveURL(/\/experiments\/new\?/);
  await expect(page.locator("#candidateModelId")).toHaveValue(studentId);
  await expect(page.locator("#name")).toHaveValue("e2e cmp student vs e2e cmp teacher");
  await expect(page.locator("#description")).toHaveValue(new RegExp(`keeps ${share.replace(".", "\\.")} of the teacher's NDCG@10`));
});

test("a viewer sees a stored comparison but cannot run one", async ({ page }) => {
  await signInAt(page, "viewer", `/models/compare?teacher=${teacherId}&models=${studentId}`);
  await expect(page.getByTestId("comparison")).toBeVisible();
  await expect(page.getByRole("button", { name: /Evaluate again|Run comparison/ })).toHaveCount(0);
  await expect(page.getByTestId("create-experiment-from-comparison")).toHaveCount(0);
});
