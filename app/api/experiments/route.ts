// Experiments: list (viewer+) and create (editor+, zod-validated; 400 with per-field issues).
import { requireRole, requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { listExperiments } from "@/lib/db/experiment-queries";
import { createExperiment } from "@/lib/services/experiments";
import { experimentConfigSchema } from "@/lib/experiments/config";
import { handler, json, parseJson } from "@/lib/http";

export const GET = handler(async () => {
  await requireUser();
  return json({ experiments: await listExperiments() });
});

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const config = await parseJson(request, experimentConfigSchema);
  const experiment = await createExperiment(db(), config, user);
  return json({ experiment: { id: experiment.id, status: experiment.status } }, { status: 201 });
});
