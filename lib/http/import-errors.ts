// Import problems as HTTP answers: a bad server path or upload id is a 400 on source, a file that
// cannot be imported a 422 naming the reason (file and line when there is one).
import { checkImportSource, ImportPathError, type ImportSource } from "@/lib/db/imports";
import { DatasetError } from "@/lib/recsys/data/errors";
import type { ImportFormat } from "@/lib/recsys/data/import";
import { HttpError, fieldError } from "./errors";

export function importHttpError(err: unknown, source: ImportSource): unknown {
  const field = "uploadId" in source ? "source.uploadId" : "source.path";
  if (err instanceof ImportPathError) return fieldError(field, err.message, err.message);
  if (err instanceof DatasetError) {
    return new HttpError(422, "invalid_file", err.message, { issues: [{ path: field, message: err.message }], ...(err.line ? { line: err.line } : {}) });
  }
  return err;
}

/** the source exists and looks importable, else the HttpError saying why */
export async function checkSource(source: ImportSource, format?: ImportFormat): Promise<void> {
  try {
    await checkImportSource(source, format);
  } catch (err) {
    throw importHttpError(err, source);
  }
}
