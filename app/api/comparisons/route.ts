// POST: queue an offline comparison of a teacher and other models of its dataset (editor+).
import { requireRole } from "@/lib/auth/current";
import { handler, json, parseJson } from "@/lib/http";
import { ComparisonBody } from "@/lib/http/requests";
import { toJobView } from "@/lib/jobs/view";
import { requestComparison } from "@/lib/services/comparisons";

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const body = await parseJson(request, ComparisonBody);
  const run = await requestComparison(body, user);
  return json({ job: toJobView(run) }, { status: 202 });
});
