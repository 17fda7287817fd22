import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";
import { requireRole } from "@/lib/auth/current";
import { CreateApiKeyBody } from "@/lib/auth/schemas";
import { json, parseJson } from "@/lib/http";
import { actorOf, sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute(
  () => requireRole("admin"),
  async () => json({ apiKeys: await listApiKeys() }),
);

/** Creates a key. The response is the only time the full key is ever shown. */
export const POST = sessionRoute(
  () => requireRole("admin"),
  async (request, session) => {
    const body = await parseJson(request, CreateApiKeyBody);
    const created = await createApiKey({ ...body, createdById: session.user.id }, actorOf(session));
    return json(
      { apiKey: { id: created.id, prefix: created.prefix, name: body.name, scopes: body.scopes }, key: created.key },
      { status: 201, headers: { "cache-control": "no-store" } },
    );
  },
);
