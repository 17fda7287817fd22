import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";
import { E2E_USERS } from "./users";

test.describe("sign-in", () => {
  test("a wrong password shows an error and keeps the visitor out", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(E2E_USERS.editor.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password");
    await expect(page).toHaveURL(/\/sign-in$/);
    expect((await page.context().cookies()).some((c) => c.name === "understudy_session")).toBe(false);
  });

  test("the right password reaches the dashboard; sign-out ends the session", async ({ page }) => {
    await signIn(page, "editor");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("current-role")).toHaveText("editor");

    const cookie = (await page.context().cookies()).find((c) => c.name === "understudy_session");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto("/jobs");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fjobs$/);

    // signing in again returns to where the visitor was headed
    await page.getByLabel("Email").fill(E2E_USERS.editor.email);
    await page.getByLabel("Password").fill(E2E_USERS.editor.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/jobs$/);
    await expect(page.getByRole("heading", { name: "Jobs", exact: true })).toBeVisible();
  });

  test("pages and API routes refuse anonymous visitors", async ({ page }) => {
    await page.goto("/models");
    await expect(page).toHaveURL(/\/sign-in/);
    const response = await page.request.get("/api/jobs");
    expect(response.status()).toBe(401);
    expect(await response.json()).toMatchObject({ error: "unauthorized" });
  });
});

test.describe("bad input and unknown routes", () => {
  test("unknown pages are 404, unknown API routes answer JSON 404", async ({ page }) => {
    await signIn(page, "viewer");
    const pageResponse = await page.goto("/no-such-page");
    expect(pageResponse?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

    const api = await page.request.get("/api/no/such/route");
    expect(api.status()).toBe(404);
    expect(await api.json()).toMatchObject({ error: "not_found" });
  });

  test("malformed JSON and invalid fields are 400 with the failing fields", async ({ page }) => {
    await signIn(page, "editor");
    const malformed = await page.request.post("/api/jobs/selftest", {
      headers: { "content-type": "application/json" },
      data: Buffer.from("{not json"),
    });
    expect(malformed.status()).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: "invalid_json" });

    const invalid = await page.request.post("/api/jobs/selftest", { data: { steps: -3 } });
    expect(invalid.status()).toBe(400);
    const body = await invalid.json();
    expect(body.error).toBe("invalid_request");
    expect(body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: "steps" })]));
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});
