// POST: queue a drift check of this dataset against a reference snapshot (editor+). GET: recent checks.
import { requireRole, requireUser } from "@/lib/auth/current";
import { getDataset } from "@/lib/db/datasets";
import { listDriftChecks } from "@/lib/db/drift-checks";
import { handler, json, notFound, parseJson } from "@/lib/http";
import { DriftCheckBody } from "@/lib/http/requests";
import { toJobView } from "@/lib/jobs/view";
import { requestDriftCheck } from "@/lib/services/drift-request";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handler(async (_request: Request, ctx: Ctx) => {
  await requireUser();
  const { id } = await ctx.params;
  if (!(await getDataset(id))) throw notFound("No such dataset");
  return json({ driftChecks: await listDriftChecks(id) });
});

export const POST = handler(async (request: Request, ctx: Ctx) => {
  const { user } = await requireRole("editor");
  const { id } = await ctx.params;
  const body = await parseJson(request, DriftCheckBody);
  const run = await requestDriftCheck(id, body, user);
  return json({ job: toJobView(run) }, { status: 202 });
});
