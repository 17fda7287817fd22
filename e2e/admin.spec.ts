import { expect, test } from "@playwright/test";
import { signInAt } from "./helpers";

test("an admin creates a user, changes their role, and issues an API key shown once", async ({ page }) => {
  await signInAt(page, "admin", "/admin/users");
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();

  // invalid input is reported per field
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Initial password").fill("short");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Password must be at least 10 characters")).toBeVisible();

  await page.getByLabel("Email").fill("new.analyst@e2e.test");
  await page.getByLabel("Initial password").fill("analyst-password-1");
  await page.getByRole("button", { name: "Create user" }).click();
  const row = page.getByTestId("user-row-new.analyst@e2e.test");
  await expect(row).toBeVisible();
  await row.getByLabel("Role of new.analyst@e2e.test").selectOption("editor");
  await expect(row.getByRole("cell", { name: "editor", exact: true })).toBeVisible();

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("e2e-storefront");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = page.getByTestId("new-api-key");
  await expect(secret).toHaveText(/^us_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  // the secret is base64url, which may itself contain "_": split by the format, not by "_"
  const [, prefix, secretPart] = /^us_([0-9a-f]{12})_(.{43})$/.exec((await secret.textContent())!)!;
  await expect(page.getByRole("cell", { name: "e2e-storefront" })).toBeVisible();

  // shown once: after a reload only the prefix remains
  await page.reload();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
  expect(await page.content()).not.toContain(secretPart);
  await expect(page.getByText(`us_${prefix}_…`)).toBeVisible();

  // every change is in the audit log, which filters by entity
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await page.getByLabel("Entity", { exact: true }).selectOption("user");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/entityType=user/);
  await expect(page.getByRole("cell", { name: "user.role_changed" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "api_key.created" })).toHaveCount(0);
});

test("an editor sees per-field errors when generating a dataset with bad settings", async ({ page }) => {
  await signInAt(page, "editor", "/datasets");
  await page.getByLabel("Users").fill("3");
  await page.getByRole("button", { name: "Generate dataset" }).click();
  await expect(page.locator("#ds-name-error")).toHaveText("Required");
  await expect(page.locator("#ds-users-error")).toHaveText("Must be at least 10");
  await expect(page).toHaveURL(/\/datasets$/);
});
