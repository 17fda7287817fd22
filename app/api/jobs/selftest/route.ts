import { toJobView } from "@/lib/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { enqueueAudited } from "@/lib/jobs/enqueue";
import { handler, json, parseJson } from "@/lib/http";
import { SelftestBody } from "@/lib/http/requests";

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const body = await parseJson(request, SelftestBody);
  const run = await enqueueAudited({ queue: "selftest", input: body, by: user });
  return json({ job: toJobView(run) }, { status: 202 });
});
