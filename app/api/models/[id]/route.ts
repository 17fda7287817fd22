import { requireRole, requireUser } from "@/lib/auth/current";
import { getModel, ModelArchiveError, setModelArchived } from "@/lib/db/models";
import { conflict, handler, json, notFound, parseJson } from "@/lib/http";
import { ModelArchiveBody } from "@/lib/http/requests";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handler(async (_request: Request, ctx: Ctx) => {
  await requireUser();
  const { id } = await ctx.params;
  const model = await getModel(id);
  if (!model) throw notFound("No such model");
  return json({ model });
});

/** archive or restore (editor+); refused with 409 while production or a live experiment uses the model */
export const PATCH = handler(async (request: Request, ctx: Ctx) => {
  const { user } = await requireRole("editor");
  const { id } = await ctx.params;
  const body = await parseJson(request, ModelArchiveBody);
  try {
    const model = await setModelArchived(id, body.archived, { id: user.id, label: user.email });
    if (!model) throw notFound("No such model");
    return json({ model: { id: model.id, archivedAt: model.archivedAt } });
  } catch (err) {
    if (err instanceof ModelArchiveError) throw conflict(err.message);
    throw err;
  }
});
