// A teacher brought from outside through Models → Import: a ranked-lists file with an unknown item is refused
// with the line and nothing stored, the corrected one is stored and opens its page, and the train form then
// says why DE-RRD cannot distill from ranked lists.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createDb, type Db } from "../lib/db/client";
import { generateSynthetic } from "../lib/recsys/data/synthetic";
import { writeTsvDir } from "../lib/recsys/data/tsv-dir";
import { e2eDatabaseUrl } from "./database";
import { signInAt } from "./helpers";

let db: Db;
let csv: string;
const name = `e2e-import-${Date.now()}`;

test.beforeAll(async () => {
  db = createDb(e2eDatabaseUrl());
  const ds = generateSynthetic({ seed: 4, numUsers: 30, numItems: 40 });
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "e2e-import-")), "ds");
  writeTsvDir(ds, dir);
  const interactions = ds.trainByUser.reduce((a, r) => a + r.length, 0);
  await db.dataset.create({
    data: { name, source: "tsv-dir", sourcePath: dir, snapshot: name, numUsers: ds.numUsers, numItems: ds.numItems, numInteractions: interactions },
  });
  const lines = ["user,item,rank"];
  for (let u = 0; u < ds.numUsers; u++) for (let r = 1; r <= 8; r++) lines.push(`${ds.userIds[u]},${ds.itemIds[(u * 3 + r * 5) % ds.numItems]},${r}`);
  csv = lines.join("\n") + "\n";
});

test.afterAll(async () => {
  await db.$disconnect();
});

test("an editor imports a teacher as ranked lists; a bad line is refused; DE-RRD says it needs embeddings", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAt(page, "editor", "/models");
  const form = page.locator("form", { has: page.getByRole("button", { name: "Import teacher" }) });
  await form.getByLabel("Ranked lists (RD and RRD only)").check();
  await form.getByLabel("Dataset it was trained on").selectOption({ label: name });
  await expect(form.getByText("DE needs the teacher's embeddings")).toBeVisible();
  const before = await db.model.count();

  const bad = csv + "u0,no-such-item,9\n";
  await form.getByLabel("Ranked lists", { exact: true }).setInputFiles({ name: "top.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await form.getByRole("button", { name: "Import teacher" }).click();
  await expect(form.getByRole("alert").filter({ hasText: 'item "no-such-item" is not in dataset' })).toBeVisible();
  expect(await db.model.count()).toBe(before);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: "test-results/teacher-import-error-1280.png", fullPage: true });

  await form.getByLabel("Ranked lists", { exact: true }).setInputFiles({ name: "top.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await form.getByLabel("Name (optional)").fill("Outside ranker");
  await form.getByRole("button", { name: "Import teacher" }).click();
  await expect(page).toHaveURL(/\/models\/[a-z0-9]+$/);
  await expect(page.getByRole("heading", { name: "Outside ranker" })).toBeVisible();
  expect(await db.model.count()).toBe(before + 1);

  await page.goto("/models");
  await page.locator("#train-dataset").selectOption({ label: name });
  await page.getByLabel("Distillation method").selectOption("de-rrd");
  await expect(
    page.getByRole("status").filter({ hasText: "This teacher was imported as ranked lists: method de-rrd needs the teacher's embeddings" }),
  ).toBeVisible();
  await page.getByLabel("Distillation method").selectOption("rrd");
  await expect(page.getByRole("status").filter({ hasText: "imported as ranked lists" })).toHaveCount(0);
  await expect(page.getByLabel("Recipe")).toHaveValue("recommended");
  // the options are the recipes' names; the chosen one's summary reads in full under the select
  await expect(page.getByLabel("Recipe").locator("option")).toHaveText(["recommended", "fast", "quality"]);
  await expect(page.getByTestId("preset-summary")).toContainText("the CiteULike benchmark's recipe");
  await page.getByLabel("Recipe").selectOption("fast");
  await expect(page.getByTestId("preset-summary")).toContainText("DE-RRD 0.3715 N@10 in 40 % of the time");
  await page.getByLabel("Recipe").selectOption("recommended");
  // a recipe brings its method, but not over a method chosen explicitly
  await page.getByLabel("Recipe").selectOption("quality");
  await expect(page.getByLabel("Distillation method")).toHaveValue("rrd");
  await page.getByLabel("Recipe").selectOption("recommended");
  await page.getByLabel("Distillation method").selectOption("ir-rrd");
  await page.getByLabel("Recipe").selectOption("quality");
  await expect(page.getByLabel("Distillation method")).toHaveValue("de-ir-rrd");
  await page.getByLabel("Recipe").selectOption("recommended");
  await expect(page.getByLabel("Distillation method")).toHaveValue("ir-rrd");
  await page.getByLabel("Distillation method").selectOption("rrd");
  await page.screenshot({ path: "test-results/teacher-import-models-1280.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/teacher-import-models-390.png", fullPage: true });
});
