// GET: a model's closed-loop state (settings, live drift checks, redistillations, loop events).
// PATCH (editor+): change its loop settings; the per-model crons follow at once.
import { requireRole, requireUser } from "@/lib/auth/current";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { listLiveDriftChecks } from "@/lib/db/drift-checks";
import { findModelSummary } from "@/lib/db/models";
import { listLoopEvents } from "@/lib/db/loop-events";
import { getLoopSettings, loopSettingsInput, saveLoopSettings } from "@/lib/db/loop-settings";
import { listRedistillRuns } from "@/lib/db/redistill-runs";
import type { Prisma } from "@/lib/db/generated/client";
import { senderBoss } from "@/lib/jobs/boss";
import { syncLoopSchedules } from "@/lib/jobs/loop-schedules";
import { handler, json, notFound, parseJson } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };

async function modelOr404(id: string) {
  const model = await findModelSummary(id);
  if (!model) throw notFound("No such model");
  return model;
}

export const GET = handler(async (_request: Request, ctx: Ctx) => {
  await requireUser();
  const { id } = await ctx.params;
  await modelOr404(id);
  const [settings, driftChecks, redistillRuns, events] = await Promise.all([
    getLoopSettings(db(), id),
    listLiveDriftChecks(id, db()),
    listRedistillRuns(db(), id),
    listLoopEvents(db(), { modelId: id }),
  ]);
  return json({ settings, driftChecks, redistillRuns, events: events.map((e) => ({ ...e, id: e.id.toString() })) });
});

export const PATCH = handler(async (request: Request, ctx: Ctx) => {
  const { user } = await requireRole("editor");
  const { id } = await ctx.params;
  const body = await parseJson(request, loopSettingsInput);
  await modelOr404(id);
  const settings = await saveLoopSettings(db(), id, body, user.id);
  const schedules = await syncLoopSchedules(await senderBoss(), db());
  await recordAudit({
    actor: { id: user.id, label: user.email },
    action: "loop_settings.update",
    entityType: "model",
    entityId: id,
    data: { changes: body as Prisma.InputJsonValue },
  });
  return json({ settings, schedules });
});
