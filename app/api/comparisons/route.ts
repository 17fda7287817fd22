// POST: queue an offline comparison of a teacher and other models of its dataset (editor+).
import { toJobView } from "@/lib/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { compareModelsInput } from "@/lib/jobs/definitions";
import { handler, json, parseJson, fieldError } from "@/lib/http";
import { ComparisonBody } from "@/lib/http/requests";

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const body = await parseJson(request, ComparisonBody);
  const teacher = await db().model.findUnique({ where: { id: body.teacherId }, select: { id: true, datasetId: true } });
  if (!teacher) throw fieldError("teacherId", "No such model");
  const models = await db().model.findMany({ where: { id: { in: body.modelIds } }, select: { id: true, datasetId: true } });
  const missing = body.modelIds.find((id) => !models.some((m) => m.id === id));
  if (missing) throw fieldError("modelIds", `No such model: ${missing}`);
  const foreign = models.find((m) => m.datasetId !== teacher.datasetId);
  if (foreign) throw fieldError("modelIds", `Model ${foreign.id} was trained on another dataset than the teacher`);
  const parsed = compareModelsInput.safeParse({ ...body, modelIds: body.modelIds.filter((id) => id !== body.teacherId) });
  if (!parsed.success) throw fieldError(String(parsed.error.issues[0].path.join(".")), parsed.error.issues[0].message);
  const run = await enqueueJob({ queue: "compare-models", input: parsed.data, createdById: user.id });
  await recordAudit({
    actor: { id: user.id, label: user.email },
    action: "job.enqueued",
    entityType: "job",
    entityId: run.id,
    data: { queue: "compare-models", input: parsed.data },
  });
  return json({ job: toJobView({ ...run, createdBy: { email: user.email } }) }, { status: 202 });
});
