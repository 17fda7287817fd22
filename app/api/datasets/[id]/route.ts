import { requireUser } from "@/lib/auth/current";
import { getDataset } from "@/lib/db/datasets";
import { handler, json, notFound } from "@/lib/http";

export const GET = handler(async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = await ctx.params;
  const dataset = await getDataset(id);
  if (!dataset) throw notFound("No such dataset");
  return json({ dataset });
});
