/**
 * The client's address for throttling: the TCP peer, unless TRUST_PROXY names how many proxies of
 * ours stand in front (then the address the outermost of them saw). A client-sent X-Forwarded-For is
 * never believed beyond those hops, so rotating it buys nothing.
 *
 * `next start` hides the socket from route handlers (and keeps a client's X-Forwarded-For as it is),
 * so our web server (scripts/web-server.ts) computes the address from the socket and passes it in
 * CLIENT_ADDRESS_HEADER, replacing any such header a client sent.
 */
export const CLIENT_ADDRESS_HEADER = "x-understudy-client-address";
const TRUSTED = Symbol.for("understudy.clientAddressHeaderTrusted");

export function trustProxyHops(env: Record<string, string | undefined> = process.env): number {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw) return 0;
  const hops = Number(raw);
  if (!Number.isInteger(hops) || hops < 0 || hops > 10) throw new Error(`TRUST_PROXY must be a hop count 0..10, got "${raw}"`);
  return hops;
}

function normalize(address: string): string {
  const a = address.trim().replace(/^\[|\]$/g, "");
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

/** The address `hops` trusted proxies before the socket's peer (0: the peer itself). */
export function clientAddressFrom(socketAddress: string | undefined, forwardedFor: string | null | undefined, hops: number): string {
  const chain =
    hops > 0 && forwardedFor
      ? forwardedFor
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  chain.push(socketAddress || "unknown");
  return normalize(chain[Math.max(0, chain.length - 1 - hops)]);
}

/** Called by our web server once it sets CLIENT_ADDRESS_HEADER on every request. */
export function trustClientAddressHeader(): void {
  (globalThis as Record<symbol, unknown>)[TRUSTED] = true;
}

let warned = false;

/** The client address of a request reaching a route handler. */
export function requestClientAddress(request: Request): string {
  if ((globalThis as Record<symbol, unknown>)[TRUSTED]) return request.headers.get(CLIENT_ADDRESS_HEADER) || "unknown";
  // Served by plain `next start`/`next dev`: no socket address. Behind TRUST_PROXY proxies, the last
  // X-Forwarded-For entries are theirs; otherwise every client shares one address (safe, but coarse).
  const hops = trustProxyHops();
  if (hops > 0) {
    const chain = (request.headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (chain.length) return normalize(chain[Math.max(0, chain.length - hops)]);
  }
  if (!warned) {
    warned = true;
    console.warn(
      "[understudy] client addresses unknown (not served by scripts/web-server.ts, TRUST_PROXY unset): sign-in throttling per address is shared by all clients",
    );
  }
  return "unknown";
}

/** What our web server does to each incoming request before Next sees it. */
export function stampClientAddress(req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } }, hops: number): string {
  const forwarded = req.headers["x-forwarded-for"];
  const address = clientAddressFrom(req.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(",") : forwarded, hops);
  req.headers[CLIENT_ADDRESS_HEADER] = address;
  return address;
}
