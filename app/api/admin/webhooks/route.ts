// Webhooks (admin only). The secret is in the creation response and nowhere else, ever.
import { requireRole } from "@/lib/auth/current";
import { createWebhook, listWebhooks } from "@/lib/db/webhooks";
import { json, parseJson } from "@/lib/http";
import { actorOf, sessionRoute } from "@/lib/http/session-route";
import { createWebhookBody } from "@/lib/notifications/types";

export const GET = sessionRoute(
  () => requireRole("admin"),
  async () => json({ webhooks: await listWebhooks() }),
);

export const POST = sessionRoute(
  () => requireRole("admin"),
  async (request, session) =>
    json(await createWebhook(await parseJson(request, createWebhookBody), actorOf(session)), { status: 201, headers: { "cache-control": "no-store" } }),
);
