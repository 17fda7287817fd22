import { randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { notFound } from "@/lib/http/errors";
import { API_KEY_SCOPES, type ApiKeyScope } from "./scopes";
import { digestsEqual, randomToken, sha256Hex } from "./tokens";

/**
 * API keys look like `us_<prefix>_<secret>`: a 12-hex-char public prefix (the lookup key, safe to
 * show and log) and 32 random bytes of secret. The table stores the prefix and SHA-256 of the whole
 * key. A fast hash is the right tool here: with 256 bits of entropy nothing can be guessed, and a
 * memory-hard hash on every machine request would cost tens of ms of CPU each.
 */
export { API_KEY_SCOPES, type ApiKeyScope };

const KEY_PATTERN = /^us_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 60_000;
/** Verified keys are remembered this long per process; revocation elsewhere takes effect within it. */
export const CACHE_TTL_MS = 5_000;
/** how long a cached key keeps authenticating while the database is unreachable */
const STALE_IF_UNAVAILABLE_MS = 10 * 60_000;

export interface AuthenticatedApiKey {
  id: string;
  prefix: string;
  scopes: string[];
  createdById: string;
}

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdBy: { email: string };
}

type CachedKey = {
  key: AuthenticatedApiKey & { keyHash: string };
  /** the key as requests see it (frozen: shared by every request of the entry's fast path) */
  view: Readonly<AuthenticatedApiKey>;
  fetchedAt: number;
  lastUsedAt: number | null;
};
const cache = new Map<string, CachedKey>();
/**
 * Presented keys whose hash matched, by the whole key: a repeat of one skips the pattern and the SHA-256
 * while its entry is the prefix's current, fresh cache entry. Looked up by the key string itself, so a
 * wrong secret never gets compared with a right one.
 */
const verified = new Map<string, CachedKey>();
const MAX_VERIFIED = 1_000;

export async function createApiKey(
  input: { name: string; scopes: ApiKeyScope[]; createdById: string },
  actor: AuditActor,
): Promise<{ id: string; prefix: string; key: string }> {
  const prefix = randomBytes(6).toString("hex");
  const key = `us_${prefix}_${randomToken(32)}`;
  const created = await db().$transaction(async (tx) => {
    const row = await tx.apiKey.create({
      data: { name: input.name.trim(), prefix, keyHash: sha256Hex(key), scopes: [...new Set(input.scopes)], createdById: input.createdById },
    });
    await recordAudit({ actor, action: "api_key.created", entityType: "api_key", entityId: row.id, data: { prefix, name: row.name, scopes: row.scopes } }, tx);
    return row;
  });
  return { id: created.id, prefix, key };
}

export async function revokeApiKey(id: string, actor: AuditActor): Promise<void> {
  await db().$transaction(async (tx) => {
    const row = await tx.apiKey.findUnique({ where: { id } });
    if (!row) throw notFound("No such API key");
    if (row.revokedAt) return;
    await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit({ actor, action: "api_key.revoked", entityType: "api_key", entityId: id, data: { prefix: row.prefix } }, tx);
    cache.delete(row.prefix);
  });
}

export function listApiKeys(): Promise<ApiKeySummary[]> {
  return db().apiKey.findMany({
    select: { id: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true, createdBy: { select: { email: true } } },
    orderBy: { createdAt: "desc" },
  });
}

/** The key a request presents, from `Authorization: Bearer <key>` or `x-api-key`. */
export function presentedApiKey(request: Request): string | null {
  return presentedKeyOf(request.headers.get("authorization"), request.headers.get("x-api-key"));
}

/** presentedApiKey from the two header values (servers that do not build a Request). */
export function presentedKeyOf(authorization: string | null | undefined, xApiKey: string | null | undefined): string | null {
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  return xApiKey?.trim() || null;
}

/**
 * The active key a request carries, or null (missing, malformed, unknown, revoked, or created by a
 * user who has since been disabled). Records lastUsedAt at most once a minute per key.
 */
export function authenticateApiKey(request: Request, now = Date.now()): Promise<AuthenticatedApiKey | null> {
  return authenticatePresentedKey(presentedApiKey(request), now);
}

/**
 * authenticatePresentedKey's answer for a repeat of a verified key, without waiting: the key when its
 * entry is the prefix's current, fresh cache entry and lastUsedAt needs no write; undefined when
 * authenticatePresentedKey has more to do (read the row, hash the key, record the use, or refuse it).
 */
export function verifiedPresentedKey(presented: string | null, now = Date.now()): Readonly<AuthenticatedApiKey> | undefined {
  const known = presented ? verified.get(presented) : undefined;
  if (!known || cache.get(known.key.prefix) !== known || now - known.fetchedAt > CACHE_TTL_MS) return undefined;
  if (known.lastUsedAt === null || now - known.lastUsedAt >= LAST_USED_RESOLUTION_MS) return undefined;
  return known.view;
}

/** authenticateApiKey for a key already taken from the headers (servers that do not build a Request). */
export async function authenticatePresentedKey(presented: string | null, now = Date.now()): Promise<AuthenticatedApiKey | null> {
  const known = presented ? verified.get(presented) : undefined;
  if (known && cache.get(known.key.prefix) === known && now - known.fetchedAt <= CACHE_TTL_MS) return usedKey(known, now);
  const match = presented ? KEY_PATTERN.exec(presented) : null;
  if (!presented || !match) return null;
  const prefix = match[1];

  let entry = cache.get(prefix);
  if (!entry || now - entry.fetchedAt > CACHE_TTL_MS) {
    let row;
    try {
      row = await db().apiKey.findUnique({
        where: { prefix },
        select: {
          id: true,
          prefix: true,
          scopes: true,
          createdById: true,
          keyHash: true,
          revokedAt: true,
          lastUsedAt: true,
          createdBy: { select: { disabledAt: true } },
        },
      });
    } catch (error) {
      // PostgreSQL unreachable: a key verified recently keeps working (serving goes on from loaded models).
      if (!entry || !isDatabaseUnavailable(error) || now - entry.fetchedAt > STALE_IF_UNAVAILABLE_MS) throw error;
      return digestsEqual(entry.key.keyHash, sha256Hex(presented))
        ? { id: entry.key.id, prefix, scopes: entry.key.scopes, createdById: entry.key.createdById }
        : null;
    }
    if (!row || row.revokedAt || row.createdBy.disabledAt) {
      cache.delete(prefix);
      return null;
    }
    entry = {
      key: { id: row.id, prefix: row.prefix, scopes: row.scopes, createdById: row.createdById, keyHash: row.keyHash },
      view: Object.freeze({ id: row.id, prefix: row.prefix, scopes: Object.freeze([...row.scopes]) as string[], createdById: row.createdById }),
      fetchedAt: now,
      lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    };
    cache.set(prefix, entry);
  }
  if (!digestsEqual(entry.key.keyHash, sha256Hex(presented))) return null;
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(presented, entry);
  return usedKey(entry, now);
}

/** The authenticated key of a verified cache entry; records lastUsedAt at most once a minute. */
async function usedKey(entry: CachedKey, now: number): Promise<AuthenticatedApiKey> {
  // Only a matching secret counts as use: a guess at a known prefix never moves lastUsedAt.
  if (entry.lastUsedAt === null || now - entry.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    entry.lastUsedAt = now;
    await touchLastUsed(entry.key.id, now).catch((error: unknown) => {
      if (!isDatabaseUnavailable(error)) throw error;
    });
  }
  const { id, prefix, scopes, createdById } = entry.key;
  return { id, prefix, scopes, createdById };
}

/** Conditional update, so concurrent requests and processes write lastUsedAt once per minute at most. */
async function touchLastUsed(id: string, now: number): Promise<void> {
  const threshold = new Date(now - LAST_USED_RESOLUTION_MS);
  await db().apiKey.updateMany({
    where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: threshold } }] },
    data: { lastUsedAt: new Date(now) },
  });
}

export function hasScope(key: AuthenticatedApiKey, scope: ApiKeyScope): boolean {
  return key.scopes.includes(scope);
}
