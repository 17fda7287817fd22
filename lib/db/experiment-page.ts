// Everything the experiment page reads: the experiment with its arms, stages and approvals; its report
// (the scheduler's stored one while fresh, else through the report gate); the exposure timeline over the
// report window; its audit trail; the production slot. Which report to show is decided in lib/experiments.
import type { Db } from "./client";
import { PRODUCTION_SLOT } from "./serving";
import { cachedExperimentReport } from "./report-gate";
import { exposureTimeline } from "./reports";
import { planReport, type ExperimentViewInput } from "@/lib/experiments/experiment-view";
import { timelineWindow } from "@/lib/experiments/lift-timeline";

/** The newest audit rows the page lists, at most. */
export const EXPERIMENT_AUDIT_LIMIT = 500;

export function findExperimentWithArms(db: Db, experimentId: string) {
  return db.experiment.findUnique({
    where: { id: experimentId },
    include: {
      createdBy: { select: { email: true } },
      variants: { include: { model: { select: { id: true, name: true, role: true, dimension: true, sizeBytes: true, distillationMethod: true } } } },
      stages: { orderBy: { index: "asc" } },
      approvals: { orderBy: { createdAt: "asc" }, include: { user: { select: { email: true } } } },
    },
  });
}

/** The experiment's own audit rows and those of the serving slot changes it caused, oldest first. */
export function experimentAuditTrail(db: Db, experimentId: string) {
  return db.auditLog.findMany({
    where: {
      OR: [
        { entityType: "experiment", entityId: experimentId },
        { entityType: "serving_slot", data: { path: ["experimentId"], equals: experimentId } },
      ],
    },
    orderBy: { id: "asc" },
    take: EXPERIMENT_AUDIT_LIMIT,
  });
}

export async function productionSlotSummary(db: Db): Promise<{ modelName: string; version: number } | null> {
  const slot = await db.servingSlot.findUnique({ where: { name: PRODUCTION_SLOT }, include: { model: { select: { name: true } } } });
  return slot ? { modelName: slot.model.name, version: slot.version } : null;
}

/** The experiment page's data for `?scope=…&fresh=…`, or null when there is no such experiment. */
export async function loadExperimentPage(
  db: Db,
  experimentId: string,
  query: { scope?: string; fresh?: string },
  now = new Date(),
): Promise<ExperimentViewInput | null> {
  const experiment = await findExperimentWithArms(db, experimentId);
  if (!experiment) return null;
  const plan = planReport(experiment, query, now);
  const [loaded, audit, production] = await Promise.all([
    plan.reuse ? { report: plan.reuse.report } : plan.load ? cachedExperimentReport(db, experimentId, plan.scope) : null,
    experimentAuditTrail(db, experimentId),
    productionSlotSummary(db),
  ]);
  const report = loaded?.report ?? null;
  let timeline: ExperimentViewInput["timeline"] = null;
  if (report) {
    const { from, to, bucketSeconds } = timelineWindow(report.window, now);
    timeline = { rows: await exposureTimeline(db, experimentId, { from, to }, bucketSeconds), bucketSeconds };
  }
  return { experiment, report, cachedAt: plan.reuse?.at ?? null, timeline, audit, production };
}
