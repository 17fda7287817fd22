// Concurrency of the rollup triggers: exposure writers (serving processes) run in parallel, an
// exposure and its event are still counted exactly once in whichever order two transactions write them,
// and the per-variant running sums they share add up.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedTestDatabase } from "../helpers/db";
import { perUserKpiStats, rollupKpiStats } from "@/lib/db/reports";
import { seedWorld, startedExperiment, type World } from "./rollout-fixtures";

const t = isolatedTestDatabase("rollup_conc");
let world: World;
let experimentId: string;
const clients: pg.Client[] = [];
const at = new Date(Date.now() + 60_000); // inside stage 0, past its settling seconds

beforeAll(async () => {
  const { db, url } = t();
  world = await seedWorld(db);
  experimentId = (await startedExperiment(db, world, {}, new Date())).id;
  for (let i = 0; i < 2; i++) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    clients.push(c);
  }
});

afterAll(async () => {
  for (const c of clients) await c.end();
});

// distinct latencies: two open transactions adding to the same latency count would wait on that row
const exposure = (c: pg.Client, userId: string, latencyUs: number, requestId = randomUUID()) =>
  c.query(
    `INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "failed", "createdAt")
     VALUES ($1, $2, 'control', $3, $4, 10, $5, 100, false, $6)`,
    [requestId, experimentId, world.teacherId, userId, latencyUs, at],
  );
const click = (c: pg.Client, userId: string, requestId: string) =>
  c.query(`INSERT INTO "Event" ("eventId", "type", "userId", "requestId", "timestamp") VALUES ($1, 'click', $2, $3, $4)`, [
    randomUUID(),
    userId,
    requestId,
    at,
  ]);

async function aggregate(userId: string) {
  return t().db.experimentUserAggregate.findMany({ where: { experimentId, userId, stageIndex: 0 }, select: { exposures: true, clicks: true } });
}

describe("rollup triggers under concurrent writers", () => {
  it("two exposure transactions do not wait for each other", async () => {
    const [a, b] = clients;
    await a.query("BEGIN");
    await b.query("BEGIN");
    try {
      await exposure(a, "u-par-a", 501);
      // returns while a is still open: with an exclusive lock this statement would block until a's commit
      await exposure(b, "u-par-b", 502);
      await b.query("COMMIT");
      await a.query("COMMIT");
    } catch (error) {
      await a.query("ROLLBACK");
      await b.query("ROLLBACK");
      throw error;
    }
    expect(await aggregate("u-par-a")).toEqual([{ exposures: 1, clicks: 0 }]);
    expect(await aggregate("u-par-b")).toEqual([{ exposures: 1, clicks: 0 }]);
  });

  it("production exposures (no experiment) skip the rollup and never wait on a rebuild's exclusive lock", async () => {
    const [a, b] = clients;
    const production = (userId: string) =>
      b.query(
        `INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "failed", "createdAt")
         VALUES ($1, NULL, 'production', $2, $3, 10, 300, 30, false, $4)`,
        [randomUUID(), world.teacherId, userId, at],
      );
    await a.query("BEGIN");
    await b.query("SET lock_timeout = '300ms'");
    try {
      // what understudy_rebuild_rollups holds while it rebuilds
      await a.query("SELECT pg_advisory_xact_lock(1301201)");
      await production("u-prod-1");
      // the experiment's exposure needs the shared lock: it waits, and gives up at the timeout
      await expect(exposure(b, "u-prod-blocked", 504)).rejects.toThrow(/lock timeout/);
    } finally {
      await a.query("ROLLBACK");
      await b.query("RESET lock_timeout");
    }
    expect(await aggregate("u-prod-blocked")).toEqual([]);
    expect(await t().db.exposure.count({ where: { userId: "u-prod-1", experimentId: null } })).toBe(1);
  });

  it("an event written before its exposure, by concurrent transactions, is counted once", async () => {
    const [a, b] = clients;
    const requestId = randomUUID();
    const bPid = (await b.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    await a.query("BEGIN");
    await click(a, "u-race-2", requestId);
    const insert = exposure(b, "u-race-2", 503, requestId);
    let settled = false;
    void insert.then(
      () => (settled = true),
      () => (settled = true),
    );
    // the exposure's trigger waits for the event transaction's lock (observed in pg_locks, not slept)
    while (!settled) {
      const waiting = await t().db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE pid = ${bPid} AND NOT granted`;
      if (waiting[0].n > 0) break;
    }
    expect(settled).toBe(false);
    await a.query("COMMIT");
    await insert;
    expect(await aggregate("u-race-2")).toEqual([{ exposures: 1, clicks: 1 }]);
  });

  it("many parallel exposure batches of the same users add up exactly", async () => {
    const { db, url } = t();
    const writers = Array.from({ length: 4 }, () => new pg.Client({ connectionString: url }));
    await Promise.all(writers.map((w) => w.connect()));
    try {
      // each writer: 10 batches of the same 50 users, in its own order
      await Promise.all(
        writers.map(async (w, k) => {
          for (let batch = 0; batch < 10; batch++) {
            const users = Array.from({ length: 50 }, (_, i) => `u-many-${(i * (k + 1) * 7 + batch) % 50}`);
            await w.query(
              `INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "failed", "createdAt")
               SELECT gen_random_uuid(), $1, 'control', $2, u, 10, 400 + (random() * 5)::int, 100, false, $3 FROM unnest($4::text[]) u`,
              [experimentId, world.teacherId, at, users],
            );
          }
        }),
      );
    } finally {
      await Promise.all(writers.map((w) => w.end()));
    }
    const rows = await db.experimentUserAggregate.findMany({ where: { experimentId, userId: { startsWith: "u-many-" } } });
    expect(rows).toHaveLength(50);
    expect(rows.reduce((s, r) => s + r.exposures, 0)).toBe(4 * 10 * 50);
    const latency = await db.experimentLatencyCount.aggregate({ where: { experimentId, latencyUs: { gte: 400, lte: 405 } }, _sum: { requests: true } });
    expect(latency._sum.requests).toBe(4 * 10 * 50);
    // the running sums, written into the shards the writers held, add up to the per-user rows
    const stage = await db.rolloutStage.findUniqueOrThrow({ where: { experimentId_index: { experimentId, index: 0 } } });
    const scope = { kind: "stage" as const, index: 0, startedAt: stage.startedAt! };
    const sums = await rollupKpiStats(db, experimentId, scope, true);
    const perUser = await perUserKpiStats(db, experimentId, scope, true);
    expect(sums.map((r) => [r.variant, r.users, r.exposures, r.exposuresSq, r.clicks, r.clicksExposures])).toEqual(
      perUser.map((r) => [r.variant, r.users, r.exposures, r.exposuresSq, r.clicks, r.clicksExposures]),
    );
  });
});
