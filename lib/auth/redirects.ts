const BASE = "http://understudy.invalid";

/**
 * A post-sign-in target that stays on this site: the path (with query and hash) of a URL that, once
 * parsed as browsers parse it (tabs and newlines stripped, backslashes as slashes), is same-origin.
 * `/%09/evil.example` and `/\tevil` become `//evil.example` in a browser; those, full URLs and
 * protocol-relative paths give "/".
 */
export function safeNextPath(next: string | undefined): string {
  if (!next || !next.startsWith("/")) return "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return "/";
  }
  // Control characters or backslashes anywhere (raw or percent-encoded) have no place in our paths.
  if (/[\u0000-\u001f\u007f\\]/.test(decoded) || decoded.startsWith("//")) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path.startsWith("//") || path.startsWith("/sign-in") || path.startsWith("/api/")) return "/";
  return path;
}
