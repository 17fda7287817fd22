import { toJobLogView, toJobView } from "@/lib/jobs/view";
import { requireUser } from "@/lib/auth/current";
import { jobLogLines, jobRunWithCreator } from "@/lib/db/jobs";
import { handler, json, notFound, parseQuery } from "@/lib/http";
import { JobQuery } from "@/lib/http/requests";

const MAX_LOG_LINES = 500;

export const GET = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = await ctx.params;
  const query = parseQuery(request, JobQuery);
  const run = await jobRunWithCreator(id);
  if (!run) throw notFound("No such job");
  const logs = query.logs === "none" ? [] : await jobLogLines(id, { afterId: BigInt(query.afterLogId), take: MAX_LOG_LINES });
  return json({ job: toJobView(run), logs: logs.map(toJobLogView) });
});
