import { revokeApiKey } from "@/lib/auth/api-keys";
import { requireRole } from "@/lib/auth/current";
import { handler, json } from "@/lib/http";

export const POST = handler(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { user } = await requireRole("admin");
  const { id } = await ctx.params;
  await revokeApiKey(id, { id: user.id, label: user.email });
  return json({ revoked: id });
});
