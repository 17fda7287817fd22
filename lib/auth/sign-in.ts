import { db } from "@/lib/db/client";
import { verifyAgainstDummy, verifyPassword } from "./passwords";
import type { SessionUser } from "./session";
import { admitSignInAttempt, recordSignInSuccess } from "./throttle";

export type SignInResult =
  | { ok: true; user: SessionUser; mustChangePassword: boolean }
  | { ok: false; reason: "invalid_credentials" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Checks an email and password. Unknown emails and disabled users cost the same argon2 work as a
 * wrong password and get the same answer. Every attempt is counted (in PostgreSQL, per account, per
 * client address and per both) before the password is verified; see ./throttle.
 */
export async function checkCredentials(email: string, password: string, clientAddress: string): Promise<SignInResult> {
  const account = normalizeEmail(email);
  const admission = await admitSignInAttempt(account, clientAddress);
  if (!admission.admitted) return { ok: false, reason: "rate_limited", retryAfterSeconds: admission.retryAfterSeconds };

  const user = await db().user.findUnique({
    where: { email: account },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabledAt: true, mustChangePassword: true },
  });
  const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !valid || user.disabledAt) return { ok: false, reason: "invalid_credentials" };
  await recordSignInSuccess(account, clientAddress);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role }, mustChangePassword: user.mustChangePassword };
}
