// What the closed loop tells people: one LoopEvent row per fact. Each kind has ONE function below, the
// single place where that fact is raised (and where notifications hook in).
import type { NotificationInput } from "@/lib/notifications/types";
import type { Prisma } from "./generated/client";
import type { Db } from "./client";

export type LoopEventKind = "drift_detected" | "redistill_started" | "gate_passed" | "gate_failed" | "candidate_created" | "snapshot_created";

interface LoopFact {
  modelId: string | null;
  entityType: "drift_check" | "redistill_run" | "experiment" | "dataset";
  entityId: string;
  summary: string;
  data?: Record<string, unknown>;
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v ?? {})) as Prisma.InputJsonValue;

/** The alert (and webhooks) each fact raises; a snapshot is routine and raises none. */
const NOTIFICATIONS: Record<LoopEventKind, Pick<NotificationInput, "type" | "severity"> | null> = {
  drift_detected: { type: "drift.detected", severity: "warning" },
  redistill_started: { type: "redistill.started", severity: "info" },
  gate_passed: { type: "gate.passed", severity: "info" },
  gate_failed: { type: "gate.failed", severity: "warning" },
  candidate_created: { type: "candidate.created", severity: "info" },
  snapshot_created: null,
};

async function raise(db: Db | Prisma.TransactionClient, kind: LoopEventKind, fact: LoopFact) {
  const event = await db.loopEvent.create({
    data: { kind, modelId: fact.modelId, entityType: fact.entityType, entityId: fact.entityId, summary: fact.summary, data: json(fact.data) },
  });
  const notification = NOTIFICATIONS[kind];
  if (notification) {
    // notify() never throws and is bounded by its own timeout: the loop's work goes on whatever happens to alerts
    const { notify } = await import("@/lib/notifications/notify");
    await notify(
      {
        ...notification,
        title: fact.summary.slice(0, 200),
        modelId: fact.modelId ?? undefined,
        experimentId: fact.entityType === "experiment" ? fact.entityId : undefined,
        data: { ...fact.data, entityType: fact.entityType, entityId: fact.entityId },
        dedupeKey: `${notification.type}:${fact.entityType}:${fact.entityId}`,
      },
      "$transaction" in db ? { db } : {},
    );
  }
  return event;
}

/** A drift check of a production model breached a threshold. */
export const raiseDriftDetected = (db: Db | Prisma.TransactionClient, fact: LoopFact) => raise(db, "drift_detected", fact);
/** A redistillation run began (whatever its trigger: drift, schedule or a person). */
export const raiseRedistillStarted = (db: Db | Prisma.TransactionClient, fact: LoopFact) => raise(db, "redistill_started", fact);
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
