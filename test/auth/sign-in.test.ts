import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { checkCredentials } from "@/lib/auth/sign-in";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("auth_sign_in");

describe("checking credentials", () => {
  it("accepts the right password (email case-insensitive) and gives the same answer for wrong password and unknown email", async () => {
    await t().db.user.create({ data: { email: "dana@example.com", role: "editor", passwordHash: await hashPassword("dana-password") } });

    const ok = await checkCredentials("Dana@Example.com", "dana-password", "10.0.0.1");
    expect(ok).toMatchObject({ ok: true, user: { email: "dana@example.com", role: "editor" } });

    expect(await checkCredentials("dana@example.com", "wrong", "10.0.0.1")).toEqual({ ok: false, reason: "invalid_credentials" });
    expect(await checkCredentials("nobody@example.com", "wrong", "10.0.0.1")).toEqual({ ok: false, reason: "invalid_credentials" });
  });

  it("throttles an account after repeated failures from one address, without locking out other addresses", async () => {
    await t().db.user.create({ data: { email: "eve@example.com", passwordHash: await hashPassword("eve-password") } });
    for (let i = 0; i < 10; i++) {
      expect((await checkCredentials("eve@example.com", `guess-${i}`, "10.0.0.2")).ok).toBe(false);
    }
    const blocked = await checkCredentials("eve@example.com", "eve-password", "10.0.0.2");
    expect(blocked).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(blocked.ok === false && blocked.reason === "rate_limited" && blocked.retryAfterSeconds).toBeGreaterThan(0);

    expect((await checkCredentials("eve@example.com", "eve-password", "10.0.0.3")).ok).toBe(true);
  });

  it("throttles an account guessed at from many addresses (a client can vary X-Forwarded-For)", async () => {
    await t().db.user.create({ data: { email: "finn@example.com", passwordHash: await hashPassword("finn-password") } });
    for (let i = 0; i < 30; i++) {
      expect((await checkCredentials("finn@example.com", `guess-${i}`, `10.1.0.${i}`)).ok).toBe(false);
    }
    expect(await checkCredentials("finn@example.com", "finn-password", "10.2.0.1")).toMatchObject({ ok: false, reason: "rate_limited" });
  });
});
