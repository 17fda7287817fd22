import { cookies } from "next/headers";
import { SESSION_COOKIE } from "@/lib/auth/cookie";
import { invalidateSession } from "@/lib/auth/session";
import { handler } from "@/lib/http";
import { requireJsonSameOrigin } from "@/lib/http/same-origin";
import { readBodyText } from "@/lib/http/validation";

/** Ends the session (204). JSON from this site only: no other site's form can sign a user out. */
export const POST = handler(async (request: Request) => {
  requireJsonSameOrigin(request);
  await readBodyText(request); // unused, but bounded like every body
  const store = await cookies();
  const token = store.get(SESSION_COOKIE)?.value;
  if (token) await invalidateSession(token);
  store.delete(SESSION_COOKIE);
  return new Response(null, { status: 204 });
});
