// Report rollups (triggers on Exposure and Event) against the raw-scan queries over the same rows:
// two stages, rows in the settling seconds, events written before and after their exposures, in
// several statements, late pre-period history, a resumed stage, and two concurrent transactions; and
// the per-variant running sums (overall and per niche segment) against the per-user rollups.
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { isolatedTestDatabase } from "../helpers/db";
import { kpiSufficientStats, opsByVariant, perUserKpiStats, rollupKpiStats, rollupOps, type ReportWindow } from "@/lib/db/reports";
import { perUserSegmentStats, saveSegmentation, segmentKpiStats } from "@/lib/db/distillation-signals";
import type { Prisma } from "@/lib/db/generated/client";
import { HELDOUT_EVENT_PREFIX } from "@/lib/experiments/kpis";
import { Rng } from "@/lib/recsys/random";
import { quantileIntervalLevels } from "@/lib/stats";
import { seedWorld, startedExperiment, type World } from "./rollout-fixtures";

const t = isolatedTestDatabase("rollup");

const t0 = new Date("2026-03-01T00:00:00Z");
const t1 = new Date("2026-03-01T01:00:00Z"); // stage 0 ends, stage 1 starts
const t2 = new Date("2026-03-01T02:00:00Z");
const DAY = 86_400_000;

describe("report rollups", () => {
  let world: World;
  let experimentId: string;
  let datasetId: string;

  beforeAll(async () => {
    const { db } = t();
    world = await seedWorld(db);
    experimentId = (await startedExperiment(db, world, {}, t0)).id;
    // niche segments of the candidate's dataset for users u0..u199 (u200.. unknown to it: cold)
    datasetId = (await db.model.findUniqueOrThrow({ where: { id: world.studentId } })).datasetId;
    await saveSegmentation(db, datasetId, {
      headItems: 10,
      users: Array.from({ length: 200 }, (_, u) => ({ userId: `u${u}`, trainInteractions: u % 7, tailShare: 0.5, longTail: u % 3 === 0, cold: u % 7 === 0 })),
    });
    // stage 0 [t0, t1), stage 1 from t1 (as a stage transition writes them)
    await db.rolloutStage.update({ where: { experimentId_index: { experimentId, index: 0 } }, data: { endedAt: t1, status: "passed" } });
    await db.rolloutStage.update({ where: { experimentId_index: { experimentId, index: 1 } }, data: { startedAt: t1, status: "active" } });
    await db.experiment.update({ where: { id: experimentId }, data: { currentStageIndex: 1 } });

    const rng = new Rng(13);
    const exposures: Prisma.ExposureCreateManyInput[] = [];
    const early: {
      eventId: string;
      type: "click" | "conversion" | "revenue" | "custom";
      userId: string;
      requestId: string | null;
      value: number | null;
      timestamp: Date;
    }[] = [];
    const late: typeof early = [];
    for (let u = 0; u < 300; u++) {
      const userId = `u${u}`;
      const variant = rng.next() < 0.3 ? "candidate" : "control";
      const n = 1 + rng.int(5);
      for (let k = 0; k < n; k++) {
        // spread over both stages, with some rows inside each stage's first 2 s
        const at =
          rng.next() < 0.1
            ? new Date((rng.next() < 0.5 ? t0 : t1).getTime() + rng.int(2000))
            : new Date(t0.getTime() + 2000 + rng.int(t2.getTime() - t0.getTime() - 4000));
        const requestId = randomUUID();
        exposures.push({
          requestId,
          experimentId,
          variant,
          modelId: variant === "candidate" ? world.studentId : world.teacherId,
          userId,
          itemCount: 10,
          latencyUs: 400 + rng.int(variant === "candidate" ? 900 : 3000),
          cpuUs: 100 + rng.int(500),
          failed: rng.next() < 0.03,
          createdAt: at,
        });
        const bucket = rng.next() < 0.4 ? early : late; // events stored before / after their exposure
        if (rng.next() < 0.4) bucket.push({ eventId: randomUUID(), type: "click", userId, requestId, value: null, timestamp: at });
        if (rng.next() < 0.1) bucket.push({ eventId: randomUUID(), type: "conversion", userId, requestId, value: null, timestamp: at });
        if (rng.next() < 0.1)
          bucket.push({ eventId: randomUUID(), type: "revenue", userId, requestId, value: Math.round(rng.next() * 4000) / 100, timestamp: at });
        if (rng.next() < 0.5)
          bucket.push({ eventId: `${HELDOUT_EVENT_PREFIX}${requestId}`, type: "custom", userId, requestId, value: rng.next() < 0.2 ? 1 : 0, timestamp: at });
      }
      // pre-period history: some stored before the user's first exposure, some after
      if (rng.next() < 0.5) {
        (rng.next() < 0.5 ? early : late).push({
          eventId: randomUUID(),
          type: "revenue",
          userId,
          requestId: null,
          value: Math.round(rng.next() * 3000) / 100,
          timestamp: new Date(t0.getTime() - 3 * DAY),
        });
      }
      if (rng.next() < 0.2)
        late.push({ eventId: randomUUID(), type: "conversion", userId, requestId: null, value: null, timestamp: new Date(t0.getTime() - 2 * DAY) });
      if (rng.next() < 0.2)
        early.push({ eventId: randomUUID(), type: "revenue", userId, requestId: null, value: 50, timestamp: new Date(t0.getTime() - 40 * DAY) });
    }
    const chunks = <T>(rows: T[], size: number) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
    for (const c of chunks(early, 97)) await db.event.createMany({ data: c });
    for (const c of chunks(exposures, 113)) await db.exposure.createMany({ data: c });
    for (const c of chunks(late, 89)) await db.event.createMany({ data: c });
  });

  const pre = { from: new Date(t0.getTime() - 14 * DAY), to: t0 };
  const stageWindow = (index: 0 | 1): ReportWindow =>
    index === 0 ? { from: new Date(t0.getTime() + 2000), to: t1 } : { from: new Date(t1.getTime() + 2000), to: t2 };

  function expectSameStats(a: Record<string, unknown>[], b: Record<string, unknown>[]) {
    expect(a.map((r) => r.variant)).toEqual(b.map((r) => r.variant));
    a.forEach((row, i) => {
      for (const [key, value] of Object.entries(row)) {
        if (typeof value === "number") expect(value, `${String(row.variant)}.${key}`).toBeCloseTo(b[i][key] as number, 6);
      }
    });
  }

  it("stage reports equal the raw scan of the stage's window (settling seconds left out)", async () => {
    const { db } = t();
    for (const index of [0, 1] as const) {
      const stage = await db.rolloutStage.findUniqueOrThrow({ where: { experimentId_index: { experimentId, index } } });
      const scope = { kind: "stage" as const, index, startedAt: stage.startedAt! };
      const raw = await kpiSufficientStats(db, experimentId, stageWindow(index), pre);
      expect(raw.length).toBe(2);
      expect(raw[0].clicks).toBeGreaterThan(0);
      expectSameStats(
        (await rollupKpiStats(db, experimentId, scope, true)) as unknown as Record<string, unknown>[],
        raw as unknown as Record<string, unknown>[],
      );
      expectSameStats(
        (await rollupOps(db, experimentId, scope)) as unknown as Record<string, unknown>[],
        (await opsByVariant(db, experimentId, stageWindow(index))) as unknown as Record<string, unknown>[],
      );
    }
  });

  it("the latency rollup gives the order statistics that bound p95 and p99 (for the quantile-difference test)", async () => {
    const { db } = t();
    const stage = await db.rolloutStage.findUniqueOrThrow({ where: { experimentId_index: { experimentId, index: 0 } } });
    const ops = await rollupOps(db, experimentId, { kind: "stage", index: 0, startedAt: stage.startedAt! });
    const w = stageWindow(0);
    for (const row of ops) {
      const lat = (
        await db.exposure.findMany({ where: { experimentId, variant: row.variant, createdAt: { gte: w.from, lt: w.to } }, select: { latencyUs: true } })
      )
        .map((e) => e.latencyUs)
        .sort((a, b) => a - b);
      const n = lat.length;
      for (const [nu, bounds] of [
        [0.95, row.p95BoundsUs],
        [0.99, row.p99BoundsUs],
      ] as const) {
        const [lo, hi] = quantileIntervalLevels(n, nu);
        expect(bounds).toEqual([lat[Math.max(1, Math.ceil(n * lo)) - 1], lat[Math.min(n, Math.ceil(n * hi)) - 1]]);
      }
    }
  });

  it("the whole-experiment report equals the raw scan from the start, and CUPED covariates can be left out", async () => {
    const { db } = t();
    const window = { from: t0, to: t2 };
    expectSameStats(
      (await rollupKpiStats(db, experimentId, { kind: "all" }, true)) as unknown as Record<string, unknown>[],
      (await kpiSufficientStats(db, experimentId, window, pre)) as unknown as Record<string, unknown>[],
    );
    expectSameStats(
      (await rollupKpiStats(db, experimentId, { kind: "all" }, false)) as unknown as Record<string, unknown>[],
      (await kpiSufficientStats(db, experimentId, window, null)) as unknown as Record<string, unknown>[],
    );
    expectSameStats(
      (await rollupOps(db, experimentId, { kind: "all" })) as unknown as Record<string, unknown>[],
      (await opsByVariant(db, experimentId, window)) as unknown as Record<string, unknown>[],
    );
    const [cand] = await rollupKpiStats(db, experimentId, { kind: "all" }, true);
    expect(cand.preUsers).toBeGreaterThan(0);
  });

  const sumsOf = async () =>
    (
      await t().db.experimentVariantSums.groupBy({
        by: ["stageIndex", "stageStartedAt", "settling", "variant", "segment"],
        where: { experimentId },
        _sum: {
          users: true,
          exposures: true,
          exposuresSq: true,
          clicksExposures: true,
          converters: true,
          revenueSq: true,
          heldoutHitsN: true,
          preRevenueRevenue: true,
        },
        orderBy: [{ stageIndex: "asc" }, { stageStartedAt: "asc" }, { settling: "asc" }, { variant: "asc" }, { segment: "asc" }],
      })
    ).map((r) => ({ ...r, _sum: Object.fromEntries(Object.entries(r._sum).map(([k, v]) => [k, Math.round((v ?? 0) * 1e6) / 1e6])) }));

  it("the set-based rebuild (the backfill path) gives exactly the rollups the triggers built", async () => {
    const { db } = t();
    const snapshot = async () => ({
      users: await db.experimentUserAggregate.findMany({
        where: { experimentId },
        orderBy: [{ stageIndex: "asc" }, { stageStartedAt: "asc" }, { settling: "asc" }, { variant: "asc" }, { userId: "asc" }],
      }),
      latency: await db.experimentLatencyCount.findMany({
        where: { experimentId },
        orderBy: [{ stageIndex: "asc" }, { stageStartedAt: "asc" }, { settling: "asc" }, { variant: "asc" }, { latencyUs: "asc" }],
      }),
      pre: await db.experimentUserPre.findMany({ where: { experimentId }, orderBy: { userId: "asc" } }),
      sums: await sumsOf(),
    });
    const byTriggers = await snapshot();
    expect(byTriggers.users.length).toBeGreaterThan(100);
    expect(byTriggers.pre.some((p) => p.preEvents > 0)).toBe(true);
    await db.$executeRaw`SELECT understudy_rebuild_rollups(${experimentId})`;
    const rebuilt = await snapshot();
    const round = <T extends Record<string, unknown>>(rows: T[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v])));
    expect(round(rebuilt.users)).toEqual(round(byTriggers.users));
    expect(round(rebuilt.latency)).toEqual(round(byTriggers.latency));
    expect(round(rebuilt.pre)).toEqual(round(byTriggers.pre));
    // the running sums: the shards' totals per (stage window, variant, segment)
    expect(byTriggers.sums.some((r) => r.segment === "long_tail") && byTriggers.sums.some((r) => r.segment === "cold" && r.settling)).toBe(true);
    expect(rebuilt.sums).toEqual(byTriggers.sums);
  });

  it("a resumed stage starts a fresh window: rows before the resume stay out of its report", async () => {
    const { db } = t();
    const resumeAt = new Date(t2.getTime() + 60_000);
    await db.rolloutStage.update({ where: { experimentId_index: { experimentId, index: 1 } }, data: { startedAt: resumeAt } });
    const after = new Date(resumeAt.getTime() + 10_000);
    await db.exposure.create({
      data: {
        requestId: randomUUID(),
        experimentId,
        variant: "candidate",
        modelId: world.studentId,
        userId: "u-new",
        itemCount: 10,
        latencyUs: 777,
        cpuUs: 1,
        failed: false,
        createdAt: after,
      },
    });
    const stats = await rollupKpiStats(db, experimentId, { kind: "stage", index: 1, startedAt: resumeAt }, true);
    expect(stats).toEqual([expect.objectContaining({ variant: "candidate", users: 1, exposures: 1 })]);
    const raw = await kpiSufficientStats(db, experimentId, { from: new Date(resumeAt.getTime() + 2000), to: new Date(after.getTime() + 1) }, pre);
    expectSameStats(stats as unknown as Record<string, unknown>[], raw as unknown as Record<string, unknown>[]);
  });

  it("an exposure and its event written by two concurrent transactions are counted once", async () => {
    const { db, url } = t();
    const requestId = randomUUID();
    const at = new Date(t2.getTime() + 5 * 60_000); // inside the resumed stage 1
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await a.connect();
    await b.connect();
    try {
      await a.query("BEGIN");
      await a.query(
        `INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "failed", "createdAt")
         VALUES ($1, $2, 'control', $3, 'u-race', 10, 500, 100, false, $4)`,
        [requestId, experimentId, world.teacherId, at],
      );
      const bPid = (await b.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const eventInsert = b.query(`INSERT INTO "Event" ("eventId", "type", "userId", "requestId", "timestamp") VALUES ($1, 'click', 'u-race', $2, $3)`, [
        randomUUID(),
        requestId,
        at,
      ]);
      let settled = false;
      void eventInsert.then(
        () => (settled = true),
        () => (settled = true),
      );
      // wait until the event's trigger is blocked on the exposure transaction's lock (observed, not
      // slept); without that lock the insert finishes unblocked and misses the uncommitted exposure
      while (!settled) {
        const waiting = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE pid = ${bPid} AND NOT granted`;
        if (waiting[0].n > 0) break;
      }
      await a.query("COMMIT");
      await eventInsert;
    } finally {
      await a.end();
      await b.end();
    }
    const rows = await db.experimentUserAggregate.findMany({ where: { experimentId, userId: "u-race" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ exposures: 1, clicks: 1, stageIndex: 1 });
  });

  it("two concurrent exposure transactions of one new user both reach the running sums", async () => {
    const { db, url } = t();
    const at = new Date(t2.getTime() + 6 * 60_000); // inside the resumed stage 1
    const clients = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    for (const c of clients) await c.connect();
    try {
      for (const c of clients) await c.query("BEGIN");
      const insert = (c: pg.Client) =>
        c.query(
          `INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "failed", "createdAt")
           VALUES ($1, $2, 'candidate', $3, 'u7', 10, 600, 100, false, $4)`,
          [randomUUID(), experimentId, world.studentId, at],
        );
      await insert(clients[0]);
      const second = insert(clients[1]).then(() => clients[1].query("COMMIT")); // waits on the first's user row
      await clients[0].query("COMMIT");
      await second;
    } finally {
      for (const c of clients) await c.end();
    }
    const rows = await db.experimentUserAggregate.findMany({ where: { experimentId, userId: "u7", stageIndex: 1, stageStartedAt: { gt: t2 } } });
    expect(rows).toEqual([expect.objectContaining({ exposures: 2 })]);
  });

  it("the running sums equal the per-user rollups, overall and per segment, as written and after the set-based rebuild", async () => {
    const { db } = t();
    const stages = await db.rolloutStage.findMany({ where: { experimentId, startedAt: { not: null } }, orderBy: { index: "asc" } });
    // every stage window written so far (the resumed stage's and the one it replaced)
    const windowsOf = () => db.experimentUserAggregate.groupBy({ by: ["stageIndex", "stageStartedAt"], where: { experimentId, stageIndex: { gte: 0 } } });
    expect((await windowsOf()).length).toBe(stages.length + 1);
    const compare = async (windows: Awaited<ReturnType<typeof windowsOf>>) => {
      for (const w of windows) {
        const scope = { kind: "stage" as const, index: w.stageIndex, startedAt: w.stageStartedAt };
        for (const withPre of [true, false]) {
          const sums = await rollupKpiStats(db, experimentId, scope, withPre);
          expect(sums.length).toBeGreaterThan(0);
          expectSameStats(
            sums as unknown as Record<string, unknown>[],
            (await perUserKpiStats(db, experimentId, scope, withPre)) as unknown as Record<string, unknown>[],
          );
          const segments = await segmentKpiStats(db, experimentId, datasetId, scope, withPre);
          const reference = await perUserSegmentStats(db, experimentId, datasetId, scope, withPre);
          expect(segments.map((r) => `${r.segment}/${r.variant}`)).toEqual(reference.map((r) => `${r.segment}/${r.variant}`));
          expectSameStats(segments as unknown as Record<string, unknown>[], reference as unknown as Record<string, unknown>[]);
        }
      }
    };
    await compare(await windowsOf());
    // the rebuild assigns rows to the stages as they are now (rows before the resume: no stage)
    await db.$executeRaw`SELECT understudy_rebuild_rollups(${experimentId})`;
    await compare(await windowsOf());
  });
});
