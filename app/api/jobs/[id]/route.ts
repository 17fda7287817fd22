import { z } from "zod";
import { toJobLogView, toJobView } from "@/components/jobs/view";
import { requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { handler, json, notFound, parseQuery } from "@/lib/http";

const StatusQuery = z.object({
  /** only log lines after this id (incremental polling) */
  afterLogId: z.string().regex(/^\d+$/, "must be a log line id").default("0"),
  logs: z.enum(["none", "some"]).default("some"),
});

const MAX_LOG_LINES = 500;

export const GET = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = await ctx.params;
  const query = parseQuery(request, StatusQuery);
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
