import { z } from "zod";
import { toJobView } from "@/components/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { handler, json, parseJson } from "@/lib/http";

/** What the UI may ask of a self-test: a short counted run that exercises worker, progress and logs. */
const SelftestBody = z.object({
  steps: z.number({ error: "Steps must be a number" }).int("Steps must be a whole number").min(1).max(1000).default(20),
  stepMs: z.number({ error: "Step duration must be a number" }).int().min(0).max(10_000).default(150),
});

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const body = await parseJson(request, SelftestBody);
  const run = await enqueueJob({ queue: "selftest", input: body, createdById: user.id });
  await recordAudit({ actor: { id: user.id, label: user.email }, action: "job.enqueued", entityType: "job", entityId: run.id, data: { queue: "selftest", input: body } });
  return json({ job: toJobView({ ...run, createdBy: { email: user.email } }) }, { status: 202 });
});
