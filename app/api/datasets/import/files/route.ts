import { requireRole } from "@/lib/auth/current";
import { importDir, listImportDir } from "@/lib/db/imports";
import { handler, json } from "@/lib/http";

/** What IMPORT_DIR holds (top level), or enabled: false when server-side import is off. */
export const GET = handler(async () => {
  await requireRole("editor");
  const files = importDir() ? listImportDir() : null;
  return json({ enabled: files !== null, files: files ?? [] });
});
