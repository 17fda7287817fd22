// Datasets → Import in the browser against the real server and worker: preview (rows, detected
// columns, errors with line numbers), the split chosen in the form, the job to its end; a malformed,
// an empty, an oversized and a duplicate file; viewers cannot reach the page.
import { expect, test, type Page } from "@playwright/test";
import { signInAt } from "./helpers";

const run = Date.now().toString(36);
// user, item, timestamp: 15 users × 5 interactions, named by this run so reruns never collide
const GOOD =
  ["visitor_id,product_id,ts", ...Array.from({ length: 75 }, (_, k) => `v${run}-${k % 15},p${(k * 7) % 23},${1_700_000_000 + k * 3600}`)].join("\n") + "\n";

async function choose(page: Page, name: string, content: string | Buffer) {
  await page
    .getByLabel("File", { exact: true })
    .setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });
  await page.getByRole("button", { name: "Preview" }).click();
}

test("an editor previews a CSV, picks the split and imports it; the same file again is the same dataset", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAt(page, "editor", "/datasets");
  await page.getByRole("link", { name: "Import a dataset" }).click();
  await expect(page.getByRole("heading", { name: "Import a dataset" })).toBeVisible();

  await choose(page, "shop-log.csv", GOOD);
  await expect(page.getByRole("heading", { name: "Preview of shop-log.csv" })).toBeVisible();
  const facts = page.getByTestId("preview-facts");
  await expect(facts).toContainText("comma");
  await expect(facts).toContainText("visitor_id, product_id, ts");
  await expect(page.getByTestId("preview-rows")).toHaveText("75");
  const rows = page.getByRole("table", { name: "First rows" }).locator("tbody tr");
  await expect(rows).toHaveCount(20);
  await expect(rows.first()).toContainText(`v${run}-0`);
  await expect(rows.first()).toContainText("2023-11-14 22:13:20Z");
  // detected mapping
  await expect(page.getByLabel("User column")).toHaveValue("0");
  await expect(page.getByLabel("Time column")).toHaveValue("2");
  await expect(page.getByLabel(/Leave-one-out by latest time/)).toBeChecked();
  await expect(page.getByText("No problems in the lines read (the whole file).")).toBeVisible();

  await page.getByLabel("Random leave-one-out by seed").check();
  await page.getByRole("spinbutton", { name: "Seed" }).fill("7");
  await page.getByLabel("Dataset name").fill(`shop ${run}`);
  await page.getByRole("button", { name: "Import" }).click();

  await expect(page).toHaveURL(/\/jobs\/[a-z0-9]+$/);
  await expect(page.getByTestId("job-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("job-log")).toContainText("parsed 75 rows");
  await expect(page.getByText('"duplicate": false')).toBeVisible();

  await page.goto("/datasets");
  const row = page.locator("tbody tr", { hasText: `shop ${run}` });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("csv");
  await expect(row.locator("td").nth(2)).toHaveText("15");

  // the same content, split the same way: one dataset
  await page.goto("/datasets/import");
  await choose(page, "shop-log-again.csv", GOOD);
  await page.getByLabel("Random leave-one-out by seed").check();
  await page.getByRole("spinbutton", { name: "Seed" }).fill("7");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByText('"duplicate": true')).toBeVisible();
  await expect(page.getByTestId("job-log")).toContainText(`("shop ${run}"); nothing new stored`);
  await page.goto("/datasets");
  await expect(page.locator("tbody tr", { hasText: `shop ${run}` })).toHaveCount(1);
});

test("a malformed file shows its errors with line numbers, and importing it fails and stores nothing", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAt(page, "editor", "/datasets/import");
  const bad = ["user,item,timestamp", `a${run},x,1`, `a${run},y`, `b${run},z,yesterday`, `b${run},w,4`].join("\n") + "\n";
  await choose(page, "broken.csv", bad);
  const errors = page.getByTestId("preview-errors");
  await expect(errors).toContainText("2 problems");
  await expect(errors).toContainText("broken.csv:3: expected 3 comma-separated columns like the header, got 2");
  await expect(errors).toContainText("broken.csv:4: timestamp 'yesterday' is neither a number nor a date");
  await page.getByLabel("Dataset name").fill(`broken ${run}`);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("failed", { timeout: 60_000 });
  await expect(page.locator(".alert.error")).toContainText("broken.csv:3: expected 3 comma-separated columns like the header, got 2");
  await page.goto("/datasets");
  await expect(page.locator("tbody tr", { hasText: `broken ${run}` })).toHaveCount(0);
});

test("an empty file and one over the size limit are refused before anything is stored", async ({ page }) => {
  await signInAt(page, "editor", "/datasets/import");
  await choose(page, "empty.csv", "");
  await expect(page.locator(".alert.error")).toHaveText("empty.csv is empty");
  // e2e/serve.ts sets IMPORT_MAX_BYTES to 4 MiB
  await choose(page, "huge.csv", Buffer.alloc(5 << 20, "a,b\n"));
  await expect(page.locator(".alert.error")).toContainText("larger than the import limit of 4,194,304 bytes");
  await expect(page.getByRole("heading", { name: /Preview of/ })).toHaveCount(0);
});

test("viewers cannot open the import page or see its link", async ({ page }) => {
  await signInAt(page, "viewer", "/datasets");
  await expect(page.getByRole("link", { name: "Import a dataset" })).toHaveCount(0);
  const response = await page.goto("/datasets/import");
  expect(response?.status()).toBe(403);
});
