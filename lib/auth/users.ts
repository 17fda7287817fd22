import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { HttpError, conflict, notFound, fieldError } from "@/lib/http/errors";
import { hashPassword, verifyPassword } from "./passwords";
import type { Role } from "./roles";
import { invalidateUserSessions } from "./session";
import { normalizeEmail } from "./sign-in";

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  createdAt: Date;
  disabledAt: Date | null;
}

const summary = { id: true, email: true, name: true, role: true, createdAt: true, disabledAt: true } as const;

export function listUsers(): Promise<UserSummary[]> {
  return db().user.findMany({ select: summary, orderBy: { createdAt: "asc" } });
}

export async function createUser(input: { email: string; name?: string | null; role: Role; password: string }, actor: AuditActor): Promise<UserSummary> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: normalizeEmail(input.email), name: input.name?.trim() || null, role: input.role, passwordHash },
        select: summary,
      });
      await recordAudit({ actor, action: "user.created", entityType: "user", entityId: user.id, data: { email: user.email, role: user.role } }, tx);
      return user;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw conflict(`A user with email ${normalizeEmail(input.email)} already exists`);
    }
    throw error;
  }
}

/** Role changes and disabling keep at least one active admin, so nobody locks the team out. */
async function assertNotLastAdmin(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  const others = await tx.user.count({ where: { role: "admin", disabledAt: null, id: { not: userId } } });
  if (others === 0) throw new HttpError(409, "last_admin", "This is the last active admin; promote another admin first");
}

export async function updateUser(userId: string, change: { role?: Role; disabled?: boolean }, actor: AuditActor): Promise<UserSummary> {
  const updated = await db().$transaction(
    async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId }, select: summary });
      if (!user) throw notFound("No such user");
      const losesAdmin = user.role === "admin" && !user.disabledAt && ((change.role && change.role !== "admin") || change.disabled === true);
      if (losesAdmin) await assertNotLastAdmin(tx, userId);

      const data: Prisma.UserUpdateInput = {};
      if (change.role && change.role !== user.role) data.role = change.role;
      if (change.disabled === true && !user.disabledAt) data.disabledAt = new Date();
      if (change.disabled === false && user.disabledAt) data.disabledAt = null;
      if (Object.keys(data).length === 0) return user;

      const next = await tx.user.update({ where: { id: userId }, data, select: summary });
      if (data.role) {
        await recordAudit({ actor, action: "user.role_changed", entityType: "user", entityId: userId, data: { from: user.role, to: next.role } }, tx);
      }
      if ("disabledAt" in data) {
        await recordAudit({ actor, action: next.disabledAt ? "user.disabled" : "user.enabled", entityType: "user", entityId: userId }, tx);
      }
      return next;
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.Serializable },
  );
  if (updated.disabledAt) await invalidateUserSessions(userId);
  return updated;
}

/** Self-service password change: needs the current password; signs out the user's other sessions. */
export async function changeOwnPassword(userId: string, currentPassword: string, newPassword: string, keepSessionId: string): Promise<void> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { passwordHash: true, email: true } });
  if (!user) throw notFound("No such user");
  if (!(await verifyPassword(user.passwordHash, currentPassword))) {
    throw fieldError("currentPassword", "The current password is wrong", "The current password is wrong");
  }
  const passwordHash = await hashPassword(newPassword);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false } });
    await recordAudit({ actor: { id: userId, label: user.email }, action: "user.password_changed", entityType: "user", entityId: userId }, tx);
  });
  await invalidateUserSessions(userId, keepSessionId);
}
