// One attempt at delivering a webhook: sign the stored body, POST it, record the attempt. A failed
// attempt throws, and the "webhook-deliver" job's pg-boss retry (exponential backoff) tries again.
import type { Db } from "@/lib/db/client";
import { loadDeliveryForSending, markDelivery, recordAttempt } from "@/lib/db/webhooks";
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature";

export class WebhookDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookDeliveryError";
  }
}

export interface DeliverOptions {
  db: Db;
  /** 1 for the first attempt */
  attempt: number;
  /** no retry follows a failure of this attempt */
  final: boolean;
  /** per-attempt time limit; default WEBHOOK_TIMEOUT_MS or 10 s */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type DeliverOutcome = { status: "succeeded"; statusCode: number; durationMs: number } | { status: "skipped"; reason: string };

const RESPONSE_SNIPPET = 500;

function timeoutFromEnv(): number {
  const v = Number(process.env.WEBHOOK_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 10_000;
}

async function snippet(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_SNIPPET) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // a body cut short still leaves what arrived
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString("utf8").slice(0, RESPONSE_SNIPPET);
  return text.length ? text : null;
}

/** Sends one attempt. Resolves on a 2xx (or when there is nothing to send); throws WebhookDeliveryError otherwise. */
export async function deliverWebhook(deliveryId: string, opts: DeliverOptions): Promise<DeliverOutcome> {
  const { db } = opts;
  const delivery = await loadDeliveryForSending(deliveryId, db);
  if (!delivery) return { status: "skipped", reason: "the delivery (or its webhook) was deleted" };
  if (delivery.status === "succeeded") return { status: "skipped", reason: "already delivered" };
  if (!delivery.webhook.enabled) {
    await markDelivery(deliveryId, { status: "skipped", lastError: "webhook disabled before delivery" }, db);
    return { status: "skipped", reason: "webhook disabled" };
  }

  const startedAt = new Date();
  const t0 = performance.now();
  const timeoutMs = opts.timeoutMs ?? timeoutFromEnv();
  const signals = [AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  let statusCode: number | null = null;
  let error: string | null = null;
  let responseBody: string | null = null;
  try {
    const res = await fetch(delivery.webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Understudy-Webhooks/1",
        [SIGNATURE_HEADER]: signatureHeader(delivery.webhook.secret, delivery.body, startedAt),
        [EVENT_ID_HEADER]: delivery.eventId,
        [EVENT_TYPE_HEADER]: delivery.eventType,
        [DELIVERY_ID_HEADER]: delivery.id,
      },
      body: delivery.body,
      // a redirect is an answer, not a new destination: the URL the admin configured is the only one we POST to
      redirect: "manual",
      signal: AbortSignal.any(signals),
    });
    statusCode = res.status;
    responseBody = await snippet(res);
    if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : ""}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === "TimeoutError" || (e.name === "AbortError" && signals[0].aborted)) error = `no answer within ${timeoutMs} ms`;
    else error = e.cause?.code ? `${e.cause.code}: ${e.cause.message ?? e.message}` : e.message || String(err);
  }
  const durationMs = Math.round(performance.now() - t0);
  const ok = error === null;
  await recordAttempt(
    deliveryId,
    { attempt: opts.attempt, startedAt, durationMs, statusCode, error, responseBody, status: ok ? "succeeded" : opts.final ? "failed" : "retrying" },
    db,
  );
  if (!ok) throw new WebhookDeliveryError(`webhook "${delivery.webhook.name}" (${delivery.webhook.url}): ${error}`);
  return { status: "succeeded", statusCode: statusCode!, durationMs };
}
