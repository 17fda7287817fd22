import { toJobView } from "@/lib/jobs/view";
import { requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { handler, json, parseQuery } from "@/lib/http";
import { JobListQuery } from "@/lib/http/requests";

export const GET = handler(async (request: Request) => {
  await requireUser();
  const query = parseQuery(request, JobListQuery);
  const runs = await db().jobRun.findMany({
    where: { status: query.status, queue: query.queue },
    orderBy: { createdAt: "desc" },
    take: query.limit,
    include: { createdBy: { select: { email: true } } },
  });
  return json({ jobs: runs.map(toJobView) });
});
