import { requireUser } from "@/lib/auth/current";
import { ChangePasswordBody } from "@/lib/auth/schemas";
import { changeOwnPassword } from "@/lib/auth/users";
import { handler, json, parseJson } from "@/lib/http";

/** Self-service password change; the user's other sessions are signed out. */
export const POST = handler(async (request: Request) => {
  const session = await requireUser({ allowPendingPasswordChange: true });
  const body = await parseJson(request, ChangePasswordBody);
  await changeOwnPassword(session.user.id, body.currentPassword, body.newPassword, session.sessionId);
  return json({ changed: true });
});
