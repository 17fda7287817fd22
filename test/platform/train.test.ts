// The train job through a real worker: a teacher, then a student distilled from it (waiting on the
// teacher's job), with artifacts, lineage and a test evaluation recorded; re-running is idempotent.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { enqueueJob, requestCancel } from "@/lib/jobs/enqueue";
import { createSyntheticDataset } from "@/lib/db/synthetic-datasets";
import { runTraining } from "@/lib/services/training";
import { trainInput } from "@/lib/jobs/definitions";
import { waitForJobToFinish } from "../helpers/worker";
import { inProcessTraining, jobWorld } from "../helpers/job-world";
import { waitFor } from "../helpers/wait";

const { t, deps: worldDeps, worker } = jobWorld("train");

const finished = (id: string) => waitForJobToFinish(t().db, id, { timeoutMs: 120_000 });

describe("train job", () => {
  it("trains a teacher and distills a student from it", async () => {
    const dataset = await createSyntheticDataset({ name: "tiny", seed: 11, numUsers: 80, numItems: 120, interactionsPerUser: 10 }, t().db);
    const deps = worldDeps();
    const hyper = { evalEvery: 1, patience: 2, batchSize: 256 };
    const teacherJob = await enqueueJob(
      { queue: "train", input: { role: "teacher", datasetId: dataset.id, dimension: 16, epochs: 3, hyperparameters: hyper, promoteIfNoProduction: true } },
      deps,
    );
    const studentJob = await enqueueJob(
      {
        queue: "train",
        input: {
          role: "student",
          datasetId: dataset.id,
          dimension: 4,
          method: "de-rrd",
          epochs: 2,
          teacherJobRunId: teacherJob.id,
          hyperparameters: hyper,
          promoteIfNoProduction: true,
        },
      },
      deps,
    );
    const [teacherRun, studentRun] = [await finished(teacherJob.id), await finished(studentJob.id)];
    expect([teacherRun.status, teacherRun.error]).toEqual(["succeeded", null]);
    expect([studentRun.status, studentRun.error]).toEqual(["succeeded", null]);

    const models = await t().db.model.findMany({ include: { trainingRun: true, evaluations: true }, orderBy: { createdAt: "asc" } });
    expect(models.map((m) => [m.role, m.dimension, m.distillationMethod])).toEqual([
      ["teacher", 16, null],
      ["student", 4, "de-rrd"],
    ]);
    const [teacher, student] = models;
    expect(student.teacherId).toBe(teacher.id);
    expect(teacher.trainingRun!.jobRunId).toBe(teacherJob.id);
    expect(existsSync(path.join(student.artifactUri, "manifest.json"))).toBe(true);
    expect(student.evaluations).toHaveLength(1);
    expect(student.evaluations[0].split).toBe("test");
    expect(teacher.parameterCount).toBe((80 + 120) * 16);
    // only the first model takes an empty production slot; the student finds it taken
    const slot = await t().db.servingSlot.findUniqueOrThrow({ where: { name: "production" } });
    expect([slot.modelId, slot.version]).toEqual([teacher.id, 1]);
    const bootstraps = await t().db.auditLog.findMany({ where: { action: "serving_slot.bootstrap" } });
    expect(bootstraps.map((a) => (a.data as { modelId: string }).modelId)).toEqual([teacher.id]);
  });

  it("running the same training job again updates its rows instead of adding new ones", async () => {
    const teacherJob = await t().db.jobRun.findFirstOrThrow({ where: { queue: "train" }, orderBy: { createdAt: "asc" } });
    const before = await Promise.all([t().db.model.count(), t().db.trainingRun.count(), t().db.offlineEvaluation.count()]);
    const input = trainInput.parse(teacherJob.input);
    const result = await runTraining(input, inProcessTraining(t().db, teacherJob.id));
    const after = await Promise.all([t().db.model.count(), t().db.trainingRun.count(), t().db.offlineEvaluation.count()]);
    expect(after).toEqual(before);
    const teacherModel = await t().db.model.findFirstOrThrow({ where: { role: "teacher" } });
    expect(result.modelId).toBe(teacherModel.id);
  });

  it("cancelling a training job stops its thread mid-training; nothing is saved and the worker takes the next job", async () => {
    const deps = worldDeps();
    const dataset = await createSyntheticDataset({ name: "to cancel", seed: 12, numUsers: 600, numItems: 800, interactionsPerUser: 20 }, t().db);
    const models = await t().db.model.count();
    const run = await enqueueJob(
      { queue: "train", input: { role: "teacher", datasetId: dataset.id, dimension: 64, epochs: 1000, hyperparameters: { patience: 1000 } } },
      deps,
    );
    await waitFor("the training to make progress", async () => {
      const r = await t().db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
      return r.status === "running" && r.progress > 1;
    });
    await requestCancel(run.id, deps);
    const done = await finished(run.id);
    expect(done.status).toBe("cancelled");
    expect(done.progress).toBeLessThan(100);
    expect(await t().db.model.count()).toBe(models);
    const next = await enqueueJob({ queue: "selftest", input: { steps: 2, stepMs: 10 } }, deps);
    expect((await finished(next.id)).status).toBe("succeeded");
  });

  it("the worker survives an unhandled rejection after the wasm backend has loaded", async () => {
    const deps = worldDeps();
    const stray = await enqueueJob({ queue: "selftest", input: { steps: 2, stepMs: 10, strayRejection: true } }, deps);
    expect((await finished(stray.id)).status).toBe("succeeded");
    const next = await enqueueJob({ queue: "selftest", input: { steps: 2, stepMs: 10 } }, deps);
    expect((await finished(next.id)).status).toBe("succeeded");
    expect(worker().child.exitCode).toBeNull();
    expect(worker().output()).toContain("selftest: stray rejection nobody awaits");
  });
});
