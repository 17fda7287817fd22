import { requireRole } from "@/lib/auth/current";
import { acknowledgeAlert } from "@/lib/db/alerts";
import { handler, json } from "@/lib/http";

/** Marks an alert as seen: it leaves the Overview's list (editor and above; audited). */
export const POST = handler(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { user } = await requireRole("editor");
  return json({ alert: await acknowledgeAlert((await ctx.params).id, { id: user.id, label: user.email }) });
});
