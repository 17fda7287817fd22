// What a notification is, what a webhook receives and what an admin may configure. Pure (no database,
// no network, no Node built-ins): the dashboard's forms import it too.
import { z } from "zod";

export const NOTIFICATION_TYPES = [
  "drift.detected",
  "redistill.started",
  "gate.passed",
  "gate.failed",
  "candidate.created",
  "guardrail.breached",
  "experiment.paused",
  "experiment.rolled_back",
  "experiment.awaiting_approval",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Sent only by "Send test event" to one webhook; never an alert. */
export const TEST_EVENT_TYPE = "webhook.test";

export const NOTIFICATION_LABELS: Record<NotificationType, string> = {
  "drift.detected": "Drift detected",
  "redistill.started": "Redistillation started",
  "gate.passed": "Offline gate passed",
  "gate.failed": "Offline gate failed",
  "candidate.created": "Candidate experiment created",
  "guardrail.breached": "Guardrail breached (experiment paused)",
  "experiment.paused": "Experiment paused by a person",
  "experiment.rolled_back": "Experiment rolled back",
  "experiment.awaiting_approval": "Cutover awaiting approval",
};

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const notificationInput = z
  .object({
    type: z.enum(NOTIFICATION_TYPES),
    severity: z.enum(SEVERITIES),
    title: z.string().trim().min(1).max(200),
    message: z.string().max(4000).default(""),
    modelId: z.string().min(1).optional(),
    experimentId: z.string().min(1).optional(),
    /** any JSON the receiver may want (numbers behind the decision, job ids, ...) */
    data: z.record(z.string(), z.unknown()).default({}),
    /** idempotency: a second notify() with the same key creates nothing (re-run jobs, retried work) */
    dedupeKey: z.string().min(1).max(300).optional(),
  })
  .strict();
export type NotificationInput = z.input<typeof notificationInput>;
export type Notification = z.output<typeof notificationInput>;

/** The JSON body every webhook delivery POSTs. */
export interface WebhookEvent {
  /** stable across retries: receivers deduplicate on it (also in X-Understudy-Event-Id) */
  id: string;
  type: NotificationType | typeof TEST_EVENT_TYPE;
  createdAt: string;
  severity: Severity;
  title: string;
  message: string;
  modelId: string | null;
  experimentId: string | null;
  data: Record<string, unknown>;
}

export function webhookEventBody(e: WebhookEvent): string {
  return JSON.stringify(e);
}

// ---------- webhook configuration (admin API and form) ----------

const webhookUrl = z
  .string()
  .trim()
  .min(1, { error: "Required", abort: true })
  .max(2000, { error: "must be at most 2000 characters", abort: true })
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute URL, e.g. https://hooks.example.com/understudy" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `must use http or https, not ${url.protocol.replace(/:$/, "")}` });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must not carry a user name or password (the signature authenticates us)" });
    }
  });

const events = z
  .array(z.enum(NOTIFICATION_TYPES))
  .min(1, "choose at least one event to send")
  .transform((list) => [...new Set(list)]);

export const createWebhookBody = z
  .object({
    name: z.string().trim().min(1).max(120),
    url: webhookUrl,
    events,
    enabled: z.boolean().default(true),
    /** optional: an admin-chosen secret (≥ 24 characters); by default the server generates one */
    secret: z.string().min(24, "must be at least 24 characters (or leave it empty to generate one)").max(200).optional(),
  })
  .strict();
export type CreateWebhookBody = z.output<typeof createWebhookBody>;

export const updateWebhookBody = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    url: webhookUrl.optional(),
    events: events.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change: send name, url, events or enabled" });
export type UpdateWebhookBody = z.output<typeof updateWebhookBody>;
