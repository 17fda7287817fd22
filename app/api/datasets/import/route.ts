import { toJobView } from "@/lib/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { removeUpload } from "@/lib/db/imports";
import { enqueueAudited } from "@/lib/jobs/enqueue";
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
    const run = await enqueueAudited({ queue: "import-dataset", input, by: user });
    return json({ job: toJobView(run), upload }, { status: 202 });
  } catch (err) {
    if (upload) removeUpload(upload.id);
    throw err;
  }
});
