import { db as defaultDb, type Db } from "@/lib/db/client";
import { THROTTLE_DECAY_MS } from "./throttle";

/** Expired sessions and sign-in throttle rows past their decay window; run hourly by a cron job. */
export async function purgeExpiredAuthState(client: Db = defaultDb(), now = new Date()): Promise<{ sessions: number; throttles: number }> {
  const sessions = await client.session.deleteMany({ where: { expiresAt: { lte: now } } });
  const throttles = await client.signInThrottle.deleteMany({ where: { lastAttemptAt: { lt: new Date(now.getTime() - THROTTLE_DECAY_MS) } } });
  return { sessions: sessions.count, throttles: throttles.count };
}
