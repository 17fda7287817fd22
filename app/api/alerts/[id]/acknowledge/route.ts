import { requireRole } from "@/lib/auth/current";
import { acknowledgeAlert } from "@/lib/db/alerts";
import { discardBody, handler, json } from "@/lib/http";

/** Marks an alert as seen: it leaves the Overview's list (editor and above; audited). */
export const POST = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { user } = await requireRole("editor");
  await discardBody(request);
  return json({ alert: await acknowledgeAlert((await ctx.params).id, { id: user.id, label: user.email }) });
});
