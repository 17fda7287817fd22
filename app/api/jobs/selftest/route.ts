import { toJobView } from "@/lib/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { handler, json, parseJson } from "@/lib/http";
import { SelftestBody } from "@/lib/http/requests";

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const body = await parseJson(request, SelftestBody);
  const run = await enqueueJob({ queue: "selftest", input: body, createdById: user.id });
  await recordAudit({ actor: { id: user.id, label: user.email }, action: "job.enqueued", entityType: "job", entityId: run.id, data: { queue: "selftest", input: body } });
  return json({ job: toJobView({ ...run, createdBy: { email: user.email } }) }, { status: 202 });
});
