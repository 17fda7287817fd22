// GET /api/models/:id/export?format=safetensors → one .safetensors file (tensors "users", "items"; id lists in
// its metadata); ?format=npy&part=users|items|user_ids|item_ids → one of the four .npy / id-list files.
import { requireUser } from "@/lib/auth/current";
import { findModelSummary } from "@/lib/db/models";
import { RANKED_LISTS_ARCHITECTURE } from "@/lib/db/teacher-import";
import { HttpError, parseQuery, fieldError } from "@/lib/http";
import { found, sessionRoute } from "@/lib/http/session-route";
import { ModelExportQuery } from "@/lib/http/requests";

const PART_FILES = { users: "users.npy", items: "items.npy", user_ids: "user_ids.txt", item_ids: "item_ids.txt" } as const;

export const GET = sessionRoute<{ id: string }>(
  () => requireUser(),
  async (request, _session, { id }) => {
    const q = parseQuery(request, ModelExportQuery);
    const row = found(await findModelSummary(id), "No such model");
    if (row.architecture === RANKED_LISTS_ARCHITECTURE)
      throw new HttpError(409, "conflict", "This teacher is ranked lists only: it has no embeddings to export");
    if (q.format === "npy" && !q.part) throw fieldError("part", "with format npy, pick a part: users, items, user_ids or item_ids");
    const { loadModel } = await import("@/lib/recsys/artifact");
    const { exportEmbeddings } = await import("@/lib/recsys/interop/export");
    const model = await loadModel(row.artifactUri, { accelerate: false });
    try {
      const files = exportEmbeddings(model, q.format);
      const file = q.format === "safetensors" ? "model.safetensors" : PART_FILES[q.part!];
      const slug = row.name.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 60) || row.id;
      return new Response(Buffer.from(files[file]), {
        headers: {
          "content-type": file.endsWith(".txt") ? "text/plain; charset=utf-8" : "application/octet-stream",
          "content-disposition": `attachment; filename="${slug}-${file}"`,
        },
      });
    } finally {
      model.dispose();
    }
  },
);
