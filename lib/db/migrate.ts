// Applies prisma/migrations with `prisma migrate deploy` (through scripts/prisma-offline.sh, so no
// engine download), then installs pg-boss's own schema ("pgboss") and our queues.
import { spawn } from "node:child_process";
import path from "node:path";
import { installJobQueues } from "@/lib/jobs/boss";

export async function applyPrismaMigrations(url: string, opts: { quiet?: boolean } = {}): Promise<void> {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn("bash", [path.join(root, "scripts/prisma-offline.sh"), "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`prisma migrate deploy failed (exit ${code}):\n${output.trim()}`);
  if (!opts.quiet) {
    const applied = [...output.matchAll(/^\s*└─ (\d{14}_[^/\s]+)/gm)].map((m) => m[1]);
    const found = /(\d+) migrations? found/.exec(output)?.[1] ?? "?";
    console.log(applied.length ? `  applied ${applied.join(", ")}` : `  ${found} migrations, none pending`);
  }
}

/** Everything the database needs before the app or a worker uses it. */
export async function migrateDatabase(url: string, opts: { quiet?: boolean } = {}): Promise<void> {
  await applyPrismaMigrations(url, opts);
  await installJobQueues(url);
}
