import { requireUser } from "@/lib/auth/current";
import { getModel } from "@/lib/db/models";
import { handler, json, notFound } from "@/lib/http";

export const GET = handler(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = await ctx.params;
  const model = await getModel(id);
  if (!model) throw notFound("No such model");
  return json({ model });
});
