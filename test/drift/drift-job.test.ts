// The drift-check job through a real worker: two stored snapshots of one synthetic world (before and
// after drift) → a DriftCheck row, audit entries and a queued redistillation (teacher, then a student
// chained on it, both kind "redistill"). The worker only serves drift-check here, so the training
// jobs stay queued and are cancelled at the end.
import { describe, expect, it } from "vitest";
import { enqueueJob, requestCancel } from "@/lib/jobs/enqueue";
import { createSyntheticDataset } from "@/lib/db/synthetic-datasets";
import { driftCheckMetrics, listDriftChecks } from "@/lib/db/drift-checks";
import { runDriftCheck } from "@/lib/services/drift";
import { notify } from "@/lib/notifications/notify";
import { trainInput, type TrainInput } from "@/lib/jobs/definitions";
import { waitForJobToFinish } from "../helpers/worker";
import { jobWorld, SMALL_HYPERPARAMETERS, trainTeacherAndStudent } from "../helpers/job-world";

const { t, deps } = jobWorld("drift", {
  queues: "drift-check",
  beforeStop: async () => {
    for (const run of await t().db.jobRun.findMany({ where: { queue: "train", status: { in: ["queued", "running"] } } })) await requestCancel(run.id, deps());
  },
});
const world = { seed: 5, numUsers: 300, numItems: 300, interactionsPerUser: 15 };

const finished = (id: string) => waitForJobToFinish(t().db, id, { intervalMs: 200 });

describe("drift-check job", () => {
  it("detects drift between snapshots and queues a teacher and a chained student", async () => {
    const reference = await createSyntheticDataset({ name: "world t0", ...world }, t().db);
    const current = await createSyntheticDataset({ name: "world t1", ...world, drift: { phase: 0.6 }, parentDatasetId: reference.id }, t().db);
    const job = await enqueueJob({ queue: "drift-check", input: { referenceDatasetId: reference.id, currentDatasetId: current.id } }, deps());
    const run = await finished(job.id);
    expect([run.status, run.error]).toEqual(["succeeded", null]);

    const [check] = await t().db.driftCheck.findMany({ where: { datasetId: current.id } });
    expect(check.driftDetected).toBe(true);
    expect(check.score).toBeGreaterThan(check.threshold);
    expect(check.modelId).toBeNull(); // nothing serves production in this database
    const metrics = driftCheckMetrics(check);
    expect(metrics.jobRunId).toBe(job.id);
    expect(metrics.qualityNote).toMatch(/no model serves production/);
    expect(metrics.decision.signals.popularity.jsd).toBeGreaterThan(0.05);
    expect(metrics.decision.signals.newItems.share).toBeGreaterThan(0.1);
    expect(metrics.decision.reasons.length).toBeGreaterThan(0);

    const audits = await t().db.auditLog.findMany({ where: { entityType: "dataset", entityId: current.id }, orderBy: { createdAt: "asc" } });
    expect(audits.map((a) => [a.action, a.actorLabel])).toEqual([
      ["drift_check.recorded", "system"],
      ["drift_check.redistill_queued", "system"],
    ]);

    const trains = await t().db.jobRun.findMany({ where: { queue: "train" }, orderBy: { createdAt: "asc" } });
    expect(trains).toHaveLength(2);
    const [teacher, student] = trains.map((r) => trainInput.parse(r.input));
    expect(metrics.redistill).toEqual({
      teacherJobRunId: trains[0].id,
      studentJobRunId: trains[1].id,
      teacherDimension: 200,
      studentDimension: 20,
      method: "de-rrd",
    });
    expect([teacher.role, teacher.kind, teacher.datasetId, teacher.dimension]).toEqual(["teacher", "redistill", current.id, 200]);
    expect([student.role, student.kind, student.datasetId, student.dimension, student.method, student.teacherJobRunId]).toEqual([
      "student",
      "redistill",
      current.id,
      20,
      "de-rrd",
      trains[0].id,
    ]);
    expect(trains.every((r) => r.status === "queued")).toBe(true);

    const listed = await listDriftChecks(current.id, t().db);
    expect(listed.map((c) => [c.id, c.teacherJob?.id, c.studentJob?.id])).toEqual([[check.id, trains[0].id, trains[1].id]]);

    // people are told: the drift (with its reasons) and the redistillation it started
    const alerts = await t().db.alert.findMany({ orderBy: { createdAt: "asc" } });
    expect(alerts.map((a) => [a.type, a.severity, a.dedupeKey])).toEqual([
      ["drift.detected", "warning", `drift.detected:${check.id}`],
      ["redistill.started", "info", `redistill.started:${check.id}`],
    ]);
    expect(alerts[0].title).toMatch(/^Drift detected on "world t1" \(score /);
    expect(alerts[0].message).toContain(metrics.decision.reasons[0]);
    expect(alerts[0].data).toMatchObject({ driftCheckId: check.id, datasetId: current.id, referenceDatasetId: reference.id });
    expect(alerts[1].data).toMatchObject({ teacherJobRunId: trains[0].id, studentJobRunId: trains[1].id });
  });

  it("running the same job again adds no row and queues nothing more", async () => {
    const job = await t().db.jobRun.findFirstOrThrow({ where: { queue: "drift-check" } });
    const before = await Promise.all([t().db.driftCheck.count(), t().db.auditLog.count(), t().db.jobRun.count({ where: { queue: "train" } })]);
    const queued: TrainInput[] = [];
    const result = await runDriftCheck(
      { referenceDatasetId: "ignored", currentDatasetId: "ignored", redistill: true },
      {
        db: t().db,
        jobRunId: job.id,
        log: async () => undefined,
        progress: () => undefined,
        enqueueTrain: async (input) => {
          queued.push(input);
          throw new Error("must not enqueue again");
        },
        fail: (m) => new Error(m),
        notify: (n) => notify(n, deps()),
      },
    );
    expect(result.driftDetected).toBe(true);
    expect(queued).toEqual([]);
    // the drift alert is keyed by the check: raised once however often the job runs
    expect(await t().db.alert.count()).toBe(2);
    const after = await Promise.all([t().db.driftCheck.count(), t().db.auditLog.count(), t().db.jobRun.count({ where: { queue: "train" } })]);
    expect(after).toEqual(before);
  });

  it("an undrifted snapshot is recorded as no drift and queues no training", async () => {
    const reference = await t().db.dataset.findFirstOrThrow({ where: { name: "world t0" } });
    const same = await createSyntheticDataset({ name: "world t0 again", ...world, drift: { phase: 0 }, parentDatasetId: reference.id }, t().db);
    const trainsBefore = await t().db.jobRun.count({ where: { queue: "train" } });
    const job = await enqueueJob({ queue: "drift-check", input: { referenceDatasetId: reference.id, currentDatasetId: same.id } }, deps());
    expect((await finished(job.id)).status).toBe("succeeded");
    const check = await t().db.driftCheck.findFirstOrThrow({ where: { datasetId: same.id } });
    expect([check.driftDetected, check.score]).toEqual([false, 0]);
    expect(driftCheckMetrics(check).redistill).toBeUndefined();
    expect(await t().db.jobRun.count({ where: { queue: "train" } })).toBe(trainsBefore);
  });

  it("a missing dataset fails the run at once with a clear message", async () => {
    const reference = await t().db.dataset.findFirstOrThrow({ where: { name: "world t0" } });
    const job = await enqueueJob({ queue: "drift-check", input: { referenceDatasetId: reference.id, currentDatasetId: "no-such-dataset" } }, deps());
    const run = await finished(job.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/current dataset no-such-dataset does not exist/);
    expect(run.attempts).toBe(1);
  });

  it("with a production student, measures its HR@10 decay and redistills in the production pair's shape", async () => {
    const reference = await t().db.dataset.findFirstOrThrow({ where: { name: "world t0" } });
    const current = await t().db.dataset.findFirstOrThrow({ where: { name: "world t1" } });
    const { student } = await trainTeacherAndStudent(t().db, reference.id, { teacherEpochs: 3, studentEpochs: 2, seed: 3 });
    await t().db.servingSlot.create({ data: { name: "production", modelId: student.modelId } });
    const trainsBefore = await t().db.jobRun.findMany({ where: { queue: "train" }, select: { id: true } });

    const job = await enqueueJob({ queue: "drift-check", input: { referenceDatasetId: reference.id, currentDatasetId: current.id } }, deps());
    const run = await finished(job.id);
    expect([run.status, run.error]).toEqual(["succeeded", null]);
    const check = await t().db.driftCheck.findFirstOrThrow({ where: { metrics: { path: ["jobRunId"], equals: job.id } } });
    expect(check.modelId).toBe(student.modelId);
    const metrics = driftCheckMetrics(check);
    const quality = metrics.decision.signals.quality!;
    expect(quality.reference.users).toBe(world.numUsers);
    expect(quality.reference.skippedUnknownItems).toBe(0);
    // held-out items among the drifted snapshot's new items are unknown to the model: skipped and counted
    expect(quality.current.skippedUnknownItems).toBeGreaterThan(0);
    expect(quality.current.users + quality.current.skippedUnknownItems).toBe(world.numUsers);
    expect(quality.reference.hr10).toBeGreaterThan(0);
    expect(metrics.decision.ratios.qualityDrop).not.toBeNull();

    const queued = await t().db.jobRun.findMany({ where: { queue: "train", id: { notIn: trainsBefore.map((r) => r.id) } }, orderBy: { createdAt: "asc" } });
    const [newTeacher, newStudent] = queued.map((r) => trainInput.parse(r.input));
    expect(metrics.redistill).toMatchObject({ teacherDimension: 16, studentDimension: 4, method: "rrd" });
    expect([newTeacher.role, newTeacher.kind, newTeacher.dimension, newTeacher.epochs, newTeacher.seed, newTeacher.hyperparameters]).toEqual([
      "teacher",
      "redistill",
      16,
      3,
      3,
      SMALL_HYPERPARAMETERS,
    ]);
    expect([newStudent.role, newStudent.kind, newStudent.dimension, newStudent.method, newStudent.epochs, newStudent.teacherJobRunId]).toEqual([
      "student",
      "redistill",
      4,
      "rrd",
      2,
      queued[0].id,
    ]);
  });
});
