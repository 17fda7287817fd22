import { requireRole } from "@/lib/auth/current";
import { handler, json } from "@/lib/http";
import { readImportBody } from "@/lib/http/import-body";

/** Stages a file for import (multipart `file`, streamed to disk, IMPORT_MAX_BYTES): 201 {upload}. Kept 24 h. */
export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("editor");
  const { upload } = await readImportBody(request, user.id, { requireFile: true });
  return json({ upload }, { status: 201 });
});
