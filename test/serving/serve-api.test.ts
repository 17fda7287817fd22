// The lean serving process (scripts/serve-api.ts) as a real process over real HTTP, with two workers
// behind the cluster module: answers, errors, the key checked before the body is read, events, and every
// served request's exposure stored, also when the process is stopped right after serving.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedTestDatabase } from "../helpers/db";
import { waitFor } from "../helpers/wait";
import { apiKeys, seedServingWorld, useAsProcessDatabase, type ServingWorld } from "./fixtures";

const t = isolatedTestDatabase("serve_api");
const root = path.resolve(import.meta.dirname, "../..");
let keys: { all: string; eventsOnly: string };
let world: ServingWorld;
let server: ChildProcess;
let base: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** one request on a connection of its own (so the cluster hands requests to both workers) */
function post(pathname: string, body: unknown, key: string | null = keys.all, method = "POST"): Promise<Reply> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${pathname}`,
      { method, agent: false, headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) } },
      (res) => {
        let data = "";
        res.on("data", (c: Buffer) => (data += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data ? (JSON.parse(data) as Record<string, unknown>) : {} }));
      },
    );
    req.on("error", reject);
    req.end(method === "GET" ? undefined : text);
  });
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/serve-api.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t().url, SERVING_PORT: String(port), ROUTING_REFRESH_MS: "50", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const workers = Number(env.SERVING_PROCESSES ?? 1);
  await waitFor(
    `${workers} serving process(es) to listen`,
    () => {
      if (child.exitCode !== null) throw new Error(`serve-api exited: ${out}`);
      return (out.match(/ready on/g) ?? []).length === workers;
    },
    { timeoutMs: 60_000 },
  );
  return { child, base: `http://127.0.0.1:${port}`, output: () => out };
}

beforeAll(async () => {
  process.env.DATA_DIR = mkdtempSync(path.join(tmpdir(), "understudy-serve-api-"));
  useAsProcessDatabase(t());
  keys = await apiKeys(t().db);
  world = await seedServingWorld(t().db);
  const started = await startServer({ SERVING_PROCESSES: "2", FLUSH_MS: "20" });
  server = started.child;
  base = started.base;
}, 90_000);

afterAll(async () => {
  if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  rmSync(process.env.DATA_DIR!, { recursive: true, force: true });
});

describe("scripts/serve-api.ts", () => {
  it("answers recommendations from both workers and stores every exposure", async () => {
    const users = world.dataset.userIds.slice(0, 30);
    const replies = await Promise.all(users.map((userId) => post("/api/v1/recommend", { userId, k: 5 })));
    for (const [i, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ variant: "production", modelId: world.teacherId });
      const items = reply.body.items as { itemId: string; score: number }[];
      expect(items).toHaveLength(5);
      const train = new Set(Array.from(world.dataset.trainByUser[world.dataset.userIds.indexOf(users[i])], (x) => world.dataset.itemIds[x]));
      for (const item of items) expect(train.has(item.itemId)).toBe(false);
    }
    // the same user gets the same answer from either worker
    const again = await Promise.all([0, 1, 2, 3].map(() => post("/api/v1/recommend", { userId: users[0], k: 5 })));
    for (const reply of again) expect(reply.body.items).toEqual(replies[0].body.items);
    const ids = [...replies, ...again].map((r) => r.body.requestId as string);
    await waitFor("the exposures", async () => (await t().db.exposure.count({ where: { requestId: { in: ids } } })) === ids.length, { intervalMs: 25 });
  });

  it("answers 401 from the headers alone, before any body arrives", async () => {
    const reply = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${base}/api/v1/recommend`,
        { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": "100" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
      req.flushHeaders(); // the promised 100 bytes never come
    });
    expect(reply).toBe(401);
    expect((await post("/api/v1/recommend", { userId: "u", k: 5 }, keys.eventsOnly)).status).toBe(403);
  });

  it("answers client errors with the field and reason, like the route handler", async () => {
    const bad = await post("/api/v1/recommend", { userId: "", k: 0 });
    expect(bad.status).toBe(400);
    expect((bad.body.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(["k", "userId"]);
    expect((await post("/api/v1/recommend", "{oops")).body.error).toBe("invalid_json");
    const nul = await post("/api/v1/recommend", { userId: "a\u0000b", k: 3 });
    expect(nul.status).toBe(400);
    expect(nul.body.issues).toEqual([{ path: "userId", message: "userId must not contain a NUL character" }]);
    expect((await post("/api/v1/nothing", {})).status).toBe(404);
    expect((await post("/api/v1/recommend", {}, keys.all, "GET")).status).toBe(405);
  });

  it("ingests events through the events route", async () => {
    const reply = await post("/api/v1/events", { events: [{ eventId: "serve-api-1", type: "click", userId: "u1", itemId: "i1", timestamp: Date.now() }] });
    expect(reply).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0 } });
  });

  it("stores, on SIGTERM, the exposures still waiting in the queue of each worker", async () => {
    server.kill("SIGTERM");
    // a second server whose queues only flush at 500 rows or at shutdown
    const slow = await startServer({ SERVING_PROCESSES: "2", FLUSH_MS: "600000" });
    server = slow.child;
    base = slow.base;
    const users = world.dataset.userIds.slice(30, 70);
    const replies = await Promise.all(users.map((userId) => post("/api/v1/recommend", { userId, k: 3 })));
    const ids = replies.map((r) => r.body.requestId as string);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(await t().db.exposure.count({ where: { requestId: { in: ids } } })).toBe(0);
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await t().db.exposure.count({ where: { requestId: { in: ids } } })).toBe(ids.length);
  }, 90_000);
});
