// Alerts: what notify() records for people (lib/notifications/notify.ts), listed on the Overview and
// acknowledged by an editor or above.
import type { Notification } from "@/lib/notifications/types";
import type { Alert, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";
import { recordAudit, type AuditActor } from "./audit";
import { notFound } from "@/lib/http/errors";

const json = (v: unknown) => JSON.parse(JSON.stringify(v ?? {})) as Prisma.InputJsonValue;

/**
 * Records the alert, or returns the one already recorded under the same dedupe key (created: false):
 * the caller then sends nothing more.
 */
export async function recordAlert(n: Notification, db: Db = defaultDb()): Promise<{ alert: Alert; created: boolean }> {
  if (n.dedupeKey) {
    const existing = await db.alert.findUnique({ where: { dedupeKey: n.dedupeKey } });
    if (existing) return { alert: existing, created: false };
  }
  const data = {
    type: n.type,
    severity: n.severity,
    title: n.title,
    message: n.message,
    modelId: n.modelId ?? null,
    experimentId: n.experimentId ?? null,
    data: json(n.data),
    dedupeKey: n.dedupeKey ?? null,
  };
  if (!n.dedupeKey) return { alert: await db.alert.create({ data }), created: true };
  // two racing callers with one key: the unique index lets exactly one insert through
  const inserted = await db.alert.createMany({ data: [data], skipDuplicates: true });
  const alert = await db.alert.findUniqueOrThrow({ where: { dedupeKey: n.dedupeKey } });
  return { alert, created: inserted.count === 1 };
}

export interface AlertWithLinks extends Alert {
  model: { id: string; name: string } | null;
  experiment: { id: string; name: string } | null;
}

/** Newest first, with the names of the model and experiment they link to (null once those are gone). */
export async function listAlerts(opts: { unacknowledgedOnly?: boolean; limit?: number } = {}, db: Db = defaultDb()): Promise<AlertWithLinks[]> {
  const rows = await db.alert.findMany({
    where: opts.unacknowledgedOnly ? { acknowledgedAt: null } : {},
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(opts.limit ?? 20, 1), 200),
  });
  const modelIds = [...new Set(rows.flatMap((r) => (r.modelId ? [r.modelId] : [])))];
  const experimentIds = [...new Set(rows.flatMap((r) => (r.experimentId ? [r.experimentId] : [])))];
  const [models, experiments] = await Promise.all([
    modelIds.length ? db.model.findMany({ where: { id: { in: modelIds } }, select: { id: true, name: true } }) : [],
    experimentIds.length ? db.experiment.findMany({ where: { id: { in: experimentIds } }, select: { id: true, name: true } }) : [],
  ]);
  const modelById = new Map(models.map((m) => [m.id, m]));
  const experimentById = new Map(experiments.map((e) => [e.id, e]));
  return rows.map((r) => ({
    ...r,
    model: r.modelId ? (modelById.get(r.modelId) ?? null) : null,
    experiment: r.experimentId ? (experimentById.get(r.experimentId) ?? null) : null,
  }));
}

export function countUnacknowledgedAlerts(db: Db = defaultDb()): Promise<number> {
  return db.alert.count({ where: { acknowledgedAt: null } });
}

/** Marks an alert as seen (idempotent: acknowledging twice keeps the first person and time). */
export async function acknowledgeAlert(id: string, actor: AuditActor & { id: string }, db: Db = defaultDb()): Promise<Alert> {
  return db.$transaction(async (tx) => {
    const row = await tx.alert.findUnique({ where: { id } });
    if (!row) throw notFound("No such alert");
    if (row.acknowledgedAt) return row;
    const updated = await tx.alert.update({
      where: { id },
      data: { acknowledgedAt: new Date(), acknowledgedById: actor.id, acknowledgedByLabel: actor.label },
    });
    await recordAudit({ actor, action: "alert.acknowledged", entityType: "alert", entityId: id, data: { type: row.type, title: row.title } }, tx);
    return updated;
  });
}
