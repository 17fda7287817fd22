// `npm run serve:api`: a lean serving process for the machine endpoints (/api/v1/recommend and
// /api/v1/events) without Next's per-request overhead (~0.8 ms CPU). /api/v1/recommend calls the same
// lib/serving/recommend-http as the Next route, straight from node:http (no Request/Response objects: the
// key is checked from the headers, then the body is read); /api/v1/events mounts the Next route handler.
// SERVING_PROCESSES=N runs N worker processes behind the node cluster module (one per core); else run one
// per core behind a load balancer. `npm start` starts one when SERVING_PORT is set. Exposures are flushed
// on SIGTERM/SIGINT (lib/serving/runtime.ts), by every worker.
//   SERVING_PORT=3001 DATABASE_URL=… DATA_DIR=… [SERVING_PROCESSES=2] npm run serve:api
import cluster from "node:cluster";
import http from "node:http";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { presentedKeyOf } from "@/lib/auth/api-keys";
import { errorResponse } from "@/lib/http/handler";
import { DEFAULT_MAX_BODY_BYTES, EVENTS_MAX_BODY_BYTES, tooLarge } from "@/lib/http/validation";
import { requireApiKey } from "@/lib/serving/api-key";
import { answerRecommend, type JsonAnswer } from "@/lib/serving/recommend-http";

const RECOMMEND = "/api/v1/recommend";
const EVENTS = "/api/v1/events";

/** `close`: the request's body was not (all) read, so the connection cannot carry another request */
function send(res: http.ServerResponse, answer: JsonAnswer, close = false): void {
  const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(answer.body), ...(close ? { connection: "close" } : {}) };
  res.writeHead(answer.status, headers).end(answer.body);
}

/** The body, refused with 413 past `maxBytes`: by its Content-Length before reading, else while streaming. */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        req.removeAllListeners("data");
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

/** a route handler of the Next app, mounted through WHATWG Request/Response (events: not the hot path) */
async function viaRequest(route: (request: Request, ctx: unknown) => Promise<Response>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  // the key is checked before a byte of the body is read: an anonymous client cannot make us buffer
  await requireApiKey(new Request(url, { method: "POST", headers }), "events");
  const response = await route(new Request(url, { method: "POST", headers, body: Buffer.from(await readBody(req, EVENTS_MAX_BODY_BYTES)) }), undefined);
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, Object.fromEntries(response.headers.entries())).end(body);
}

/** (a plain function: the recommend path's only promises are the body's and the scoring's) */
function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> | void {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  const pathname = q < 0 ? raw : raw.slice(0, q);
  if (pathname !== RECOMMEND && pathname !== EVENTS) {
    return send(res, { status: 404, body: JSON.stringify({ error: "not_found", message: `no route ${pathname}` }) });
  }
  if (req.method !== "POST") return send(res, { status: 405, body: JSON.stringify({ error: "method_not_allowed", message: "use POST" }) });
  try {
    if (pathname === EVENTS) return viaRequest(postEvents, req, res).catch((error: unknown) => failed(req, res, error));
    return answerRecommend(presentedKeyOf(header(req, "authorization"), header(req, "x-api-key")), () => readBody(req, DEFAULT_MAX_BODY_BYTES)).then(
      (answer) => send(res, answer),
      (error: unknown) => failed(req, res, error),
    );
  } catch (error) {
    return failed(req, res, error);
  }
}

/** logged with a request id, answered with a bare 500 carrying it (like every route handler) */
async function failed(req: http.IncomingMessage, res: http.ServerResponse, error: unknown): Promise<void> {
  const response = errorResponse(error);
  send(res, { status: response.status, body: await response.text() }, !req.readableEnded);
}

function serve(port: number, host: string): void {
  // the transport failing (a socket closed mid-answer)
  const transportFailed = (res: http.ServerResponse, error: unknown) => {
    console.error("[serve-api]", error);
    if (!res.headersSent) send(res, { status: 500, body: JSON.stringify({ error: "internal_error" }) });
    else res.destroy();
  };
  const server = http.createServer((req, res) => {
    try {
      handle(req, res)?.catch((error: unknown) => transportFailed(res, error));
    } catch (error) {
      transportFailed(res, error);
    }
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, host, () => console.log(`[serve-api] ready on http://${host}:${port}${cluster.isWorker ? ` (worker ${process.pid})` : ""}`));
}

const rawPort = process.env.SERVING_PORT ?? process.env.PORT ?? "3001";
const port = Number(rawPort);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`SERVING_PORT must be a TCP port, got "${rawPort}"`);
  process.exit(2);
}
const rawProcesses = process.env.SERVING_PROCESSES ?? "1";
const processes = Number(rawProcesses);
if (!Number.isInteger(processes) || processes < 1 || processes > 256) {
  console.error(`SERVING_PROCESSES must be a whole number of processes (1 or more), got "${rawProcesses}"`);
  process.exit(2);
}
if (!process.env.DATABASE_URL) {
  console.error("DATABASE_URL is not set: the serving process reads models, experiments and writes exposures there");
  process.exit(2);
}
const host = process.env.SERVING_HOST ?? process.env.HOST ?? "127.0.0.1";

if (processes > 1 && cluster.isPrimary) {
  // the primary only accepts connections and hands them to the workers (round robin); a worker that dies
  // is replaced, and a signal is passed on so every worker flushes its exposures before the primary exits
  let stopping = false;
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`[serve-api] worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
} else {
  serve(port, host);
}
