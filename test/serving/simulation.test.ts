// A short simulated experiment through the real route handlers (real Requests, real PostgreSQL), then
// the experiment report (lib/db/reports.ts) checked against the rows written and the simulator's tallies.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postRecommend } from "@/app/api/v1/recommend/route";
import { createExperiment, startExperiment } from "@/lib/services/experiments";
import { orphanEventCount } from "@/lib/db/exposures";
import { loadExperimentReport } from "@/lib/db/reports";
import { experimentConfigSchema } from "@/lib/experiments/config";
import { runSimulation, type SimulationSummary } from "@/lib/experiments/simulator";
import { createServingRuntime, replaceServingRuntime, type ServingRuntime } from "@/lib/serving/runtime";
import { isolatedTestDatabase } from "../helpers/db";
import { apiKeys, seedServingWorld, useAsProcessDatabase, type ServingWorld } from "./fixtures";

const t = isolatedTestDatabase("simulation");
let runtime: ServingRuntime;
let world: ServingWorld;
let experimentId: string;
let summary: SimulationSummary;

/** fetch that hands real Request objects to the route handlers in this process */
const inProcessFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  await new Promise((r) => setImmediate(r)); // arrive like I/O, letting background work run
  const { pathname } = new URL(request.url);
  if (pathname === "/api/v1/recommend") return postRecommend(request, undefined);
  if (pathname === "/api/v1/events") return postEvents(request, undefined);
  return new Response("not found", { status: 404 });
};

beforeAll(async () => {
  process.env.DATA_DIR = mkdtempSync(path.join(tmpdir(), "understudy-sim-"));
  useAsProcessDatabase(t());
  const db = t().db;
  const keys = await apiKeys(db);
  world = await seedServingWorld(db, { numUsers: 150, numItems: 200 });
  const editor = { ...(await db.user.create({ data: { email: "editor@example.com", passwordHash: "x", role: "editor" } })), role: "editor" as const };
  const experiment = await createExperiment(
    db,
    experimentConfigSchema.parse({ name: "sim", candidateModelId: world.studentId, rampSchedule: [50, 100], minStageMinutes: 0 }),
    editor,
  );
  experimentId = experiment.id;
  await startExperiment(db, experimentId, editor, "simulation test", new Date(Date.now() - 1000));
  runtime = createServingRuntime(db, { databaseUrl: t().url, flushMs: 25, refreshMs: 50 });
  replaceServingRuntime(runtime);

  summary = await runSimulation({
    baseUrl: "http://understudy.test",
    apiKey: keys.all,
    dataset: world.dataset,
    experimentId,
    users: 120,
    rps: 500,
    durationSeconds: 1.2,
    k: 10,
    seed: 7,
    // make clicks frequent enough that every number below is non-trivial
    noiseClickRate: 0.2,
    eventBatchSize: 200,
    fetch: inProcessFetch,
  });
  await runtime.batcher.flush();
});

afterAll(async () => {
  await runtime.shutdown();
  replaceServingRuntime(undefined);
  rmSync(process.env.DATA_DIR!, { recursive: true, force: true });
});

describe("simulated experiment through the HTTP handlers", () => {
  it("served every request inside the experiment without errors", () => {
    expect(summary.errors).toBe(0);
    expect(summary.requests).toBe(600);
    expect(summary.experimentIdsSeen).toEqual([experimentId]);
    expect(Object.keys(summary.variants).sort()).toEqual(["candidate", "control"]);
    expect(summary.variants.candidate.modelIds).toEqual([world.studentId]);
    expect(summary.variants.control.modelIds).toEqual([world.teacherId]);
    expect(summary.events.rejected).toBe(0);
    expect(summary.events.failedBatches).toBe(0);
    expect(summary.events.accepted).toBe(summary.events.sent);
  });

  it("wrote one exposure per request and every event, per variant", async () => {
    const db = t().db;
    for (const variant of ["control", "candidate"] as const) {
      const tally = summary.variants[variant];
      expect(await db.exposure.count({ where: { experimentId, variant } })).toBe(tally.requests);
      const requestIds = (await db.exposure.findMany({ where: { experimentId, variant }, select: { requestId: true } })).map((x) => x.requestId);
      const events = await db.event.groupBy({ by: ["type"], where: { requestId: { in: requestIds } }, _count: true, _sum: { value: true } });
      const count = (type: string) => events.find((e) => e.type === type)?._count ?? 0;
      expect(count("click")).toBe(tally.clicks);
      expect(count("conversion")).toBe(tally.conversions);
      expect(events.find((e) => e.type === "revenue")?._sum.value ?? 0).toBeCloseTo(tally.revenue, 6);
      // one held-out ground-truth event per request (every simulated user has held-out items)
      expect(count("custom")).toBe(tally.requests);
    }
    expect(await db.exposureLoss.count()).toBe(0);
    expect(await orphanEventCount(db, { from: new Date(0) })).toEqual({ events: 0, requests: 0 });
  });

  it("reports the numbers the rows hold", async () => {
    const loaded = await loadExperimentReport(t().db, experimentId, { kind: "all" });
    expect(loaded).not.toBeNull();
    const report = loaded!.report;
    for (const variant of ["control", "candidate"] as const) {
      const tally = summary.variants[variant];
      const arm = report.variants[variant];
      expect(arm.exposures).toBe(tally.requests);
      expect(arm.users).toBe(tally.users);
      expect(arm.ops.requests).toBe(tally.requests);
      expect(arm.ops.failed).toBe(0);
      expect(arm.hitRate.n).toBe(tally.requests);
      expect(arm.hitRate.hits).toBe(tally.hits);
      const ctr = report.kpis.find((k) => k.kpi === "ctr")![variant];
      expect(ctr.value).toBeCloseTo(tally.clicks / tally.requests, 9);
      const revenue = report.kpis.find((k) => k.kpi === "revenue")![variant];
      expect(revenue.value).toBeCloseTo(tally.revenue / tally.users, 6);
    }
    expect(report.dropped.count).toBe(0);
  });
});
