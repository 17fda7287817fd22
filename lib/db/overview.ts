// The Overview page's numbers: counts, the production model, recent jobs, audit entries and loop activity.
import { db as defaultDb, type Db } from "./client";
import { listLiveDriftChecks } from "./drift-checks";
import { listLoopEvents } from "./loop-events";
import { listRedistillRuns } from "./redistill-runs";
import { getProductionSlot } from "./serving";
import { IN_PROGRESS_STATUSES } from "@/lib/experiments/statuses";

export async function loadOverview(client: Db = defaultDb()) {
  const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
  const [datasets, teachers, students, activeJobs, failedJobs, runningExperiments, production, recentJobs, recentAudit] = await Promise.all([
    client.dataset.count(),
    client.model.count({ where: { role: "teacher" } }),
    client.model.count({ where: { role: "student" } }),
    client.jobRun.count({ where: { status: { in: ["queued", "running"] } } }),
    client.jobRun.count({ where: { status: "failed", createdAt: { gte: dayAgo } } }),
    client.experiment.count({ where: { status: { in: [...IN_PROGRESS_STATUSES] } } }),
    getProductionSlot(client),
    client.jobRun.findMany({ orderBy: { createdAt: "desc" }, take: 6 }),
    client.auditLog.findMany({ orderBy: { id: "desc" }, take: 8 }),
  ]);
  const [liveChecks, redistillRuns, loopEvents] = await Promise.all([
    production ? listLiveDriftChecks(production.model.id, client, 100) : [],
    production ? listRedistillRuns(client, production.model.id, 3) : [],
    listLoopEvents(client, { take: 8 }),
  ]);
  return {
    datasets,
    teachers,
    students,
    activeJobs,
    failedJobs,
    runningExperiments,
    production,
    recentJobs,
    recentAudit,
    liveChecks,
    redistillRuns,
    loopEvents,
  };
}
