import { cookies } from "next/headers";
import { z } from "zod";
import { SESSION_COOKIE, isHttps, sessionCookieOptions } from "@/lib/auth/cookie";
import { createSession } from "@/lib/auth/session";
import { checkCredentials } from "@/lib/auth/sign-in";
import { recordAudit } from "@/lib/db/audit";
import { handler, json, jsonError, parseJson } from "@/lib/http";

const SignInBody = z.object({
  email: z.string({ error: "Enter your email" }).trim().min(1, "Enter your email").max(320),
  password: z.string({ error: "Enter your password" }).min(1, "Enter your password").max(1000),
});

function clientAddress(request: Request): string {
  return request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || request.headers.get("x-real-ip") || "local";
}

export const POST = handler(async (request: Request) => {
  const body = await parseJson(request, SignInBody);
  const result = await checkCredentials(body.email, body.password, clientAddress(request));
  if (!result.ok) {
    if (result.reason === "rate_limited") {
      return jsonError(429, "rate_limited", `Too many failed sign-ins. Try again in ${result.retryAfterSeconds} s.`, {}, {
        headers: { "retry-after": String(result.retryAfterSeconds) },
      });
    }
    return jsonError(401, "invalid_credentials", "Wrong email or password");
  }
  const { token } = await createSession(result.user.id);
  const secure = isHttps(request.url, request.headers.get("x-forwarded-proto"));
  (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(secure));
  await recordAudit({ actor: { id: result.user.id, label: result.user.email }, action: "user.signed_in", entityType: "user", entityId: result.user.id });
  return json({ user: result.user, mustChangePassword: result.mustChangePassword });
});
