import { requireRole } from "@/lib/auth/current";
import { getWebhook, listDeliveries } from "@/lib/db/webhooks";
import { handler, json, parseQuery } from "@/lib/http";
import { WebhookDeliveriesQuery } from "@/lib/http/requests";

/** The delivery log: newest first, each delivery with its attempts and, while waiting, its next retry. */
export const GET = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireRole("admin");
  const { id } = await ctx.params;
  const { limit } = parseQuery(request, WebhookDeliveriesQuery);
  await getWebhook(id);
  return json({ deliveries: await listDeliveries(id, { limit }) });
});
