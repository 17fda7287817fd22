import { z } from "zod";
import { toJobView } from "@/components/jobs/view";
import { requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { JobStatus } from "@/lib/db/generated/enums";
import { QUEUE_NAMES } from "@/jobs/queues";
import { handler, json, parseQuery } from "@/lib/http";

const ListQuery = z.object({
  status: z.enum(JobStatus).optional(),
  queue: z.enum(QUEUE_NAMES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const GET = handler(async (request: Request) => {
  await requireUser();
  const query = parseQuery(request, ListQuery);
  const runs = await db().jobRun.findMany({
    where: { status: query.status, queue: query.queue },
    orderBy: { createdAt: "desc" },
    take: query.limit,
    include: { createdBy: { select: { email: true } } },
  });
  return json({ jobs: runs.map(toJobView) });
});
