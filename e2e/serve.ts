// Playwright's web server: a fresh, migrated database seeded with one user per role, then
// `next start` (the build from `npm run build`) and a real job worker against it. Ends both
// children when either exits or when Playwright stops it.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { hashPassword } from "../lib/auth/passwords";
import { ROLES } from "../lib/auth/roles";
import { createDb } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { prepareE2eDatabase, recordE2eDatabaseUrl } from "./database";
import { E2E_USERS } from "./users";

const root = path.resolve(import.meta.dirname, "..");
const port = process.env.E2E_PORT;
if (!port) throw new Error("E2E_PORT is not set (playwright.config.ts sets it)");

async function seedUsers(url: string): Promise<void> {
  const client = createDb(url);
  try {
    for (const role of ROLES) {
      const { email, password } = E2E_USERS[role];
      await client.user.create({ data: { email, name: `E2E ${role}`, role, passwordHash: await hashPassword(password) } });
    }
  } finally {
    await client.$disconnect();
  }
}

const database = await prepareE2eDatabase(root);
const url = database.url;
await migrateDatabase(url, { quiet: true });
await seedUsers(url);
recordE2eDatabaseUrl(url);
console.log(`[e2e] database ready; starting web server on port ${port} and a worker`);

// a small upload limit so the import spec can send an oversized file quickly
const env = {
  ...process.env,
  DATABASE_URL: url,
  PORT: port,
  NODE_ENV: "production" as const,
  IMPORT_MAX_BYTES: process.env.IMPORT_MAX_BYTES ?? String(4 << 20),
};
const children: ChildProcess[] = [
  spawn(process.execPath, ["--import", "tsx", "scripts/web-server.ts"], { cwd: root, env: { ...env, HOST: "127.0.0.1" }, stdio: "inherit" }),
  spawn(path.join(root, "node_modules/.bin/tsx"), ["jobs/worker.ts"], { cwd: root, env, stdio: "inherit" }),
];

let stopping = false;
function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  const exited = children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : null));
  const deadline = new Promise((r) => setTimeout(r, 4000).unref());
  void Promise.race([Promise.all(exited), deadline])
    .then(() => {
      recordE2eDatabaseUrl(null);
      return database.stop();
    })
    .finally(() => process.exit(code));
}
for (const child of children) {
  child.once("exit", (exitCode) => {
    if (!stopping) console.error(`[e2e] ${child.spawnfile} exited (${exitCode}); stopping`);
    stopAll(exitCode ?? 1);
  });
}
process.on("SIGTERM", () => stopAll(0));
process.on("SIGINT", () => stopAll(0));
