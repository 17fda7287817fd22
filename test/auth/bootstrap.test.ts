import { afterEach, describe, expect, it } from "vitest";
import { ensureFirstAdmin } from "@/lib/auth/bootstrap";
import { checkCredentials } from "@/lib/auth/sign-in";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("auth_bootstrap");

afterEach(() => {
  delete process.env.ADMIN_EMAIL;
  delete process.env.ADMIN_PASSWORD;
});

describe("first admin", () => {
  it("generates and prints a password once on an empty user table, then does nothing", async () => {
    const lines: string[] = [];
    await Promise.all([ensureFirstAdmin((l) => lines.push(l)), ensureFirstAdmin((l) => lines.push(l))]);
    expect(await t().db.user.count()).toBe(1);
    expect(lines).toHaveLength(1);
    const password = /password: (\S+)/.exec(lines[0])?.[1];
    expect(password).toMatch(/^\S{20}$/);

    const admin = await t().db.user.findFirstOrThrow();
    expect(admin).toMatchObject({ email: "admin@understudy.local", role: "admin" });
    expect((await checkCredentials("admin@understudy.local", password!, "bootstrap-test")).ok).toBe(true);
    expect(await t().db.auditLog.count({ where: { action: "user.created", actorLabel: "system" } })).toBe(1);

    await ensureFirstAdmin((l) => lines.push(l));
    expect(lines).toHaveLength(1);
    expect(await t().db.user.count()).toBe(1);
  });

  it("uses ADMIN_EMAIL / ADMIN_PASSWORD when given, without printing the password", async () => {
    await t().db.auditLog.deleteMany();
    await t().db.user.deleteMany();
    process.env.ADMIN_EMAIL = "Ops@Example.com";
    process.env.ADMIN_PASSWORD = "configured-password";
    const lines: string[] = [];
    await ensureFirstAdmin((l) => lines.push(l));
    expect(lines.join("\n")).not.toContain("configured-password");
    expect((await checkCredentials("ops@example.com", "configured-password", "bootstrap-test")).ok).toBe(true);
  });

  it("refuses a too-short ADMIN_PASSWORD with a clear message", async () => {
    await t().db.auditLog.deleteMany();
    await t().db.user.deleteMany();
    process.env.ADMIN_PASSWORD = "short";
    await expect(ensureFirstAdmin(() => undefined)).rejects.toThrow(/ADMIN_PASSWORD must be at least 10 characters/);
  });
});
