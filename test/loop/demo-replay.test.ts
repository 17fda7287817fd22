// "Replay drifted traffic (demo)" through the real route handler (session, role), a real worker process
// and PostgreSQL: refused on a non-demo install, to viewers, for a model that is not the demo's production
// model and while a replay or a redistillation is in flight; on the demo's production model the job sends
// the drifted demo world through the events ingestion, folds it into a snapshot, detects drift and queues
// exactly one redistillation (the worker here does not run redistillations: the training itself is the
// closed-loop test's business).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as loopAction } from "@/app/api/models/[id]/loop/[action]/route";
import { driftedDemoEvents, DEFAULT_DEMO_DRIFT } from "@/lib/services/demo-replay";
import { isLiveDriftMetrics } from "@/lib/db/drift-checks";
import { createDemoDataset } from "@/lib/db/seed";
import { snapshotLineage } from "@/lib/db/snapshots";
import { createSyntheticDataset } from "@/lib/db/synthetic-datasets";
import { redistillInput } from "@/lib/jobs/definitions";
import { isolatedTestDatabase } from "../helpers/db";
import { callRoute, sessionCookie } from "../helpers/route-session";
import { startWorkerProcess, waitForJobToFinish, type WorkerProcess } from "../helpers/worker";
import { useAsProcessDatabase } from "../serving/fixtures";

vi.mock("next/headers", async () => (await import("../helpers/route-session")).nextHeadersFromCurrentRequest);

const t = isolatedTestDatabase("demoreplay");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "understudy-demo-replay-"));
const saved = { DATA_DIR: process.env.DATA_DIR, DEMO: process.env.DEMO };
let worker: WorkerProcess;
let editor: { userId: string; cookie: string };
let viewer: { userId: string; cookie: string };
let plainModelId: string;
let demoModelId: string;

function replay(cookie: string, modelId: string) {
  const request = new Request(`http://localhost/api/models/${modelId}/loop/replay-drift`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: "{}",
  });
  return callRoute(loopAction, request, { params: Promise.resolve({ id: modelId, action: "replay-drift" }) });
}

async function refusal(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: string; reason?: string; message: string }) };
}

const teacherOn = (datasetId: string, name: string) =>
  t().db.model.create({
    data: { name, role: "teacher", architecture: "bpr-mf", dimension: 8, parameterCount: 100, artifactUri: path.join(dataDir, "no-weights"), datasetId },
  });

const setProduction = (modelId: string) =>
  t().db.servingSlot.upsert({ where: { name: "production" }, create: { name: "production", modelId }, update: { modelId } });

beforeAll(async () => {
  useAsProcessDatabase(t());
  process.env.DATA_DIR = dataDir;
  delete process.env.DEMO;
  editor = await sessionCookie(t().db, "editor");
  viewer = await sessionCookie(t().db, "viewer");
  const plain = await createSyntheticDataset({ name: "a team's data", seed: 3, numUsers: 40, numItems: 40, interactionsPerUser: 5 }, t().db);
  plainModelId = (await teacherOn(plain.id, "their teacher")).id;
  await setProduction(plainModelId);
  // only the replay queue: a queued redistillation stays queued
  worker = await startWorkerProcess(t().url, { DATA_DIR: dataDir, WORKER_QUEUES: "demo-replay" });
});

afterAll(async () => {
  await worker?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("replay drifted traffic (demo)", () => {
  it("is refused to viewers, on a non-demo install, and for a model that is not the demo's production model", async () => {
    expect((await replay(viewer.cookie, plainModelId)).status).toBe(403);
    expect(await refusal(await replay(editor.cookie, plainModelId))).toMatchObject({ status: 403, error: "not_demo", reason: "not_demo" });

    const demo = await createDemoDataset(t().db);
    expect(demo.params).toMatchObject({ demo: true, seed: 7, numUsers: 1000, numItems: 1000 });
    demoModelId = (await teacherOn(demo.id, "Demo teacher")).id;
    // a demo install, but production serves a model of another dataset
    expect(await refusal(await replay(editor.cookie, demoModelId))).toMatchObject({ status: 409, reason: "not_production" });
    const other = await refusal(await replay(editor.cookie, plainModelId));
    expect(other).toMatchObject({ status: 409, reason: "not_demo_dataset" });
    expect(other.message).toContain("a team's data");

    await setProduction(demoModelId);
    // DEMO=false turns the demo off on a later start
    process.env.DEMO = "false";
    try {
      expect(await refusal(await replay(editor.cookie, demoModelId))).toMatchObject({ status: 403, reason: "not_demo" });
    } finally {
      delete process.env.DEMO;
    }
    expect(await t().db.jobRun.count({ where: { queue: "demo-replay" } })).toBe(0);
    expect(await t().db.event.count()).toBe(0);
  });

  it("sends the drifted demo world through the events ingestion, folds it, detects drift and queues exactly one redistillation", async () => {
    const response = await replay(editor.cookie, demoModelId);
    expect(response.status).toBe(202);
    const { job } = (await response.json()) as { job: { id: string; queue: string } };
    expect(job.queue).toBe("demo-replay");
    // a second click while it is in flight
    expect(await refusal(await replay(editor.cookie, demoModelId))).toMatchObject({ status: 409, reason: "replay_in_flight" });

    const run = await waitForJobToFinish(t().db, job.id, { timeoutMs: 120_000 });
    expect([run.status, run.error]).toEqual(["succeeded", null]);
    expect(run.progress).toBe(100);
    expect(run.createdById).toBe(editor.userId);

    // the events the script would send, through the same ingestion as /api/v1/events
    const expected = driftedDemoEvents(DEFAULT_DEMO_DRIFT, { runId: job.id, startMs: 0 }).length;
    expect(expected).toBeGreaterThan(20_000);
    expect(await t().db.event.count({ where: { type: "click", eventId: { startsWith: `replay-${job.id}-` } } })).toBe(expected);
    const result = run.result as {
      events: number;
      accepted: number;
      driftDetected: boolean;
      driftCheckId: string;
      snapshot: { created: boolean; datasetId: string };
      redistill: { jobRunId: string; reused: boolean };
    };
    expect(result).toMatchObject({ events: expected, accepted: expected, driftDetected: true, snapshot: { created: true }, redistill: { reused: false } });
    const logs = (await t().db.jobLog.findMany({ where: { jobRunId: job.id }, orderBy: { id: "asc" } })).map((l) => l.message);
    expect(logs).toContain(`events ingested: ${expected} stored, 0 already stored`);
    expect(logs).toContain(`drift detected: redistillation queued (job ${result.redistill.jobRunId})`);

    // folded into a versioned snapshot of the demo dataset
    const snapshot = await t().db.dataset.findUniqueOrThrow({ where: { id: result.snapshot.datasetId } });
    const demo = await t().db.dataset.findFirstOrThrow({ where: { params: { path: ["demo"], equals: true } } });
    expect(snapshot.source).toBe("live");
    expect(snapshotLineage(snapshot)).toMatchObject({
      version: 1,
      rootDatasetId: demo.id,
      parentDatasetId: demo.id,
      newInteractions: expected,
      modelId: demoModelId,
    });
    expect(snapshotLineage(snapshot)!.newItems).toBeGreaterThan(0);

    // one live drift check, breached
    const checks = await t().db.driftCheck.findMany({ where: { modelId: demoModelId } });
    expect(checks).toHaveLength(1);
    const [check] = checks;
    expect([check.id, check.driftDetected]).toEqual([result.driftCheckId, true]);
    if (!isLiveDriftMetrics(check.metrics)) throw new Error("expected a live drift check");
    expect(check.metrics.jobRunId).toBe(job.id);
    expect(check.metrics.decision.signals.find((s) => s.key === "unknownItemShare")!.breached).toBe(true);

    // exactly one redistillation, queued through the single-flight path, credited to the editor
    const redistills = await t().db.jobRun.findMany({ where: { queue: "redistill" } });
    expect(redistills).toHaveLength(1);
    const [redistill] = redistills;
    expect([redistill.id, redistill.status, redistill.singletonKey, redistill.createdById]).toEqual([
      result.redistill.jobRunId,
      "queued",
      `redistill:${demoModelId}`,
      editor.userId,
    ]);
    expect(redistillInput.parse(redistill.input)).toEqual({ modelId: demoModelId, trigger: "drift", driftCheckId: check.id, buildSnapshot: false });
    expect(await t().db.jobRun.count({ where: { queue: "train" } })).toBe(0);

    // what people see: the Overview's drift alert and the model's loop events
    const alerts = await t().db.alert.findMany({ where: { modelId: demoModelId } });
    expect(alerts.map((a) => a.type)).toEqual(["drift.detected"]);
    expect((await t().db.loopEvent.findMany({ where: { modelId: demoModelId }, orderBy: { id: "asc" } })).map((e) => e.kind)).toEqual([
      "snapshot_created",
      "drift_detected",
    ]);

    // while that redistillation is queued, another replay is refused
    expect(await refusal(await replay(editor.cookie, demoModelId))).toMatchObject({ status: 409, reason: "redistill_in_flight" });
    expect(await t().db.jobRun.count({ where: { queue: "demo-replay" } })).toBe(1);
  });
});
