// POST: queue a drift check of this dataset against a reference snapshot (editor+). GET: recent checks.
import { toJobView } from "@/lib/jobs/view";
import { requireRole, requireUser } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { listDriftChecks } from "@/lib/db/drift";
import type { Prisma } from "@/lib/db/generated/client";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { handler, json, notFound, parseJson, fieldError } from "@/lib/http";
import { DriftCheckBody } from "@/lib/http/requests";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handler(async (_request: Request, ctx: Ctx) => {
  await requireUser();
  const { id } = await ctx.params;
  if (!(await db().dataset.findUnique({ where: { id }, select: { id: true } }))) throw notFound("No such dataset");
  return json({ driftChecks: await listDriftChecks(id) });
});

export const POST = handler(async (request: Request, ctx: Ctx) => {
  const { user } = await requireRole("editor");
  const { id } = await ctx.params;
  const body = await parseJson(request, DriftCheckBody);
  if (!(await db().dataset.findUnique({ where: { id }, select: { id: true } }))) throw notFound("No such dataset");
  if (body.referenceDatasetId === id) throw fieldError("referenceDatasetId", "Pick a reference other than the dataset itself");
  if (!(await db().dataset.findUnique({ where: { id: body.referenceDatasetId }, select: { id: true } }))) {
    throw fieldError("referenceDatasetId", "No such dataset");
  }
  if (body.modelId && !(await db().model.findUnique({ where: { id: body.modelId }, select: { id: true } }))) throw fieldError("modelId", "No such model");
  const input = { ...body, currentDatasetId: id };
  const run = await enqueueJob({ queue: "drift-check", input, createdById: user.id });
  await recordAudit({
    actor: { id: user.id, label: user.email },
    action: "job.enqueued",
    entityType: "job",
    entityId: run.id,
    data: { queue: "drift-check", input: input as Prisma.InputJsonValue },
  });
  return json({ job: toJobView({ ...run, createdBy: { email: user.email } }) }, { status: 202 });
});
