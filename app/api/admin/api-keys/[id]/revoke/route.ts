import { revokeApiKey } from "@/lib/auth/api-keys";
import { requireRole } from "@/lib/auth/current";
import { discardBody, handler, json } from "@/lib/http";

export const POST = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { user } = await requireRole("admin");
  await discardBody(request);
  const { id } = await ctx.params;
  await revokeApiKey(id, { id: user.id, label: user.email });
  return json({ revoked: id });
});
