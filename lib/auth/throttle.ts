import { db } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";

/**
 * Sign-in throttling kept in PostgreSQL, so every web process shares the counts. An attempt is
 * counted under a row lock *before* its password is verified: parallel attempts cannot all pass the
 * check. Past a free allowance each further attempt must wait twice as long as the one before (up to
 * a cap): an account is slowed down, never locked, and its owner signing in from another address is
 * not held back by a burst from the attacker's address.
 */
export interface ThrottleRule {
  kind: "pair" | "account" | "client";
  /** attempts admitted without delay */
  free: number;
  /** wait after the first attempt past the allowance; each further one doubles it */
  baseSeconds: number;
  /** longest wait between two attempts */
  capSeconds: number;
}

export const THROTTLE_RULES: readonly ThrottleRule[] = [
  { kind: "pair", free: 5, baseSeconds: 15, capSeconds: 15 * 60 }, // one account from one client address
  { kind: "account", free: 20, baseSeconds: 5, capSeconds: 5 * 60 }, // one account from anywhere (many addresses)
  { kind: "client", free: 100, baseSeconds: 15, capSeconds: 15 * 60 }, // one client address across accounts
];

/** Failures are forgotten this long after a key's last attempt. */
export const THROTTLE_DECAY_MS = 60 * 60 * 1000;

export function throttleKeys(account: string, client: string): Record<ThrottleRule["kind"], string> {
  return { pair: `pair:${account}|${client}`, account: `account:${account}`, client: `client:${client}` };
}

/** Seconds to wait after the `failures`-th counted attempt under `rule`. */
export function delaySeconds(rule: ThrottleRule, failures: number): number {
  if (failures < rule.free) return 0;
  return Math.min(rule.capSeconds, rule.baseSeconds * 2 ** Math.min(30, failures - rule.free));
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

interface Row {
  key: string;
  failures: number;
  nextAllowedAt: Date;
  lastAttemptAt: Date;
}

/** Counts one attempt for `account` from `client` and says whether it may be verified now. */
export async function admitSignInAttempt(account: string, client: string, now = new Date()): Promise<Admission> {
  const keys = throttleKeys(account, client);
  const byKey = new Map(THROTTLE_RULES.map((rule) => [keys[rule.kind], rule]));
  const sorted = [...byKey.keys()].sort(); // one lock order for every process: no deadlocks
  const slowed: { rule: ThrottleRule; key: string; failures: number; wait: number }[] = [];

  const admission = await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`insert into "SignInThrottle" (key, "nextAllowedAt", "lastAttemptAt")
        select k, ${now}, ${now} from unnest(${sorted}::text[]) as k order by k on conflict (key) do nothing`;
      const rows = await tx.$queryRaw<Row[]>`select key, failures, "nextAllowedAt", "lastAttemptAt" from "SignInThrottle"
        where key = any(${sorted}::text[]) order by key for update`;
      const current = rows.map((r) => {
        const stale = now.getTime() - r.lastAttemptAt.getTime() > THROTTLE_DECAY_MS;
        return { ...r, failures: stale ? 0 : r.failures, nextAllowedAt: stale ? now : r.nextAllowedAt };
      });
      const waitMs = Math.max(0, ...current.map((r) => r.nextAllowedAt.getTime() - now.getTime()));
      if (waitMs > 0) {
        await tx.$executeRaw`update "SignInThrottle" set refused = refused + 1, "lastAttemptAt" = ${now} where key = any(${sorted}::text[])`;
        return { admitted: false as const, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      for (const r of current) {
        const rule = byKey.get(r.key)!;
        const failures = r.failures + 1;
        const wait = delaySeconds(rule, failures);
        if (wait > 0) slowed.push({ rule, key: r.key, failures, wait });
        await tx.$executeRaw`update "SignInThrottle" set failures = ${failures}, "lastAttemptAt" = ${now},
          "nextAllowedAt" = ${new Date(now.getTime() + wait * 1000)} where key = ${r.key}`;
      }
      return { admitted: true as const };
    },
    { maxWait: 30_000, timeout: 30_000 },
  );

  for (const s of slowed) {
    // One row per slow-down step (doubling), not per refused attempt: a flood cannot flood the log.
    await recordAudit({
      actor: { label: "system" },
      action: "auth.sign_in_slowed",
      entityType: "sign_in",
      entityId: s.rule.kind === "client" ? client : account,
      reason: `${s.failures} sign-in attempts (${s.rule.kind === "pair" ? `from ${client}` : s.rule.kind === "account" ? "from any address" : "across accounts"}): next one in ${s.wait} s`,
      data: { rule: s.rule.kind, failures: s.failures, waitSeconds: s.wait, client },
    });
  }
  return admission;
}

/** A successful sign-in: the account's counts start again; the address keeps its cross-account count less this attempt. */
export async function recordSignInSuccess(account: string, client: string): Promise<void> {
  const keys = throttleKeys(account, client);
  await db().$executeRaw`delete from "SignInThrottle" where key in (${keys.pair}, ${keys.account})`;
  await db().$executeRaw`update "SignInThrottle" set failures = greatest(failures - 1, 0) where key = ${keys.client}`;
}

/** Housekeeping: rows whose last attempt is past the decay window. */
export async function deleteStaleThrottles(now = new Date()): Promise<number> {
  return db().$executeRaw`delete from "SignInThrottle" where "lastAttemptAt" < ${new Date(now.getTime() - THROTTLE_DECAY_MS)}`;
}
