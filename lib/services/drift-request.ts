// A person's drift check, checked and queued; light enough for route handlers (the check itself,
// lib/services/drift, loads datasets and models).
import type { z } from "zod";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { FieldError, NotFoundError } from "@/lib/errors";
import type { DriftCheckBody } from "@/lib/http/requests";
import { enqueueAudited } from "@/lib/jobs/enqueue";

/** A person's drift check of a dataset against a reference snapshot, queued (audited). */
export async function requestDriftCheck(datasetId: string, body: z.output<typeof DriftCheckBody>, by: { id: string; email: string }, db: Db = defaultDb()) {
  if (!(await db.dataset.findUnique({ where: { id: datasetId }, select: { id: true } }))) throw new NotFoundError("No such dataset");
  if (body.referenceDatasetId === datasetId) throw new FieldError("referenceDatasetId", "Pick a reference other than the dataset itself");
  if (!(await db.dataset.findUnique({ where: { id: body.referenceDatasetId }, select: { id: true } })))
    throw new FieldError("referenceDatasetId", "No such dataset");
  if (body.modelId && !(await db.model.findUnique({ where: { id: body.modelId }, select: { id: true } }))) throw new FieldError("modelId", "No such model");
  return enqueueAudited({ queue: "drift-check", input: { ...body, currentDatasetId: datasetId }, by });
}
