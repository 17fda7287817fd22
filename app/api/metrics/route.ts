// The metric catalogue: list (viewer+) and define a metric (editor+, zod-validated; 400 per field, 409 on a taken key).
import { requireRole, requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { createMetric, listMetrics } from "@/lib/db/metrics";
import { metricDefinitionSchema } from "@/lib/experiments/metrics";
import { handler, json, parseJson } from "@/lib/http";

export const GET = handler(async () => {
  await requireUser();
  return json({ metrics: await listMetrics(db()) });
});

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const definition = await parseJson(request, metricDefinitionSchema);
  const metric = await createMetric(db(), definition, user.id);
  return json({ metric }, { status: 201 });
});
