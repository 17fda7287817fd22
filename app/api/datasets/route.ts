import { toJobView } from "@/lib/jobs/view";
import { requireRole, requireUser } from "@/lib/auth/current";
import { listDatasets } from "@/lib/db/datasets";
import { enqueueAudited } from "@/lib/jobs/enqueue";
import { generateDatasetInput } from "@/lib/jobs/definitions";
import { json, parseJson } from "@/lib/http";
import { sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute(
  () => requireUser(),
  async () => json({ datasets: await listDatasets() }),
);

/** Generates a synthetic dataset in the background: answers 202 with the job to follow. */
export const POST = sessionRoute(
  () => requireRole("editor"),
  async (request, { user }) => {
    const input = await parseJson(request, generateDatasetInput);
    const run = await enqueueAudited({ queue: "generate-dataset", input, by: user });
    return json({ job: toJobView(run) }, { status: 202 });
  },
);
