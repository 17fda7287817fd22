// notify(): the one call that raises a notification. It records an Alert (the Overview lists it) and
// queues one "webhook-deliver" job per enabled webhook subscribed to the type. It never throws and
// never holds up the caller for long: whatever goes wrong is logged, and the work that raised the
// notification carries on.
import { randomBytes } from "node:crypto";
import type { PgBoss } from "pg-boss";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { recordAlert } from "@/lib/db/alerts";
import { createDelivery, getWebhook, markDelivery, setDeliveryJob, subscribedWebhooks } from "@/lib/db/webhooks";
import type { WebhookDelivery } from "@/lib/db/generated/client";
import { senderBoss } from "@/lib/jobs/boss";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { conflict } from "@/lib/http/errors";
import { TEST_EVENT_TYPE, notificationInput, webhookEventBody, type NotificationInput, type WebhookEvent } from "./types";

export interface NotifyDeps {
  /** default: the process-wide client (DATABASE_URL) */
  db?: Db;
  /** the pg-boss that queues deliveries; default: the process's sender (lib/jobs/boss.ts senderBoss) */
  boss?: PgBoss;
  /** notify() gives up waiting after this long (the work goes on in the background); default NOTIFY_TIMEOUT_MS or 5000 */
  timeoutMs?: number;
  /** where failures are reported; default console.error */
  logError?: (message: string, err?: unknown) => void;
}

export interface NotifyResult {
  alertId: string;
  /** false when an alert with the same dedupeKey already existed */
  created: boolean;
  /** deliveries queued by this call */
  deliveries: { webhookId: string; deliveryId: string; jobRunId: string }[];
  /** deliveries that could not be queued (each also logged and marked failed in the delivery log) */
  errors: string[];
}

const text = (err: unknown) => (err instanceof Error ? err.message : String(err));

function timeoutFromEnv(): number {
  const v = Number(process.env.NOTIFY_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 5000;
}

/**
 * Raises a notification. Resolves to what was recorded and queued, or to null when notifying failed
 * (invalid input, database unreachable, timeout): it never rejects.
 */
export async function notify(input: NotificationInput, deps: NotifyDeps = {}): Promise<NotifyResult | null> {
  const logError = deps.logError ?? ((m: string, e?: unknown) => console.error(`[notify] ${m}`, e ?? ""));
  let timer: NodeJS.Timeout | undefined;
  const work = raise(input, deps).catch((err: unknown) => {
    logError(`could not record "${(input as { type?: string })?.type ?? "?"}" notification: ${text(err)}`, err);
    return null;
  });
  const timeoutMs = deps.timeoutMs ?? timeoutFromEnv();
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      logError(`"${(input as { type?: string })?.type ?? "?"}" notification still pending after ${timeoutMs} ms; carrying on without waiting`);
      resolve(null);
    }, timeoutMs);
    timer.unref?.();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function raise(input: NotificationInput, deps: NotifyDeps): Promise<NotifyResult> {
  const n = notificationInput.parse(input);
  const db = deps.db ?? defaultDb();
  const { alert, created } = await recordAlert(n, db);

  const event: WebhookEvent = {
    id: alert.id,
    type: n.type,
    createdAt: alert.createdAt.toISOString(),
    severity: n.severity,
    title: n.title,
    message: n.message,
    modelId: n.modelId ?? null,
    experimentId: n.experimentId ?? null,
    data: n.data,
  };
  const result: NotifyResult = { alertId: alert.id, created, deliveries: [], errors: [] };
  const webhooks = await subscribedWebhooks(n.type, db);
  if (webhooks.length === 0) return result;

  for (const webhook of webhooks) {
    // idempotent per (webhook, event): a re-run notify() queues only what was not queued before
    const { delivery } = await createDelivery(
      { webhookId: webhook.id, eventId: alert.id, eventType: n.type, alertId: alert.id, body: webhookEventBody(event) },
      db,
    );
    if (delivery.jobRunId) continue;
    try {
      const jobRunId = await queueDelivery(delivery, db, deps.boss);
      result.deliveries.push({ webhookId: webhook.id, deliveryId: delivery.id, jobRunId });
    } catch (err) {
      const message = `could not queue delivery ${delivery.id} to webhook "${webhook.name}": ${text(err)}`;
      result.errors.push(message);
      (deps.logError ?? ((m: string) => console.error(`[notify] ${m}`)))(message, err);
      await markDelivery(delivery.id, { status: "failed", lastError: `not queued: ${text(err)}` }, db).catch(() => undefined);
    }
  }
  return result;
}

async function queueDelivery(delivery: WebhookDelivery, db: Db, boss?: PgBoss): Promise<string> {
  const run = await enqueueJob({ queue: "webhook-deliver", input: { deliveryId: delivery.id } }, { db, boss: boss ?? (await senderBoss()) });
  await setDeliveryJob(delivery.id, run.id, db);
  return run.id;
}

/**
 * "Send test event": one "webhook.test" delivery to this webhook only (no alert), through the same job,
 * signature and retries as real events, whatever events the webhook subscribes to. Unlike notify(), this
 * one throws (404 unknown webhook, 409 disabled): an admin pressed a button and wants to know.
 */
export async function sendTestEvent(
  webhookId: string,
  deps: { db?: Db; boss?: PgBoss } = {},
): Promise<{ deliveryId: string; jobRunId: string; eventId: string }> {
  const db = deps.db ?? defaultDb();
  const webhook = await getWebhook(webhookId, db);
  if (!webhook.enabled) throw conflict("The webhook is disabled: enable it to send a test event");
  const eventId = `test_${randomBytes(9).toString("base64url")}`;
  const event: WebhookEvent = {
    id: eventId,
    type: TEST_EVENT_TYPE,
    createdAt: new Date().toISOString(),
    severity: "info",
    title: "Test event from Understudy",
    message: `A test delivery to "${webhook.name}". Check the X-Understudy-Signature header with your secret.`,
    modelId: null,
    experimentId: null,
    data: {},
  };
  const { delivery } = await createDelivery({ webhookId, eventId, eventType: TEST_EVENT_TYPE, alertId: null, body: webhookEventBody(event) }, db);
  const jobRunId = await queueDelivery(delivery, db, deps.boss);
  return { deliveryId: delivery.id, jobRunId, eventId };
}
