// Hourly (JOB_SCHEDULES): delete expired sessions and stale sign-in throttle rows.
import type { AuthHousekeepingInput } from "@/lib/jobs/definitions";
import type { JobContext } from "../context";
import { purgeExpiredAuthState } from "@/lib/auth/housekeeping";

export async function authHousekeeping(_input: AuthHousekeepingInput, ctx: JobContext) {
  const purged = await purgeExpiredAuthState(ctx.db);
  ctx.progress(100, `${purged.sessions} expired session(s), ${purged.throttles} stale throttle row(s) deleted`);
  return purged;
}
