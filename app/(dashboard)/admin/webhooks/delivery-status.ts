import type { WebhookDeliveryStatus } from "@/lib/db/generated/enums";

/** Badge colour (globals.css .badge.*) of each delivery status. */
export const DELIVERY_BADGE: Record<WebhookDeliveryStatus, string> = {
  pending: "queued",
  retrying: "warn",
  succeeded: "succeeded",
  failed: "failed",
  skipped: "cancelled",
};
