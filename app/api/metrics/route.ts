// The metric catalogue: list (viewer+; ?active=1 leaves archived metrics out) and define a metric (editor+, zod-validated; 400 per field, 409 on a taken key).
import { requireRole, requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { createMetric, listMetrics } from "@/lib/db/metrics";
import { metricDefinitionSchema } from "@/lib/experiments/metrics";
import { handler, json, parseJson, parseQuery } from "@/lib/http";
import { MetricListQuery } from "@/lib/http/requests";

export const GET = handler(async (request: Request) => {
  await requireUser();
  const { active } = parseQuery(request, MetricListQuery);
  return json({ metrics: await listMetrics(db(), { activeOnly: active === "1" }) });
});

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const definition = await parseJson(request, metricDefinitionSchema);
  const metric = await createMetric(db(), definition, user.id);
  return json({ metric }, { status: 201 });
});
