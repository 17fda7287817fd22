import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test.describe("role checks on the server", () => {
  test("a viewer gets 403 from a mutation route handler", async ({ page }) => {
    await signIn(page, "viewer");
    const response = await page.request.post("/api/jobs/selftest", { data: { steps: 3 } });
    expect(response.status()).toBe(403);
    expect(await response.json()).toMatchObject({ error: "forbidden" });

    const adminApi = await page.request.post("/api/admin/users", {
      data: { email: "intruder@e2e.test", role: "admin", password: "intruder-password" },
    });
    expect(adminApi.status()).toBe(403);
  });

  test("a viewer cannot reach admin pages and sees no launch controls", async ({ page }) => {
    await signIn(page, "viewer");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);

    for (const path of ["/admin", "/admin/users", "/admin/api-keys"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
      await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    }

    await page.goto("/jobs");
    await expect(page.getByRole("heading", { name: "Jobs", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Run self-test job" })).toHaveCount(0);
  });

  test("an admin reaches the admin pages", async ({ page }) => {
    await signIn(page, "admin");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
    await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
    await expect(page.getByRole("cell", { name: "viewer@e2e.test" })).toBeVisible();
  });
});
