import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { recordAudit } from "@/lib/db/audit";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "./passwords";
import { normalizeEmail } from "./sign-in";

const DEFAULT_ADMIN_EMAIL = "admin@understudy.local";

/**
 * On an empty User table, creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD, or with a
 * generated password printed once to stdout, which must be changed at the first sign-in. Does nothing when any user exists, so it is safe to
 * call on every start and from several processes at once.
 */
export async function ensureFirstAdmin(log: (line: string) => void = console.log): Promise<void> {
  if ((await db().user.count()) > 0) return;

  const email = normalizeEmail(process.env.ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL);
  const configured = process.env.ADMIN_PASSWORD || undefined;
  if (configured !== undefined && configured.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = configured || generatePassword();
  const passwordHash = await hashPassword(password);

  let created = false;
  try {
    created = await db().$transaction(
      async (tx) => {
        // Re-checked inside a serializable transaction: two starting processes create one admin.
        if ((await tx.user.count()) > 0) return false;
        // A generated password has been on a terminal (and maybe in a log): it works once, to set a new one.
        const user = await tx.user.create({ data: { email, name: "Administrator", role: "admin", passwordHash, mustChangePassword: !configured } });
        await recordAudit(
          {
            actor: { label: "system" },
            action: "user.created",
            entityType: "user",
            entityId: user.id,
            reason: "first start: empty user table",
            data: { email, role: "admin" },
          },
          tx,
        );
        return true;
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.Serializable },
    );
  } catch (error) {
    const concurrent = error instanceof Prisma.PrismaClientKnownRequestError && (error.code === "P2002" || error.code === "P2034");
    if (!concurrent) throw error;
  }
  if (!created) return;
  if (configured) {
    log(`Created the first admin ${email} (password from ADMIN_PASSWORD).`);
  } else {
    log(
      `Created the first admin. Sign in with\n  email:    ${email}\n  password: ${password}\nThis password is shown only once and must be changed at the first sign-in.`,
    );
  }
}
