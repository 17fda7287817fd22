import { requireRole } from "@/lib/auth/current";
import { CreateUserBody } from "@/lib/auth/schemas";
import { createUser, listUsers } from "@/lib/auth/users";
import { json, parseJson } from "@/lib/http";
import { actorOf, sessionRoute } from "@/lib/http/session-route";

export const GET = sessionRoute(
  () => requireRole("admin"),
  async () => json({ users: await listUsers() }),
);

export const POST = sessionRoute(
  () => requireRole("admin"),
  async (request, session) => json({ user: await createUser(await parseJson(request, CreateUserBody), actorOf(session)) }, { status: 201 }),
);
