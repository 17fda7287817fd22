import { requireRole } from "@/lib/auth/current";
import { UpdateUserBody } from "@/lib/auth/schemas";
import { updateUser } from "@/lib/auth/users";
import { handler, json, parseJson } from "@/lib/http";

/** Change a user's role and/or disable or re-enable them. */
export const PATCH = handler(async (request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { user } = await requireRole("admin");
  const { id } = await ctx.params;
  const body = await parseJson(request, UpdateUserBody);
  const updated = await updateUser(id, body, { id: user.id, label: user.email });
  return json({ user: updated });
});
