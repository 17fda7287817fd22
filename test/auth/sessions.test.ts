import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import {
  createSession,
  deleteExpiredSessions,
  invalidateSession,
  invalidateUserSessions,
  SESSION_ABSOLUTE_TTL_MS,
  SESSION_IDLE_TTL_MS,
  validateSessionToken,
} from "@/lib/auth/session";
import { sha256Hex } from "@/lib/auth/tokens";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("auth_sessions");
const MINUTE = 60_000;

async function newUser(email: string, role: "viewer" | "admin" = "viewer") {
  return t().db.user.create({ data: { email, role, passwordHash: await hashPassword("irrelevant-password") } });
}

describe("sessions", () => {
  it("stores only the token's SHA-256 and resolves the token to its user", async () => {
    const user = await newUser("s1@test.local", "admin");
    const { token, expiresAt } = await createSession(user.id);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);

    const rows = await t().db.session.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(sha256Hex(token));
    expect(rows[0].tokenHash).not.toContain(token);
    expect(rows[0].expiresAt.getTime()).toBe(expiresAt.getTime());

    const session = await validateSessionToken(token);
    expect(session?.user).toEqual({ id: user.id, email: "s1@test.local", name: null, role: "admin" });
    expect(await validateSessionToken(`${token}x`)).toBeNull();
    expect(await validateSessionToken("")).toBeNull();
  });

  it("expires after the idle timeout and deletes the expired row", async () => {
    const user = await newUser("s2@test.local");
    const start = new Date("2030-01-01T00:00:00Z");
    const { token } = await createSession(user.id, start);
    expect(await validateSessionToken(token, new Date(start.getTime() + SESSION_IDLE_TTL_MS - MINUTE))).not.toBeNull();
    // that use slid the expiry forward; a use after the *new* expiry fails
    const lastUse = start.getTime() + SESSION_IDLE_TTL_MS - MINUTE;
    expect(await validateSessionToken(token, new Date(lastUse + SESSION_IDLE_TTL_MS + MINUTE))).toBeNull();
    expect(await t().db.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("slides the expiry on use, writing at most every few minutes, capped by the absolute lifetime", async () => {
    const user = await newUser("s3@test.local");
    const start = new Date("2030-02-01T00:00:00Z");
    const { token, expiresAt } = await createSession(user.id, start);

    const soon = await validateSessionToken(token, new Date(start.getTime() + MINUTE));
    expect(soon?.expiresAt.getTime()).toBe(expiresAt.getTime()); // within the refresh interval: no write

    const later = new Date(start.getTime() + 60 * MINUTE);
    const refreshed = await validateSessionToken(token, later);
    expect(refreshed?.expiresAt.getTime()).toBe(later.getTime() + SESSION_IDLE_TTL_MS);
    const row = await t().db.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.expiresAt.getTime()).toBe(later.getTime() + SESSION_IDLE_TTL_MS);
    expect(row.lastSeenAt.getTime()).toBe(later.getTime());

    // used every 6 days, it still ends at the absolute lifetime
    let now = start.getTime();
    let last = refreshed;
    while (last) {
      now += 6 * 24 * 60 * MINUTE;
      last = await validateSessionToken(token, new Date(now));
      if (last) expect(last.expiresAt.getTime()).toBeLessThanOrEqual(start.getTime() + SESSION_ABSOLUTE_TTL_MS);
    }
    expect(now).toBeGreaterThanOrEqual(start.getTime() + SESSION_ABSOLUTE_TTL_MS);
    expect(now - start.getTime()).toBeLessThan(SESSION_ABSOLUTE_TTL_MS + 6 * 24 * 60 * MINUTE);
  });

  it("ends on sign-out, and refuses disabled users", async () => {
    const user = await newUser("s4@test.local");
    const a = await createSession(user.id);
    const b = await createSession(user.id);
    await invalidateSession(a.token);
    expect(await validateSessionToken(a.token)).toBeNull();
    expect(await validateSessionToken(b.token)).not.toBeNull();

    await t().db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await validateSessionToken(b.token)).toBeNull();
  });

  it("signs a user out everywhere except the kept session, and purges expired rows", async () => {
    const user = await newUser("s5@test.local");
    const keep = await createSession(user.id);
    await createSession(user.id);
    await createSession(user.id);
    const kept = await validateSessionToken(keep.token);
    expect(await invalidateUserSessions(user.id, kept!.sessionId)).toBe(2);
    expect(await validateSessionToken(keep.token)).not.toBeNull();

    await createSession(user.id, new Date("2000-01-01T00:00:00Z"));
    expect(await deleteExpiredSessions()).toBeGreaterThanOrEqual(1);
    expect(await t().db.session.count({ where: { userId: user.id } })).toBe(1);
  });
});
