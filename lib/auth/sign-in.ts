import { db } from "@/lib/db/client";
import { verifyAgainstDummy, verifyPassword } from "./passwords";
import { FailureLimiter } from "./rate-limit";
import type { SessionUser } from "./session";

// Layered, per 15 minutes: an account from one client address; an account from anywhere (the client
// address comes from X-Forwarded-For, which a client can vary); one client address across accounts.
const WINDOW_MS = 15 * 60 * 1000;
const perAccountAndClient = new FailureLimiter(10, WINDOW_MS);
const perAccount = new FailureLimiter(30, WINDOW_MS);
const perClient = new FailureLimiter(50, WINDOW_MS);

export type SignInResult =
  | { ok: true; user: SessionUser; mustChangePassword: boolean }
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
  const account = normalizeEmail(email);
  const accountAndClient = `${account}|${clientAddress}`;
  const retryAfterMs = Math.max(
    perAccountAndClient.retryAfterMs(accountAndClient),
    perAccount.retryAfterMs(account),
    perClient.retryAfterMs(clientAddress),
  );
  if (retryAfterMs > 0) return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };

  const user = await db().user.findUnique({
    where: { email: account },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabledAt: true, mustChangePassword: true },
  });
  const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !valid || user.disabledAt) {
    perAccountAndClient.recordFailure(accountAndClient);
    perAccount.recordFailure(account);
    perClient.recordFailure(clientAddress);
    return { ok: false, reason: "invalid_credentials" };
  }
  perAccountAndClient.reset(accountAndClient);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role }, mustChangePassword: user.mustChangePassword };
}
