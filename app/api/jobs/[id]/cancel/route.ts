import { toJobView } from "@/lib/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { jobRunWithCreator } from "@/lib/db/jobs";
import { JobNotFoundError, requestCancel } from "@/lib/jobs/enqueue";
import { discardBody, handler, json, notFound } from "@/lib/http";

export const POST = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { user } = await requireRole("editor");
  await discardBody(request);
  const { id } = await ctx.params;
  try {
    await requestCancel(id);
  } catch (error) {
    if (error instanceof JobNotFoundError) throw notFound("No such job");
    throw error;
  }
  await recordAudit({ actor: { id: user.id, label: user.email }, action: "job.cancel_requested", entityType: "job", entityId: id });
  const run = await jobRunWithCreator(id);
  if (!run) throw notFound("No such job");
  return json({ job: toJobView(run) });
});
