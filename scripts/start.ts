// `npm start` / `npm run dev`: database (embedded unless DATABASE_URL) → migrations → first admin →
// demo data on an empty database → `next build` when the build is missing or stale → the web server
// and the worker(s). Ctrl-C (SIGINT) or SIGTERM stops the children first and the database last.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { migrateDatabase } from "@/lib/db/migrate";
import { redactUrl, selectDatabase, type SelectedDatabase } from "./db-env";

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const say = (line: string) => console.log(`[understudy] ${line}`);

function portFromEnv(): number {
  const raw = process.env.PORT ?? "3000";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT must be a TCP port number, got "${raw}"`);
  return port;
}

function workerCount(): number {
  const raw = process.env.WORKERS ?? "1";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new Error(`WORKERS must be an integer 0..16, got "${raw}"`);
  return n;
}

/** Newest modification time under the paths that go into `next build`. */
function newestSourceMtime(): number {
  const skip = new Set(["node_modules", ".next", ".data", ".git", "test", "e2e", "bench", "test-results", "playwright-report"]);
  let newest = 0;
  const visit = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const entry of readdirSync(p)) if (!skip.has(entry)) visit(path.join(p, entry));
    } else if (/\.(tsx?|css|json|mjs|js)$/.test(p)) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const entry of ["app", "components", "lib", "proxy.ts", "next.config.ts", "package.json", "tsconfig.json"]) visit(path.join(root, entry));
  return newest;
}

/** `next start` serves .next: rebuild when it is missing or older than the sources (SKIP_BUILD=1 to never build). */
function ensureBuild(): void {
  if (dev || process.env.SKIP_BUILD === "1") return;
  const buildId = path.join(root, ".next", "BUILD_ID");
  const stale = !existsSync(buildId) || statSync(buildId).mtimeMs < newestSourceMtime();
  if (!stale) return;
  say(
    existsSync(buildId)
      ? "sources changed since the last build: running next build"
      : "no production build yet: running next build (a few minutes on two cores)",
  );
  const result = spawnSync(path.join(root, "node_modules/.bin/next"), ["build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
}

async function prepare(database: SelectedDatabase): Promise<string[]> {
  say(`database: ${redactUrl(database.url)}${database.embedded ? " (embedded)" : ""}`);
  say("applying migrations");
  await migrateDatabase(database.url);
  const { prepareDatabase, disconnectDatabase } = await import("@/lib/db/first-start");
  const notes = await prepareDatabase(database, say);
  await disconnectDatabase();
  return notes;
}

interface Supervised {
  name: string;
  child: ChildProcess;
}

async function main() {
  const port = portFromEnv();
  const workers = workerCount();
  let database: SelectedDatabase;
  try {
    database = await selectDatabase(say);
  } catch (err) {
    console.error(`[understudy] start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  process.env.DATABASE_URL = database.url;

  const children: Supervised[] = [];
  let stopping = false;
  let exitCode = 0;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    say("stopping…");
    const alive = children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    const exited = alive.map(({ child }) => new Promise<void>((r) => child.once("exit", () => r())));
    for (const { child } of alive) child.kill("SIGTERM");
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 25_000).unref());
    if ((await Promise.race([Promise.all(exited), timeout])) === "timeout") {
      for (const { child } of alive) if (child.exitCode === null) child.kill("SIGKILL");
    }
    await database.stop();
    say("stopped");
    process.exit(exitCode);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  let notes: string[];
  try {
    notes = await prepare(database);
    ensureBuild();
  } catch (err) {
    console.error(`[understudy] start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    await database.stop();
    process.exit(1);
  }
  if (stopping) return;

  const env = { ...process.env, DATABASE_URL: database.url, PORT: String(port) };
  // Our node:http front for Next (scripts/web-server.ts): route handlers get the socket's client address.
  const next = spawn(process.execPath, ["--import", "tsx", "scripts/web-server.ts", ...(dev ? ["--dev"] : [])], {
    cwd: root,
    env: { ...env, NODE_ENV: dev ? "development" : "production" },
    stdio: "inherit",
  });
  children.push({ name: "web", child: next });
  next.once("exit", (code) => {
    if (!stopping) {
      console.error(`[understudy] the web server exited (${code}); stopping everything`);
      void stopAll(code ?? 1);
    }
  });

  const startWorker = (index: number, restarts: number) => {
    const child = spawn(process.execPath, ["--import", "tsx", "jobs/worker.ts"], { cwd: root, env, stdio: "inherit" });
    const entry = { name: `worker ${index}`, child };
    children.push(entry);
    child.once("exit", (code, signal) => {
      children.splice(children.indexOf(entry), 1);
      if (stopping) return;
      // A crashed worker loses no work (its jobs return to the queue); bring a new one up.
      const delay = Math.min(30_000, 1000 * 2 ** restarts);
      console.error(`[understudy] worker ${index} exited (${code ?? signal}); restarting in ${delay / 1000}s`);
      setTimeout(() => !stopping && startWorker(index, restarts + 1), delay).unref();
    });
  };
  for (let i = 1; i <= workers; i++) startWorker(i, 0);

  // Optional lean serving process for /api/v1 (scripts/serve-api.ts), beside the dashboard.
  if (process.env.SERVING_PORT) {
    const api = spawn(process.execPath, ["--import", "tsx", "scripts/serve-api.ts"], { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: "inherit" });
    children.push({ name: "serving", child: api });
    api.once("exit", (code) => {
      if (!stopping) {
        console.error(`[understudy] the serving process exited (${code}); stopping everything`);
        void stopAll(code ?? 1);
      }
    });
  }

  const url = `http://${process.env.HOST && process.env.HOST !== "0.0.0.0" ? process.env.HOST : "localhost"}:${port}`;
  say(`Understudy is starting at ${url} (${dev ? "development" : "production"} mode, ${workers} worker${workers === 1 ? "" : "s"}); Ctrl-C stops it`);
  for (const line of notes) say(line);
}

await main();
