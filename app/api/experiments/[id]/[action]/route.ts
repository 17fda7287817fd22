// People's actions on an experiment. start/pause/resume/rollback/cancel: editor+ (a reason is required
// except to start). approve/reject: approver+ who did not create the experiment. All audited.
import { z } from "zod";
import { requireUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { changeExperimentStatus, decideApproval, startExperiment } from "@/lib/services/experiments";
import { handler, json, notFound, parseJson } from "@/lib/http";
import { notifyPersonAction } from "@/lib/notifications/experiments";
import { EXPERIMENT_ACTIONS, ExperimentActionBody } from "@/lib/http/requests";

export const POST = handler(async (request: Request, ctx: { params: Promise<{ id: string; action: string }> }) => {
  const { id, action } = await ctx.params;
  const parsedAction = z.enum(EXPERIMENT_ACTIONS).safeParse(action);
  if (!parsedAction.success) throw notFound(`No action "${action}": use one of ${EXPERIMENT_ACTIONS.join(", ")}`);
  // role checks (editor / approver, four-eyes rule) live in lib/services/experiments.ts, next to the transaction
  const { user } = await requireUser();
  const body = await parseJson(request, ExperimentActionBody);
  const database = db();
  switch (parsedAction.data) {
    case "start":
      return json(await startExperiment(database, id, user, body.reason ?? ""));
    case "approve":
      return json(await decideApproval(database, id, "approved", user, body.comment));
    case "reject": {
      const result = await decideApproval(database, id, "rejected", user, body.comment);
      await notifyPersonAction(database, id, "reject", user.email, body.comment);
      return json(result);
    }
    default: {
      const result = await changeExperimentStatus(database, id, parsedAction.data, user, body.reason);
      // people are told of pauses and rollbacks (notify never throws, and gives up waiting after a few seconds)
      if (parsedAction.data === "pause" || parsedAction.data === "rollback") await notifyPersonAction(database, id, parsedAction.data, user.email, body.reason);
      return json(result);
    }
  }
});
