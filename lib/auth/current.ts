import { cache } from "react";
import { cookies, headers } from "next/headers";
import { forbidden as forbiddenPage, redirect } from "next/navigation";
import { HttpError, forbidden, unauthorized } from "@/lib/http/errors";
import { hasRole, type Role } from "./roles";
import { SESSION_COOKIE } from "./cookie";
import { validateSessionToken, type ValidSession } from "./session";

/** The signed-in session for this request (validated once per request), or null. */
export const getCurrentSession = cache(async (): Promise<ValidSession | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return token ? validateSessionToken(token) : null;
});

/**
 * Refuses browser requests sent from another origin. SameSite=Lax already keeps the cookie off
 * cross-site POSTs; this also covers same-site (sibling subdomain) forgeries.
 */
async function assertSameOrigin(): Promise<void> {
  const h = await headers();
  const origin = h.get("origin");
  if (!origin) return;
  const host = h.get("x-forwarded-host") ?? h.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, "forbidden", "Cross-origin request refused");
  }
  if (originHost !== host) throw new HttpError(403, "forbidden", "Cross-origin request refused");
}

// ---- route handlers and server actions: throw HttpError (401/403), which handler() renders ----

/** `allowPendingPasswordChange`: only for changing the password (and signing out). */
export async function requireUser(opts: { allowPendingPasswordChange?: boolean } = {}): Promise<ValidSession> {
  const session = await getCurrentSession();
  if (!session) throw unauthorized();
  await assertSameOrigin();
  if (session.mustChangePassword && !opts.allowPendingPasswordChange) {
    throw new HttpError(403, "password_change_required", "Change your generated password first (POST /api/account/password)");
  }
  return session;
}

export async function requireRole(minRole: Role): Promise<ValidSession> {
  const session = await requireUser();
  if (!hasRole(session.user.role, minRole)) {
    throw forbidden(`This needs the ${minRole} role; you are ${session.user.role}`);
  }
  return session;
}

// ---- pages and layouts: redirect to sign-in, or render the 403 page ----

export const PASSWORD_CHANGE_PAGE = "/account?change=required";

export async function requirePageUser(opts: { allowPendingPasswordChange?: boolean } = {}): Promise<ValidSession> {
  const session = await getCurrentSession();
  if (!session) redirect("/sign-in");
  if (session.mustChangePassword && !opts.allowPendingPasswordChange) redirect(PASSWORD_CHANGE_PAGE);
  return session;
}

export async function requirePageRole(minRole: Role): Promise<ValidSession> {
  const session = await requirePageUser();
  if (!hasRole(session.user.role, minRole)) forbiddenPage();
  return session;
}
