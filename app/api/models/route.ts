import { toJobView } from "@/lib/jobs/view";
import { requireRole, requireUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/db/audit";
import type { Prisma } from "@/lib/db/generated/client";
import { db } from "@/lib/db/client";
import { listModels } from "@/lib/db/models";
import { RANKED_LISTS_ARCHITECTURE } from "@/lib/db/teacher-import";
import { rankedTeacherProblem } from "@/lib/recsys/distill/methods";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { trainInput } from "@/lib/jobs/definitions";
import { forbidden, handler, json, parseJson, parseQuery, fieldError } from "@/lib/http";
import { ModelListQuery } from "@/lib/http/requests";

export const GET = handler(async (request: Request) => {
  await requireUser();
  const query = parseQuery(request, ModelListQuery);
  return json({ models: await listModels(undefined, query) });
});

/** Trains a teacher or distils a student in the background: answers 202 with the job to follow. */
export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const input = await parseJson(request, trainInput);
  // Setting production (even on an empty installation) is an approver's call, not an editor's.
  if (input.promoteIfNoProduction && !hasRole(user.role, "approver")) {
    throw forbidden("promoteIfNoProduction sets the production model: it needs the approver role");
  }
  const dataset = await db().dataset.findUnique({ where: { id: input.datasetId }, select: { id: true } });
  if (!dataset) throw fieldError("datasetId", "No such dataset");
  if (input.teacherModelId) {
    const teacher = await db().model.findUnique({ where: { id: input.teacherModelId }, select: { role: true, datasetId: true, architecture: true } });
    if (!teacher) throw fieldError("teacherModelId", "No such model");
    if (teacher.role !== "teacher") throw fieldError("teacherModelId", "That model is a student, not a teacher");
    if (teacher.datasetId !== input.datasetId) throw fieldError("teacherModelId", "The teacher was trained on another dataset");
    const problem = teacher.architecture === RANKED_LISTS_ARCHITECTURE ? rankedTeacherProblem(input.method) : null;
    if (problem) throw fieldError("method", `This teacher was imported as ranked lists: ${problem}`);
  }
  const run = await enqueueJob({ queue: "train", input, createdById: user.id });
  await recordAudit({ actor: { id: user.id, label: user.email }, action: "job.enqueued", entityType: "job", entityId: run.id, data: { queue: "train", input: input as Prisma.InputJsonValue } });
  return json({ job: toJobView({ ...run, createdBy: { email: user.email } }) }, { status: 202 });
});
