// `npm run bench:report -- [--scale 1] [--seed 13] [--repeats 3] [--load bulk|triggers] [--out bench/results/report.json] [--keep]`
//
// Report at scale: a dedicated database on the local PostgreSQL (BENCH_DATABASE_URL, default
// postgresql://postgres@127.0.0.1:5432/postgres; created, migrated, dropped at the end unless --keep),
// one live experiment, and at --scale 1: 10,000,000 exposures over 1,000,000 users and 2,000,000
// events (5 % of them pre-period history for CUPED), all a deterministic function of the row number
// and --seed. Rows are written by INSERT … SELECT generate_series in chunks of 500,000. `--load bulk`
// (default) writes them with the rollup triggers off (session_replication_role = replica) and then builds
// the rollups with understudy_rebuild_rollups(), the product's set-based backfill; `--load triggers` writes
// them through the triggers, as the exposure batcher's writes are (about 6,000 rows/s here: use it at a
// small --scale). Either way the raw-vs-rollup equality check below holds the rollups to the raw rows.
//
// The experiment is the product's default setup: KPIs CTR, conversion and revenue (the built-in catalogue
// entries: no capped or quantile metric), CUPED over 14 days, latency guardrails, teacher agreement, and
// the segment guardrails on the candidate's dataset, whose long-tail / cold segmentation is stored
// (as the segmentation job does for every live experiment): a third of the users long-tail, 10 % cold, 10 %
// unknown to the dataset (cold too).
//
// Timed (median of --repeats, in the same run, on the same rows):
//   raw     today's raw-scan queries: kpiSufficientStats + opsByVariant over the stage's window
//   perUser the per-user rollup queries: perUserKpiStats + rollupOps
//   rollup  the queries the report uses: rollupKpiStats (the per-variant running sums) + rollupOps
//   parts   each query of loadExperimentReport on its own
//   report  loadExperimentReport (rollups + analysis), what the page and API render
//   scheduler  evaluateLiveExperiments: the minute evaluation of every live experiment
// and checks raw, per-user and running-sum statistics equal, and the segments' running sums equal the
// per-user segment query (relative 1e-9). Writes JSON to --out.
import { writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDb } from "@/lib/db/client";
import { createExperiment, evaluateLiveExperiments, startExperiment } from "@/lib/services/experiments";
import { migrateDatabase } from "@/lib/db/migrate";
import {
  droppedExposures,
  kpiSufficientStats,
  loadExperimentReport,
  opsByVariant,
  perUserKpiStats,
  rollupKpiStats,
  rollupOps,
  STAGE_SETTLE_MS,
} from "@/lib/db/reports";
import { loadDistillationSignals, perUserSegmentStats, segmentKpiStats } from "@/lib/db/distillation-signals";
import { parseGuardrails } from "@/lib/experiments/config";
import { KPI_KEYS } from "@/lib/experiments/kpis";
import { PRODUCTION_SLOT } from "@/lib/db/serving";
import { experimentConfigSchema } from "@/lib/experiments/config";

const say = (line: string) => console.log(`[bench:report] ${line}`);

const { values: args } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    seed: { type: "string", default: "13" },
    repeats: { type: "string", default: "3" },
    out: { type: "string", default: "bench/results/report.json" },
    keep: { type: "boolean", default: false },
    load: { type: "string", default: "bulk" },
    reuse: { type: "string" },
  },
});
// the raw scan is the baseline being timed: it may run longer than a report is allowed to
process.env.REPORT_STATEMENT_TIMEOUT_MS ??= String(15 * 60_000);
if (args.load !== "bulk" && args.load !== "triggers") {
  console.error('bench:report: --load must be "bulk" or "triggers"');
  process.exit(2);
}
const bulk = args.load === "bulk";
const scale = Number(args.scale);
const seed = Math.trunc(Number(args.seed));
const repeats = Math.max(1, Math.trunc(Number(args.repeats)));
if (!(scale > 0 && scale <= 10) || !Number.isFinite(seed)) {
  console.error("bench:report: --scale must be in (0, 10], --seed an integer");
  process.exit(2);
}
const EXPOSURES = Math.round(10_000_000 * scale);
const USERS = Math.round(1_000_000 * scale);
const EVENTS = Math.round(2_000_000 * scale);
const CHUNK = 500_000;
const T0 = new Date("2026-06-01T00:00:00Z");
const WINDOW_MS = 6 * 3_600_000;

const server = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const dbName = args.reuse ?? `bench_report_${process.pid}`;
const url = (() => {
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function sameNumbers(a: object[], b: object[], label: string): void {
  if (a.length !== b.length) throw new Error(`${label}: ${a.length} rows vs ${b.length}`);
  a.forEach((row, i) => {
    for (const [key, value] of Object.entries(row)) {
      if (!(key in b[i])) continue; // fields only the rollup has (quantile bounds)
      const other = (b[i] as Record<string, unknown>)[key];
      if (typeof value !== "number") {
        if (value !== other) throw new Error(`${label}[${i}].${key}: ${String(value)} vs ${String(other)}`);
        continue;
      }
      const scaleOf = Math.max(1, Math.abs(value), Math.abs(other as number));
      if (Math.abs(value - (other as number)) > 1e-9 * scaleOf) throw new Error(`${label}[${i}].${key}: ${value} vs ${String(other)}`);
    }
  });
}

/** The candidate dataset's user segments (idempotent): user u long-tail when u % 3 = 0, cold when u % 10 = 0, unknown when u % 10 = 9. */
async function storeSegmentation(client: pg.Client, datasetId: string): Promise<boolean> {
  const created = await client.query(
    `INSERT INTO "DatasetSegmentation" ("datasetId", "headItems", "users", "longTailUsers", "coldUsers") VALUES ($1, 200, $2, $3, $4)
     ON CONFLICT ("datasetId") DO NOTHING`,
    [datasetId, Math.round(USERS * 0.9), Math.round(USERS / 3), Math.round(USERS / 10)],
  );
  if (created.rowCount === 0) return false;
  await client.query(
    `INSERT INTO "DatasetUserSegment" ("datasetId", "userId", "trainInteractions", "tailShare", "longTail", "cold")
     SELECT $1, 'u' || u, (u % 10)::int, CASE WHEN u % 3 = 0 THEN 0.9 ELSE 0.2 END, u % 3 = 0, u % 10 = 0
     FROM generate_series(0, ${USERS - 1}) AS u WHERE u % 10 <> 9`,
    [datasetId],
  );
  return true;
}

async function load(db: ReturnType<typeof createDb>, client: pg.Client) {
  await migrateDatabase(url, { quiet: true });
  const user = await db.user.create({ data: { email: "bench@example.com", role: "approver", passwordHash: "x" } });
  const dataset = await db.dataset.create({
    data: { name: "bench", source: "synthetic", snapshot: "bench", numUsers: USERS, numItems: 1000, numInteractions: EXPOSURES },
  });
  const model = (name: string, role: "teacher" | "student") =>
    db.model.create({
      data: { name, role, architecture: "bpr-mf", dimension: 20, parameterCount: 1000, sizeBytes: 4000, artifactUri: `/tmp/${name}`, datasetId: dataset.id },
    });
  const teacher = await model("teacher", "teacher");
  const student = await model("student", "student");
  await db.servingSlot.create({ data: { name: PRODUCTION_SLOT, modelId: teacher.id } });
  const person = { id: user.id, email: user.email, role: "approver" as const };
  const cfg = experimentConfigSchema.parse({
    name: "bench",
    candidateModelId: student.id,
    rampSchedule: [50, 100],
    // the scheduler holds: its timing is the evaluation, not a transition
    minStageMinutes: 43_200,
    minStageExposures: 100,
    guardrails: { latencyP95Ms: 1000, errorRate: 0.5, minGuardrailExposures: 50, nonInferiorityMargins: { ctr: 0.5, conversion: 0.5, revenue: 0.5 } },
  });
  const exp = await createExperiment(db, cfg, person);
  await startExperiment(db, exp.id, person, "bench", T0);

  await client.connect();
  await storeSegmentation(client, dataset.id);
  // bulk: secondary indexes are built once after the load instead of row by row (same definitions)
  let dropped: string[] = [];
  if (bulk) {
    await client.query("SET session_replication_role = replica");
    const indexes = await client.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('Exposure', 'Event') AND indexname NOT LIKE '%_pkey'`,
    );
    dropped = indexes.rows.map((r) => r.def);
    for (const r of indexes.rows) await client.query(`DROP INDEX ${client.escapeIdentifier(r.name)}`);
  }
  const gen = performance.now();
  // exposure i: user (i·7919 + seed) mod USERS, variant by user parity, served at a spread-out
  // instant after the stage's settling seconds
  for (let from = 1; from <= EXPOSURES; from += CHUNK) {
    const to = Math.min(EXPOSURES, from + CHUNK - 1);
    await client.query(
      `INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "failed", "createdAt")
       SELECT md5('r' || $7::int || ':' || i)::uuid, $1,
              CASE WHEN u % 2 = 0 THEN 'control' ELSE 'candidate' END,
              CASE WHEN u % 2 = 0 THEN $2 ELSE $3 END,
              'u' || u, 10,
              400 + ((i * 48271 + $7::bigint) % (CASE WHEN u % 2 = 0 THEN 6000 ELSE 3000 END))::int,
              100 + ((i * 16807) % 900)::int,
              (i * 69621 + $7::bigint) % 100 = 0,
              $4::timestamp + make_interval(secs => 3 + ((i * 104729 + $7::bigint) % ${WINDOW_MS - 10_000}) / 1000.0)
       FROM generate_series($5::bigint, $6::bigint) AS i, LATERAL (SELECT (i * 7919 + $7::bigint) % ${USERS} AS u) AS uu`,
      [exp.id, teacher.id, student.id, T0, from, to, seed],
    );
    say(`exposures ${to.toLocaleString()}/${EXPOSURES.toLocaleString()} (${((performance.now() - gen) / 1000).toFixed(0)} s)`);
  }
  // event j: 95 % attributed to exposure 1 + (j·2654435761 + seed) mod EXPOSURES (clicks, conversions,
  // revenue, held-out ground truth), 5 % pre-period revenue of user j mod USERS three days before
  const evGen = performance.now();
  for (let from = 1; from <= EVENTS; from += CHUNK) {
    const to = Math.min(EVENTS, from + CHUNK - 1);
    await client.query(
      `INSERT INTO "Event" ("eventId", "type", "userId", "requestId", "value", "timestamp")
       SELECT CASE WHEN j % 20 = 19 THEN 'pre:' || j WHEN j % 10 >= 8 THEN 'heldout:' || j ELSE 'e:' || j END,
              (CASE WHEN j % 20 = 19 THEN 'revenue' WHEN j % 10 < 6 THEN 'click' WHEN j % 10 = 6 THEN 'conversion'
                    WHEN j % 10 = 7 THEN 'revenue' ELSE 'custom' END)::"EventType",
              CASE WHEN j % 20 = 19 THEN 'u' || (j % ${USERS}) ELSE 'u' || ((x * 7919 + $3::bigint) % ${USERS}) END,
              CASE WHEN j % 20 = 19 THEN NULL ELSE md5('r' || $3::int || ':' || x)::uuid END,
              CASE WHEN j % 20 = 19 OR j % 10 = 7 THEN (j % 5000) / 100.0 WHEN j % 10 >= 8 THEN (j % 5 = 0)::int ELSE NULL END,
              CASE WHEN j % 20 = 19 THEN $4::timestamp - interval '3 days' ELSE $4::timestamp + interval '1 hour' END
       FROM generate_series($1::bigint, $2::bigint) AS j, LATERAL (SELECT 1 + (j * 2654435761 + $3::bigint) % ${EXPOSURES} AS x) AS xx`,
      [from, to, seed, T0],
    );
    say(`events ${to.toLocaleString()}/${EVENTS.toLocaleString()} (${((performance.now() - evGen) / 1000).toFixed(0)} s)`);
  }
  const generateSeconds = (performance.now() - gen) / 1000;
  let rebuildSeconds: number | null = null;
  if (bulk) {
    await client.query("SET session_replication_role = DEFAULT");
    await client.query("SET maintenance_work_mem = '512MB'");
    const indexing = performance.now();
    for (const def of dropped) await client.query(def);
    say(`${dropped.length} indexes built in ${((performance.now() - indexing) / 1000).toFixed(0)} s`);
    await client.query("ANALYZE");
    const rebuild = performance.now();
    await client.query("SELECT understudy_rebuild_rollups($1)", [exp.id]);
    rebuildSeconds = (performance.now() - rebuild) / 1000;
    say(`rollups rebuilt in ${rebuildSeconds.toFixed(0)} s`);
  }
  await client.query("VACUUM ANALYZE");
  return { exp, generateSeconds, rebuildSeconds };
}

async function main() {
  if (!args.reuse) await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`));
  say(`database ${dbName}; ${EXPOSURES.toLocaleString()} exposures, ${USERS.toLocaleString()} users, ${EVENTS.toLocaleString()} events, seed ${seed}`);
  const db = createDb(url);
  const client = new pg.Client({ connectionString: url });
  try {
    let exp: { id: string };
    let generateSeconds: number | null = null;
    let rebuildSeconds: number | null = null;
    if (args.reuse) {
      // timing only, on a database an earlier `--keep` run built (same seed and scale)
      await migrateDatabase(url, { quiet: true });
      await client.connect();
      exp = await db.experiment.findFirstOrThrow({ where: { name: "bench" }, select: { id: true } });
      say(`reusing ${dbName}, experiment ${exp.id}`);
      const dataset = await db.dataset.findFirstOrThrow({ where: { name: "bench" }, select: { id: true } });
      if (await storeSegmentation(client, dataset.id)) {
        await client.query("SELECT understudy_rebuild_variant_sums($1)", [exp.id]);
        say("stored the dataset's segmentation and rebuilt the running sums");
      }
    } else {
      ({ exp, generateSeconds, rebuildSeconds } = await load(db, client));
    }
    const stage = await db.rolloutStage.findUniqueOrThrow({ where: { experimentId_index: { experimentId: exp.id, index: 0 } } });
    const now = new Date(T0.getTime() + WINDOW_MS);
    const window = { from: new Date(stage.startedAt!.getTime() + STAGE_SETTLE_MS), to: new Date(now.getTime() + 1) };
    const pre = { from: new Date(T0.getTime() - 14 * 86_400_000), to: T0 };
    const scope = { kind: "stage" as const, index: 0, startedAt: stage.startedAt! };

    let rawResult: [object[], object[]] = [[], []];
    let perUserResult: [object[], object[]] = [[], []];
    let rollupResult: [object[], object[]] = [[], []];
    say("timing the raw-scan queries");
    const rawMs = await median(async () => {
      rawResult = [await kpiSufficientStats(db, exp.id, window, pre), await opsByVariant(db, exp.id, window)];
    });
    say(`raw ${rawMs.toFixed(0)} ms; timing the per-user rollup queries`);
    const perUserMs = await median(async () => {
      perUserResult = [await perUserKpiStats(db, exp.id, scope, true), await rollupOps(db, exp.id, scope)];
    });
    say(`per-user ${perUserMs.toFixed(0)} ms; timing the running-sum queries`);
    const rollupMs = await median(async () => {
      rollupResult = [await rollupKpiStats(db, exp.id, scope, true), await rollupOps(db, exp.id, scope)];
    });
    sameNumbers(perUserResult[0], rawResult[0], "per-user kpi statistics");
    sameNumbers(rollupResult[0], rawResult[0], "running-sum kpi statistics");
    sameNumbers(rollupResult[1], rawResult[1], "ops");
    const dataset = await db.dataset.findFirstOrThrow({ where: { name: "bench" }, select: { id: true } });
    const segmentResult: [object[], object[]] = [[], []];
    const segmentPerUserMs = await median(async () => {
      segmentResult[1] = await perUserSegmentStats(db, exp.id, dataset.id, scope, true);
    });
    const segmentMs = await median(async () => {
      segmentResult[0] = await segmentKpiStats(db, exp.id, dataset.id, scope, true);
    });
    if (segmentResult[0].length !== 4) throw new Error(`segments: ${segmentResult[0].length} rows, expected 4 (2 segments × 2 variants)`);
    sameNumbers(segmentResult[0], segmentResult[1], "segment statistics");
    // each query of loadExperimentReport on its own (the report runs the first four concurrently)
    const full = await db.experiment.findUniqueOrThrow({
      where: { id: exp.id },
      include: { variants: { include: { model: { select: { datasetId: true, teacherId: true } } } }, stages: true },
    });
    const g = parseGuardrails(full.guardrails);
    const parts = {
      kpiStats: await median(() => rollupKpiStats(db, exp.id, scope, true)),
      ops: await median(() => rollupOps(db, exp.id, scope)),
      dropped: await median(() => droppedExposures(db, exp.id, window)),
      distillation: await median(() => loadDistillationSignals(db, full, scope, KPI_KEYS, g, true)),
    };
    say(`parts ${JSON.stringify(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.round(v)])))}`);
    const reportMs = await median(() => loadExperimentReport(db, exp.id, { kind: "current" }, now));
    const schedulerMs = await median(() => evaluateLiveExperiments(db, now));
    const users = (rollupResult[0] as { users: number }[]).reduce((s, r) => s + r.users, 0);
    const result = {
      command: `npm run bench:report -- --scale ${scale} --seed ${seed} --repeats ${repeats} --load ${args.load}`,
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? "?",
        loadAverage: os.loadavg(),
        note: "the load average shows how shared the machine was",
      },
      rows: { exposures: EXPOSURES, users: USERS, usersExposed: users, events: EVENTS },
      load: args.load,
      reused: args.reuse ?? null,
      generateSeconds: generateSeconds === null ? null : Math.round(generateSeconds),
      rebuildSeconds: rebuildSeconds === null ? null : Math.round(rebuildSeconds),
      writeRowsPerSecond: generateSeconds === null ? null : Math.round((EXPOSURES + EVENTS) / generateSeconds),
      experiment: "default setup: KPIs ctr, conversion, revenue (no capped or quantile metric), CUPED 14 days, segment guardrails on a stored segmentation",
      milliseconds: {
        raw: Math.round(rawMs),
        perUser: Math.round(perUserMs),
        rollup: Math.round(rollupMs),
        segments: Math.round(segmentMs),
        segmentsPerUser: Math.round(segmentPerUserMs),
        report: Math.round(reportMs),
        scheduler: Math.round(schedulerMs),
      },
      reportParts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      speedup: Math.round((rawMs / rollupMs) * 10) / 10,
      speedupPerUser: Math.round((rawMs / perUserMs) * 10) / 10,
      resultsEqual: true,
      targets: { reportMs: 2000, schedulerMs: 1000, speedup: 10 },
      met: { report: reportMs <= 2000, scheduler: schedulerMs < 1000, speedup: rawMs / rollupMs >= 10 },
    };
    mkdirSync(path.dirname(path.resolve(args.out!)), { recursive: true });
    writeFileSync(path.resolve(args.out!), `${JSON.stringify(result, null, 2)}\n`);
    say(JSON.stringify(result.milliseconds) + ` speedup ×${result.speedup} → ${args.out}`);
  } finally {
    await client.end().catch(() => undefined);
    await db.$disconnect();
    if (!args.keep && !args.reuse) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
