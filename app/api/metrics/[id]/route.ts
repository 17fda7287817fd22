// One catalogue metric: change (editor+; the merged definition is validated again) or delete (editor+;
// not while an experiment uses it). Built-in metrics answer 409.
import { requireRole } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { deleteMetric, updateMetric } from "@/lib/db/metrics";
import { discardBody, handler, json, parseJson } from "@/lib/http";
import { MetricPatchBody } from "@/lib/http/requests";

export const PATCH = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireRole("editor");
  const { id } = await ctx.params;
  const patch = await parseJson(request, MetricPatchBody);
  return json({ metric: await updateMetric(db(), id, patch) });
});

export const DELETE = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireRole("editor");
  await discardBody(request);
  const { id } = await ctx.params;
  await deleteMetric(db(), id);
  return json({ deleted: true });
});
