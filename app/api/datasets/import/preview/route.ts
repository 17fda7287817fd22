import { requireRole } from "@/lib/auth/current";
import { importSourcePath } from "@/lib/db/imports";
import { importPreviewInput } from "@/lib/jobs/definitions";
import { handler, json, validate } from "@/lib/http";
import { readImportBody } from "@/lib/http/import-body";
import { importHttpError } from "@/lib/http/import-errors";

/**
 * What an import would read, before anything is stored: detected format, delimiter, columns and
 * mapping, the first 20 parsed rows and errors (with line numbers), a row estimate. JSON
 * `{source, ...options}` or multipart (the file is staged; the answer carries its upload id).
 */
export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const { body, upload } = await readImportBody(request, user.id, { requireFile: false });
  const { source, ...options } = validate(importPreviewInput, body);
  const { previewImport } = await import("@/lib/recsys/data/import");
  try {
    const input = importSourcePath(source);
    const preview = await previewImport(input.path, options);
    return json({ preview: { ...preview, fileName: input.label }, upload });
  } catch (err) {
    throw importHttpError(err, source);
  }
});
