import { SESSION_ABSOLUTE_TTL_MS, SESSION_COOKIE } from "./constants";

export { SESSION_COOKIE };

/** True when the request reached us over HTTPS (directly or through a proxy that says so). */
export function isHttps(requestUrl: string, forwardedProto: string | null): boolean {
  const proto = forwardedProto?.split(",")[0]?.trim().toLowerCase();
  if (proto) return proto === "https";
  return new URL(requestUrl).protocol === "https:";
}

/**
 * The cookie lives as long as the longest possible session; the database decides whether the
 * session is still valid (idle expiry, sign-out, disabled user).
 */
export function sessionCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: "/",
    maxAge: Math.floor(SESSION_ABSOLUTE_TTL_MS / 1000),
  };
}
