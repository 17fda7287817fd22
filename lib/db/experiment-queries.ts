// Reading experiments for pages and route handlers (their transitions are lib/services/experiments).
import { db as defaultDb, type Db } from "./client";

/** The experiments list (page and API), newest first; the assignment salt is never selected. */
export function listExperiments(db: Db = defaultDb(), take = 200) {
  return db.experiment.findMany({
    orderBy: { createdAt: "desc" },
    take,
    select: {
      id: true,
      name: true,
      status: true,
      rampSchedule: true,
      currentStageIndex: true,
      createdAt: true,
      startedAt: true,
      endedAt: true,
      createdBy: { select: { email: true } },
      variants: { select: { key: true, modelId: true, model: { select: { name: true, role: true, dimension: true } } } },
    },
  });
}

/** One experiment with its arms, stages and approvals (GET /api/experiments/[id]), or null. */
export function getExperimentDetail(id: string, db: Db = defaultDb()) {
  return db.experiment.findUnique({
    where: { id },
    include: { variants: true, stages: { orderBy: { index: "asc" } }, approvals: { include: { user: { select: { email: true } } } } },
  });
}

/** When an experiment ran (null while a draft), or null when there is no such experiment. */
export function experimentDates(id: string, db: Db = defaultDb()) {
  return db.experiment.findUnique({ where: { id }, select: { startedAt: true, endedAt: true } });
}
