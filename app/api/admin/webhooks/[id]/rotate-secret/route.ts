import { requireRole } from "@/lib/auth/current";
import { rotateWebhookSecret } from "@/lib/db/webhooks";
import { discardBody, handler, json } from "@/lib/http";

/** A new signing secret, returned once; the next attempt of every delivery is signed with it. */
export const POST = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { user } = await requireRole("admin");
  await discardBody(request);
  const rotated = await rotateWebhookSecret((await ctx.params).id, { id: user.id, label: user.email });
  return json(rotated, { headers: { "cache-control": "no-store" } });
});
