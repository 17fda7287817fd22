import { toJobLogView, toJobView } from "@/lib/jobs/view";
import { requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { handler, json, notFound, parseQuery } from "@/lib/http";
import { JobQuery } from "@/lib/http/requests";

const MAX_LOG_LINES = 500;

export const GET = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = await ctx.params;
  const query = parseQuery(request, JobQuery);
  const run = await db().jobRun.findUnique({ where: { id }, include: { createdBy: { select: { email: true } } } });
  if (!run) throw notFound("No such job");
  const logs =
    query.logs === "none"
      ? []
      : await db().jobLog.findMany({
          where: { jobRunId: id, id: { gt: BigInt(query.afterLogId) } },
          orderBy: { id: "asc" },
          take: MAX_LOG_LINES,
        });
  return json({ job: toJobView(run), logs: logs.map(toJobLogView) });
});
