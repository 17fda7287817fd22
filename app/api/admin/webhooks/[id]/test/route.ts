import { requireRole } from "@/lib/auth/current";
import { discardBody, handler, json } from "@/lib/http";
import { sendTestEvent } from "@/lib/notifications/notify";

/** Queues one signed "webhook.test" delivery to this webhook; its outcome shows in the delivery log. */
export const POST = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireRole("admin");
  await discardBody(request);
  return json(await sendTestEvent((await ctx.params).id), { status: 202 });
});
