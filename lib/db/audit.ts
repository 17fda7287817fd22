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

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  /** prefix match, e.g. "user." */
  action?: string;
  /** keyset pagination: entries with a smaller id */
  before?: string;
  limit?: number;
}

/** Newest first; served by the (entityType, entityId, createdAt) and createdAt indexes. */
export function listAuditEntries(filter: AuditFilter = {}, client = db()) {
  return client.auditLog.findMany({
    where: {
      entityType: filter.entityType,
      entityId: filter.entityId,
      action: filter.action ? { startsWith: filter.action } : undefined,
      id: filter.before ? { lt: BigInt(filter.before) } : undefined,
    },
    orderBy: { id: "desc" },
    take: Math.min(filter.limit ?? 50, 200),
  });
}

/** The entity types that occur in the log, for filter menus. */
export async function auditEntityTypes(client = db()): Promise<string[]> {
  const groups = await client.auditLog.groupBy({ by: ["entityType"], orderBy: { entityType: "asc" } });
  return groups.map((g) => g.entityType);
}
