// An experiment's catalogue metrics: results over the whole experiment so far, as the report shows
// them (viewer+), and the choice of primary / secondary / guardrail metrics while it is a draft
// (editor+; 400 naming the entry on an unknown or archived key).
import { requireRole, requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { experimentDates } from "@/lib/db/experiment-queries";
import { experimentMetricsSchema, setExperimentMetrics } from "@/lib/db/metrics";
import { cachedExperimentReport } from "@/lib/db/report-gate";
import { handler, json, notFound, parseJson } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handler(async (_request: Request, ctx: Ctx) => {
  await requireUser();
  const { id } = await ctx.params;
  const exp = await experimentDates(id);
  if (!exp) throw notFound("No such experiment");
  if (!exp.startedAt) return json({ metrics: [] });
  const loaded = await cachedExperimentReport(db(), id, { kind: "all" });
  return json({ metrics: loaded?.report.metrics ?? [] });
});

export const PUT = handler(async (request: Request, ctx: Ctx) => {
  await requireRole("editor");
  const { id } = await ctx.params;
  const chosen = await parseJson(request, experimentMetricsSchema);
  await setExperimentMetrics(db(), id, chosen);
  return json({ metrics: chosen });
});
