// Every page of the dashboard, signed in as admin: no serious or critical axe-core violation at 1280 and
// 390 px, and a full-page screenshot of each width saved with the test's artifacts.
import { test } from "@playwright/test";
import { createDb, type Db } from "../lib/db/client";
import { checkPage } from "./a11y";
import { e2eDatabaseUrl } from "./database";
import { signIn } from "./helpers";

let db: Db;
test.beforeAll(() => {
  db = createDb(e2eDatabaseUrl());
});
test.afterAll(async () => {
  await db?.$disconnect();
});

test("sign-in page", async ({ page }) => {
  await page.goto("/sign-in");
  await checkPage(page, "sign-in");
});

test("every dashboard page", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, "admin");
  const dataset = await db.dataset.findFirst({ orderBy: { createdAt: "desc" } });
  const model = await db.model.findFirst({ where: { role: "student" }, orderBy: { createdAt: "desc" } });
  const job = await db.jobRun.findFirst({ orderBy: { createdAt: "desc" } });
  const experiment = await db.experiment.findFirst({ orderBy: { createdAt: "desc" } });
  const pages: [string, string | null][] = [
    ["overview", "/"],
    ["datasets", "/datasets"],
    ["dataset", dataset ? `/datasets/${dataset.id}` : null],
    ["models", "/models"],
    ["model", model ? `/models/${model.id}` : null],
    ["models-compare", "/models/compare"],
    ["jobs", "/jobs"],
    ["job", job ? `/jobs/${job.id}` : null],
    ["experiments", "/experiments"],
    ["experiment-new", "/experiments/new"],
    ["experiment", experiment ? `/experiments/${experiment.id}` : null],
    ["metrics", "/metrics"],
    ["metric-new", "/metrics/new"],
    ["metric", "/metrics/builtin_ctr"],
    ["audit", "/audit"],
    ["api", "/api-docs"],
    ["account", "/account"],
    ["admin", "/admin"],
    ["admin-users", "/admin/users"],
    ["admin-api-keys", "/admin/api-keys"],
  ];
  const failures: string[] = [];
  for (const [name, path] of pages) {
    if (!path) continue;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(path);
    try {
      await checkPage(page, name);
    } catch (err) {
      failures.push(err instanceof Error ? err.message.split("\n").slice(0, 12).join("\n") : String(err));
    }
  }
  if (failures.length) throw new Error(failures.join("\n\n"));
});
