// Webhooks (admin-configured endpoints), their deliveries (one per event and webhook, sent by the
// "webhook-deliver" job) and each delivery's attempts: the delivery log people read in the dashboard.
import { randomBytes } from "node:crypto";
import type { CreateWebhookBody, UpdateWebhookBody } from "@/lib/notifications/types";
import type { Webhook, WebhookDelivery, WebhookDeliveryStatus } from "./generated/client";
import { db as defaultDb, type Db } from "./client";
import { recordAudit, type AuditActor } from "./audit";
import { notFound } from "@/lib/http/errors";

/** What APIs and pages show of a webhook: everything but the secret. */
export type WebhookSummary = Omit<Webhook, "secret">;

function summary(w: Webhook): WebhookSummary {
  const { secret, ...rest } = w;
  void secret;
  return rest;
}
const hintOf = (secret: string) => `…${secret.slice(-4)}`;

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** Creates a webhook; the returned secret is the only time it is shown. */
export async function createWebhook(body: CreateWebhookBody, actor: AuditActor, db: Db = defaultDb()): Promise<{ webhook: WebhookSummary; secret: string }> {
  const secret = body.secret ?? generateWebhookSecret();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.webhook.create({
      data: { name: body.name, url: body.url, events: body.events, enabled: body.enabled, secret, secretHint: hintOf(secret), createdById: actor.id ?? null },
    });
    await recordAudit(
      {
        actor,
        action: "webhook.created",
        entityType: "webhook",
        entityId: created.id,
        data: { name: created.name, url: created.url, events: created.events, enabled: created.enabled, secretChosen: Boolean(body.secret) },
      },
      tx,
    );
    return created;
  });
  return { webhook: summary(row), secret };
}

export async function updateWebhook(id: string, body: UpdateWebhookBody, actor: AuditActor, db: Db = defaultDb()): Promise<WebhookSummary> {
  return db.$transaction(async (tx) => {
    const row = await tx.webhook.findUnique({ where: { id } });
    if (!row) throw notFound("No such webhook");
    const updated = await tx.webhook.update({ where: { id }, data: body });
    await recordAudit({ actor, action: "webhook.updated", entityType: "webhook", entityId: id, data: { ...body } }, tx);
    return summary(updated);
  });
}

/** A new secret, effective for the next attempt of every delivery; returned once. */
export async function rotateWebhookSecret(id: string, actor: AuditActor, db: Db = defaultDb()): Promise<{ webhook: WebhookSummary; secret: string }> {
  const secret = generateWebhookSecret();
  const updated = await db.$transaction(async (tx) => {
    const row = await tx.webhook.findUnique({ where: { id } });
    if (!row) throw notFound("No such webhook");
    const u = await tx.webhook.update({ where: { id }, data: { secret, secretHint: hintOf(secret) } });
    await recordAudit({ actor, action: "webhook.secret_rotated", entityType: "webhook", entityId: id }, tx);
    return u;
  });
  return { webhook: summary(updated), secret };
}

/** Deletes the webhook and its delivery log; queued deliveries find it gone and stop. */
export async function deleteWebhook(id: string, actor: AuditActor, db: Db = defaultDb()): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.webhook.findUnique({ where: { id } });
    if (!row) throw notFound("No such webhook");
    await tx.webhook.delete({ where: { id } });
    await recordAudit({ actor, action: "webhook.deleted", entityType: "webhook", entityId: id, data: { name: row.name, url: row.url } }, tx);
  });
}

export interface WebhookListItem extends WebhookSummary {
  lastDelivery: Pick<WebhookDelivery, "status" | "createdAt" | "lastStatusCode"> | null;
}

export async function listWebhooks(db: Db = defaultDb()): Promise<WebhookListItem[]> {
  const rows = await db.webhook.findMany({
    orderBy: { createdAt: "asc" },
    include: { deliveries: { orderBy: { createdAt: "desc" }, take: 1, select: { status: true, createdAt: true, lastStatusCode: true } } },
  });
  return rows.map(({ deliveries, ...w }) => ({ ...summary(w), lastDelivery: deliveries[0] ?? null }));
}

export async function findWebhook(id: string, db: Db = defaultDb()): Promise<WebhookSummary | null> {
  const row = await db.webhook.findUnique({ where: { id } });
  return row ? summary(row) : null;
}

export async function getWebhook(id: string, db: Db = defaultDb()): Promise<WebhookSummary> {
  const row = await findWebhook(id, db);
  if (!row) throw notFound("No such webhook");
  return row;
}

/** Enabled webhooks that asked for this notification type (with their secrets: for the sender only). */
export function subscribedWebhooks(type: string, db: Db = defaultDb()): Promise<Webhook[]> {
  return db.webhook.findMany({ where: { enabled: true, events: { has: type } }, orderBy: { createdAt: "asc" } });
}

/** One delivery row per (webhook, event): a second call for the same pair returns the first. */
export async function createDelivery(
  d: { webhookId: string; eventId: string; eventType: string; alertId: string | null; body: string },
  db: Db = defaultDb(),
): Promise<{ delivery: WebhookDelivery; created: boolean }> {
  const inserted = await db.webhookDelivery.createMany({ data: [d], skipDuplicates: true });
  const delivery = await db.webhookDelivery.findUniqueOrThrow({ where: { webhookId_eventId: { webhookId: d.webhookId, eventId: d.eventId } } });
  return { delivery, created: inserted.count === 1 };
}

export function setDeliveryJob(id: string, jobRunId: string, db: Db = defaultDb()) {
  return db.webhookDelivery.update({ where: { id }, data: { jobRunId } });
}

export function markDelivery(id: string, data: { status: WebhookDeliveryStatus; lastError?: string | null }, db: Db = defaultDb()) {
  return db.webhookDelivery.update({ where: { id }, data });
}

export function loadDeliveryForSending(id: string, db: Db = defaultDb()) {
  return db.webhookDelivery.findUnique({ where: { id }, include: { webhook: true } });
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  /** the delivery's state after this attempt */
  status: WebhookDeliveryStatus;
}

/** Appends the attempt and brings the delivery's summary columns up to date, in one transaction. */
export async function recordAttempt(deliveryId: string, a: AttemptRecord, db: Db = defaultDb()): Promise<void> {
  await db.$transaction([
    db.webhookAttempt.create({
      data: {
        deliveryId,
        attempt: a.attempt,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
        statusCode: a.statusCode,
        error: a.error,
        responseBody: a.responseBody,
      },
    }),
    db.webhookDelivery.update({
      where: { id: deliveryId },
      data: {
        status: a.status,
        attempts: a.attempt,
        lastStatusCode: a.statusCode,
        lastError: a.error,
        ...(a.status === "succeeded" ? { deliveredAt: new Date() } : {}),
      },
    }),
  ]);
}

/**
 * The delivery log of one webhook, newest first, each with its attempts and, while it waits for a
 * retry, when pg-boss will run it next (the retry's start_after: backoff with jitter is pg-boss's).
 */
export async function listDeliveries(webhookId: string, opts: { limit?: number } = {}, db: Db = defaultDb()) {
  const rows = await db.webhookDelivery.findMany({
    where: { webhookId },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(opts.limit ?? 50, 1), 200),
    include: { attemptLog: { orderBy: { attempt: "asc" } } },
  });
  const waiting = rows.filter((r) => r.status === "retrying" && r.jobRunId).map((r) => r.jobRunId!);
  const nextRetry = new Map<string, Date>();
  if (waiting.length) {
    const runs = await db.jobRun.findMany({ where: { id: { in: waiting } }, select: { id: true, bossJobId: true } });
    const bossIds = runs.flatMap((r) => (r.bossJobId ? [r.bossJobId] : []));
    if (bossIds.length) {
      const due = await db.$queryRawUnsafe<{ id: string; start_after: Date }[]>(
        `SELECT id::text AS id, start_after FROM pgboss.job WHERE id = ANY($1::uuid[]) AND state = 'retry'`,
        bossIds,
      );
      const byBossId = new Map(due.map((d) => [d.id, d.start_after]));
      for (const r of runs) if (r.bossJobId && byBossId.has(r.bossJobId)) nextRetry.set(r.id, byBossId.get(r.bossJobId)!);
    }
  }
  return rows.map(({ body, ...r }) => ({
    ...r,
    bodyBytes: Buffer.byteLength(body),
    attemptLog: r.attemptLog.map((a) => ({ ...a, id: a.id.toString() })),
    nextRetryAt: r.jobRunId ? (nextRetry.get(r.jobRunId) ?? null) : null,
  }));
}
export type DeliveryLogEntry = Awaited<ReturnType<typeof listDeliveries>>[number];
