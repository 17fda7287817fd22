import { expect, test } from "@playwright/test";
import { signIn, signInAt } from "./helpers";

test("a self-test job launched from the UI shows its progress until it succeeds", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, "editor");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Jobs" }).click();
  await expect(page.getByRole("heading", { name: "Jobs", exact: true })).toBeVisible();

  await page.getByLabel("Steps").fill("12");
  await page.getByLabel("Step duration (ms)").fill("400");
  await page.getByRole("button", { name: "Run self-test job" }).click();

  await expect(page).toHaveURL(/\/jobs\/[a-z0-9]+$/);
  const bar = page.getByRole("progressbar", { name: "Job progress" });
  const status = page.getByTestId("job-status");

  // The bar advances while the worker counts: seen strictly between 0 and 100 while running...
  await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 30_000 }).toBeGreaterThan(0);
  const midway = Number(await bar.getAttribute("aria-valuenow"));
  expect(midway).toBeLessThan(100);
  await expect(status).toHaveText("running");

  // ...and ends full, with the job succeeded and its log shown.
  await expect(status).toHaveText("succeeded", { timeout: 45_000 });
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("job-log")).toContainText("counting to 12");
  await expect(page.getByTestId("job-log")).toContainText("reached 12");

  // The jobs list shows it as finished too.
  await page.goto("/jobs");
  await expect(page.locator("tbody tr").first().getByText("succeeded")).toBeVisible();
});

test("an editor cancels a running job from its page", async ({ page }) => {
  await signInAt(page, "editor", "/jobs");
  await page.getByLabel("Steps").fill("200");
  await page.getByLabel("Step duration (ms)").fill("500");
  await page.getByRole("button", { name: "Run self-test job" }).click();
  await expect(page).toHaveURL(/\/jobs\/[a-z0-9]+$/);
  const status = page.getByTestId("job-status");
  await expect(status).toHaveText("running", { timeout: 30_000 });

  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(status).toHaveText("cancelled", { timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Cancel" })).toHaveCount(0);
  const progress = Number(await page.getByRole("progressbar", { name: "Job progress" }).getAttribute("aria-valuenow"));
  expect(progress).toBeLessThan(100);
});
