import { db } from "@/lib/db/client";
import { verifyAgainstDummy, verifyPassword } from "./passwords";
import { FailureLimiter } from "./rate-limit";
import type { SessionUser } from "./session";

const perAccount = new FailureLimiter(10, 15 * 60 * 1000);
const perClient = new FailureLimiter(50, 15 * 60 * 1000);

export type SignInResult =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: "invalid_credentials" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Checks an email and password. Unknown emails and disabled users cost the same argon2 work as a
 * wrong password and get the same answer; repeated failures per account and per client address
 * are throttled.
 */
export async function checkCredentials(email: string, password: string, clientAddress = "unknown"): Promise<SignInResult> {
  const accountKey = `${normalizeEmail(email)}|${clientAddress}`;
  const retryAfterMs = Math.max(perAccount.retryAfterMs(accountKey), perClient.retryAfterMs(clientAddress));
  if (retryAfterMs > 0) return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };

  const user = await db().user.findUnique({
    where: { email: normalizeEmail(email) },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabledAt: true },
  });
  const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !valid || user.disabledAt) {
    perAccount.recordFailure(accountKey);
    perClient.recordFailure(clientAddress);
    return { ok: false, reason: "invalid_credentials" };
  }
  perAccount.reset(accountKey);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
