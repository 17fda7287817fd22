// Calling cookie-authenticated route handlers from tests: next/headers only works inside Next's request
// scope, so a test file mocks it with `vi.mock("next/headers", () => nextHeadersFromCurrentRequest)`
// and every call goes through `callRoute`, which makes the request's headers the current ones. The
// handlers, sessions and database stay real.
import { createSession } from "@/lib/auth/session";
import { SESSION_COOKIE } from "@/lib/auth/constants";
import type { Db } from "@/lib/db/client";
import type { Role } from "@/lib/auth/roles";

const state = globalThis as unknown as { testRequestHeaders?: Headers };

export const nextHeadersFromCurrentRequest = {
  headers: async () => state.testRequestHeaders ?? new Headers(),
  cookies: async () => {
    const header = state.testRequestHeaders?.get("cookie") ?? "";
    const jar = new Map(
      header
        .split(";")
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => [p.slice(0, p.indexOf("=")), decodeURIComponent(p.slice(p.indexOf("=") + 1))] as const),
    );
    return { get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined), has: (name: string) => jar.has(name) };
  },
};

export async function callRoute<Ctx>(route: (request: Request, ctx: Ctx) => Promise<Response>, request: Request, ctx?: Ctx): Promise<Response> {
  state.testRequestHeaders = request.headers;
  try {
    return await route(request, ctx as Ctx);
  } finally {
    state.testRequestHeaders = undefined;
  }
}

/** a user of `role` with a live session: the Cookie header value to send */
export async function sessionCookie(db: Db, role: Role): Promise<{ userId: string; cookie: string }> {
  const user = await db.user.create({
    data: { email: `${role}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`, passwordHash: "x", role },
  });
  const { token } = await createSession(user.id);
  return { userId: user.id, cookie: `${SESSION_COOKIE}=${token}` };
}
