// Experiments: list (viewer+) and create (editor+, zod-validated; 400 with per-field issues).
import { requireRole, requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { listExperiments } from "@/lib/db/experiment-queries";
import { createExperiment } from "@/lib/services/experiments";
import { experimentConfigSchema } from "@/lib/experiments/config";
import { json, parseJson } from "@/lib/http";
import { sessionRoute } from "@/lib/http/session-route";

export const POST = sessionRoute(
  () => requireRole("editor"),
  async (request, { user }) => {
    const experiment = await createExperiment(db(), await parseJson(request, experimentConfigSchema), user);
    return json({ experiment: { id: experiment.id, status: experiment.status } }, { status: 201 });
  },
);

export const GET = sessionRoute(
  () => requireUser(),
  async () => json({ experiments: await listExperiments() }),
);
