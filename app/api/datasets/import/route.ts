import { toJobView } from "@/lib/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import type { Prisma } from "@/lib/db/generated/client";
import { removeUpload } from "@/lib/db/imports";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { importDatasetInput } from "@/lib/jobs/definitions";
import { handler, json, validate } from "@/lib/http";
import { readImportBody } from "@/lib/http/import-body";
import { checkSource } from "@/lib/http/import-errors";

/**
 * Imports a dataset in the background: multipart (a `file` plus fields name, format, delimiter, header,
 * minWeight, mapping and split as JSON) or JSON `{name, source: {uploadId} | {path}, ...}`. 202 with the job.
 */
export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const { body, upload } = await readImportBody(request, user.id, { requireFile: false });
  try {
    const input = validate(importDatasetInput, body);
    await checkSource(input.source, input.format);
    const run = await enqueueJob({ queue: "import-dataset", input, createdById: user.id });
    await recordAudit({ actor: { id: user.id, label: user.email }, action: "job.enqueued", entityType: "job", entityId: run.id, data: { queue: "import-dataset", input: input as Prisma.InputJsonValue } });
    return json({ job: toJobView({ ...run, createdBy: { email: user.email } }), upload }, { status: 202 });
  } catch (err) {
    if (upload) removeUpload(upload.id);
    throw err;
  }
});
