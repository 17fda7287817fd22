// One webhook delivery attempt (lib/notifications/deliver.ts). A failed attempt throws, so the runner
// records it and pg-boss retries with exponential backoff; the last one leaves the delivery "failed".
import { deliverWebhook } from "@/lib/notifications/deliver";
import type { JobContext } from "../context";
import { jobDefinition, type WebhookDeliverInput } from "@/lib/jobs/definitions";
import { QUEUES } from "@/lib/jobs/queues";

export async function webhookDeliver(input: WebhookDeliverInput, ctx: JobContext) {
  const final = ctx.attempt > jobDefinition(QUEUES.webhookDeliver).retryLimit;
  const outcome = await deliverWebhook(input.deliveryId, { db: ctx.db, attempt: ctx.attempt, final, signal: ctx.signal });
  if (outcome.status === "skipped") await ctx.log(`nothing sent: ${outcome.reason}`);
  return outcome;
}
