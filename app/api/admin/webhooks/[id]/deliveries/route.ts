import { z } from "zod";
import { requireRole } from "@/lib/auth/current";
import { getWebhook, listDeliveries } from "@/lib/db/webhooks";
import { handler, json, parseQuery } from "@/lib/http";

const Query = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** The delivery log: newest first, each delivery with its attempts and, while waiting, its next retry. */
export const GET = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireRole("admin");
  const { id } = await ctx.params;
  const { limit } = parseQuery(request, Query);
  await getWebhook(id);
  return json({ deliveries: await listDeliveries(id, { limit }) });
});
