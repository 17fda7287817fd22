import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";
import { requireRole } from "@/lib/auth/current";
import { CreateApiKeyBody } from "@/lib/auth/schemas";
import { handler, json, parseJson } from "@/lib/http";

export const GET = handler(async () => {
  await requireRole("admin");
  return json({ apiKeys: await listApiKeys() });
});

/** Creates a key. The response is the only time the full key is ever shown. */
export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("admin");
  const body = await parseJson(request, CreateApiKeyBody);
  const created = await createApiKey({ ...body, createdById: user.id }, { id: user.id, label: user.email });
  return json(
    { apiKey: { id: created.id, prefix: created.prefix, name: body.name, scopes: body.scopes }, key: created.key },
    { status: 201, headers: { "cache-control": "no-store" } },
  );
});
