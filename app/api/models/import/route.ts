// POST /api/models/import (multipart/form-data): a teacher trained elsewhere.
//   kind=embeddings: datasetId, userEmbeddings + itemEmbeddings (.npy / .safetensors), userIds + itemIds
//   kind=ranked-lists: datasetId, rankedLists (.csv `user,item,rank` or .jsonl)
// 201 with the model; 400 naming the field and the reason (nothing is stored then).
import { requireRole } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { importTeacher, type TeacherImport } from "@/lib/db/teacher-import";
import { ImportError } from "@/lib/recsys/interop/errors";
import type { UploadedFile } from "@/lib/recsys/interop/teacher-embeddings";
import { HttpError, handler, json, fieldError } from "@/lib/http";
import { MODEL_IMPORT_MAX_BODY_BYTES, MODEL_IMPORT_MAX_FILE_BYTES } from "@/lib/http/limits";
import { capRequestBody, tooLarge } from "@/lib/http/validation";
import { TeacherImportFields } from "@/lib/http/requests";

const MAX_BYTES = MODEL_IMPORT_MAX_FILE_BYTES;

async function fileField(form: FormData, field: string): Promise<UploadedFile> {
  const v = form.get(field);
  if (!(v instanceof File)) throw fieldError(field, "a file is required");
  if (v.size === 0) throw fieldError(field, `${v.name || "the file"} is empty`);
  if (v.size > MAX_BYTES) throw fieldError(field, `${v.name} is larger than ${MAX_BYTES / 2 ** 20} MB`);
  return { name: v.name || field, bytes: new Uint8Array(await v.arrayBuffer()) };
}

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const capped = capRequestBody(request, MODEL_IMPORT_MAX_BODY_BYTES);
  let form: FormData;
  try {
    form = await capped.request.formData();
  } catch {
    if (capped.exceeded()) throw tooLarge(MODEL_IMPORT_MAX_BODY_BYTES);
    throw new HttpError(400, "invalid_request", "Expected a multipart/form-data body");
  }
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" && v.trim() !== "" ? v : undefined;
  };
  const parsed = TeacherImportFields.safeParse({ kind: text("kind"), datasetId: text("datasetId"), name: text("name") });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fieldError(String(issue.path[0] ?? "body"), issue.message);
  }
  const { kind, datasetId, name } = parsed.data;
  const input: TeacherImport =
    kind === "embeddings"
      ? {
          kind,
          datasetId,
          name,
          userEmbeddings: await fileField(form, "userEmbeddings"),
          userIds: await fileField(form, "userIds"),
          itemEmbeddings: await fileField(form, "itemEmbeddings"),
          itemIds: await fileField(form, "itemIds"),
        }
      : { kind, datasetId, name, rankedLists: await fileField(form, "rankedLists") };
  try {
    const model = await importTeacher(input);
    await recordAudit({
      actor: { id: user.id, label: user.email },
      action: "model.imported",
      entityType: "model",
      entityId: model.id,
      data: { kind, datasetId },
    });
    return json({ model }, { status: 201 });
  } catch (e) {
    if (e instanceof ImportError) throw fieldError(e.field, e.message);
    throw e;
  }
});
