// The metric catalogue through the dashboard: the built-ins are there on a fresh install, an editor
// defines a metric (a bad key refused first), chooses it as a guardrail in the experiment form and
// sees it on the report beside the primary CTR; a viewer reads the catalogue without write controls.
import { expect, test } from "@playwright/test";
import { createDb, type Db } from "../lib/db/client";
import { STAGE_SETTLE_MS } from "../lib/db/reports";
import { writeCustomEvents, writeHealthyTraffic, type World } from "../test/experiments/rollout-fixtures";
import { checkPage } from "./a11y";
import { e2eDatabaseUrl } from "./database";
import { signIn } from "./helpers";
import { person, seedTeacherAndStudent } from "./world";

let db: Db;
let world: World;

test.beforeAll(async () => {
  db = createDb(e2eDatabaseUrl());
  const { teacherId, studentId } = await seedTeacherAndStudent(db, { dataset: "e2e-metrics", models: "e2e-metrics" });
  const editor = await person(db, "editor@e2e.test");
  world = {
    editor,
    plainEditor: editor,
    approver: editor,
    approver2: editor,
    viewer: await person(db, "viewer@e2e.test"),
    teacherId,
    studentId,
  };
});

test.afterAll(async () => {
  await db?.$disconnect();
});

test("define a metric, choose it as a guardrail, read it on the report", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, "editor");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Metrics" }).click();
  const table = page.getByTestId("metric-table");
  for (const key of ["ctr", "conversion", "revenue"]) await expect(table.locator(`tr[data-metric="${key}"]`)).toContainText("built-in");

  await page.getByRole("link", { name: "New metric" }).click();
  await page.getByLabel("Key").fill("Add to cart");
  await page.getByLabel("Name", { exact: true }).fill("Add-to-cart share");
  await page.getByLabel("Aggregation").selectOption("share");
  await page.getByLabel("Event", { exact: true }).selectOption("custom");
  await page.getByLabel("Custom event name").fill("add_to_cart");
  await page.getByLabel("Default non-inferiority margin (%)").fill("40");
  await page.getByRole("button", { name: "Create metric" }).click();
  await expect(page.getByText("lower case letters, digits and _")).toBeVisible();
  await page.getByLabel("Key").fill("add_to_cart_share");
  await page.getByRole("button", { name: "Create metric" }).click();
  await expect(page).toHaveURL(/\/metrics$/);
  const row = table.locator('tr[data-metric="add_to_cart_share"]');
  await expect(row).toContainText("share of exposed users with ≥ 1 custom:add_to_cart event");
  await expect(row).toContainText("40%");
  await checkPage(page, "metrics-catalogue");
  await page.setViewportSize({ width: 1280, height: 900 });

  // the experiment form offers it; CTR is the primary metric by default
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Experiments" }).click();
  await page.getByRole("link", { name: "New experiment" }).click();
  await page.getByLabel("Name", { exact: true }).fill("e2e metrics: student vs teacher");
  await page.getByLabel("Control model").selectOption(world.teacherId);
  await page.getByLabel("Candidate model").selectOption(world.studentId);
  await page.getByLabel("Ramp schedule (candidate %)").fill("10, 50, 100");
  await page.getByLabel("Min minutes per stage").fill("0");
  await expect(page.getByLabel("CTR", { exact: true })).toHaveValue("primary");
  await page.locator("#margin-ctr").fill("50");
  // two primaries are refused, naming the list
  await page.getByLabel("Add-to-cart share", { exact: true }).selectOption("primary");
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page.getByText("at most one primary metric")).toBeVisible();
  await page.getByLabel("Add-to-cart share", { exact: true }).selectOption("guardrail");
  await expect(page.getByLabel("Add-to-cart share margin %")).toHaveValue("40");
  await checkPage(page, "experiment-form-metrics");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page).toHaveURL(/\/experiments\/(?!new$)[a-z0-9]+$/);
  const experimentId = page.url().split("/").pop()!;
  await page.getByTestId("action-start").click();
  await page.getByTestId("action-submit").click();
  await expect(page.getByTestId("experiment-status")).toHaveText("running");

  // traffic in the first stage: the same CTR in both arms, carts for 40 % of control and 38 % of candidate users
  const exp = await db.experiment.findUniqueOrThrow({ where: { id: experimentId }, include: { stages: true } });
  const stageStart = exp.stages.find((s) => s.index === 0)!.startedAt!.getTime();
  await writeHealthyTraffic(db, world, experimentId, 10, new Date(Math.max(Date.now(), stageStart + STAGE_SETTLE_MS + 1)), "e2e-metrics");
  await writeCustomEvents(db, experimentId, "control", "add_to_cart", 40);
  await writeCustomEvents(db, experimentId, "candidate", "add_to_cart", 38);

  // the traffic is stamped just after the stage's settling seconds: the report covers it once its clock has passed them
  const cart = page.getByTestId("metric-results").locator('tr[data-metric="add_to_cart_share"]');
  await expect
    .poll(
      async () => {
        await page.goto(`/experiments/${experimentId}?scope=all`);
        return (await cart.textContent()) ?? "";
      },
      { timeout: 30_000 },
    )
    .toContain("40.00%");
  const results = page.getByTestId("metric-results");
  await expect(results.locator("tbody tr")).toHaveCount(2);
  await expect(results.locator("tbody tr").nth(0)).toHaveAttribute("data-metric", "ctr");
  await expect(cart).toContainText("guardrail");
  await expect(cart).toContainText("two proportions");
  await expect(cart).toContainText("40.00%"); // control: 720 of 1,800 users
  await expect(cart).toContainText("−40.0%");
  await expect(page.getByTestId("metric-forest-plot")).toBeVisible();
  await checkPage(page, "experiment-report-metrics");
  await page.setViewportSize({ width: 1280, height: 900 });

  // the catalogue counts the experiment; a viewer reads it without write controls
  await page.goto("/metrics");
  await expect(row.locator("td").nth(5)).toHaveText("1");
  const viewer = await browser.newPage();
  await signIn(viewer, "viewer");
  await viewer.goto("/metrics");
  await expect(viewer.getByTestId("metric-table").locator('tr[data-metric="add_to_cart_share"]')).toBeVisible();
  await expect(viewer.getByRole("link", { name: "New metric" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /Archive/ })).toHaveCount(0);
  await viewer.close();

  // archived: gone from the form, still on the experiment
  await page.getByRole("button", { name: "Archive Add-to-cart share" }).click();
  await expect(row).toHaveCount(0);
  await page.getByRole("link", { name: /Show 1 archived/ }).click();
  await expect(row).toContainText("archived");
  await page.goto("/experiments/new");
  await expect(page.getByLabel("Add-to-cart share", { exact: true })).toHaveCount(0);
  await page.goto(`/experiments/${experimentId}?scope=all`);
  await expect(page.getByTestId("metric-results").locator('tr[data-metric="add_to_cart_share"]')).toBeVisible();
});
