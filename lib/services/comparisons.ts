// An offline comparison a person asks for: a teacher and other models of its dataset, queued as a job (audited).
import type { z } from "zod";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { FieldError } from "@/lib/errors";
import type { ComparisonBody } from "@/lib/http/requests";
import { compareModelsInput } from "@/lib/jobs/definitions";
import { enqueueAudited } from "@/lib/jobs/enqueue";

export async function requestComparison(body: z.output<typeof ComparisonBody>, by: { id: string; email: string }, db: Db = defaultDb()) {
  const teacher = await db.model.findUnique({ where: { id: body.teacherId }, select: { id: true, datasetId: true } });
  if (!teacher) throw new FieldError("teacherId", "No such model");
  const models = await db.model.findMany({ where: { id: { in: body.modelIds } }, select: { id: true, datasetId: true } });
  const missing = body.modelIds.find((id) => !models.some((m) => m.id === id));
  if (missing) throw new FieldError("modelIds", `No such model: ${missing}`);
  const foreign = models.find((m) => m.datasetId !== teacher.datasetId);
  if (foreign) throw new FieldError("modelIds", `Model ${foreign.id} was trained on another dataset than the teacher`);
  const parsed = compareModelsInput.safeParse({ ...body, modelIds: body.modelIds.filter((id) => id !== body.teacherId) });
  if (!parsed.success) throw new FieldError(String(parsed.error.issues[0].path.join(".")), parsed.error.issues[0].message);
  return enqueueAudited({ queue: "compare-models", input: parsed.data, by });
}
