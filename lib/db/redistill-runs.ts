// A model's redistillation runs, newest first (the loop's history on the model page and the API).
import type { Db } from "./client";

export function listRedistillRuns(db: Db, modelId: string, take = 20) {
  return db.redistillRun.findMany({ where: { modelId }, orderBy: { createdAt: "desc" }, take: Math.min(take, 100) });
}
