// The e2e server's own database, created fresh for every run and dropped after it. Its server:
// E2E_DATABASE_URL (a full URL, used as is), else the test server (TEST_DATABASE_URL, else PostgreSQL
// on 127.0.0.1:5432), else an embedded PostgreSQL started for the run. The name carries the run's
// port, so concurrent runs on one machine never share (or drop) each other's database.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded";

const e2eDatabaseName = () => `understudy_e2e_${process.env.E2E_PORT ?? process.pid}`;

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  url.search = "";
  return url.toString();
}

async function onServer(serverUrl: string, statements: (name: string) => string[], database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const sql of statements(client.escapeIdentifier(database))) await client.query(sql);
  } finally {
    await client.end();
  }
}

const recreate = (serverUrl: string, database: string) =>
  onServer(serverUrl, (name) => [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`], database);
const drop = (serverUrl: string, database: string) => onServer(serverUrl, (name) => [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], database);

/** Where serve.ts records the database it chose, for specs that read or seed rows directly. */
function urlFile(): string {
  const port = process.env.E2E_PORT;
  if (!port) throw new Error("E2E_PORT is not set (playwright.config.ts sets it)");
  return path.join(os.tmpdir(), `understudy-e2e-${port}.json`);
}

export function recordE2eDatabaseUrl(url: string | null): void {
  if (url) writeFileSync(urlFile(), JSON.stringify({ url }));
  else rmSync(urlFile(), { force: true });
}

/** The running e2e server's database URL (valid once Playwright's webServer is up). */
export function e2eDatabaseUrl(): string {
  try {
    return (JSON.parse(readFileSync(urlFile(), "utf8")) as { url: string }).url;
  } catch {
    throw new Error(`no e2e database recorded at ${urlFile()}: is the e2e web server (e2e/serve.ts) running?`);
  }
}

export interface E2eDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function prepareE2eDatabase(root: string): Promise<E2eDatabase> {
  if (process.env.E2E_DATABASE_URL) {
    const url = process.env.E2E_DATABASE_URL;
    const database = decodeURIComponent(new URL(url).pathname.slice(1));
    await recreate(withDatabase(url, "postgres"), database);
    return { url, stop: async () => undefined };
  }
  const server = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const database = e2eDatabaseName();
  if (await canConnect(server)) {
    await recreate(server, database);
    return { url: withDatabase(server, database), stop: () => drop(server, database) };
  }
  console.log("[e2e] no PostgreSQL reachable: starting an embedded one");
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(root, process.env.DATA_DIR ?? ".data", "postgres-e2e"),
    port: Number(process.env.EMBEDDED_PG_E2E_PORT ?? 5435),
    database: "postgres",
  });
  await recreate(embedded.url, database);
  return { url: withDatabase(embedded.url, database), stop: embedded.stop };
}
