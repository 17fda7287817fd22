// Every minute (pg-boss cron, see JOB_SCHEDULES): evaluate each live experiment's rollout and apply the
// decision. The work is in lib/services/experiments.ts; each decision is applied under the experiment's row
// lock, so even two overlapping runs cannot both act. Decisions that change something notify people.
import type { RolloutEvaluateInput } from "@/lib/jobs/definitions";
import type { JobContext } from "../context";
import { evaluateLiveExperiments } from "@/lib/services/experiments";
import { notifyRolloutDecision } from "@/lib/notifications/experiments";

export async function evaluateRollouts(_input: RolloutEvaluateInput, ctx: JobContext) {
  // a pause, rollback or cutover waiting for approval raises an alert (and webhooks); notify never throws
  const results = await evaluateLiveExperiments(ctx.db, new Date(), (id, decision) => notifyRolloutDecision(ctx.db, id, decision));
  for (const r of results) {
    if (r.error) await ctx.log(`experiment ${r.experimentId}: evaluation failed: ${r.error}`, "error");
    else if (r.action !== "hold") await ctx.log(`experiment ${r.experimentId}: ${r.action}${r.applied ? "" : " (not applied: state changed)"} — ${r.reason}`);
  }
  ctx.progress(100, `${results.length} live experiment(s) evaluated`);
  return { evaluated: results.length, results };
}
