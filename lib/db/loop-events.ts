// What the closed loop tells people: one LoopEvent row per fact. Each kind has ONE function below, the
// single place where that fact is raised (and where notifications hook in).
import type { Prisma } from "./generated/client";
import type { Db } from "./client";

export type LoopEventKind = "drift_detected" | "gate_passed" | "gate_failed" | "candidate_created" | "snapshot_created";

interface LoopFact {
  modelId: string | null;
  entityType: "drift_check" | "redistill_run" | "experiment" | "dataset";
  entityId: string;
  summary: string;
  data?: Record<string, unknown>;
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v ?? {})) as Prisma.InputJsonValue;

async function raise(db: Db | Prisma.TransactionClient, kind: LoopEventKind, fact: LoopFact) {
  return db.loopEvent.create({ data: { kind, modelId: fact.modelId, entityType: fact.entityType, entityId: fact.entityId, summary: fact.summary, data: json(fact.data) } });
}

/** A drift check of a production model breached a threshold. */
export const raiseDriftDetected = (db: Db | Prisma.TransactionClient, fact: LoopFact) => raise(db, "drift_detected", fact);
/** A redistilled student passed the offline gate. */
export const raiseGatePassed = (db: Db | Prisma.TransactionClient, fact: LoopFact) => raise(db, "gate_passed", fact);
/** A redistilled student failed the offline gate (which gates, by how much, in data). */
export const raiseGateFailed = (db: Db | Prisma.TransactionClient, fact: LoopFact) => raise(db, "gate_failed", fact);
/** A candidate experiment was created for a student that passed the gate. */
export const raiseCandidateCreated = (db: Db | Prisma.TransactionClient, fact: LoopFact) => raise(db, "candidate_created", fact);
/** Live events were folded into a new snapshot. */
export const raiseSnapshotCreated = (db: Db | Prisma.TransactionClient, fact: LoopFact) => raise(db, "snapshot_created", fact);

export function listLoopEvents(db: Db, opts: { modelId?: string; take?: number } = {}) {
  return db.loopEvent.findMany({ where: opts.modelId ? { modelId: opts.modelId } : {}, orderBy: { id: "desc" }, take: Math.min(opts.take ?? 20, 200) });
}
