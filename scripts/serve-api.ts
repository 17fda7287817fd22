// `npm run serve:api`: a lean serving process for the machine endpoints (/api/v1/recommend and
// /api/v1/events) that mounts the SAME route handlers as the dashboard's Next server, without Next's
// per-request overhead (~0.8 ms CPU). Run one per core behind a load balancer for high request rates;
// the dashboard keeps serving the same routes for small deployments. `npm start` starts one when
// SERVING_PORT is set. Exposures are flushed on SIGTERM/SIGINT (lib/serving/runtime.ts).
//   SERVING_PORT=3001 DATABASE_URL=… DATA_DIR=… npm run serve:api
import http from "node:http";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postRecommend } from "@/app/api/v1/recommend/route";

const routes: Record<string, (request: Request, ctx: unknown) => Promise<Response>> = {
  "/api/v1/recommend": postRecommend,
  "/api/v1/events": postEvents,
};

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const route = routes[url.pathname];
    if (!route) return sendJson(res, 404, { error: "not_found", message: `no route ${url.pathname}` });
    if (req.method !== "POST") return sendJson(res, 405, { error: "method_not_allowed", message: "use POST" });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const response = await route(new Request(url, { method: "POST", headers, body: Buffer.concat(chunks) }), undefined);
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers.entries())).end(body);
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
