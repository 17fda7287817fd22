// Once per `vitest run`: make sure PostgreSQL is there (TEST_DATABASE_URL, else the local server on
// 5432, else an embedded one), and build a template database with every migration applied. Each test
// file then copies the template into a database of its own (test/helpers/db.ts).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type RunningPostgres } from "../lib/db/embedded";
import { migrateDatabase } from "../lib/db/migrate";
import { canConnect, databaseUrl, withClient } from "./helpers/pg-admin";

declare module "vitest" {
  export interface ProvidedContext {
    /** server URL (any database on it) used to create and drop per-file databases */
    testServerUrl: string;
    /** database every per-file database is copied from */
    testTemplate: string;
    /** prefix of the databases this run creates, dropped at teardown */
    testRunPrefix: string;
  }
}

const root = path.resolve(import.meta.dirname, "..");

/** Template name changes whenever a migration or pg-boss changes, so concurrent runs share a valid one. */
function templateName(): string {
  const hash = createHash("sha256");
  const dir = path.join(root, "prisma/migrations");
  for (const entry of readdirSync(dir).sort()) {
    const file = path.join(dir, entry, "migration.sql");
    try {
      hash.update(entry).update(readFileSync(file));
    } catch {
      // not a migration folder (migration_lock.toml)
    }
  }
  hash.update(readFileSync(path.join(root, "node_modules/pg-boss/package.json")));
  hash.update(readFileSync(path.join(root, "lib/jobs/definitions.ts")));
  return `understudy_tpl_${hash.digest("hex").slice(0, 12)}`;
}

let embedded: RunningPostgres | null = null;
let serverUrl = "";
let runPrefix = "";

export default async function setup(project: TestProject) {
  serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  if (!(await canConnect(serverUrl))) {
    if (process.env.TEST_DATABASE_URL) throw new Error(`TEST_DATABASE_URL does not accept connections: ${serverUrl}`);
    console.log("[test] no PostgreSQL on 127.0.0.1:5432: starting an embedded one");
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(root, process.env.DATA_DIR ?? ".data", "postgres-test"),
      port: Number(process.env.EMBEDDED_PG_TEST_PORT ?? 5434),
      database: "test",
    });
    serverUrl = embedded.url;
  }

  const template = templateName();
  await withClient(serverUrl, async (admin) => {
    // Several test runs may start at once on one machine: one builds the template, the others wait.
    await admin.query("select pg_advisory_lock(hashtext('understudy-test-template'))");
    try {
      const { rows } = await admin.query<{ ok: boolean }>("select shobj_description(oid, 'pg_database') = 'ready' as ok from pg_database where datname = $1", [
        template,
      ]);
      if (rows[0]?.ok) return;
      if (rows.length) await admin.query(`drop database ${admin.escapeIdentifier(template)} with (force)`);
      await admin.query(`create database ${admin.escapeIdentifier(template)}`);
      await migrateDatabase(databaseUrl(serverUrl, template), { quiet: true });
      await admin.query(`comment on database ${admin.escapeIdentifier(template)} is 'ready'`);
    } finally {
      await admin.query("select pg_advisory_unlock(hashtext('understudy-test-template'))");
    }
  });

  await dropLeftovers(serverUrl);
  runPrefix = `ut_${process.pid}_${Date.now().toString(36)}_`;
  project.provide("testServerUrl", serverUrl);
  project.provide("testTemplate", template);
  project.provide("testRunPrefix", runPrefix);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Per-file databases of earlier runs that were killed before their teardown (their pid is gone). */
async function dropLeftovers(url: string): Promise<void> {
  await withClient(url, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'ut\\_%'");
    for (const { datname } of rows) {
      const pid = Number(/^ut_(\d+)_/.exec(datname)?.[1]);
      if (pid && !alive(pid)) await admin.query(`drop database if exists ${admin.escapeIdentifier(datname)} with (force)`).catch(() => undefined);
    }
  });
}

export async function teardown() {
  if (serverUrl && runPrefix) {
    await withClient(serverUrl, async (admin) => {
      const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like $1", [`${runPrefix}%`]);
      for (const { datname } of rows) await admin.query(`drop database if exists ${admin.escapeIdentifier(datname)} with (force)`);
    }).catch((err: unknown) => console.error("[test] could not drop test databases:", err));
  }
  await embedded?.stop();
}
