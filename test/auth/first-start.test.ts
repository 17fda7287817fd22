// No known passwords on a real install: demo accounts only in an explicit demo, and the generated
// first-admin password works only to set a new one.
import { afterEach, describe, expect, it } from "vitest";
import { checkCredentials } from "@/lib/auth/sign-in";
import { createSession, validateSessionToken } from "@/lib/auth/session";
import { changeOwnPassword } from "@/lib/auth/users";
import { prepareDatabase } from "@/lib/db/first-start";
import { DEMO_USERS, demoPlan } from "@/lib/db/seed";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("first_start");
const quiet = () => undefined;

afterEach(async () => {
  await t().db.auditLog.deleteMany();
  await t().db.user.deleteMany();
});

describe("demo plan", () => {
  const url = { embedded: false, firstStart: false };
  it("is off against DATABASE_URL, also in production, unless DEMO=true", () => {
    expect(demoPlan({}, url)).toMatchObject({ users: false, data: false });
    expect(demoPlan({ NODE_ENV: "production" }, url)).toMatchObject({ users: false, data: false });
    expect(demoPlan({ DEMO: "true" }, url)).toMatchObject({ users: true, data: true });
    expect(demoPlan({ DEMO: "true", DEMO_USERS: "false" }, url)).toMatchObject({ users: false, data: true });
  });
  it("is on for the embedded database's first start only", () => {
    expect(demoPlan({}, { embedded: true, firstStart: true })).toMatchObject({ users: true, data: true });
    expect(demoPlan({}, { embedded: true, firstStart: false })).toMatchObject({ users: false, data: false });
    expect(demoPlan({ DEMO: "false" }, { embedded: true, firstStart: true })).toMatchObject({ users: false, data: false });
    expect(demoPlan({ SEED_DEMO: "false" }, { embedded: true, firstStart: true })).toMatchObject({ users: false, data: false });
  });
  it("refuses a DEMO value it does not understand", () => {
    expect(() => demoPlan({ DEMO: "yes" }, url)).toThrow(/DEMO must be true or false/);
  });
});

describe("npm start's database preparation", () => {
  it("creates no demo account on a DATABASE_URL database", async () => {
    const notes = await prepareDatabase({ url: t().url, embedded: false, firstStart: false }, quiet, {});
    expect(await t().db.user.count({ where: { email: { in: DEMO_USERS.map((u) => u.email) } } })).toBe(0);
    for (const u of DEMO_USERS) expect((await checkCredentials(u.email, u.password, "first-start-test")).ok).toBe(false);
    expect(notes.join("\n")).not.toMatch(/demo-\w+-pass/);
    expect(await t().db.user.count()).toBe(1); // the first admin only
  });

  it("creates the demo accounts when DEMO=true says so", async () => {
    const notes = await prepareDatabase({ url: t().url, embedded: false, firstStart: false }, quiet, { DEMO: "true", SEED_DEMO: "true" });
    expect(await t().db.user.count({ where: { email: { in: DEMO_USERS.map((u) => u.email) } } })).toBe(DEMO_USERS.length);
    expect(notes.join("\n")).toContain("editor@understudy.local");
  });

  it("makes the generated first-admin password good for one thing: choosing a new one", async () => {
    const notes = await prepareDatabase({ url: t().url, embedded: false, firstStart: false }, quiet, {});
    const password = /password: (\S+)/.exec(notes.join("\n"))?.[1];
    expect(password).toBeDefined();
    const signIn = await checkCredentials("admin@understudy.local", password!, "first-start-test");
    expect(signIn).toMatchObject({ ok: true, mustChangePassword: true });
    if (!signIn.ok) throw new Error("unreachable");

    const { token } = await createSession(signIn.user.id);
    const session = await validateSessionToken(token);
    expect(session?.mustChangePassword).toBe(true);

    await changeOwnPassword(signIn.user.id, password!, "a-password-of-my-own", session!.sessionId);
    expect((await validateSessionToken(token))?.mustChangePassword).toBe(false);
    expect(await checkCredentials("admin@understudy.local", "a-password-of-my-own", "first-start-test")).toMatchObject({ ok: true, mustChangePassword: false });
  });

  it("does not force a change of a configured ADMIN_PASSWORD", async () => {
    process.env.ADMIN_PASSWORD = "configured-password";
    try {
      await prepareDatabase({ url: t().url, embedded: false, firstStart: false }, quiet, {});
    } finally {
      delete process.env.ADMIN_PASSWORD;
    }
    expect(await checkCredentials("admin@understudy.local", "configured-password", "first-start-test")).toMatchObject({ ok: true, mustChangePassword: false });
  });
});
