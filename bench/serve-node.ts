// A minimal Node HTTP server that mounts the SAME route handlers as the Next app
// (app/api/v1/recommend/route.ts and app/api/v1/events/route.ts), for benchmarking serving without a
// `next build`. bench/serve.ts uses it with `--server node`; `--server next` runs the built app instead.
//   PORT=3100 DATABASE_URL=… DATA_DIR=… tsx bench/serve-node.ts
import http from "node:http";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postRecommend } from "@/app/api/v1/recommend/route";

const routes: Record<string, (request: Request, ctx: unknown) => Promise<Response>> = {
  "/api/v1/recommend": postRecommend,
  "/api/v1/events": postEvents,
};

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const route = routes[url.pathname];
    if (!route || req.method !== "POST") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const response = await route(new Request(url, { method: "POST", headers, body: Buffer.concat(chunks) }), undefined);
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers.entries())).end(body);
  } catch (error) {
    console.error(error);
    res.writeHead(500).end();
  }
});

const port = Number(process.env.PORT ?? 3100);
server.keepAliveTimeout = 30_000;
server.listen(port, "127.0.0.1", () => console.log(`ready on http://127.0.0.1:${port}`));
