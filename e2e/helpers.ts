import { expect, type Page } from "@playwright/test";
import type { Role } from "../lib/auth/roles";
import { E2E_USERS } from "./users";

/** Signs in through the real form and waits for the dashboard. */
export async function signIn(page: Page, role: Role): Promise<void> {
  const { email, password } = E2E_USERS[role];
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // argon2 verification on a loaded machine can take longer than the default 10 s
  await expect(page.getByTestId("current-user")).toHaveText(email, { timeout: 30_000 });
}

/** Signs in as `role`, then opens `path`. */
export async function signInAt(page: Page, role: Role, path: string): Promise<void> {
  await signIn(page, role);
  await page.goto(path);
}
