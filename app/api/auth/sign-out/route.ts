import { cookies } from "next/headers";
import { SESSION_COOKIE } from "@/lib/auth/cookie";
import { invalidateSession } from "@/lib/auth/session";
import { handler } from "@/lib/http";

/** Ends the session. A plain form post is redirected to the sign-in page; fetch callers get 204. */
export const POST = handler(async (request: Request) => {
  const store = await cookies();
  const token = store.get(SESSION_COOKIE)?.value;
  if (token) await invalidateSession(token);
  store.delete(SESSION_COOKIE);
  const isFormPost = (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded");
  if (isFormPost) return new Response(null, { status: 303, headers: { location: "/sign-in" } });
  return new Response(null, { status: 204 });
});
