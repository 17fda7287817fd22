// Sign-in throttling that holds: counted in PostgreSQL before the password is verified, per account,
// per client address (the socket's, not X-Forwarded-For) and per both; slowed, never locked.
import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { checkCredentials } from "@/lib/auth/sign-in";
import { THROTTLE_RULES, delaySeconds, throttleKeys } from "@/lib/auth/throttle";
import { clientAddressFrom } from "@/lib/http/client-address";
import { waitFor } from "../helpers/wait";
import { authTestDatabase } from "./auth-db";

const t = authTestDatabase("auth_sign_in");
const root = path.resolve(import.meta.dirname, "../..");
const PAIR_FREE = THROTTLE_RULES.find((r) => r.kind === "pair")!.free;

async function user(email: string, password: string) {
  await t().db.user.create({ data: { email, role: "admin", passwordHash: await hashPassword(password) } });
}

interface WebProcess {
  port: number;
  child: ChildProcess;
}

async function startWebProcess(env: Record<string, string> = {}): Promise<WebProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/sign-in-server.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t().url, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const port = await waitFor(
    "the web process to listen",
    () => {
      if (child.exitCode !== null) throw new Error(`web process exited (${child.exitCode}):\n${out}`);
      const m = /listening (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
    { timeoutMs: 60_000 },
  );
  return { port, child };
}

/** POST /api/auth/sign-in from a chosen loopback source address (127.0.0.0/8 is all ours). */
function signIn(web: WebProcess, body: { email: string; password: string }, opts: { from?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; retryAfter?: string; body: Record<string, unknown> }>((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: web.port,
        path: "/api/auth/sign-in",
        method: "POST",
        localAddress: opts.from ?? "127.0.0.1",
        headers: { "content-type": "application/json", origin: `http://127.0.0.1:${web.port}`, "content-length": Buffer.byteLength(payload), ...opts.headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode!, retryAfter: res.headers["retry-after"] as string | undefined, body: text ? JSON.parse(text) : {} }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const counts = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

let webA: WebProcess;
let webB: WebProcess;
beforeAll(async () => {
  [webA, webB] = await Promise.all([startWebProcess(), startWebProcess()]);
}, 120_000);
afterAll(() => {
  for (const w of [webA, webB]) w?.child.kill("SIGTERM");
});

describe("checking credentials", () => {
  it("accepts the right password (email case-insensitive) and gives the same answer for wrong password and unknown email", async () => {
    await user("dana@example.com", "dana-password");
    const ok = await checkCredentials("Dana@Example.com", "dana-password", "10.0.0.1");
    expect(ok).toMatchObject({ ok: true, user: { email: "dana@example.com", role: "admin" } });
    expect(await checkCredentials("dana@example.com", "wrong", "10.0.0.1")).toEqual({ ok: false, reason: "invalid_credentials" });
    expect(await checkCredentials("nobody@example.com", "wrong", "10.0.0.1")).toEqual({ ok: false, reason: "invalid_credentials" });
  });

  it("slows down (doubling waits up to a cap) instead of locking", () => {
    const pair = THROTTLE_RULES.find((r) => r.kind === "pair")!;
    expect([0, 1, pair.free - 1].map((n) => delaySeconds(pair, n))).toEqual([0, 0, 0]);
    expect([pair.free, pair.free + 1, pair.free + 2].map((n) => delaySeconds(pair, n))).toEqual([pair.baseSeconds, 2 * pair.baseSeconds, 4 * pair.baseSeconds]);
    expect(delaySeconds(pair, 1000)).toBe(pair.capSeconds);
  });

  it("counts 50 parallel attempts as 50: only the free allowance reaches argon2", async () => {
    await user("gail@example.com", "gail-password");
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => checkCredentials("gail@example.com", `guess-${i}`, "10.0.0.9")));
    const reasons = results.map((r) => (r.ok ? "ok" : r.reason));
    expect(reasons.filter((r) => r === "invalid_credentials")).toHaveLength(PAIR_FREE);
    expect(reasons.filter((r) => r === "rate_limited")).toHaveLength(50 - PAIR_FREE);
    const row = await t().db.signInThrottle.findUniqueOrThrow({ where: { key: throttleKeys("gail@example.com", "10.0.0.9").pair } });
    expect(row.failures + row.refused).toBe(50);
    // the right password from the guessing address is refused too while it waits
    expect(await checkCredentials("gail@example.com", "gail-password", "10.0.0.9")).toMatchObject({ ok: false, reason: "rate_limited" });
  });
});

describe("sign-in over HTTP, two web processes sharing one database", () => {
  it("does not let a client buy guesses by rotating X-Forwarded-For", async () => {
    await user("hana@example.com", "hana-password");
    const statuses: number[] = [];
    for (let i = 0; i < PAIR_FREE + 3; i++) {
      const r = await signIn(
        i % 2 ? webA : webB,
        { email: "hana@example.com", password: `guess-${i}` },
        { from: "127.0.0.5", headers: { "x-forwarded-for": `203.0.113.${i}`, "x-real-ip": `198.51.100.${i}`, "x-understudy-client-address": `192.0.2.${i}` } },
      );
      statuses.push(r.status);
    }
    expect(statuses).toEqual([...Array(PAIR_FREE).fill(401), 429, 429, 429]);
    // every attempt was counted under the socket's address, none under a header's
    const row = await t().db.signInThrottle.findUniqueOrThrow({ where: { key: throttleKeys("hana@example.com", "127.0.0.5").pair } });
    expect(row.failures + row.refused).toBe(PAIR_FREE + 3);
    expect(await t().db.signInThrottle.count({ where: { key: { contains: "203.0.113." } } })).toBe(0);
    const right = await signIn(
      webA,
      { email: "hana@example.com", password: "hana-password" },
      { from: "127.0.0.5", headers: { "x-forwarded-for": "203.0.113.250" } },
    );
    expect(right.status).toBe(429);
    expect(Number(right.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(right.body).toMatchObject({ error: "rate_limited" });
    expect(await t().db.auditLog.count({ where: { action: "auth.sign_in_slowed", entityId: "hana@example.com" } })).toBeGreaterThanOrEqual(1);
  });

  it("shares the count across processes: 50 parallel attempts over two processes admit the free allowance once", async () => {
    await user("ivan@example.com", "ivan-password");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signIn(i % 2 ? webA : webB, { email: "ivan@example.com", password: `guess-${i}` }, { from: "127.0.0.6" })),
    );
    expect(counts(results.map((r) => r.status))).toEqual({ 401: PAIR_FREE, 429: 50 - PAIR_FREE });
    const row = await t().db.signInThrottle.findUniqueOrThrow({ where: { key: throttleKeys("ivan@example.com", "127.0.0.6").pair } });
    expect(row).toMatchObject({ failures: PAIR_FREE, refused: 50 - PAIR_FREE });
    for (const r of results.filter((r) => r.status === 429)) expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("lets the owner in with the right password after an attacker's burst, and resets the count", async () => {
    await user("jo@example.com", "jo-password");
    const burst = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        signIn(
          i % 2 ? webA : webB,
          { email: "jo@example.com", password: `guess-${i}` },
          { from: "127.0.0.7", headers: { "x-forwarded-for": `203.0.113.${i}` } },
        ),
      ),
    );
    expect(burst.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const owner = await signIn(webB, { email: "jo@example.com", password: "jo-password" }, { from: "127.0.0.8" });
    expect(owner.status).toBe(200);
    expect(await t().db.signInThrottle.count({ where: { key: throttleKeys("jo@example.com", "127.0.0.8").account } })).toBe(0);
  });

  it("refuses a sign-in that is not same-origin JSON", async () => {
    const form = await signIn(webA, { email: "x@example.com", password: "x" }, { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    const foreign = await signIn(webA, { email: "x@example.com", password: "x" }, { headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
  });
});

describe("client address", () => {
  it("is the socket's peer unless TRUST_PROXY names the hops", () => {
    expect(clientAddressFrom("::ffff:10.0.0.1", "203.0.113.9", 0)).toBe("10.0.0.1");
    expect(clientAddressFrom("10.0.0.1", "203.0.113.9, 198.51.100.2", 1)).toBe("198.51.100.2");
    expect(clientAddressFrom("10.0.0.1", "203.0.113.9, 198.51.100.2", 2)).toBe("203.0.113.9");
    expect(clientAddressFrom("10.0.0.1", "198.51.100.2", 5)).toBe("198.51.100.2");
    expect(clientAddressFrom("10.0.0.1", null, 1)).toBe("10.0.0.1");
  });
});
