// An experiment's catalogue metrics: results over the whole experiment so far, as the report shows
// them (viewer+), and the choice of primary / secondary / guardrail metrics while it is a draft
// (editor+; 400 naming the entry on an unknown or archived key).
import { requireRole, requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { experimentDates } from "@/lib/db/experiment-queries";
import { experimentMetricsSchema, setExperimentMetrics } from "@/lib/db/metrics";
import { cachedExperimentReport } from "@/lib/db/report-gate";
import { json, parseJson } from "@/lib/http";
import { found, sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute<{ id: string }>(
  () => requireUser(),
  async (_request, _session, { id }) => {
    const exp = found(await experimentDates(id), "No such experiment");
    if (!exp.startedAt) return json({ metrics: [] });
    const loaded = await cachedExperimentReport(db(), id, { kind: "all" });
    return json({ metrics: loaded?.report.metrics ?? [] });
  },
);

export const PUT = sessionRoute<{ id: string }>(
  () => requireRole("editor"),
  async (request, _session, { id }) => {
    const chosen = await parseJson(request, experimentMetricsSchema);
    await setExperimentMetrics(db(), id, chosen);
    return json({ metrics: chosen });
  },
);
