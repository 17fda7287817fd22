// One catalogue metric: change its definition or archive / restore it (editor+; the merged definition
// is validated again, 400 per field), or delete it (editor+; not while an experiment uses it).
// Built-in metrics answer 409.
import { requireRole } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { deleteMetric, setMetricArchived, updateMetric } from "@/lib/db/metrics";
import { discardBody, handler, json, parseJson } from "@/lib/http";
import { MetricPatchBody } from "@/lib/http/requests";

export const PATCH = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireRole("editor");
  const { id } = await ctx.params;
  const patch = await parseJson(request, MetricPatchBody);
  if (typeof patch.archived === "boolean") return json({ metric: await setMetricArchived(db(), id, patch.archived) });
  return json({ metric: await updateMetric(db(), id, patch) });
});

export const DELETE = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireRole("editor");
  await discardBody(request);
  const { id } = await ctx.params;
  await deleteMetric(db(), id);
  return json({ deleted: true });
});
