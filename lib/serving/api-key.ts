// API-key check shared by the machine endpoints (/api/v1/recommend, /api/v1/events).
import { authenticatePresentedKey, hasScope, presentedApiKey, verifiedPresentedKey, type ApiKeyScope, type AuthenticatedApiKey } from "@/lib/auth/api-keys";
import { HttpError } from "@/lib/http/errors";

/** 401 without a valid key, 403 when the key lacks `scope`. */
export async function requireApiKey(request: Request, scope: ApiKeyScope): Promise<Readonly<AuthenticatedApiKey>> {
  return requirePresentedKey(presentedApiKey(request), scope);
}

/**
 * requireApiKey for a key already taken from the headers (lib/auth/api-keys presentedKeyOf). A repeat of
 * a verified key is answered (or refused with 403) synchronously, without a promise; anything else
 * resolves or rejects once authenticatePresentedKey has looked.
 */
export function requirePresentedKey(presented: string | null, scope: ApiKeyScope): Readonly<AuthenticatedApiKey> | Promise<Readonly<AuthenticatedApiKey>> {
  const known = verifiedPresentedKey(presented);
  if (known) return withScope(known, scope);
  return authenticatePresentedKey(presented).then((key) => {
    if (!key) throw new HttpError(401, "unauthorized", "A valid API key is required (Authorization: Bearer <key> or x-api-key)");
    return withScope(key, scope);
  });
}

function withScope(key: Readonly<AuthenticatedApiKey>, scope: ApiKeyScope): Readonly<AuthenticatedApiKey> {
  if (!hasScope(key, scope)) throw new HttpError(403, "forbidden", `This API key lacks the "${scope}" scope`);
  return key;
}
