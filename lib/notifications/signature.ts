// How webhook deliveries are signed, and how a receiver checks them.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-understudy-signature";
export const EVENT_ID_HEADER = "x-understudy-event-id";
export const EVENT_TYPE_HEADER = "x-understudy-event";
export const DELIVERY_ID_HEADER = "x-understudy-delivery";

/** HMAC-SHA256 (hex) of `${timestamp}.${body}`: the timestamp is signed too, so an old delivery cannot be replayed as new. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The X-Understudy-Signature value: `t=<unix seconds>,v1=<hex HMAC>`. */
export function signatureHeader(secret: string, body: string, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}

/**
 * What a receiver does (and what our tests do): parse the header, recompute the HMAC over the raw body,
 * compare in constant time, and refuse timestamps older than the tolerance.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string | null | undefined,
  opts: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (!header) return false;
  const parts = new Map(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1");
  if (!Number.isInteger(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  return timingSafeEqual(Buffer.from(v1, "hex"), Buffer.from(signatureOf(secret, t, body), "hex"));
}
