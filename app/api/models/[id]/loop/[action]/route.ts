// POST (editor+) /api/models/:id/loop/{snapshot|drift-check|redistill|replay-drift}: the loop's buttons.
// Each queues a job and answers 202 with it; a redistillation already in flight for the model is
// returned instead of a second one (single flight). replay-drift (demo installs only) is refused with
// 403 elsewhere and 409 while a replay or a redistillation of the model is in flight.
import { z } from "zod";
import { toJobView } from "@/lib/jobs/view";
import { requireRole } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { DEFAULT_DEMO_DRIFT, demoReplayRefusal } from "@/lib/services/demo-replay";
import { jobRunWithCreator } from "@/lib/db/jobs";
import { findModelSummary } from "@/lib/db/models";
import { requestRedistill } from "@/lib/services/redistill";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { discardBody, handler, json, notFound } from "@/lib/http";
import { HttpError } from "@/lib/http/errors";
import { LOOP_ACTIONS } from "@/lib/http/requests";

const action = z.enum(LOOP_ACTIONS);
type Ctx = { params: Promise<{ id: string; action: string }> };

export const POST = handler(async (request: Request, ctx: Ctx) => {
  const { user } = await requireRole("editor");
  await discardBody(request);
  const params = await ctx.params;
  const which = action.safeParse(params.action);
  if (!which.success) throw new HttpError(404, "not_found", `Unknown loop action "${params.action}": use snapshot, drift-check, redistill or replay-drift`);
  const model = await findModelSummary(params.id);
  if (!model) throw notFound("No such model");
  let jobRunId: string;
  let note: string | undefined;
  if (which.data === "redistill") {
    const outcome = await requestRedistill(db(), (input, createdById) => enqueueJob({ queue: "redistill", input, createdById }), {
      modelId: model.id,
      trigger: "manual",
      createdById: user.id,
    });
    if ("skipped" in outcome) throw new HttpError(409, "conflict", outcome.skipped);
    jobRunId = outcome.jobRunId;
    note = outcome.reason;
  } else if (which.data === "replay-drift") {
    const refusal = await demoReplayRefusal(db(), model.id, { inFlight: true });
    if (refusal) throw new HttpError(refusal.status, refusal.code, refusal.message, { reason: refusal.code });
    jobRunId = (await enqueueJob({ queue: "demo-replay", input: { modelId: model.id, ...DEFAULT_DEMO_DRIFT }, createdById: user.id })).id;
  } else {
    const queue = which.data === "snapshot" ? "snapshot-build" : "drift-check";
    const input = which.data === "snapshot" ? { modelId: model.id } : { kind: "live", modelId: model.id, trigger: "manual" };
    jobRunId = (await enqueueJob({ queue, input, createdById: user.id })).id;
  }
  const run = await jobRunWithCreator(jobRunId);
  if (!run) throw new Error(`job run ${jobRunId} vanished after it was queued`);
  await recordAudit({ actor: { id: user.id, label: user.email }, action: `loop.${which.data}`, entityType: "model", entityId: model.id, data: { jobRunId } });
  return json({ job: toJobView(run), ...(note ? { note } : {}) }, { status: 202 });
});
