// `npm run bench:import -- [--rows 20000000] [--out bench/results/import.json] [--keep]`
//
// Import benchmark: generates a `user,item,timestamp` CSV (users ≈ rows/40, items ≈ rows/200, item
// popularity skewed, 5% repeated pairs, increasing times), imports it the way the import job does
// (lib/recsys/data runImport: stream-parse, de-duplicate, split leave-one-out by time; then
// lib/db/imports storeImportedDataset: train/valid/test.tsv, ids.json, interactions.tsv and the row)
// in a child process so its peak RSS is the import's alone, and in the same run times PostgreSQL's
// COPY of the same file into a bare table (server-side COPY FROM the file: the fastest load PostgreSQL
// offers). Reports rows/s, peak RSS and the import/COPY ratio; targets at 20M rows: ≤ 60 s, ≤ 1.5 GiB,
// ≤ 3× COPY. A dedicated database is created on BENCH_DATABASE_URL / TEST_DATABASE_URL's server.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDb } from "@/lib/db/client";
import { storeImportedDataset } from "@/lib/db/imports";
import { migrateDatabase } from "@/lib/db/migrate";
import { runImport } from "@/lib/recsys/data/import";
import { Rng } from "@/lib/recsys/random";
import { TsvWriter } from "@/lib/recsys/data/tsv-writer";

const root = path.resolve(import.meta.dirname, "..");
const say = (line: string) => console.log(`[bench:import] ${line}`);

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "20000000" },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
    // internal: the child process that imports
    child: { type: "string" },
    "db-url": { type: "string" },
    "data-dir": { type: "string" },
  },
  strict: true,
});

async function child(file: string, url: string, dataDir: string): Promise<void> {
  process.env.DATA_DIR = dataDir;
  const db = createDb(url);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const imported = await runImport(file, { name: "bench-import", workDir: path.join(dataDir, "work") });
  const tParsed = performance.now();
  const cParsed = cpu();
  const stored = await storeImportedDataset(imported, db, { sourcePath: null });
  const t1 = performance.now();
  const c1 = cpu();
  await db.$disconnect();
  const out = {
    seconds: (t1 - t0) / 1000,
    parseSplitSeconds: (tParsed - t0) / 1000,
    storeSeconds: (t1 - tParsed) / 1000,
    cpuSeconds: c1 - c0,
    parseSplitCpuSeconds: cParsed - c0,
    storeCpuSeconds: c1 - cParsed,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rows: imported.params.counts.rows,
    interactions: imported.interactions.items.length,
    users: imported.dataset.numUsers,
    items: imported.dataset.numItems,
    datasetId: stored.dataset.id,
  };
  process.stdout.write(`\nRESULT ${JSON.stringify(out)}\n`);
}

function generate(file: string, rows: number): void {
  const users = Math.max(10, Math.round(rows / 40));
  const items = Math.max(10, Math.round(rows / 200));
  const rng = new Rng(7);
  const w = new TsvWriter(file);
  w.text("user,item,timestamp").newline();
  let t = 1_500_000_000;
  let lastU = 0;
  let lastI = 0;
  for (let k = 0; k < rows; k++) {
    let u: number;
    let i: number;
    if (k > 0 && rng.next() < 0.05) {
      u = lastU;
      i = lastI;
    } else {
      u = rng.int(users);
      // popularity skew: squares of uniforms favour low item ids
      const x = rng.next();
      i = Math.floor(x * x * items);
    }
    t += rng.int(3);
    w.integer(u).char(44).integer(i).char(44).integer(t).newline();
    lastU = u;
    lastI = i;
  }
  w.close();
}

/** utime + stime of a local PostgreSQL backend from /proc, or null when it cannot be read (remote server) */
function backendCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  if (values.child) return child(values.child, values["db-url"]!, values["data-dir"]!);
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 1000) throw new Error("--rows must be an integer >= 1000");
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const dbName = `understudy_bench_import_${process.pid}`;
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-bench-import-"));
  // the PostgreSQL server reads the file for COPY: it must be able to enter the directory
  fs.chmodSync(work, 0o755);
  const file = path.join(work, "interactions.csv");
  try {
    say(`generating ${rows.toLocaleString("en")} rows`);
    let t = performance.now();
    generate(file, rows);
    fs.chmodSync(file, 0o644);
    const size = fs.statSync(file).size;
    say(`${(size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).then(() => c.query(`CREATE DATABASE ${dbName}`)));
    await migrateDatabase(dbUrl, { quiet: true });

    say("COPY into a bare table");
    const copyCpu: { seconds: number | null } = { seconds: null };
    const copySeconds = await withClient(dbUrl, async (c) => {
      await c.query("CREATE TABLE bench_copy (user_id text, item_id text, ts bigint)");
      const pid = (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const before = backendCpuSeconds(pid);
      const t0 = performance.now();
      await c.query(`COPY bench_copy FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`);
      const s = (performance.now() - t0) / 1000;
      const after = backendCpuSeconds(pid);
      if (before !== null && after !== null) copyCpu.seconds = after - before;
      const n = await c.query<{ n: string }>("SELECT count(*)::text AS n FROM bench_copy");
      if (Number(n.rows[0].n) !== rows) throw new Error(`COPY loaded ${n.rows[0].n} rows, expected ${rows}`);
      await c.query("DROP TABLE bench_copy");
      return s;
    });
    const copyCpuSeconds = copyCpu.seconds;
    say(`COPY: ${copySeconds.toFixed(2)} s${copyCpuSeconds !== null ? ` (backend CPU ${copyCpuSeconds.toFixed(2)} s)` : ""}`);

    say("import (child process)");
    t = performance.now();
    const result = await new Promise<Record<string, number | string>>((resolve, reject) => {
      const p = spawn(
        process.execPath,
        ["--import", "tsx", path.join(root, "bench/import.ts"), "--child", file, "--db-url", dbUrl, "--data-dir", path.join(work, "data")],
        {
          cwd: root,
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let out = "";
      p.stdout.on("data", (c: Buffer) => (out += c.toString()));
      p.on("exit", (code) => {
        const line = out.split("\n").find((l) => l.startsWith("RESULT "));
        if (code !== 0 || !line) reject(new Error(`import child exited ${code}:\n${out}`));
        else resolve(JSON.parse(line.slice(7)) as Record<string, number | string>);
      });
    });
    const wall = (performance.now() - t) / 1000;
    const seconds = Number(result.seconds);
    const peak = Number(result.peakRssBytes);
    const report = {
      benchmark: "import",
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "", loadAverage: os.loadavg(), node: process.version, totalMemBytes: os.totalmem() },
      rows,
      fileBytes: size,
      import: { ...result, rowsPerSecond: Math.round(rows / seconds), childWallSeconds: wall },
      copy: { seconds: copySeconds, cpuSeconds: copyCpuSeconds, rowsPerSecond: Math.round(rows / copySeconds) },
      ratioImportToCopy: seconds / copySeconds,
      // CPU time is less disturbed by a busy machine than wall time (COPY: the server backend's utime+stime)
      cpuRatioImportToCopy: copyCpuSeconds ? Number(result.cpuSeconds) / copyCpuSeconds : null,
      targets: {
        secondsAt20M: { target: 60, met: rows >= 20_000_000 ? seconds <= 60 : null },
        peakRssBytes: { target: 1.5 * 2 ** 30, met: peak <= 1.5 * 2 ** 30 },
        ratioToCopy: { target: 3, met: seconds / copySeconds <= 3 },
      },
    };
    say(
      `import ${seconds.toFixed(2)} s (${report.import.rowsPerSecond.toLocaleString("en")} rows/s; parse+split ${Number(result.parseSplitSeconds).toFixed(2)} s, store ${Number(result.storeSeconds).toFixed(2)} s), peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB, ${report.ratioImportToCopy.toFixed(2)}× COPY (CPU ${Number(result.cpuSeconds).toFixed(2)} s, ${report.cpuRatioImportToCopy?.toFixed(2) ?? "?"}× COPY's); load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    const outFile = values.out ?? path.join(root, "bench/results", `import-${rows}.json`);
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify(report, null, 2) + "\n");
    say(`wrote ${path.relative(root, outFile)}`);
  } finally {
    await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
    if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
