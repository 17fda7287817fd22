import { z } from "zod";
import { recordAudit } from "@/lib/db/audit";
import { json, jsonError, parseJson } from "@/lib/http";
import { requireJsonSameOrigin } from "@/lib/http/same-origin";
import { SESSION_COOKIE, isHttps, sessionCookieOptions } from "./cookie";
import { createSession } from "./session";
import { checkCredentials } from "./sign-in";

export const SignInBody = z.object({
  email: z.string({ error: "Enter your email" }).trim().min(1, "Enter your email").max(320),
  password: z.string({ error: "Enter your password" }).min(1, "Enter your password").max(1000),
});

export function serializeCookie(name: string, value: string, o: ReturnType<typeof sessionCookieOptions>): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path}`, `Max-Age=${o.maxAge}`, `SameSite=${o.sameSite === "lax" ? "Lax" : o.sameSite}`];
  if (o.httpOnly) parts.push("HttpOnly");
  if (o.secure) parts.push("Secure");
  return parts.join("; ");
}

/** POST /api/auth/sign-in, independent of Next (so several plain processes can serve it in tests). */
export async function signInResponse(request: Request, clientAddress: string): Promise<Response> {
  requireJsonSameOrigin(request);
  const body = await parseJson(request, SignInBody);
  const result = await checkCredentials(body.email, body.password, clientAddress);
  if (!result.ok) {
    if (result.reason === "rate_limited") {
      return jsonError(
        429,
        "rate_limited",
        `Too many sign-in attempts. Try again in ${result.retryAfterSeconds} s.`,
        { retryAfterSeconds: result.retryAfterSeconds },
        {
          headers: { "retry-after": String(result.retryAfterSeconds) },
        },
      );
    }
    return jsonError(401, "invalid_credentials", "Wrong email or password");
  }
  const { token } = await createSession(result.user.id);
  const secure = isHttps(request.url, request.headers.get("x-forwarded-proto")) || secureCookiesRequired(request);
  await recordAudit({
    actor: { id: result.user.id, label: result.user.email },
    action: "user.signed_in",
    entityType: "user",
    entityId: result.user.id,
    data: { client: clientAddress },
  });
  return json(
    { user: result.user, mustChangePassword: result.mustChangePassword },
    { headers: { "set-cookie": serializeCookie(SESSION_COOKIE, token, sessionCookieOptions(secure)) } },
  );
}

/** In production the cookie is Secure, except on loopback (http://localhost cannot be intercepted). */
function secureCookiesRequired(request: Request): boolean {
  if (process.env.NODE_ENV !== "production") return false;
  const host = new URL(request.url).hostname.replace(/^\[|\]$/g, "");
  return !(host === "localhost" || host === "::1" || /^127\./.test(host));
}
