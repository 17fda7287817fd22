// The closed loop through a real worker and PostgreSQL: a production student trained on a synthetic
// world; the drifted world replayed through POST /api/v1/events; the events folded into a new snapshot;
// a live drift check that fires and queues a redistillation (a second breach joins the same run); the
// new student beating the stale production student on the new data in the offline gate; a candidate
// experiment waiting for a person. Then the gate failure path (a latency budget no model can meet).
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { enqueueJob, requestCancel } from "@/lib/jobs/enqueue";
import { createSyntheticDataset } from "@/lib/db/synthetic-datasets";
import { saveLoopSettings } from "@/lib/db/loop-settings";
import { snapshotLineage } from "@/lib/db/snapshots";
import { isLiveDriftMetrics } from "@/lib/db/drift-checks";
import { resolveStoragePath } from "@/lib/db/storage";
import { generateSynthetic } from "@/lib/recsys/data";
import { replayInteractions } from "@/lib/recsys/data/replay";
import type { GateResult } from "@/lib/recsys/eval/gate";
import { trainInput } from "@/lib/jobs/definitions";
import { waitForJobToFinish } from "../helpers/worker";
import { jobWorld, trainTeacherAndStudent } from "../helpers/job-world";
import { apiKeys, postJson, useAsProcessDatabase } from "../serving/fixtures";

const { t, deps } = jobWorld("loop", {
  queues: "train,drift-check,snapshot-build,redistill",
  beforeStop: async () => {
    for (const run of await t().db.jobRun.findMany({ where: { status: { in: ["queued", "running"] } } })) await requestCancel(run.id, deps());
  },
});
let key: string;
const world = { seed: 11, numUsers: 160, numItems: 160, interactionsPerUser: 12 };
const NEW_USERS = 20;
let studentId: string;
let baseDatasetId: string;

const finished = (id: string, timeoutMs = 120_000) => waitForJobToFinish(t().db, id, { intervalMs: 250, timeoutMs });

beforeAll(async () => {
  useAsProcessDatabase(t());
  key = (await apiKeys(t().db)).eventsOnly;
  // the production pair, trained in this process on the world before drift
  const base = await createSyntheticDataset({ name: "loop world", ...world }, t().db);
  baseDatasetId = base.id;
  const { student } = await trainTeacherAndStudent(t().db, base.id, { teacherEpochs: 4, studentEpochs: 3, seed: 1 });
  studentId = student.modelId;
  await t().db.servingSlot.create({ data: { name: "production", modelId: studentId } });
}, 120_000);

describe("the closed loop", () => {
  it("replays the drifted world through the events API and folds it into a versioned snapshot with lineage", async () => {
    const drifted = generateSynthetic({ ...world, drift: { phase: 1, newItemFraction: 0.3 } });
    const start = Date.now() - 3_600_000;
    const replay = [
      ...replayInteractions(drifted, { startMs: start }),
      // users the production model has never seen
      ...replayInteractions(drifted, { startMs: start, users: Array.from({ length: NEW_USERS }, (_, u) => u), userId: (u) => `newcomer-${u}` }),
    ];
    const events = replay.map((e, k) => ({
      eventId: `replay-${k}`,
      type: k % 10 === 0 ? "conversion" : "click",
      userId: e.userId,
      itemId: e.itemId,
      timestamp: e.timestamp,
    }));
    for (let k = 0; k < events.length; k += 1000) {
      const response = await postEvents(postJson("http://localhost/api/v1/events", { events: events.slice(k, k + 1000) }, key), undefined);
      expect(response.status).toBe(202);
    }
    // events without an item are KPI events, not interactions
    await postEvents(
      postJson("http://localhost/api/v1/events", [{ eventId: "revenue-1", type: "revenue", userId: "u1", value: 3, timestamp: start }], key),
      undefined,
    );

    const job = await enqueueJob({ queue: "snapshot-build", input: {} }, deps());
    const run = await finished(job.id);
    expect([run.status, run.error]).toEqual(["succeeded", null]);
    const snapshot = await t().db.dataset.findFirstOrThrow({ where: { source: "live" } });
    expect(snapshot.parentId).toBe(baseDatasetId);
    const lineage = snapshotLineage(snapshot)!;
    const newItemsSeen = new Set(replay.map((e) => e.itemId).filter((id) => Number(id.slice(1)) >= world.numItems)).size;
    expect(lineage).toMatchObject({
      version: 1,
      rootDatasetId: baseDatasetId,
      parentDatasetId: baseDatasetId,
      newInteractions: events.length,
      newUsers: NEW_USERS,
      newItems: newItemsSeen,
      droppedByRetention: 0,
    });
    // the synthetic parent was stored with its interactions.tsv, untimed (a generator has no clock)
    expect(lineage.parentRowsReconstructed).toBe(false);
    expect(lineage.eventWindow.from).toBeNull();
    expect(lineage.notes.join(" ")).toMatch(/no timestamp: the retention window does not apply/);
    expect([snapshot.numUsers, snapshot.numItems]).toEqual([world.numUsers + NEW_USERS, world.numItems + newItemsSeen]);
    const tsv = readFileSync(path.join(resolveStoragePath(snapshot.storagePath!), "interactions.tsv"), "utf8")
      .trim()
      .split("\n");
    expect(tsv[0]).toBe("user\titem\ttimestamp");
    // one row per distinct (user, item) pair, at its latest time; the parent's untimed pairs stay untimed
    expect(tsv.length - 1).toBe(snapshot.numInteractions);
    const untimed = tsv.filter((l) => l.endsWith("\t")).length;
    expect(untimed).toBeGreaterThan(0);
    expect(untimed).toBeLessThanOrEqual(lineage.untimedParentInteractions);
    expect(tsv.length - 1 - untimed).toBeGreaterThan(0);

    // nothing new since: no second snapshot
    const again = await finished((await enqueueJob({ queue: "snapshot-build", input: {} }, deps())).id);
    expect(again.result).toMatchObject({ created: false });
    expect(await t().db.dataset.count({ where: { source: "live" } })).toBe(1);
  });

  it("a live drift check fires, redistills once for two breaches, and the gated candidate waits as an experiment", async () => {
    // latency is the failure path's business (timing has no place in a pass/fail test on a shared machine)
    await saveLoopSettings(t().db, studentId, { gate: { latencyBudgetP99Us: 5_000_000 } }, null);
    const first = await finished((await enqueueJob({ queue: "drift-check", input: { kind: "live", modelId: studentId, trigger: "manual" } }, deps())).id);
    expect([first.status, first.error]).toEqual(["succeeded", null]);
    const second = await finished((await enqueueJob({ queue: "drift-check", input: { kind: "live", modelId: studentId, trigger: "manual" } }, deps())).id);
    expect(second.status).toBe("succeeded");

    const checks = await t().db.driftCheck.findMany({ where: { modelId: studentId }, orderBy: { createdAt: "asc" } });
    expect(checks.map((c) => c.driftDetected)).toEqual([true, true]);
    const [m1, m2] = checks.map((c) => c.metrics);
    if (!isLiveDriftMetrics(m1) || !isLiveDriftMetrics(m2)) throw new Error("expected live drift metrics");
    const signal = (key: string) => m1.decision.signals.find((s) => s.key === key)!;
    expect(signal("unknownItemShare").breached).toBe(true);
    expect(signal("popularityPsi").value).toBeGreaterThan(0.25);
    expect(signal("unknownUserShare").value).toBeCloseTo(NEW_USERS / (world.numUsers + NEW_USERS), 6);
    expect(signal("agreement10").value).toBeGreaterThan(0);
    expect(signal("kpiDrift").value).toBeNull(); // no exposures in this world
    // two breaches, one run
    expect(m1.redistill).toMatchObject({ reused: false });
    expect(m2.redistill).toMatchObject({ reused: true, jobRunId: (m1.redistill as { jobRunId: string }).jobRunId });

    const redistillJob = await finished((m1.redistill as { jobRunId: string }).jobRunId, 240_000);
    expect([redistillJob.status, redistillJob.error]).toEqual(["succeeded", null]);
    const runs = await t().db.redistillRun.findMany();
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect([run.status, run.trigger, run.driftCheckId], (run.gate as { summary?: string } | null)?.summary ?? run.error ?? "").toEqual([
      "passed",
      "drift",
      checks[0].id,
    ]);
    const snapshot = await t().db.dataset.findFirstOrThrow({ where: { source: "live" } });
    expect(run.datasetId).toBe(snapshot.id);
    const gate = run.gate as unknown as GateResult;
    const ndcg = gate.checks.find((c) => c.key === "ndcg10")!;
    // the new student beats the stale production student on the new data
    expect(ndcg.candidate).toBeGreaterThan(ndcg.production!);
    expect(gate.productionCoverage.unknownUsers).toBe(NEW_USERS);
    expect(gate.passed).toBe(true);

    const candidate = await t().db.model.findUniqueOrThrow({ where: { id: run.candidateModelId! } });
    expect([candidate.role, candidate.dimension, candidate.distillationMethod, candidate.datasetId]).toEqual(["student", 4, "rrd", snapshot.id]);
    const experiment = await t().db.experiment.findUniqueOrThrow({ where: { id: run.experimentId! }, include: { variants: true } });
    expect(experiment.status).toBe("draft"); // waits for a person
    expect(experiment.rampSchedule).toEqual([1, 5, 20, 50, 100]);
    expect(Object.fromEntries(experiment.variants.map((v) => [v.key, v.modelId]))).toEqual({ control: studentId, candidate: candidate.id });
    // nothing reached users: production still serves the stale student
    expect((await t().db.servingSlot.findUniqueOrThrow({ where: { name: "production" } })).modelId).toBe(studentId);

    const facts = (await t().db.loopEvent.findMany({ orderBy: { id: "asc" } })).map((f) => f.kind);
    // the run may start before or after the second check is recorded
    expect(facts.filter((k) => k !== "redistill_started")).toEqual([
      "snapshot_created",
      "drift_detected",
      "drift_detected",
      "gate_passed",
      "candidate_created",
    ]);
    expect(facts.filter((k) => k === "redistill_started")).toHaveLength(1);
    expect(facts.indexOf("redistill_started")).toBeGreaterThan(facts.indexOf("drift_detected"));
    expect(facts.indexOf("redistill_started")).toBeLessThan(facts.indexOf("gate_passed"));
    // the Overview's alerts tell the same story
    const alerts = (await t().db.alert.findMany({ orderBy: { createdAt: "asc" } })).map((a) => a.type);
    expect(new Set(alerts)).toEqual(new Set(["drift.detected", "redistill.started", "gate.passed", "candidate.created"]));
  });

  it("a candidate failing the gate records which gate and by how much, and creates no experiment", async () => {
    // this run also warm-starts the teacher from the production teacher
    await saveLoopSettings(t().db, studentId, { gate: { latencyBudgetP99Us: 0.001 }, warmStartTeacher: true }, null);
    const job = await enqueueJob({ queue: "redistill", input: { modelId: studentId, trigger: "manual" } }, deps());
    const done = await finished(job.id, 240_000);
    expect([done.status, done.error]).toEqual(["succeeded", null]);
    const run = await t().db.redistillRun.findUniqueOrThrow({ where: { jobRunId: job.id } });
    expect(run.status).toBe("failed");
    expect(run.experimentId).toBeNull();
    const gate = run.gate as unknown as GateResult;
    expect(gate.failed).toEqual(["latencyP99Us"]);
    const latency = gate.checks.find((c) => c.key === "latencyP99Us")!;
    expect(latency.margin).toBeLessThan(0);
    expect(latency.margin).toBeCloseTo(0.001 - latency.candidate, 6);
    expect(await t().db.experiment.count()).toBe(1);
    const teacherJob = await t().db.jobRun.findUniqueOrThrow({ where: { id: run.teacherJobRunId! }, include: { trainingRun: { include: { model: true } } } });
    const production = await t().db.model.findUniqueOrThrow({ where: { id: studentId } });
    expect(trainInput.parse(teacherJob.input).warmStartModelId).toBe(production.teacherId);
    // every user and item of the production teacher started from its weights
    expect((teacherJob.trainingRun!.model!.hyperparameters as { warmStartRows?: unknown }).warmStartRows).toEqual({
      users: world.numUsers,
      items: world.numItems,
    });
    const failed = await t().db.loopEvent.findFirstOrThrow({ where: { kind: "gate_failed" } });
    expect([failed.entityType, failed.entityId]).toEqual(["redistill_run", run.id]);
    expect(failed.summary).toMatch(/p99 latency .* > budget 0.001/);
  });
});
