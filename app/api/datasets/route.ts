import { toJobView } from "@/lib/jobs/view";
import { requireRole, requireUser } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import type { Prisma } from "@/lib/db/generated/client";
import { listDatasets } from "@/lib/db/datasets";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { generateDatasetInput } from "@/lib/jobs/definitions";
import { handler, json, parseJson } from "@/lib/http";

export const GET = handler(async () => {
  await requireUser();
  return json({ datasets: await listDatasets() });
});

/** Generates a synthetic dataset in the background: answers 202 with the job to follow. */
export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const input = await parseJson(request, generateDatasetInput);
  const run = await enqueueJob({ queue: "generate-dataset", input, createdById: user.id });
  await recordAudit({ actor: { id: user.id, label: user.email }, action: "job.enqueued", entityType: "job", entityId: run.id, data: { queue: "generate-dataset", input: input as Prisma.InputJsonValue } });
  return json({ job: toJobView({ ...run, createdBy: { email: user.email } }) }, { status: 202 });
});
