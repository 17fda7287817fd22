import { db } from "@/lib/db/client";
import type { Role } from "./roles";
import { SESSION_ABSOLUTE_TTL_MS, SESSION_IDLE_TTL_MS, SESSION_REFRESH_INTERVAL_MS } from "./constants";
import { randomToken, sha256Hex } from "./tokens";

export { SESSION_ABSOLUTE_TTL_MS, SESSION_IDLE_TTL_MS, SESSION_REFRESH_INTERVAL_MS };

/**
 * Sessions: the cookie carries a random 32-byte token, the Session table only its SHA-256, so a
 * database leak yields no usable cookie. A session expires after IDLE_TTL without use (sliding:
 * each use pushes expiresAt forward, written at most once per REFRESH_INTERVAL) and never lives
 * past ABSOLUTE_TTL from sign-in.
 */

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

export interface ValidSession {
  sessionId: string;
  expiresAt: Date;
  user: SessionUser;
  /** the password was generated for this user: nothing but changing it is allowed */
  mustChangePassword: boolean;
}

export async function createSession(userId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_TTL_MS);
  await db().session.create({
    data: { tokenHash: sha256Hex(token), userId, createdAt: now, lastSeenAt: now, expiresAt },
  });
  return { token, expiresAt };
}

/**
 * Resolves a cookie token to its user, or null when unknown, expired or the user is disabled.
 * Expired sessions found here are deleted.
 */
export async function validateSessionToken(token: string, now = new Date()): Promise<ValidSession | null> {
  if (!token || token.length > 200) return null;
  const session = await db().session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    include: { user: { select: { id: true, email: true, name: true, role: true, disabledAt: true, mustChangePassword: true } } },
  });
  if (!session) return null;
  if (session.expiresAt <= now) {
    await db().session.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (session.user.disabledAt) return null;

  let expiresAt = session.expiresAt;
  if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_REFRESH_INTERVAL_MS) {
    const absoluteEnd = session.createdAt.getTime() + SESSION_ABSOLUTE_TTL_MS;
    expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_TTL_MS, absoluteEnd));
    await db().session.updateMany({ where: { id: session.id }, data: { lastSeenAt: now, expiresAt } });
  }
  const { id, email, name, role, mustChangePassword } = session.user;
  return { sessionId: session.id, expiresAt, user: { id, email, name, role }, mustChangePassword };
}

export async function invalidateSession(token: string): Promise<void> {
  await db().session.deleteMany({ where: { tokenHash: sha256Hex(token) } });
}

/** Signs a user out everywhere (password change, disabling), optionally keeping one session. */
export async function invalidateUserSessions(userId: string, exceptSessionId?: string): Promise<number> {
  const { count } = await db().session.deleteMany({
    where: { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
  });
  return count;
}

/** Housekeeping: removes expired sessions; safe to call from a scheduled job. */
export async function deleteExpiredSessions(now = new Date()): Promise<number> {
  const { count } = await db().session.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
