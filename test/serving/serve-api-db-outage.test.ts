// PostgreSQL becomes unreachable under the lean serving process (scripts/serve-api.ts, a real process
// whose DATABASE_URL points at a TCP proxy in front of the test database): /api/v1/recommend keeps
// answering from the loaded model with a key verified before the outage, /api/v1/events (which must write)
// answers 503 with a clear message, the process stays up, and once the database is back the exposures
// flow again and those served during the outage are stored or counted as lost, never silently gone.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_TTL_MS } from "@/lib/auth/api-keys";
import { isolatedTestDatabase } from "../helpers/db";
import { waitFor } from "../helpers/wait";
import { apiKeys, seedServingWorld, useAsProcessDatabase, type ServingWorld } from "./fixtures";

const t = isolatedTestDatabase("serve_api_outage");
const root = path.resolve(import.meta.dirname, "../..");

/** A TCP proxy to the test PostgreSQL that can be cut (listener closed, every proxied socket destroyed) and restored. */
class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  get connections(): number {
    return this.sockets.size;
  }
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

let proxy: CuttableProxy;
let server: ChildProcess;
let base = "";
let output = "";
let keys: { all: string; eventsOnly: string };
let world: ServingWorld;

function post(pathname: string, body: unknown, key = keys.all): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${pathname}`,
      { method: "POST", agent: false, headers: { "content-type": "application/json", authorization: `Bearer ${key}` } },
      (res) => {
        let data = "";
        res.on("data", (c: Buffer) => (data += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data ? (JSON.parse(data) as Record<string, unknown>) : {} }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const recommend = (userId: string) => post("/api/v1/recommend", { userId, k: 5 });
const event = (id: string) => post("/api/v1/events", { events: [{ eventId: id, type: "click", userId: "u1", itemId: "i1", timestamp: Date.now() }] });

beforeAll(async () => {
  process.env.DATA_DIR = mkdtempSync(path.join(tmpdir(), "understudy-serve-outage-"));
  useAsProcessDatabase(t());
  keys = await apiKeys(t().db);
  world = await seedServingWorld(t().db);

  const direct = new URL(t().url);
  proxy = new CuttableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  await proxy.open();
  const viaProxy = new URL(t().url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);

  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  // the routing refresh runs every 50 ms, so it meets the outage many times while requests are served
  server = spawn(process.execPath, ["--import", "tsx", "scripts/serve-api.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: viaProxy.toString(), SERVING_PORT: String(port), ROUTING_REFRESH_MS: "50", FLUSH_MS: "20" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  server.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  base = `http://127.0.0.1:${port}`;
  await waitFor(
    "serve-api to listen",
    () => {
      if (server.exitCode !== null) throw new Error(`serve-api exited: ${output}`);
      return output.includes("ready on");
    },
    { timeoutMs: 60_000 },
  );
}, 90_000);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  await proxy?.cut();
  rmSync(process.env.DATA_DIR!, { recursive: true, force: true });
});

describe("serve-api while PostgreSQL is unreachable", () => {
  it("keeps recommending from the loaded model, answers 503 where it must write, and recovers", async () => {
    const users = world.dataset.userIds;
    // before: served through the proxy, exposure stored, events accepted
    const before = await recommend(users[0]);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ variant: "production", modelId: world.teacherId });
    await waitFor("the first exposure", async () => (await t().db.exposure.count({ where: { requestId: before.body.requestId as string } })) === 1, {
      intervalMs: 25,
    });
    expect((await event("outage-before")).status).toBe(202);
    expect(proxy.connections).toBeGreaterThan(0); // the process really talks to PostgreSQL through the proxy

    await proxy.cut();
    const cutAt = Date.now();
    const outputAtCut = output.length;

    // during: served from the loaded model for longer than a verified key is cached, so the key check
    // itself meets the outage; the same user gets the same items as before
    const during: Reply[] = [];
    for (let i = 0; during.length < 8 || Date.now() - cutAt < CACHE_TTL_MS + 1000; i++) {
      const reply = await recommend(users[i % 8]);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body).toMatchObject({ variant: "production", modelId: world.teacherId });
      expect(reply.body.items as unknown[]).toHaveLength(5);
      during.push(reply);
      if (i > 100_000) throw new Error("the loop did not end");
    }
    expect(during[0].body.items).toEqual(before.body.items);
    // the routing refresh met the outage and kept the previous configuration
    await waitFor("a failed routing refresh", () => output.slice(outputAtCut).includes("routing refresh failed; serving the previous configuration"), {
      timeoutMs: 15_000,
    });
    during.push(await recommend(users[1]));
    expect(during.at(-1)!.status).toBe(200);

    // events must be written: 503 with a clear message (never a 500, never a silent 202)
    const refused = await event("outage-during");
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(refused.body).toMatchObject({ error: "database_unavailable" });
    expect(String(refused.body.message)).toMatch(/database cannot be reached/i);
    expect(server.exitCode).toBeNull();
    expect(server.signalCode).toBeNull();

    // after: the database is back on the same address
    await proxy.open();
    const after = await recommend(users[9]);
    expect(after.status).toBe(200);
    await waitFor(
      "the exposure served after the outage",
      async () => (await t().db.exposure.count({ where: { requestId: after.body.requestId as string } })) === 1,
      { intervalMs: 50, timeoutMs: 20_000 },
    );
    await waitFor("events accepted again", async () => (await event("outage-after")).status === 202, { intervalMs: 100, timeoutMs: 20_000 });
    expect(await t().db.event.count({ where: { eventId: "outage-during" } })).toBe(0);

    // every exposure served during the outage is either stored (retried) or counted as lost
    const duringIds = during.map((r) => r.body.requestId as string);
    const lostAndStored = async () => {
      const stored = await t().db.exposure.count({ where: { requestId: { in: duringIds } } });
      const lost = (await t().db.exposureLoss.aggregate({ _sum: { count: true } }))._sum.count ?? 0;
      return { stored, lost };
    };
    const accounted = await waitFor(
      "the outage's exposures to be accounted for",
      async () => {
        const c = await lostAndStored();
        return c.stored + c.lost >= duringIds.length ? c : undefined;
      },
      { intervalMs: 50, timeoutMs: 20_000 },
    );
    expect(accounted.stored + accounted.lost).toBe(duringIds.length);
    expect(server.exitCode).toBeNull();
  }, 90_000);
});
