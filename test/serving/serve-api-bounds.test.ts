// The lean serving process authenticates before it reads a body, and caps what it reads.
import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-keys";
import { hashPassword } from "@/lib/auth/passwords";
import { EVENTS_MAX_BODY_BYTES } from "@/lib/http/validation";
import { waitFor } from "../helpers/wait";
import { authTestDatabase } from "../auth/auth-db";

const t = authTestDatabase("serve_api_bounds");
const root = path.resolve(import.meta.dirname, "../..");
let child: ChildProcess;
let port = 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

beforeAll(async () => {
  port = await freePort();
  child = spawn(process.execPath, ["--import", "tsx", "scripts/serve-api.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t().url, SERVING_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  await waitFor(
    "serve-api to be ready",
    () => {
      if (child.exitCode !== null) throw new Error(out);
      return out.includes("ready on");
    },
    { timeoutMs: 60_000 },
  );
}, 90_000);
afterAll(() => child?.kill("SIGTERM"));

/** Sends the headers and only `sent` bytes of a body that claims `declared`; resolves with the status. */
function partial(headers: Record<string, string>, sent: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/api/v1/events", method: "POST", headers: { "content-type": "application/json", ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      },
    );
    req.on("error", (e) => (e.message.includes("socket hang up") ? undefined : reject(e)));
    req.write(Buffer.alloc(sent, 32)); // the body never ends: only an answer that did not wait for it arrives
  });
}

describe("serve-api request bounds", () => {
  it("answers 401 to an anonymous request without waiting for its body", async () => {
    expect(await partial({ "transfer-encoding": "chunked" }, 10)).toBe(401);
  });

  it("answers 413 to a keyed request over the events cap, by Content-Length or while streaming", async () => {
    const user = await t().db.user.create({ data: { email: "k@x.io", role: "admin", passwordHash: await hashPassword("irrelevant-password") } });
    const { key } = await createApiKey({ name: "svc", scopes: ["events"], createdById: user.id }, { id: user.id, label: user.email });
    expect(await partial({ authorization: `Bearer ${key}`, "content-length": String(EVENTS_MAX_BODY_BYTES + 1) }, 10)).toBe(413);
    expect(await partial({ authorization: `Bearer ${key}`, "transfer-encoding": "chunked" }, EVENTS_MAX_BODY_BYTES + 1024)).toBe(413);
  });
});
