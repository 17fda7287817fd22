import { requireRole } from "@/lib/auth/current";
import { CreateUserBody } from "@/lib/auth/schemas";
import { createUser, listUsers } from "@/lib/auth/users";
import { handler, json, parseJson } from "@/lib/http";

export const GET = handler(async () => {
  await requireRole("admin");
  return json({ users: await listUsers() });
});

export const POST = handler(async (request: Request) => {
  const { user } = await requireRole("admin");
  const body = await parseJson(request, CreateUserBody);
  const created = await createUser(body, { id: user.id, label: user.email });
  return json({ user: created }, { status: 201 });
});
