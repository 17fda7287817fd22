// One experiment's report as JSON (viewer+): ?scope=current (default) | all | <stage number, 1-based>.
import { requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { getExperimentDetail } from "@/lib/db/experiment-queries";
import { cachedExperimentReport } from "@/lib/db/report-gate";
import type { ReportScope } from "@/lib/db/reports";
import { handler, json, notFound, parseQuery } from "@/lib/http";
import { ExperimentReportQuery } from "@/lib/http/requests";

export const GET = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = await ctx.params;
  const { scope } = parseQuery(request, ExperimentReportQuery);
  const experiment = await getExperimentDetail(id);
  if (!experiment) throw notFound("No such experiment");
  const reportScope: ReportScope = typeof scope === "number" ? { kind: "stage", index: scope - 1 } : { kind: scope };
  const loaded = await cachedExperimentReport(db(), id, reportScope);
  // the assignment salt stays server-side
  const publicExperiment: Partial<typeof experiment> = { ...experiment };
  delete publicExperiment.salt;
  return json({ experiment: publicExperiment, report: loaded?.report ?? null });
});
