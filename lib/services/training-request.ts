// A person's request for a teacher or a student, checked and queued; light enough for route handlers
// (the training itself, lib/services/training, loads the training thread).
import { hasRole, type Role } from "@/lib/auth/roles";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { RANKED_LISTS_ARCHITECTURE } from "@/lib/db/teacher-import";
import { FieldError, ForbiddenError } from "@/lib/errors";
import type { TrainInput } from "@/lib/jobs/definitions";
import { enqueueAudited } from "@/lib/jobs/enqueue";
import { rankedTeacherProblem } from "@/lib/recsys/distill/methods";

/**
 * A person asks for a teacher or a student: the dataset and teacher must fit the request, setting
 * production needs the approver role. Queues the train job (audited).
 */
export async function requestTraining(input: TrainInput, by: { id: string; email: string; role: Role }, db: Db = defaultDb()) {
  // Setting production (even on an empty installation) is an approver's call, not an editor's.
  if (input.promoteIfNoProduction && !hasRole(by.role, "approver")) {
    throw new ForbiddenError("promoteIfNoProduction sets the production model: it needs the approver role");
  }
  const dataset = await db.dataset.findUnique({ where: { id: input.datasetId }, select: { id: true } });
  if (!dataset) throw new FieldError("datasetId", "No such dataset");
  if (input.teacherModelId) {
    const teacher = await db.model.findUnique({ where: { id: input.teacherModelId }, select: { role: true, datasetId: true, architecture: true } });
    if (!teacher) throw new FieldError("teacherModelId", "No such model");
    if (teacher.role !== "teacher") throw new FieldError("teacherModelId", "That model is a student, not a teacher");
    if (teacher.datasetId !== input.datasetId) throw new FieldError("teacherModelId", "The teacher was trained on another dataset");
    const problem = teacher.architecture === RANKED_LISTS_ARCHITECTURE ? rankedTeacherProblem(input.method) : null;
    if (problem) throw new FieldError("method", `This teacher was imported as ranked lists: ${problem}`);
  }
  return enqueueAudited({ queue: "train", input, by });
}
