// Webhooks (admin only). The secret is in the creation response and nowhere else, ever.
import { requireRole } from "@/lib/auth/current";
import { createWebhook, listWebhooks } from "@/lib/db/webhooks";
import { handler, json, parseJson } from "@/lib/http";
import { createWebhookBody } from "@/lib/notifications/types";

export const GET = handler(async () => {
  await requireRole("admin");
  return json({ webhooks: await listWebhooks() });
});

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("admin");
  const body = await parseJson(request, createWebhookBody);
  const created = await createWebhook(body, { id: user.id, label: user.email });
  return json(created, { status: 201, headers: { "cache-control": "no-store" } });
});
