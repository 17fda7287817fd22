import type { ValidSession } from "@/lib/auth/session";
import { notFound } from "./errors";
import { handler } from "./handler";

/** The actor an audit entry names for a signed-in user. */
export const actorOf = (session: ValidSession) => ({ id: session.user.id, label: session.user.email });

/**
 * A route handler behind a session check (`() => requireUser()` or `() => requireRole("editor")`, as the
 * route table declares): the check runs first, then `fn` gets the request, the session and the route's
 * params; errors answer as `handler` answers them.
 */
export function sessionRoute<Params = Record<string, never>>(
  guard: () => Promise<ValidSession>,
  fn: (request: Request, session: ValidSession, params: Params) => Promise<Response> | Response,
): (request: Request, ctx: { params: Promise<Params> }) => Promise<Response> {
  return handler(async (request: Request, ctx: { params: Promise<Params> }) => {
    const session = await guard();
    return fn(request, session, ctx?.params ? await ctx.params : ({} as Params));
  });
}

/** The record, or a 404 with `message` when there is none. */
export function found<T>(record: T | null | undefined, message: string): T {
  if (record === null || record === undefined) throw notFound(message);
  return record;
}
