import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/recommend/route";
import { createPgPool } from "@/lib/db/pg-pool";
import { fingerprintedRoutingState, readRoutingState } from "@/lib/db/serving";
import { assignArm } from "@/lib/experiments/assignment";
import { RecommendAnswer } from "@/lib/http/response-schemas";
import { itemTrainCounts } from "@/lib/recsys/data/stats";
import { createServingRuntime, replaceServingRuntime, type ServingRuntime } from "@/lib/serving/runtime";
import { isolatedTestDatabase } from "../helpers/db";
import { apiKeys, postJson, seedServingWorld, useAsProcessDatabase, type ServingWorld } from "./fixtures";

const t = isolatedTestDatabase("recommend");
const URL_ = "http://localhost/api/v1/recommend";
let keys: { all: string; eventsOnly: string };
let world: ServingWorld;
let runtime: ServingRuntime;

interface Answer {
  requestId: string;
  items: { itemId: string; score: number }[];
  experimentId?: string;
  variant: string;
  modelId: string;
  fallback?: string;
}

beforeAll(async () => {
  process.env.DATA_DIR = mkdtempSync(path.join(tmpdir(), "understudy-serving-"));
  useAsProcessDatabase(t());
  keys = await apiKeys(t().db);
  world = await seedServingWorld(t().db);
  runtime = createServingRuntime(t().db, { databaseUrl: t().url, flushMs: 20, refreshMs: 30 });
  replaceServingRuntime(runtime);
});

afterAll(async () => {
  await runtime.shutdown();
  replaceServingRuntime(undefined);
  rmSync(process.env.DATA_DIR!, { recursive: true, force: true });
});

const call = (body: unknown, key: string | null = keys.all) => POST(postJson(URL_, body, key ?? undefined), undefined);
async function recommend(body: unknown): Promise<Answer> {
  const response = await call(body);
  expect(response.status).toBe(200);
  // the answer as the API document describes it (strict: an undocumented field fails)
  return RecommendAnswer.parse(await response.json());
}

async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("POST /api/v1/recommend: access and validation", () => {
  it("401 without a key, 403 with a key lacking the recommend scope", async () => {
    const none = await call({ userId: "u", k: 5 }, null);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toBe("unauthorized");
    expect((await call({ userId: "u", k: 5 }, keys.eventsOnly)).status).toBe(403);
  });

  it("400 naming the failing fields", async () => {
    const cases: [unknown, string[]][] = [
      [{ userId: "u", k: 0 }, ["k"]],
      [{ userId: "u", k: 101 }, ["k"]],
      [{ userId: "u", k: 2.5 }, ["k"]],
      [{ k: 5 }, ["userId"]],
      [{ userId: "", k: "5" }, ["userId", "k"]],
      [{ userId: "u", k: 5, exclude: "i1" }, ["exclude"]],
      [{ userId: "u", k: 5, exclude: ["ok", 7] }, ["exclude.1"]],
    ];
    for (const [body, fields] of cases) {
      const response = await call(body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: string; issues: { path: string; message: string }[] };
      expect(answer.error).toBe("invalid_request");
      expect(answer.issues.map((i) => i.path).sort()).toEqual(fields.sort());
    }
    const malformed = await call("{oops");
    expect(malformed.status).toBe(400);
  });
});

describe("POST /api/v1/recommend: serving", () => {
  it("serves the production model without an experiment, never recommending training items", async () => {
    const { dataset } = world;
    for (const u of [0, 1, 2, 3]) {
      const answer = await recommend({ userId: dataset.userIds[u], k: 10 });
      expect(answer).toMatchObject({ variant: "production", modelId: world.teacherId });
      expect(answer.experimentId).toBeUndefined();
      expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.items).toHaveLength(10);
      const train = new Set(Array.from(dataset.trainByUser[u], (i) => dataset.itemIds[i]));
      for (const item of answer.items) expect(train.has(item.itemId)).toBe(false);
      const scores = answer.items.map((i) => i.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it("honours exclude", async () => {
    const userId = world.dataset.userIds[5];
    const first = await recommend({ userId, k: 5 });
    const excluded = first.items.slice(0, 3).map((i) => i.itemId);
    const second = await recommend({ userId, k: 5, exclude: [...excluded, "no-such-item"] });
    expect(second.items.map((i) => i.itemId)).toEqual(expect.not.arrayContaining(excluded));
    expect(second.items.slice(0, 2)).toEqual(first.items.slice(3, 5));
  });

  it("answers an unknown user with the most popular training items (popularity fallback)", async () => {
    const answer = await recommend({ userId: "never-seen-user", k: 5 });
    expect(answer.fallback).toBe("popularity");
    const counts = itemTrainCounts(world.dataset);
    const expected = Array.from(counts.keys())
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .slice(0, 5)
      .map((i) => ({ itemId: world.dataset.itemIds[i], score: counts[i] }));
    expect(answer.items).toEqual(expected);
  });

  it("logs every served request as an exposure, off the request path", async () => {
    const answer = await recommend({ userId: world.dataset.userIds[7], k: 4 });
    const row = await until(() => t().db.exposure.findUnique({ where: { requestId: answer.requestId } }), "the exposure");
    expect(row).toMatchObject({
      experimentId: null,
      variant: "production",
      modelId: world.teacherId,
      userId: world.dataset.userIds[7],
      itemCount: 4,
      failed: false,
    });
    expect(row.latencyUs).toBeGreaterThan(0);
    expect(row.cpuUs).toBeGreaterThanOrEqual(0);
    expect(row.batchSize).toBe(1); // scored alone
  });
});

describe("POST /api/v1/recommend: experiments", () => {
  let experimentId: string;

  beforeAll(async () => {
    const db = t().db;
    const creator = await db.user.create({ data: { email: "exp@example.com", passwordHash: "x", role: "editor" } });
    const experiment = await db.experiment.create({
      data: {
        name: "student vs teacher",
        salt: "salt-recommend-test",
        status: "running",
        rampSchedule: [5, 50, 100],
        currentStageIndex: 1,
        guardrails: {},
        kpis: ["ctr"],
        createdById: creator.id,
        startedAt: new Date(),
        variants: {
          create: [
            { key: "control", modelId: world.teacherId },
            { key: "candidate", modelId: world.studentId },
          ],
        },
      },
    });
    experimentId = experiment.id;
    await runtime.router.refresh();
  });

  it("assigns users sticky by hash(salt, userId) at the current stage's share", async () => {
    const users = world.dataset.userIds.slice(0, 40);
    for (const userId of users) {
      const expected = assignArm("salt-recommend-test", userId, 50);
      for (let repeat = 0; repeat < 2; repeat++) {
        const answer = await recommend({ userId, k: 3 });
        expect(answer).toMatchObject({ experimentId, variant: expected, modelId: expected === "candidate" ? world.studentId : world.teacherId });
      }
    }
  });

  it("follows a ramp step within the refresh interval and keeps earlier candidates", async () => {
    const users = world.dataset.userIds;
    const candidatesAt5 = users.filter((u) => assignArm("salt-recommend-test", u, 5) === "candidate");
    await t().db.experiment.update({ where: { id: experimentId }, data: { currentStageIndex: 0 } });
    await runtime.router.refresh();
    for (const userId of candidatesAt5) expect((await recommend({ userId, k: 3 })).variant).toBe("candidate");
    await t().db.experiment.update({ where: { id: experimentId }, data: { currentStageIndex: 1 } });
    await until(async () => (await runtime.router.current()).experiment?.candidatePercent === 50, "the 50% stage");
    for (const userId of candidatesAt5) expect((await recommend({ userId, k: 3 })).variant).toBe("candidate");
  });

  it("keeps splitting while awaiting approval; after a pause or rollback a former candidate gets production within the refresh interval", async () => {
    const db = t().db;
    const candidate = world.dataset.userIds.find((u) => assignArm("salt-recommend-test", u, 50) === "candidate")!;
    await db.experiment.update({ where: { id: experimentId }, data: { status: "awaiting_approval" } });
    await until(
      async () => (await recommend({ userId: candidate, k: 3 })).variant === "candidate" && (await runtime.router.current()).experiment !== null,
      "awaiting_approval to route",
    );
    expect(await recommend({ userId: candidate, k: 3 })).toMatchObject({ experimentId, variant: "candidate", modelId: world.studentId });
    for (const status of ["paused", "rolled_back"] as const) {
      await db.experiment.update({ where: { id: experimentId }, data: { status } });
      // no explicit refresh: the router's own interval must pick the change up
      const answer = await until(async () => {
        const a = await recommend({ userId: candidate, k: 3 });
        return a.modelId === world.teacherId ? a : null;
      }, `${status}: production for the former candidate`);
      expect(answer.variant).not.toBe("candidate");
      await db.experiment.update({ where: { id: experimentId }, data: { status: "running" } });
      await until(async () => (await recommend({ userId: candidate, k: 3 })).variant === "candidate", "running again");
    }
  });

  it("answers with production when the candidate fails to load, and counts the failure against the candidate", async () => {
    const db = t().db;
    await db.variant.update({ where: { experimentId_key: { experimentId, key: "candidate" } }, data: { modelId: world.brokenId } });
    await runtime.router.refresh();
    const candidate = world.dataset.userIds.find((u) => assignArm("salt-recommend-test", u, 50) === "candidate")!;
    const answer = await recommend({ userId: candidate, k: 5 });
    expect(answer).toMatchObject({ experimentId, variant: "candidate", modelId: world.teacherId });
    expect(answer.items).toHaveLength(5);
    const row = await until(() => db.exposure.findUnique({ where: { requestId: answer.requestId } }), "the failed exposure");
    expect(row).toMatchObject({ experimentId, variant: "candidate", modelId: world.brokenId, failed: true });
    await db.variant.update({ where: { experimentId_key: { experimentId, key: "candidate" } }, data: { modelId: world.studentId } });
    await runtime.router.refresh();
  });

  it("hot-swaps the production model at cutover without failing a request", async () => {
    const db = t().db;
    await db.experiment.update({ where: { id: experimentId }, data: { status: "completed", endedAt: new Date() } });
    const userId = world.dataset.userIds[11];
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) {
        const response = await call({ userId, k: 5 });
        statuses.push(response.status);
        await response.arrayBuffer();
        // requests arrive through I/O in a server; in-process calls must let I/O callbacks run too
        await new Promise((r) => setImmediate(r));
      }
    })();
    await db.servingSlot.update({ where: { name: "production" }, data: { modelId: world.studentId, version: { increment: 1 } } });
    await until(async () => (await recommend({ userId, k: 5 })).modelId === world.studentId, "the student in production");
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const answer = await recommend({ userId, k: 5 });
    expect(answer).toMatchObject({ variant: "production", modelId: world.studentId });
    expect(answer.experimentId).toBeUndefined();
  });
});

describe("routing fingerprint", () => {
  it("repeats the last state while nothing it carries changed, and reads it again after any change", async () => {
    const db = t().db;
    const pool = createPgPool(t().url, { max: 1 });
    const read = fingerprintedRoutingState(db, pool);
    const first = await read();
    expect(await read()).toBe(first);
    expect(first).toEqual(await readRoutingState(db));
    await db.servingSlot.update({ where: { name: "production" }, data: { version: { increment: 1 } } });
    const bumped = await read();
    expect(bumped).not.toBe(first);
    expect(bumped.production?.version).toBe(first.production!.version + 1);
    // a field of the model's dataset, two joins away
    await db.dataset.update({ where: { id: world.datasetId }, data: { name: "serving-test-renamed" } });
    const renamed = await read();
    expect(renamed.production?.model.dataset.name).toBe("serving-test-renamed");
    expect(await read()).toBe(renamed);
    await pool.end();
  });
});
