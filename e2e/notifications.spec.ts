// Notifications in the browser: an admin configures a webhook (URL validated per field and by the API,
// secret shown once), sends a test event that a local receiver gets with a valid signature, and reads
// the delivery log; the Overview lists open alerts, an editor acknowledges one, a viewer cannot.
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { createDb, type Db } from "../lib/db/client";
import { recordAlert } from "../lib/db/alerts";
import { receiver, type Received } from "../test/helpers/webhook-receiver";
import { e2eDatabaseUrl } from "./database";
import { signIn, signInAt } from "./helpers";
import { E2E_USERS } from "./users";

let db: Db;
let rx: Awaited<ReturnType<typeof receiver>>;
const shots = process.env.SCREENSHOT_DIR;

/** With SCREENSHOT_DIR set, a full-page PNG at 1280 and 390 px wide (for reading, not asserting). */
async function screenshot(page: Page, name: string) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

test.beforeAll(async ({ request }) => {
  // when this file runs alone the server is cold: the first sign-in (password hashing, route loading)
  // may take longer than signIn's 10 s on a busy machine, so pay that cost once here
  await request.post("/api/auth/sign-in", { data: E2E_USERS.admin, timeout: 60_000 });
  db = createDb(e2eDatabaseUrl());
  // the first test event is answered 200, the second 500 (it then waits for its retry)
  rx = await receiver([200, 500]);
});

test.afterAll(async () => {
  rx.server.close();
  await db.$disconnect();
});

test("an admin adds a webhook, sends a signed test event and reads the delivery log", async ({ page, request }) => {
  test.setTimeout(90_000);
  await signInAt(page, "admin", "/admin/webhooks");
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();

  // a URL that is not http(s) is refused per field, by the form and by the API
  await page.getByLabel("Name", { exact: true }).fill("e2e receiver");
  await page.getByLabel("URL (http or https)").fill("ftp://files.example.com/drop");
  await page.getByRole("button", { name: "Create webhook" }).click();
  await expect(page.locator("#wh-new-url-error")).toHaveText("must use http or https, not ftp");
  const refused = await page.request.post("/api/admin/webhooks", { data: { name: "x", url: "javascript:alert(1)", events: ["drift.detected"] } });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).issues).toEqual([{ path: "url", message: "must use http or https, not javascript" }]);
  // signed-out callers and non-admins are refused before any validation
  expect((await request.get("/api/admin/webhooks")).status()).toBe(401);

  await page.getByLabel("URL (http or https)").fill(rx.url);
  await page.getByRole("button", { name: "Create webhook" }).click();
  const secretBox = page.getByTestId("new-webhook-secret");
  await expect(secretBox).toHaveText(/^whsec_[A-Za-z0-9_-]{43}$/);
  const secret = (await secretBox.textContent())!;
  await screenshot(page, "webhooks-created");

  // shown once: gone after a reload, only its last characters remain
  await page.reload();
  await expect(page.getByTestId("new-webhook-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await expect(page.getByRole("cell", { name: `…${secret.slice(-4)}` })).toBeVisible();

  await page.getByRole("link", { name: "e2e receiver" }).click();
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByText(/Test event test_\S+ queued/)).toBeVisible();
  await expect.poll(() => rx.received.length, { timeout: 30_000 }).toBe(1);
  const first: Received = rx.received[0];
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(first.headers["x-understudy-signature"]))!;
  expect(v1).toBe(createHmac("sha256", secret).update(`${t}.${first.body}`).digest("hex"));
  expect(JSON.parse(first.body)).toMatchObject({ type: "webhook.test", id: first.headers["x-understudy-event-id"] });

  const log = page.getByTestId("delivery-log");
  await expect(log.getByText("succeeded")).toBeVisible({ timeout: 15_000 });
  await expect(log.getByText("200", { exact: true })).toBeVisible();

  // a second test event meets a 500: the log shows the failed attempt and when the retry is due
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(log.getByText("retrying")).toBeVisible({ timeout: 30_000 });
  await expect(log.getByText("500", { exact: true })).toBeVisible();
  await expect(log.getByText(/^in \d+ (s|min)$/)).toBeVisible({ timeout: 15_000 });
  await screenshot(page, "webhook-log");
});

test("open alerts show on the Overview; an editor acknowledges one, a viewer only reads", async ({ page }) => {
  const title = `e2e: drift detected ${Date.now()}`;
  await recordAlert({ type: "drift.detected", severity: "warning", title, message: "item popularity shifted: JSD 0.21 > 0.05.", data: {} }, db);
  await recordAlert(
    { type: "experiment.rolled_back", severity: "critical", title: `${title} (rollback)`, message: "error rate 10.00% > severe threshold 5.00%.", data: {} },
    db,
  );

  await signIn(page, "viewer");
  const panel = page.getByTestId("overview-alerts");
  await expect(panel.getByText(title, { exact: true })).toBeVisible();
  await expect(panel.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();

  await signIn(page, "editor");
  await expect(panel.getByText(title, { exact: true })).toBeVisible();
  await screenshot(page, "overview-alerts");
  const item = panel.getByTestId("alert").filter({ hasText: title }).filter({ hasNotText: "(rollback)" });
  await item.getByRole("button", { name: "Acknowledge" }).click();
  await expect(panel.getByText(title, { exact: true })).toHaveCount(0);
  await expect(panel.getByText(`${title} (rollback)`)).toBeVisible();

  // the full list keeps it, marked with who acknowledged it
  await panel.getByRole("link", { name: "all →" }).click();
  await expect(page.getByRole("heading", { name: "Alerts", exact: true })).toBeVisible();
  await expect(page.getByTestId("alert").filter({ hasText: title }).filter({ hasNotText: "(rollback)" })).toContainText("acknowledged by editor@e2e.test");
  await screenshot(page, "alerts-page");
});
