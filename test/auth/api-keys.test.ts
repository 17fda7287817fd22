import { describe, expect, it } from "vitest";
import { authenticateApiKey, CACHE_TTL_MS, createApiKey, listApiKeys, revokeApiKey, verifiedPresentedKey } from "@/lib/auth/api-keys";
import { requirePresentedKey } from "@/lib/serving/api-key";
import { hashPassword } from "@/lib/auth/passwords";
import { sha256Hex } from "@/lib/auth/tokens";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("auth_api_keys");

async function admin(email: string) {
  const user = await t().db.user.create({ data: { email, role: "admin", passwordHash: await hashPassword("irrelevant-password") } });
  return { user, actor: { id: user.id, label: user.email } };
}

const bearer = (key: string) => new Request("http://localhost/api/v1/recommend", { headers: { authorization: `Bearer ${key}` } });

describe("API keys", () => {
  it("creates a key shown once, stored as prefix + SHA-256 only, and audited", async () => {
    const { user, actor } = await admin("k1@test.local");
    const created = await createApiKey({ name: "storefront", scopes: ["recommend", "events"], createdById: user.id }, actor);
    expect(created.key).toMatch(/^us_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`us_${created.prefix}_`)).toBe(true);

    const row = await t().db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.keyHash).toBe(sha256Hex(created.key));
    // the secret is base64url and may contain "_": cut it by the prefix, not by "_"
    expect(JSON.stringify(row)).not.toContain(created.key.slice(`us_${created.prefix}_`.length));
    expect(row.scopes).toEqual(["recommend", "events"]);

    const listed = await listApiKeys();
    expect(listed.find((k) => k.id === created.id)).toMatchObject({ name: "storefront", prefix: created.prefix, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(row.keyHash);

    const audit = await t().db.auditLog.findFirstOrThrow({ where: { entityType: "api_key", entityId: created.id } });
    expect(audit).toMatchObject({ action: "api_key.created", actorId: user.id });
  });

  it("authenticates from Authorization: Bearer or x-api-key, and nothing else", async () => {
    const { user, actor } = await admin("k2@test.local");
    const { key, id, prefix } = await createApiKey({ name: "svc", scopes: ["events"], createdById: user.id }, actor);
    const expected = { id, prefix, scopes: ["events"], createdById: user.id };

    expect(await authenticateApiKey(bearer(key))).toEqual(expected);
    expect(await authenticateApiKey(new Request("http://x/", { headers: { "x-api-key": key } }))).toEqual(expected);

    const wrongSecret = key.slice(0, -4) + (key.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await authenticateApiKey(bearer(wrongSecret))).toBeNull();
    expect(await authenticateApiKey(bearer("us_000000000000_" + "A".repeat(43)))).toBeNull();
    expect(await authenticateApiKey(bearer("garbage"))).toBeNull();
    expect(await authenticateApiKey(new Request("http://x/", { headers: { authorization: `Basic ${key}` } }))).toBeNull();
    expect(await authenticateApiKey(new Request("http://x/"))).toBeNull();
  });

  it("records lastUsedAt at most once a minute", async () => {
    const { user, actor } = await admin("k3@test.local");
    const { key, id } = await createApiKey({ name: "svc", scopes: ["recommend"], createdById: user.id }, actor);
    const lastUsed = async () => (await t().db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime() ?? null;
    const t0 = Date.now();

    expect(await lastUsed()).toBeNull();
    await authenticateApiKey(bearer(key), t0);
    expect(await lastUsed()).toBe(t0);
    await authenticateApiKey(bearer(key), t0 + 30_000);
    expect(await lastUsed()).toBe(t0);
    await authenticateApiKey(bearer(key), t0 + 61_000);
    expect(await lastUsed()).toBe(t0 + 61_000);
  });

  it("does not record a wrong secret at a known prefix as use", async () => {
    const { user, actor } = await admin("k3b@test.local");
    const { key, id, prefix } = await createApiKey({ name: "svc", scopes: ["recommend"], createdById: user.id }, actor);
    const forged = `us_${prefix}_${"A".repeat(43)}`;
    expect(forged).not.toBe(key);
    expect(await authenticateApiKey(bearer(forged))).toBeNull();
    expect((await t().db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeNull();
    expect(await authenticateApiKey(bearer(key))).not.toBeNull();
    expect((await t().db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull();
  });

  it("stops authenticating once revoked, or when its creator is disabled", async () => {
    const { user, actor } = await admin("k4@test.local");
    const revoked = await createApiKey({ name: "old", scopes: ["recommend"], createdById: user.id }, actor);
    const kept = await createApiKey({ name: "kept", scopes: ["recommend"], createdById: user.id }, actor);
    expect(await authenticateApiKey(bearer(revoked.key))).not.toBeNull();

    await revokeApiKey(revoked.id, actor);
    expect(await authenticateApiKey(bearer(revoked.key))).toBeNull();
    expect((await t().db.apiKey.findUniqueOrThrow({ where: { id: revoked.id } })).revokedAt).not.toBeNull();
    expect(await t().db.auditLog.count({ where: { action: "api_key.revoked", entityId: revoked.id } })).toBe(1);
    await revokeApiKey(revoked.id, actor); // idempotent
    expect(await t().db.auditLog.count({ where: { action: "api_key.revoked", entityId: revoked.id } })).toBe(1);

    await t().db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    // verified keys are cached for a few seconds per process: look again past that window
    expect(await authenticateApiKey(bearer(kept.key), Date.now() + 10_000)).toBeNull();
  });

  it("answers a repeat of a verified key without waiting, and only while nothing is left to check", async () => {
    const { user, actor } = await admin("k6@test.local");
    const { key, id, prefix } = await createApiKey({ name: "svc", scopes: ["recommend"], createdById: user.id }, actor);
    const expected = { id, prefix, scopes: ["recommend"], createdById: user.id };
    expect(verifiedPresentedKey(key)).toBeUndefined(); // never verified here
    const t0 = Date.now();
    expect(await authenticateApiKey(bearer(key), t0)).toEqual(expected);
    expect(verifiedPresentedKey(key, t0 + 1)).toEqual(expected);
    expect(verifiedPresentedKey(`us_${prefix}_${"A".repeat(43)}`, t0 + 1)).toBeUndefined();
    expect(verifiedPresentedKey(key, t0 + CACHE_TTL_MS + 1)).toBeUndefined(); // the row is read again
    expect(verifiedPresentedKey(key, t0 + 60_000)).toBeUndefined(); // lastUsedAt is due

    // requirePresentedKey: a plain value (no promise) for the repeat, a synchronous 403 for a scope it lacks
    const checked = requirePresentedKey(key, "recommend");
    expect(checked).not.toBeInstanceOf(Promise);
    expect(checked).toEqual(expected);
    expect(() => requirePresentedKey(key, "events")).toThrow(expect.objectContaining({ status: 403 }));
    await expect(requirePresentedKey("garbage", "recommend")).rejects.toMatchObject({ status: 401 });

    await revokeApiKey(id, actor);
    expect(verifiedPresentedKey(key)).toBeUndefined();
    await expect(requirePresentedKey(key, "recommend")).rejects.toMatchObject({ status: 401 });
  });

  it("answers 404 for revoking an unknown key", async () => {
    const { actor } = await admin("k5@test.local");
    await expect(revokeApiKey("does-not-exist", actor)).rejects.toMatchObject({ status: 404 });
  });
});
