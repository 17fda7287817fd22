import { toJobView } from "@/lib/jobs/view";
import { requireUser } from "@/lib/auth/current";
import { recentJobRuns } from "@/lib/db/jobs";
import { handler, json, parseQuery } from "@/lib/http";
import { JobListQuery } from "@/lib/http/requests";

export const GET = handler(async (request: Request) => {
  await requireUser();
  const query = parseQuery(request, JobListQuery);
  const runs = await recentJobRuns({ status: query.status, queue: query.queue, take: query.limit });
  return json({ jobs: runs.map(toJobView) });
});
