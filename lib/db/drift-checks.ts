// Reading drift checks: what DriftCheck.metrics holds, a dataset's recent checks and a model's live ones.
import type { DriftDecision } from "@/lib/drift";
import type { LiveDriftDecision } from "@/lib/drift/live";
import type { DriftCheck } from "./generated/client";
import { db as defaultDb, type Db } from "./client";

export type RedistillRequestOutcome = { jobRunId: string; reused: boolean; reason?: string } | { skipped: string };

/** What DriftCheck.metrics holds (JSON). */
export interface DriftCheckMetrics {
  jobRunId: string;
  referenceDatasetId: string;
  referenceDatasetName: string;
  decision: Omit<DriftDecision, "driftDetected" | "score" | "threshold">;
  /** why the quality signal is missing, when it is */
  qualityNote?: string;
  redistillRequested: boolean;
  redistill?: { teacherJobRunId: string; studentJobRunId: string; teacherDimension: number; studentDimension: number; method: string };
}

export function driftCheckMetrics(row: Pick<DriftCheck, "metrics">): DriftCheckMetrics {
  return row.metrics as unknown as DriftCheckMetrics;
}

/** Recent checks of a dataset (newest first) with the reference names and the redistillation jobs' states. */
export async function listDriftChecks(datasetId: string, db: Db = defaultDb(), take = 20) {
  const rows = await db.driftCheck.findMany({
    where: { datasetId },
    orderBy: { createdAt: "desc" },
    take: Math.min(take, 100),
    include: { model: { select: { id: true, name: true } } },
  });
  const jobIds = rows.flatMap((r) => {
    const m = driftCheckMetrics(r).redistill;
    return m ? [m.teacherJobRunId, m.studentJobRunId] : [];
  });
  const jobs = jobIds.length ? await db.jobRun.findMany({ where: { id: { in: jobIds } }, select: { id: true, status: true, progress: true } }) : [];
  const jobById = new Map(jobs.map((j) => [j.id, j]));
  return rows.map((r) => {
    const metrics = driftCheckMetrics(r);
    return {
      ...r,
      metrics,
      teacherJob: metrics.redistill ? (jobById.get(metrics.redistill.teacherJobRunId) ?? null) : null,
      studentJob: metrics.redistill ? (jobById.get(metrics.redistill.studentJobRunId) ?? null) : null,
    };
  });
}

/** What DriftCheck.metrics holds for a live check (metrics.kind = "live"). */
export interface LiveDriftCheckMetrics {
  kind: "live";
  jobRunId: string;
  trigger: string;
  windowHours: number;
  windowStart: string;
  decision: Omit<LiveDriftDecision, "driftDetected" | "score" | "threshold">;
  redistill?: RedistillRequestOutcome | { skipped: string };
}

export function isLiveDriftMetrics(m: unknown): m is LiveDriftCheckMetrics {
  return !!m && typeof m === "object" && (m as { kind?: unknown }).kind === "live";
}

/** Live checks of a model, oldest first (for charts against thresholds). */
export async function listLiveDriftChecks(modelId: string, db: Db = defaultDb(), take = 200) {
  const rows = await db.driftCheck.findMany({
    where: { modelId, metrics: { path: ["kind"], equals: "live" } },
    orderBy: { createdAt: "desc" },
    take: Math.min(take, 1000),
  });
  return rows
    .reverse()
    .map((r) => ({ id: r.id, createdAt: r.createdAt, score: r.score, driftDetected: r.driftDetected, metrics: r.metrics as unknown as LiveDriftCheckMetrics }));
}
