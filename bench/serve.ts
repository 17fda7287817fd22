// `npm run bench:serve -- --out <file.json> [--server next|node] [--data <dir>] [--duration 10]
//  [--concurrency 16] [--warmup 3] [--epochs 3] [--models <dir>] [--scenarios floor,teacher,student,split,events]
//  [--rounds 1] [--processes 1[,2…]] [--quiet-machine]`
//
// Serving benchmark on loopback. A dedicated database (created on the local PostgreSQL, migrated,
// dropped at the end), a dataset (CiteULike-a when ../shared/datasets/citeulike-a exists, else synthetic)
// stored the way the product stores it, a teacher (dim 200) and a student (dim 20) trained briefly on it
// (--models <dir> reuses <dir>/teacher and <dir>/student, or trains and saves them there), an API key.
// Scoring skips the item panels that cannot reach a user's top-k, and how many it skips depends on the
// training: briefly trained models skip more than converged ones, so serving costs as in production are
// measured with converged models in --models (bench/README.md).
// The server is the built Next app (`next start`, needs `npm run build`) or, with --server node, the lean
// serving process (scripts/serve-api.ts, `npm run serve:api`) with SERVING_PROCESSES workers behind the
// node cluster module for each count of --processes. The load generator (bench/loadgen.ts) runs in its own
// process: closed loop, keep-alive, `concurrency` raw-socket connections (bench/raw-http.ts), `duration`
// seconds per scenario after a warm-up; its own CPU time is reported (a saturated load generator caps the curve).
//
// Scenarios: floor (bench/floor-server.ts: node:http answering a fixed body of the size of a real student
// answer, with as many processes, to the same load generator: the least any server can cost here),
// teacher | student (production = that model) | split (a running 50/50 experiment) | events (ingestion).
// --rounds N repeats floor, teacher, student, split N times interleaved, so outside load hits them alike,
// and reports the ratios of each round and their spread.
//
// --app-dir points at another checkout's build (e.g. a copy built while this one is being edited).
//
// Per scenario: req/s, p50/p99 ms (client side), CPU ms per request (the server process tree's
// utime+stime delta from /proc over the measured window ÷ requests served), scoring CPU ms per request
// (mean Exposure.cpuUs over the window: process.cpuUsage around scoring), the database's CPU ms per request
// (the servers' PostgreSQL backends, from /proc, until the window's exposures are stored), errors (non-200 or transport
// errors), the exposures stored for the window's requests and whether they were all from the model the
// scenario serves. Output: {machine, runs: [{processes, rounds, summary}]}; machine notes the load average
// and whether the machine was shared (it is, unless --quiet-machine says otherwise).
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createApiKey } from "@/lib/auth/api-keys";
import { createDb, type Db } from "@/lib/db/client";
import { saveDataset } from "@/lib/db/datasets";
import { migrateDatabase } from "@/lib/db/migrate";
import { PRODUCTION_SLOT } from "@/lib/db/serving";
import { saveModel } from "@/lib/recsys/artifact";
import { loadDataset } from "@/lib/recsys/data/load";
import { contentHash } from "@/lib/recsys/data/stats";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { distillStudent, trainTeacher } from "@/lib/recsys/pipeline";
import { loadModel } from "@/lib/recsys/artifact";
import type { Dataset } from "@/lib/recsys/types";

const root = path.resolve(import.meta.dirname, "..");
const say = (line: string) => console.log(`[bench:serve] ${line}`);

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    server: { type: "string" },
    data: { type: "string" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    concurrency: { type: "string", default: "16" },
    "events-concurrency": { type: "string", default: "4" },
    epochs: { type: "string", default: "3" },
    teacher: { type: "string" },
    student: { type: "string" },
    port: { type: "string", default: "3197" },
    /** port of the floor server (default: --port + 1) */
    "floor-port": { type: "string" },
    /** directory of the built app for --server next (default: this checkout) */
    "app-dir": { type: "string" },
    "keep-db": { type: "boolean", default: false },
    /** reuse <dir>/teacher and <dir>/student, or train them and save them there */
    models: { type: "string" },
    scenarios: { type: "string", default: "floor,teacher,student,split,events" },
    rounds: { type: "string", default: "1" },
    processes: { type: "string", default: "1" },
    /** the run had the machine to itself (recorded in the JSON; the default says it was shared) */
    "quiet-machine": { type: "boolean", default: false },
  },
  strict: true,
});

function fail(message: string): never {
  console.error(
    `error: ${message}\nusage: npm run bench:serve -- --out <file.json> [--server next|node] [--models <dir>] [--scenarios floor,teacher,student,split,events] [--rounds 3] [--processes 1,2] [--duration 10] [--concurrency 16]`,
  );
  process.exit(2);
}

if (!values.out) fail("--out <file.json> is required");
const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const concurrency = Number(values.concurrency);
const eventsConcurrency = Number(values["events-concurrency"]);
const port = Number(values.port);
if (![durationMs, warmupMs, concurrency, eventsConcurrency, port].every((n) => Number.isFinite(n) && n > 0)) fail("numeric options must be positive numbers");
const appDir = path.resolve(values["app-dir"] ?? root);
const serverMode = values.server ?? (existsSync(path.join(appDir, ".next/BUILD_ID")) ? "next" : "node");
if (serverMode !== "next" && serverMode !== "node") fail(`--server must be next or node, got "${serverMode}"`);
if (serverMode === "next" && !existsSync(path.join(appDir, ".next/BUILD_ID")))
  fail(`--server next needs a build in ${appDir}: run \`npm run build\` first (or use --server node)`);
if (Boolean(values.teacher) !== Boolean(values.student)) fail("--teacher and --student go together");

// ---------- /proc CPU accounting ----------

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** a process's parent pid and its CPU ticks so far (utime + stime) from /proc/<pid>/stat; throws once it has exited */
function procStat(pid: number): { parent: number; ticks: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

function processTreeCpuMs(rootPid: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = procStat(Number(entry));
      parent.set(Number(entry), stat.parent);
      ticks.set(Number(entry), stat.ticks);
    } catch {
      // the process exited meanwhile
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === rootPid) {
        total += t;
        break;
      }
    }
  }
  return total * TICK_MS;
}

/** the servers' connections name themselves (node-postgres reads PGAPPNAME), so the database's CPU is theirs, not the bench's own queries' */
const SERVER_APP_NAME = "understudy-bench-server";

/** CPU ms so far of each PostgreSQL backend of the servers' connections (exposure inserts and their rollup triggers, routing, keys) */
async function databaseBackendsCpuMs(db: Db): Promise<Map<number, number>> {
  const rows = await db.$queryRaw<
    { pid: number }[]
  >`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${SERVER_APP_NAME}`;
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, procStat(pid).ticks * TICK_MS);
    } catch {
      // another machine's server (a remote database) or a backend that exited: not counted
    }
  }
  return cpu;
}

/** the database's CPU between two readings (a backend started meanwhile counts whole) */
function databaseCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

// ---------- set-up ----------

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function trainModels(ds: Dataset, dir: string): Promise<{ teacherDir: string; studentDir: string; teacherDim: number; studentDim: number }> {
  const saved = values.models ? { teacher: path.join(values.models, "teacher"), student: path.join(values.models, "student") } : null;
  if (saved && existsSync(path.join(saved.teacher, "manifest.json")) && existsSync(path.join(saved.student, "manifest.json"))) {
    values.teacher = saved.teacher;
    values.student = saved.student;
  }
  if (values.teacher && values.student) {
    const [t, s] = [await loadModel(values.teacher, { accelerate: false }), await loadModel(values.student, { accelerate: false })];
    return { teacherDir: values.teacher, studentDir: values.student, teacherDim: t.manifest.dimension, studentDim: s.manifest.dimension };
  }
  const epochs = Number(values.epochs);
  say(`training a teacher (dim 200) and a student (dim 20) for ${epochs} epochs each on ${ds.name} (${ds.numUsers} users, ${ds.numItems} items)`);
  const teacher = await trainTeacher(ds, { dim: 200, epochs, evalEvery: epochs, patience: 1 });
  const student = await distillStudent(ds, teacher.model, { method: "none", dim: 20, epochs, evalEvery: epochs, patience: 1 });
  const teacherDir = saved?.teacher ?? path.join(dir, "models/teacher");
  const studentDir = saved?.student ?? path.join(dir, "models/student");
  await saveModel(teacherDir, teacher.model);
  await saveModel(studentDir, student.model);
  say(
    `teacher test N@10 ${Number(teacher.testMetrics.sampled?.["N@10"] ?? NaN).toFixed(4)}, student ${Number(student.testMetrics.sampled?.["N@10"] ?? NaN).toFixed(4)} (brief training: scoring skips more of the catalogue than for converged models; pass --models with converged ones for production costs)`,
  );
  return { teacherDir, studentDir, teacherDim: 200, studentDim: 20 };
}

// ---------- load generation ----------

interface LoadResult {
  ok: number;
  cpuMs: number;
  errors: number;
  accepted: number;
  elapsedMs: number;
  p50ms: number | null;
  p99ms: number | null;
  maxMs: number | null;
  errorSamples: string[];
}

function runLoadgen(config: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/loadgen.ts"), JSON.stringify(config)], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`loadgen exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult);
      } catch (error) {
        reject(error);
      }
    });
  });
}

async function postRecommend(base: string, key: string, userId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/api/v1/recommend`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ userId, k: 10 }),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

/** one request per new connection, `count` at once: the cluster hands each connection to the next worker */
function primeWorkers(base: string, key: string, userId: string, count: number): Promise<number[]> {
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${base}/api/v1/recommend`,
        { method: "POST", agent: false, headers: { "content-type": "application/json", authorization: `Bearer ${key}` } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ userId, k: 10 }));
    });
  return Promise.all(Array.from({ length: count }, one));
}

async function until(probe: () => Promise<boolean>, what: string, deadlineMs = 120_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ---------- main ----------

interface ScenarioResult {
  name: string;
  rps: number;
  p50ms: number | null;
  p99ms: number | null;
  cpuMsPerRequest: number | null;
  scoringCpuMsPerRequest: number | null;
  /** the database's CPU (this database's PostgreSQL backends, from /proc) ÷ requests: storing their exposures */
  dbCpuMsPerRequest: number | null;
  errors: number;
  served: number;
  exposuresStored: number | null;
  /** exposures of the window answered by another model than the scenario's (a stale routing refresh) */
  exposuresOfOtherModels: number | null;
  serverCpuShare: number | null;
  loadgenCpuShare: number | null;
  loadAverage1m: number | null;
  maxMs: number | null;
  errorSamples: string[];
}

const spread = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return { min: round(v[0], 3), median: round(v[Math.floor((v.length - 1) / 2)], 3), max: round(v[v.length - 1], 3), n: v.length };
};

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "understudy-bench-serve-"));
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const dbName = `understudy_bench_serve_${process.pid}`;
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  let server: ChildProcess | null = null;
  let floor: ChildProcess | null = null;
  let db: Db | null = null;
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).then(() => c.query(`CREATE DATABASE ${dbName}`)));
    await migrateDatabase(dbUrl, { quiet: true });
    process.env.DATABASE_URL = dbUrl;
    process.env.DATA_DIR = work;
    db = createDb(dbUrl);
    say(`database ${dbName} migrated; work dir ${work}`);

    const citeulike = path.resolve(root, "../shared/datasets/citeulike-a");
    const dataPath = values.data ?? (existsSync(citeulike) ? citeulike : null);
    const ds = dataPath ? loadDataset(dataPath) : generateSynthetic({ seed: 1, numUsers: 5000, numItems: 20000, interactionsPerUser: 20 });
    const datasetRow = await saveDataset(
      {
        name: ds.name,
        source: ds.source.kind,
        sourcePath: dataPath,
        snapshot: contentHash(ds),
        params: {},
        numUsers: ds.numUsers,
        numItems: ds.numItems,
        numInteractions: 0,
      },
      ds,
      db,
    );
    const models = await trainModels(ds, work);
    const modelRow = (name: string, role: "teacher" | "student", dimension: number, artifactUri: string) =>
      db!.model.create({
        data: { name, role, architecture: "bpr-mf", dimension, parameterCount: (ds.numUsers + ds.numItems) * dimension, artifactUri, datasetId: datasetRow.id },
      });
    const teacher = await modelRow("bench-teacher", "teacher", models.teacherDim, models.teacherDir);
    const student = await modelRow("bench-student", "student", models.studentDim, models.studentDir);
    await db.servingSlot.create({ data: { name: PRODUCTION_SLOT, modelId: teacher.id } });
    const admin = await db.user.create({ data: { email: "bench@example.com", passwordHash: "x", role: "admin" } });
    const { key } = await createApiKey({ name: "bench", scopes: ["recommend", "events"], createdById: admin.id }, { id: admin.id, label: admin.email });
    const experiment = await db.experiment.create({
      data: {
        name: "bench split",
        salt: "bench-split",
        status: "paused",
        rampSchedule: [50, 100],
        currentStageIndex: 0,
        guardrails: {},
        kpis: ["ctr"],
        createdById: admin.id,
        startedAt: new Date(),
        variants: {
          create: [
            { key: "control", modelId: teacher.id },
            { key: "candidate", modelId: student.id },
          ],
        },
      },
    });

    const users = Array.from({ length: 2000 }, (_, i) => ds.userIds[Math.floor((i * ds.numUsers) / 2000)]);
    const refreshMs = 500;
    const bump = () => ({ version: { increment: 1 } });
    const setups: Record<string, { apply: () => Promise<void>; ready: (b: Record<string, unknown>) => boolean; models: string[] }> = {
      teacher: {
        apply: async () => {
          await db!.experiment.update({ where: { id: experiment.id }, data: { status: "paused" } });
          await db!.servingSlot.update({ where: { name: PRODUCTION_SLOT }, data: { modelId: teacher.id, ...bump() } });
        },
        ready: (b) => b.modelId === teacher.id && b.variant === "production",
        models: [teacher.id],
      },
      student: {
        apply: async () => {
          await db!.experiment.update({ where: { id: experiment.id }, data: { status: "paused" } });
          await db!.servingSlot.update({ where: { name: PRODUCTION_SLOT }, data: { modelId: student.id, ...bump() } });
        },
        ready: (b) => b.modelId === student.id && b.variant === "production",
        models: [student.id],
      },
      split: {
        apply: async () => {
          await db!.servingSlot.update({ where: { name: PRODUCTION_SLOT }, data: { modelId: teacher.id, ...bump() } });
          await db!.experiment.update({ where: { id: experiment.id }, data: { status: "running" } });
        },
        ready: (b) => b.experimentId === experiment.id,
        models: [teacher.id, student.id],
      },
    };

    const scenarioNames = values.scenarios
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    for (const name of scenarioNames) if (!["floor", "events", ...Object.keys(setups)].includes(name)) fail(`unknown scenario "${name}"`);
    const processCounts = values.processes.split(",").map(Number);
    if (!processCounts.every((n) => Number.isInteger(n) && n >= 1)) fail("--processes takes positive integers, e.g. 1,2");
    if (serverMode === "next" && processCounts.some((n) => n !== 1)) fail("--processes applies to --server node only");
    const rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1) fail("--rounds must be a positive integer");

    const base = `http://127.0.0.1:${port}`;
    const floorPort = values["floor-port"] ? Number(values["floor-port"]) : port + 1;
    const floorBodyFile = path.join(work, "floor-body.json");
    // BENCH_PROFILE_DIR=<dir>: the server writes a V8 CPU profile there when it stops
    // BENCH_NODE_ARGS="--trace-gc …": extra node flags for the servers (diagnostics; recorded in the JSON)
    const profileArgs = [
      ...(process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []),
      ...(process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
    ];
    const loadBefore = os.loadavg();
    const runs: Record<string, unknown>[] = [];

    for (const processes of processCounts) {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: dbUrl,
        DATA_DIR: work,
        PORT: String(port),
        SERVING_PORT: String(port),
        SERVING_PROCESSES: String(processes),
        PGAPPNAME: SERVER_APP_NAME,
        ROUTING_REFRESH_MS: String(refreshMs),
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
      };
      server =
        serverMode === "next"
          ? spawn(process.execPath, [...profileArgs, path.join(appDir, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
              cwd: appDir,
              env,
              stdio: ["ignore", "inherit", "inherit"],
            })
          : spawn(process.execPath, [...profileArgs, "--import", "tsx", path.join(root, "scripts/serve-api.ts")], {
              cwd: root,
              env,
              stdio: ["ignore", "inherit", "inherit"],
            });
      const serverPid = server.pid as number;
      await until(async () => (await postRecommend(base, key, users[0])).status === 200, "the server to answer");
      // every worker loads the models on its first request: make sure each has, before any measurement
      if (processes > 1)
        await until(async () => (await primeWorkers(base, key, users[0], 4 * processes)).every((status) => status === 200), "every worker to answer");
      say(`${serverMode} server up (pid ${serverPid}, ${processes} process${processes > 1 ? "es" : ""})`);

      // the floor answers with the bytes of a real student answer
      await setups.student.apply();
      await until(async () => setups.student.ready((await postRecommend(base, key, users[1])).body), "the student to be served");
      const sample = await fetch(`${base}/api/v1/recommend`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ userId: users[2], k: 10 }),
      });
      writeFileSync(floorBodyFile, Buffer.from(await sample.arrayBuffer()));
      if (scenarioNames.includes("floor")) {
        floor = spawn(process.execPath, [...profileArgs, "--import", "tsx", path.join(root, "bench/floor-server.ts")], {
          cwd: root,
          env: { ...env, SERVING_PORT: String(floorPort), FLOOR_BODY_FILE: floorBodyFile },
          stdio: ["ignore", "inherit", "inherit"],
        });
        await until(async () => (await postRecommend(`http://127.0.0.1:${floorPort}`, key, users[0])).status === 200, "the floor server to answer");
      }

      const measure = async (name: string): Promise<ScenarioResult> => {
        const isFloor = name === "floor";
        const url = isFloor ? `http://127.0.0.1:${floorPort}/api/v1/recommend` : `${base}/api/v1/recommend`;
        const pid = isFloor ? (floor!.pid as number) : serverPid;
        if (!isFloor) {
          await setups[name].apply();
          await until(async () => setups[name].ready((await postRecommend(base, key, users[1])).body), `the ${name} configuration to be served`);
          // every worker process refreshes its routing on its own clock (and loads a model it lacks)
          if (processes > 1) {
            await new Promise((r) => setTimeout(r, 2 * refreshMs + 200));
            await until(async () => (await primeWorkers(base, key, users[1], 4 * processes)).every((status) => status === 200), "every worker to answer");
          }
        }
        await runLoadgen({ mode: "recommend", url, apiKey: key, concurrency, durationMs: warmupMs, users });
        await new Promise((r) => setTimeout(r, 600)); // let the warm-up's exposures flush
        const from = new Date();
        const cpu0 = processTreeCpuMs(pid);
        const db0 = isFloor ? null : await databaseBackendsCpuMs(db!);
        const result = await runLoadgen({ mode: "recommend", url, apiKey: key, concurrency, durationMs, users });
        const cpuMs = processTreeCpuMs(pid) - cpu0;
        const to = new Date();
        let dbCpuMs: number | null = null;
        let stored: number | null = null;
        let others: number | null = null;
        let scoringCpu: number | null = null;
        if (!isFloor) {
          // exposures of the window, once the batcher has flushed them
          let logged = -1;
          await until(
            async () => {
              const n = await db!.exposure.count({ where: { createdAt: { gte: from, lte: to } } });
              const done = n === logged && n > 0;
              logged = n;
              return done;
            },
            "the exposures to be flushed",
            30_000,
          );
          stored = logged;
          // read once the window's exposures are stored: their inserts and triggers ran up to now
          dbCpuMs = databaseCpuBetween(db0!, await databaseBackendsCpuMs(db!));
          others = await db!.exposure.count({ where: { createdAt: { gte: from, lte: to }, modelId: { notIn: setups[name].models } } });
          const agg = await db!.exposure.aggregate({ where: { createdAt: { gte: from, lte: to } }, _avg: { cpuUs: true } });
          scoringCpu = round((agg._avg.cpuUs ?? 0) / 1000, 4);
        }
        const r: ScenarioResult = {
          name,
          rps: Math.round(result.ok / (result.elapsedMs / 1000)),
          p50ms: round(result.p50ms, 2),
          p99ms: round(result.p99ms, 2),
          cpuMsPerRequest: round(cpuMs / Math.max(1, result.ok), 4),
          scoringCpuMsPerRequest: scoringCpu,
          dbCpuMsPerRequest: dbCpuMs === null ? null : round(dbCpuMs / Math.max(1, result.ok), 4),
          errors: result.errors,
          served: result.ok,
          exposuresStored: stored,
          exposuresOfOtherModels: others,
          serverCpuShare: round(cpuMs / result.elapsedMs, 2),
          loadgenCpuShare: round(result.cpuMs / result.elapsedMs, 2),
          loadAverage1m: round(os.loadavg()[0], 2),
          maxMs: round(result.maxMs, 1),
          errorSamples: result.errorSamples,
        };
        say(
          `${processes}p ${name}: ${r.rps} req/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, CPU ${r.cpuMsPerRequest} ms/req (scoring ${r.scoringCpuMsPerRequest}, database ${r.dbCpuMsPerRequest ?? "-"}), errors ${r.errors}, exposures ${stored ?? "-"}/${r.served}, load generator ${r.loadgenCpuShare} cores, load ${r.loadAverage1m}`,
        );
        return r;
      };

      const roundResults: { round: number; scenarios: ScenarioResult[]; ratios: Record<string, number | null> }[] = [];
      for (let round_ = 1; round_ <= rounds; round_++) {
        const scenarios: ScenarioResult[] = [];
        for (const name of scenarioNames) if (name !== "events") scenarios.push(await measure(name));
        const by = (n: string) => scenarios.find((x) => x.name === n);
        const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round(a / b, 3) : null);
        const ratios = {
          studentCpuOverFloor: ratio(by("student")?.cpuMsPerRequest, by("floor")?.cpuMsPerRequest),
          teacherCpuOverStudent: ratio(by("teacher")?.cpuMsPerRequest, by("student")?.cpuMsPerRequest),
          studentP99OverTeacherP99: ratio(by("student")?.p99ms, by("teacher")?.p99ms),
          studentRpsOverTeacher: ratio(by("student")?.rps, by("teacher")?.rps),
        };
        say(`${processes}p round ${round_}: ${JSON.stringify(ratios)}`);
        roundResults.push({ round: round_, scenarios, ratios });
      }
      const all = roundResults.flatMap((r) => r.scenarios);
      const summary: Record<string, unknown> = {
        ratios: Object.fromEntries(Object.keys(roundResults[0]?.ratios ?? {}).map((k) => [k, spread(roundResults.map((r) => r.ratios[k]))])),
        scenarios: Object.fromEntries(
          [...new Set(all.map((x) => x.name))].map((n) => {
            const xs = all.filter((x) => x.name === n);
            return [
              n,
              {
                rps: spread(xs.map((x) => x.rps)),
                p99ms: spread(xs.map((x) => x.p99ms)),
                cpuMsPerRequest: spread(xs.map((x) => x.cpuMsPerRequest)),
                scoringCpuMsPerRequest: spread(xs.map((x) => x.scoringCpuMsPerRequest)),
                rpsPerServerCore: spread(xs.map((x) => (x.cpuMsPerRequest ? 1000 / x.cpuMsPerRequest : null))),
                loadgenCpuShare: spread(xs.map((x) => x.loadgenCpuShare)),
                errors: xs.reduce((a, x) => a + x.errors, 0),
                allExposuresStored: n === "floor" ? null : xs.every((x) => x.exposuresStored === x.served),
              },
            ];
          }),
        ),
      };

      let events: Record<string, unknown> | null = null;
      if (scenarioNames.includes("events")) {
        const ev = await runLoadgen({
          mode: "events",
          url: `${base}/api/v1/events`,
          apiKey: key,
          concurrency: eventsConcurrency,
          durationMs,
          batch: 1000,
          runId: `bench${process.pid}p${processes}`,
        });
        events = {
          perSecond: Math.round(ev.accepted / (ev.elapsedMs / 1000)),
          errors: ev.errors,
          batchP50ms: round(ev.p50ms, 1),
          batchP99ms: round(ev.p99ms, 1),
        };
        say(`${processes}p events: ${JSON.stringify(events)}`);
      }
      runs.push({ processes, summary, rounds: roundResults, events });
      await stopChild(server);
      server = null;
      if (floor) await stopChild(floor);
      floor = null;
    }

    const loadAfter = os.loadavg();
    const cpus = os.cpus();
    const shared = !values["quiet-machine"];
    const output = {
      machine: {
        cpu: cpus[0]?.model ?? "unknown",
        cores: cpus.length,
        memoryGb: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        date: new Date().toISOString(),
        server: serverMode === "next" ? "next start (built app)" : "scripts/serve-api.ts (`npm run serve:api`), SERVING_PROCESSES workers behind node:cluster",
        scorer: process.env.UNDERSTUDY_SCORER ?? "kernel",
        nodeArgs: process.env.BENCH_NODE_ARGS ?? null,
        dataset: `${ds.name} (${ds.numUsers} users, ${ds.numItems} items)`,
        models: { teacherDim: models.teacherDim, studentDim: models.studentDim },
        load: {
          concurrency,
          durationSeconds: durationMs / 1000,
          warmupSeconds: warmupMs / 1000,
          rounds,
          processes: processCounts,
          eventsConcurrency,
          eventsBatch: 1000,
        },
        loadAverageBefore: loadBefore.map((x) => round(x, 2)),
        loadAverageAfter: loadAfter.map((x) => round(x, 2)),
        shared,
        note: shared
          ? "SHARED machine: other work was running during the run (see the load averages); absolute figures are disturbed, ratios within a round less so"
          : "run declared quiet (--quiet-machine): nothing else was meant to run",
      },
      command: `npm run bench:serve -- ${process.argv.slice(2).join(" ")}`,
      runs,
    };
    mkdirSync(path.dirname(path.resolve(values.out!)), { recursive: true });
    writeFileSync(values.out!, JSON.stringify(output, null, 2) + "\n");
    say(`wrote ${values.out}`);
  } finally {
    await cleanup();
  }

  async function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await new Promise((r) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        r(null);
      }, 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        r(null);
      });
    });
  }

  async function cleanup(): Promise<void> {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (server) await stopChild(server);
    if (floor) await stopChild(floor);
    await db?.$disconnect();
    if (!values["keep-db"]) {
      await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch((e) => console.error(`could not drop ${dbName}:`, e));
      rmSync(work, { recursive: true, force: true });
    }
  }

  // Ctrl-C: stop the server and drop the database before leaving
  function onSignal(): void {
    console.error("[bench:serve] interrupted: cleaning up");
    void cleanup().finally(() => process.exit(130));
  }
}

function round(x: number | null | undefined, digits: number): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench:serve failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
