// `npm run serve:api`: a lean serving process for the machine endpoints (/api/v1/recommend and
// /api/v1/events) that mounts the SAME route handlers as the dashboard's Next server, without Next's
// per-request overhead (~0.8 ms CPU). Run one per core behind a load balancer for high request rates;
// the dashboard keeps serving the same routes for small deployments. `npm start` starts one when
// SERVING_PORT is set. Exposures are flushed on SIGTERM/SIGINT (lib/serving/runtime.ts).
//   SERVING_PORT=3001 DATABASE_URL=… DATA_DIR=… npm run serve:api
import http from "node:http";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postRecommend } from "@/app/api/v1/recommend/route";
import type { ApiKeyScope } from "@/lib/auth/api-keys";
import { errorResponse } from "@/lib/http/handler";
import { DEFAULT_MAX_BODY_BYTES, EVENTS_MAX_BODY_BYTES } from "@/lib/http/validation";
import { requireApiKey } from "@/lib/serving/api-key";

interface Route {
  handle: (request: Request, ctx: unknown) => Promise<Response>;
  scope: ApiKeyScope;
  maxBytes: number;
}

const routes: Record<string, Route> = {
  "/api/v1/recommend": { handle: postRecommend, scope: "recommend", maxBytes: DEFAULT_MAX_BODY_BYTES },
  "/api/v1/events": { handle: postEvents, scope: "events", maxBytes: EVENTS_MAX_BODY_BYTES },
};

async function send(res: http.ServerResponse, response: Response, close = false): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers = Object.fromEntries(response.headers.entries());
  res.writeHead(response.status, close ? { ...headers, connection: "close" } : headers).end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const route = routes[url.pathname];
    if (!route) return sendJson(res, 404, { error: "not_found", message: `no route ${url.pathname}` });
    if (req.method !== "POST") return sendJson(res, 405, { error: "method_not_allowed", message: "use POST" });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    // The key is checked before a byte of the body is read: an anonymous client cannot make us buffer.
    try {
      await requireApiKey(new Request(url, { method: "POST", headers }), route.scope);
    } catch (error) {
      return await send(res, errorResponse(error), true);
    }
    const declared = Number(req.headers["content-length"]);
    const tooLarge = () => sendJson(res.setHeader("connection", "close"), 413, { error: "payload_too_large", message: `The request body is larger than ${route.maxBytes} bytes`, maxBytes: route.maxBytes });
    if (Number.isFinite(declared) && declared > route.maxBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req) {
      total += (chunk as Buffer).length;
      if (total > route.maxBytes) return tooLarge();
      chunks.push(chunk as Buffer);
    }
    await send(res, await route.handle(new Request(url, { method: "POST", headers, body: Buffer.concat(chunks) }), undefined));
  } catch (error) {
    // the route handlers already turn their errors into JSON; this is the transport failing
    console.error("[serve-api]", error);
    if (!res.headersSent) sendJson(res, 500, { error: "internal_error" });
    else res.destroy();
  }
});

const rawPort = process.env.SERVING_PORT ?? process.env.PORT ?? "3001";
const port = Number(rawPort);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`SERVING_PORT must be a TCP port, got "${rawPort}"`);
  process.exit(2);
}
if (!process.env.DATABASE_URL) {
  console.error("DATABASE_URL is not set: the serving process reads models, experiments and writes exposures there");
  process.exit(2);
}
const host = process.env.SERVING_HOST ?? process.env.HOST ?? "127.0.0.1";
server.keepAliveTimeout = 30_000;
server.listen(port, host, () => console.log(`[serve-api] ready on http://${host}:${port}`));
