import { describe, expect, it } from "vitest";
import { JOB_SCHEDULES } from "@/lib/jobs/definitions";
import { QUEUES } from "@/lib/jobs/queues";
import { purgeExpiredAuthState } from "@/lib/auth/housekeeping";
import { hashPassword } from "@/lib/auth/passwords";
import { THROTTLE_DECAY_MS } from "@/lib/auth/throttle";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("auth_housekeeping");

describe("auth housekeeping (hourly cron job)", () => {
  it("is scheduled", () => {
    expect(JOB_SCHEDULES.map((s) => s.queue)).toContain(QUEUES.authHousekeeping);
  });

  it("deletes expired sessions and stale throttle rows, and keeps live ones", async () => {
    const now = new Date();
    const user = await t().db.user.create({ data: { email: "hk@example.com", passwordHash: await hashPassword("irrelevant-password") } });
    await t().db.session.createMany({
      data: [
        { tokenHash: "expired", userId: user.id, expiresAt: new Date(now.getTime() - 1000) },
        { tokenHash: "live", userId: user.id, expiresAt: new Date(now.getTime() + 60_000) },
      ],
    });
    await t().db.signInThrottle.createMany({
      data: [
        { key: "pair:stale|x", failures: 3, lastAttemptAt: new Date(now.getTime() - THROTTLE_DECAY_MS - 1000) },
        { key: "pair:fresh|x", failures: 3, lastAttemptAt: now },
      ],
    });
    expect(await purgeExpiredAuthState(t().db, now)).toEqual({ sessions: 1, throttles: 1 });
    expect((await t().db.session.findMany()).map((s) => s.tokenHash)).toEqual(["live"]);
    expect((await t().db.signInThrottle.findMany()).map((r) => r.key)).toEqual(["pair:fresh|x"]);
  });
});
