import { requireRole } from "@/lib/auth/current";
import { deleteWebhook, getWebhook, updateWebhook } from "@/lib/db/webhooks";
import { discardBody, handler, json, parseJson } from "@/lib/http";
import { updateWebhookBody } from "@/lib/notifications/types";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handler(async (_request: Request, ctx: Ctx) => {
  await requireRole("admin");
  return json({ webhook: await getWebhook((await ctx.params).id) });
});

/** Change the name, URL, events or enabled flag (the secret changes only through rotate-secret). */
export const PATCH = handler(async (request: Request, ctx: Ctx) => {
  const { user } = await requireRole("admin");
  const body = await parseJson(request, updateWebhookBody);
  return json({ webhook: await updateWebhook((await ctx.params).id, body, { id: user.id, label: user.email }) });
});

export const DELETE = handler(async (request: Request, ctx: Ctx) => {
  const { user } = await requireRole("admin");
  await discardBody(request);
  const { id } = await ctx.params;
  await deleteWebhook(id, { id: user.id, label: user.email });
  return json({ deleted: id });
});
