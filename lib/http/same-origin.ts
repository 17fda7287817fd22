import { HttpError } from "./errors";

/** The host the browser addressed: the proxy's X-Forwarded-Host when one stands in front, else Host. */
function requestHost(request: Request): string | null {
  return request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host") || new URL(request.url).host;
}

/**
 * For sign-in and sign-out, which no form of another site may trigger: the body must be declared
 * application/json (a cross-site form cannot send that without a preflight) and the Origin header
 * must be present and name this site.
 */
export function requireJsonSameOrigin(request: Request): void {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") throw new HttpError(415, "unsupported_media_type", "Send the request as application/json");
  const origin = request.headers.get("origin");
  if (!origin) throw new HttpError(403, "forbidden", "The Origin header is required");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, "forbidden", "Cross-origin request refused");
  }
  if (originHost !== requestHost(request)) throw new HttpError(403, "forbidden", "Cross-origin request refused");
}
