import { requireRole, requireUser } from "@/lib/auth/current";
import { getModel, ModelArchiveError, setModelArchived } from "@/lib/db/models";
import { conflict, json, notFound, parseJson } from "@/lib/http";
import { ModelArchiveBody } from "@/lib/http/requests";
import { actorOf, found, sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute<{ id: string }>(
  () => requireUser(),
  async (_request, _session, { id }) => json({ model: found(await getModel(id), "No such model") }),
);

/** archive or restore (editor+); refused with 409 while production or a live experiment uses the model */
export const PATCH = sessionRoute<{ id: string }>(
  () => requireRole("editor"),
  async (request, session, { id }) => {
    const body = await parseJson(request, ModelArchiveBody);
    try {
      const model = await setModelArchived(id, body.archived, actorOf(session));
      if (!model) throw notFound("No such model");
      return json({ model: { id: model.id, archivedAt: model.archivedAt } });
    } catch (err) {
      if (err instanceof ModelArchiveError) throw conflict(err.message);
      throw err;
    }
  },
);
