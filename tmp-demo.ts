import { selectDatabase } from "./scripts/db-env";
import { migrateDatabase } from "./lib/db/migrate";
import { createDb } from "./lib/db/client";
import { startWorkerProcess } from "./test/helpers/worker";
const d = await selectDatabase();
process.env.DATABASE_URL = d.url;
await migrateDatabase(d.url);
const { seedDemoData } = await import("./lib/db/seed");
console.log(await seedDemoData());
const w = await startWorkerProcess(d.url, { JOBS_MONITOR_SECONDS: "10", JOB_HEARTBEAT_MS: "2000", JOB_PROGRESS_INTERVAL_MS: "500" });
const db = createDb(d.url);
const t0 = Date.now();
try {
for (;;) {
  const runs = await db.jobRun.findMany({ where: { queue: "train" }, orderBy: { createdAt: "asc" } });
  console.log(((Date.now() - t0) / 1000).toFixed(0) + "s", runs.map((r) => `${r.status} a${r.attempts} ${r.progress.toFixed(0)}% ${r.message} ${r.error ?? ""}`).join(" | "));
  if (runs.every((r) => ["succeeded", "failed", "cancelled"].includes(r.status))) break;
  await new Promise((r) => setTimeout(r, 10000));
}
console.log(JSON.stringify(await db.model.findMany({ select: { name: true, role: true, dimension: true, parameterCount: true, metrics: true } })).slice(0, 1200));
} finally {
console.log(w.output().split("\n").filter((l) => !l.startsWith("[job")).slice(-15).join("\n"));
await w.stop(); await db.$disconnect(); await d.stop();
}
