import { toJobLogView, toJobView } from "@/lib/jobs/view";
import { requireUser } from "@/lib/auth/current";
import { jobLogLines, jobRunWithCreator } from "@/lib/db/jobs";
import { json, parseQuery } from "@/lib/http";
import { found, sessionRoute } from "@/lib/http/session-route";
import { JobQuery } from "@/lib/http/requests";

const MAX_LOG_LINES = 500;

export const GET = sessionRoute<{ id: string }>(
  () => requireUser(),
  async (request, _session, { id }) => {
    const query = parseQuery(request, JobQuery);
    const run = found(await jobRunWithCreator(id), "No such job");
    const logs = query.logs === "none" ? [] : await jobLogLines(id, { afterId: BigInt(query.afterLogId), take: MAX_LOG_LINES });
    return json({ job: toJobView(run), logs: logs.map(toJobLogView) });
  },
);
