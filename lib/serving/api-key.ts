// API-key check shared by the machine endpoints (/api/v1/recommend, /api/v1/events).
import { authenticatePresentedKey, hasScope, presentedApiKey, type ApiKeyScope, type AuthenticatedApiKey } from "@/lib/auth/api-keys";
import { HttpError } from "@/lib/http/errors";

/** 401 without a valid key, 403 when the key lacks `scope`. */
export function requireApiKey(request: Request, scope: ApiKeyScope): Promise<AuthenticatedApiKey> {
  return requirePresentedKey(presentedApiKey(request), scope);
}

/** requireApiKey for a key already taken from the headers (lib/auth/api-keys presentedKeyOf). */
export async function requirePresentedKey(presented: string | null, scope: ApiKeyScope): Promise<AuthenticatedApiKey> {
  const key = await authenticatePresentedKey(presented);
  if (!key) {
    throw new HttpError(401, "unauthorized", "A valid API key is required (Authorization: Bearer <key> or x-api-key)");
  }
  if (!hasScope(key, scope)) throw new HttpError(403, "forbidden", `This API key lacks the "${scope}" scope`);
  return key;
}
