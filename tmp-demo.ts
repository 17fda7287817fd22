import { selectDatabase } from "./scripts/db-env";
import { startWorker } from "./jobs/worker";
import { createDb } from "./lib/db/client";
const d = await selectDatabase();
const w = await startWorker(d.url);
const db = createDb(d.url);
const t0 = Date.now();
for (;;) {
  const runs = await db.jobRun.findMany({ where: { queue: "train" }, orderBy: { createdAt: "asc" } });
  console.log(((Date.now() - t0) / 1000).toFixed(0) + "s", runs.map((r) => `${r.status} ${r.progress.toFixed(0)}% ${r.message} ${r.error ?? ""}`).join(" | "));
  if (runs.every((r) => ["succeeded", "failed", "cancelled"].includes(r.status))) break;
  await new Promise((r) => setTimeout(r, 10000));
}
console.log(await db.model.findMany({ select: { name: true, role: true, dimension: true, metrics: true } }).then((m) => JSON.stringify(m).slice(0, 1500)));
await w.stop(); await db.$disconnect(); await d.stop();
