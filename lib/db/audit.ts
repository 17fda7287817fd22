import type { Prisma } from "./generated/client";
import { db } from "./client";

export interface AuditActor {
  /** user id, when a person acted */
  id?: string | null;
  /** user email, "system", "scheduler" or "api-key:<prefix>" */
  label: string;
}

export interface AuditEntry {
  actor: AuditActor;
  action: string;
  entityType: string;
  entityId: string;
  reason?: string;
  data?: Prisma.InputJsonValue;
}

/** Appends one row to the audit log. Pass `tx` to record it in the same transaction as the change. */
export async function recordAudit(entry: AuditEntry, tx: Prisma.TransactionClient = db()): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: entry.actor.id ?? null,
      actorLabel: entry.actor.label,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      reason: entry.reason ?? "",
      data: entry.data ?? {},
    },
  });
}
