// The body of an import request: JSON, or multipart/form-data whose file is staged to disk first
// (lib/db/imports) and whose text fields become the same JSON shape (mapping and split as JSON text).
import { importMaxBytes, removeUpload, stageUpload, type UploadMeta } from "@/lib/db/imports";
import { HttpError, fieldError } from "./errors";
import { isMultipart, readMultipart } from "./multipart";
import { DEFAULT_MAX_BODY_BYTES, readBodyText } from "./validation";

const JSON_FIELDS = new Set(["mapping", "split", "source"]);

function fieldValue(name: string, raw: string): unknown {
  if (JSON_FIELDS.has(name)) {
    try {
      return JSON.parse(raw);
    } catch {
      throw fieldError(name, "Must be JSON", `Field ${name} must be JSON`);
    }
  }
  if (name === "header") return raw === "true" ? true : raw === "false" ? false : raw;
  if (name === "minWeight") return raw.trim() === "" ? undefined : Number(raw);
  if (name === "delimiter" && raw === "\\t") return "\t";
  return raw === "" ? undefined : raw;
}

export interface ImportBody {
  body: Record<string, unknown>;
  /** the file staged from a multipart body; its id is in body.source */
  upload: UploadMeta | null;
}

/** Reads a JSON (at most DEFAULT_MAX_BODY_BYTES) or multipart import body. `requireFile`: the body must be multipart with a file. */
export async function readImportBody(request: Request, createdById: string, opts: { requireFile: boolean }): Promise<ImportBody> {
  if (!isMultipart(request)) {
    if (opts.requireFile)
      throw new HttpError(415, "unsupported_media_type", "Send the file as multipart/form-data (field file)", {
        issues: [{ path: "file", message: "Choose a file" }],
      });
    const text = await readBodyText(request, DEFAULT_MAX_BODY_BYTES);
    let body: unknown;
    try {
      body = text.trim() === "" ? {} : JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, "invalid_json", `The request body is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "invalid_request", "The body must be a JSON object");
    return { body: body as Record<string, unknown>, upload: null };
  }
  const limit = importMaxBytes();
  const { fields, file } = await readMultipart(request, {
    maxFileBytes: limit,
    onFile: (stream, info) => stageUpload(stream, { name: info.filename, createdById, truncated: info.truncated, limit }),
  });
  try {
    if (!file && opts.requireFile) throw fieldError("file", "Choose a file", "No file in the upload");
    if (file && file.result.size === 0) throw fieldError("file", "The file is empty", `${file.result.name} is empty`);
    const body: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(fields)) {
      const v = fieldValue(name, raw);
      if (v !== undefined) body[name] = v;
    }
    if (file) body.source = { uploadId: file.result.id };
    return { body, upload: file?.result ?? null };
  } catch (err) {
    if (file) removeUpload(file.result.id);
    throw err;
  }
}
