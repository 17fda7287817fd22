// Loopback load generator, run as its own process by bench/serve.ts so its CPU does not count as the
// server's. Closed loop: `concurrency` keep-alive connections, each sending its next request as soon as
// the previous answer is read, for `durationMs`. Prints one JSON line with counts, latencies and its own
// CPU time over the run (cpuMs: a saturated load generator caps what a benchmark can show).
// Recommend requests go over raw sockets (bench/raw-http.ts): node:http's client cost the load generator
// 0.18 ms of CPU a request here, more than the floor server it measures, and on two cores shared with
// the server its own delays landed in the latencies it records. Events (large bodies, a few a second)
// keep node:http.
//
//   tsx bench/loadgen.ts '<json config>'
//   config: {mode: "recommend"|"events", url, apiKey, concurrency, durationMs, users?: string[], k?, batch?, runId?}
import http from "node:http";
import { RawHttpConnection } from "./raw-http";

interface Config {
  mode: "recommend" | "events";
  url: string;
  apiKey: string;
  concurrency: number;
  durationMs: number;
  users?: string[];
  k?: number;
  batch?: number;
  runId?: string;
}

const config = JSON.parse(process.argv[2] ?? "{}") as Config;
const target = new URL(config.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });

/** one post at a time per worker: node:http for events, a raw keep-alive connection of its own for each recommend worker */
function poster(): { post: (body: string) => Promise<{ status: number; text: string }>; close: () => void } {
  if (config.mode === "events") return { post, close: () => undefined };
  const connection = new RawHttpConnection(target.hostname, Number(target.port || 80), {
    path: target.pathname,
    headers: { "content-type": "application/json", authorization: `Bearer ${config.apiKey}` },
  });
  return { post: (body) => connection.post(body), close: () => connection.close() };
}

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${config.apiKey}`, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let seq = 0;
function nextBody(): string {
  const n = seq++;
  if (config.mode === "recommend") {
    const users = config.users ?? ["u"];
    // a fixed pseudo-random walk over the users (multiplicative hash of the sequence number)
    const userId = users[(Math.imul(n + 1, 2654435761) >>> 0) % users.length];
    return JSON.stringify({ userId, k: config.k ?? 10 });
  }
  const batch = config.batch ?? 1000;
  const now = new Date().toISOString();
  const events = Array.from({ length: batch }, (_, i) => ({
    eventId: `${config.runId ?? "bench"}-${n}-${i}`,
    type: i % 10 === 0 ? "conversion" : "click",
    userId: `u${i % 500}`,
    itemId: `i${i}`,
    timestamp: now,
  }));
  return JSON.stringify({ events });
}

async function main(): Promise<void> {
  const latencies: number[] = [];
  let errors = 0;
  let accepted = 0;
  const errorSamples: string[] = [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const deadline = started + config.durationMs;
  const worker = async () => {
    const { post, close } = poster();
    while (performance.now() < deadline) {
      const body = nextBody();
      const t0 = performance.now();
      try {
        const { status, text } = await post(body);
        const ok = config.mode === "recommend" ? status === 200 : status === 202;
        if (!ok) {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(`${status} ${text.slice(0, 200)}`);
          continue;
        }
        latencies.push(performance.now() - t0);
        if (config.mode === "events") accepted += (JSON.parse(text) as { accepted: number }).accepted;
      } catch (error) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push((error as Error).message);
      }
    }
    close();
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null);
  agent.destroy();
  process.stdout.write(
    JSON.stringify({
      ok: latencies.length,
      errors,
      accepted,
      elapsedMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      p50ms: q(0.5),
      p99ms: q(0.99),
      maxMs: latencies.at(-1) ?? null,
      errorSamples,
    }) + "\n",
  );
}

main().catch((error) => {
  process.stderr.write(`loadgen failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
