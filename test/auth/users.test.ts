import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { createSession, validateSessionToken } from "@/lib/auth/session";
import { checkCredentials } from "@/lib/auth/sign-in";
import { changeOwnPassword, createUser, updateUser } from "@/lib/auth/users";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("auth_users");
const system = { label: "test" };

describe("user administration", () => {
  it("creates users with a normalised email and refuses duplicates with 409", async () => {
    const user = await createUser({ email: "  Ada@Example.COM ", role: "editor", password: "a-long-password" }, system);
    expect(user).toMatchObject({ email: "ada@example.com", role: "editor", disabledAt: null });
    await expect(createUser({ email: "ada@example.com", role: "viewer", password: "another-password" }, system)).rejects.toMatchObject({ status: 409 });
    expect(await t().db.auditLog.count({ where: { action: "user.created", entityId: user.id } })).toBe(1);
  });

  it("changes roles, disables (ending sessions) and re-enables", async () => {
    const user = await createUser({ email: "bob@example.com", role: "viewer", password: "a-long-password" }, system);
    const { token } = await createSession(user.id);

    expect((await updateUser(user.id, { role: "approver" }, system)).role).toBe("approver");
    expect((await validateSessionToken(token))?.user.role).toBe("approver");

    const disabled = await updateUser(user.id, { disabled: true }, system);
    expect(disabled.disabledAt).not.toBeNull();
    expect(await t().db.session.count({ where: { userId: user.id } })).toBe(0);
    expect((await checkCredentials("bob@example.com", "a-long-password", "users-test")).ok).toBe(false);

    expect((await updateUser(user.id, { disabled: false }, system)).disabledAt).toBeNull();
    expect((await checkCredentials("bob@example.com", "a-long-password", "users-test")).ok).toBe(true);
    const actions = (await t().db.auditLog.findMany({ where: { entityId: user.id }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["user.created", "user.role_changed", "user.disabled", "user.enabled"]);
  });

  it("never demotes or disables the last active admin", async () => {
    const admins = await t().db.user.findMany({ where: { role: "admin" } });
    expect(admins).toHaveLength(0);
    const only = await createUser({ email: "root@example.com", role: "admin", password: "a-long-password" }, system);
    await expect(updateUser(only.id, { role: "editor" }, system)).rejects.toMatchObject({ status: 409, code: "last_admin" });
    await expect(updateUser(only.id, { disabled: true }, system)).rejects.toMatchObject({ status: 409 });

    const second = await createUser({ email: "root2@example.com", role: "admin", password: "a-long-password" }, system);
    expect((await updateUser(only.id, { role: "editor" }, system)).role).toBe("editor");
    await expect(updateUser(second.id, { disabled: true }, system)).rejects.toMatchObject({ status: 409 });
  });

  it("changes one's own password only with the current one, signing out other sessions", async () => {
    const user = await t().db.user.create({ data: { email: "carol@example.com", passwordHash: await hashPassword("old-password-1") } });
    const current = await createSession(user.id);
    const other = await createSession(user.id);
    const currentSession = (await validateSessionToken(current.token))!;

    await expect(changeOwnPassword(user.id, "wrong-password", "new-password-1", currentSession.sessionId)).rejects.toMatchObject({
      status: 400,
      details: { issues: [{ path: "currentPassword", message: "The current password is wrong" }] },
    });
    await changeOwnPassword(user.id, "old-password-1", "new-password-1", currentSession.sessionId);

    expect(await validateSessionToken(current.token)).not.toBeNull();
    expect(await validateSessionToken(other.token)).toBeNull();
    expect((await checkCredentials("carol@example.com", "old-password-1", "pw-test")).ok).toBe(false);
    expect((await checkCredentials("carol@example.com", "new-password-1", "pw-test")).ok).toBe(true);
  });
});
