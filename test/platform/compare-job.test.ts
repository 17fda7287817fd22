// The compare-models job through a real worker: a teacher and two students of one stored dataset are
// evaluated on the same split and negatives; the stored OfflineComparison holds one evaluation a model,
// equal to evaluating each artifact alone on that plan; a student trained with compareWithTeacher gets
// its comparison queued; bad requests fail at once with a clear reason.
import { describe, expect, it } from "vitest";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { createSyntheticDataset } from "@/lib/db/synthetic-datasets";
import { activeComparisonJob, comparisonMetrics, findComparison } from "@/lib/db/comparisons";
import { readStoredTsvDir, datasetDirectory } from "@/lib/db/datasets";
import { loadModel } from "@/lib/recsys/artifact";
import { evaluate } from "@/lib/recsys/eval";
import { trainInput } from "@/lib/jobs/definitions";
import { startWorkerProcess, waitForJobToFinish } from "../helpers/worker";
import { jobWorld, SMALL_HYPERPARAMETERS, trainInProcess, trainTeacherAndStudent } from "../helpers/job-world";

const { t, dataDir, deps } = jobWorld("compare", { queues: "compare-models" });

const trainHere = (raw: unknown) => trainInProcess(t().db, raw);

describe("compare-models job", () => {
  it("stores every model's metrics on one plan, equal to each model evaluated alone on it", async () => {
    const dataset = await createSyntheticDataset({ name: "compare world", seed: 4, numUsers: 250, numItems: 200, interactionsPerUser: 12 }, t().db);
    const { teacher, student: a } = await trainTeacherAndStudent(t().db, dataset.id, { teacherEpochs: 3, studentEpochs: 2, seed: 3 });
    const b = await trainHere({
      role: "student",
      datasetId: dataset.id,
      dimension: 4,
      method: "none",
      epochs: 2,
      seed: 3,
      hyperparameters: SMALL_HYPERPARAMETERS,
    });
    const request = { teacherId: teacher.modelId, modelIds: [a.modelId, b.modelId], split: "test" as const, negatives: 99, seed: 0 };
    expect(await findComparison(request, t().db)).toBeNull();

    const job = await enqueueJob({ queue: "compare-models", input: request }, deps());
    expect((await activeComparisonJob(request, t().db))?.id).toBe(job.id);
    const run = await waitForJobToFinish(t().db, job.id, { intervalMs: 200 });
    expect([run.status, run.error, run.progress]).toEqual(["succeeded", null, 100]);

    const found = await findComparison(request, t().db);
    expect(found).not.toBeNull();
    expect(found!.jobRunId).toBe(job.id);
    expect(found!.modelIds).toEqual([teacher.modelId, a.modelId, b.modelId].sort());
    expect(found!.protocol).toMatchObject({ split: "test", negatives: 99, seed: 0 });
    expect(found!.evaluations).toHaveLength(3);
    // a subset of the compared models is answered by the same comparison; another protocol is not
    expect((await findComparison({ ...request, modelIds: [b.modelId] }, t().db))?.id).toBe(found!.id);
    expect(await findComparison({ ...request, negatives: 499 }, t().db)).toBeNull();

    const row = await t().db.dataset.findUniqueOrThrow({ where: { id: dataset.id } });
    const ds = await readStoredTsvDir(datasetDirectory(row)!, row.name);
    for (const id of [teacher.modelId, a.modelId, b.modelId]) {
      const evaluation = found!.evaluations.find((e) => e.modelId === id)!;
      const m = comparisonMetrics(evaluation);
      const model = await t().db.model.findUniqueOrThrow({ where: { id } });
      const scorer = await loadModel(model.artifactUri, { accelerate: false });
      const alone = evaluate(scorer, ds, { split: "test", negatives: 99, seed: 0 });
      scorer.dispose();
      for (const key of Object.keys(alone.sampled)) expect(m.sampled[key]).toBeCloseTo(alone.sampled[key], 5);
      expect(m.full["N@20"]).toBeCloseTo(alone.full!["N@20"], 5);
      expect(m.longTail["N@10"]).toBeCloseTo(alone.longTail["N@10"], 5);
      expect(m.latency.p50us).toBeGreaterThan(0);
      expect(m.latency.p99us).toBeGreaterThanOrEqual(m.latency.p50us);
      expect(m.agreement10).toBeGreaterThanOrEqual(0);
      expect(m.agreement10).toBeLessThanOrEqual(1);
      expect(m.segments.cold.users + m.segments.heavy.users).toBeLessThanOrEqual(m.users);
    }
    expect(comparisonMetrics(found!.evaluations.find((e) => e.modelId === teacher.modelId)!).agreement10).toBe(1);
  }, 180_000);

  it("queues the comparison of a student trained with compareWithTeacher, once it is trained (the demo's path)", async () => {
    const trainWorker = await startWorkerProcess(t().url, { DATA_DIR: dataDir, WORKER_QUEUES: "train" });
    try {
      const dataset = await createSyntheticDataset({ name: "compare after training", seed: 5, numUsers: 150, numItems: 120, interactionsPerUser: 10 }, t().db);
      const hyper = SMALL_HYPERPARAMETERS;
      const teacher = await trainHere({ role: "teacher", datasetId: dataset.id, dimension: 8, epochs: 2, seed: 3, hyperparameters: hyper });
      expect(() => trainInput.parse({ role: "teacher", datasetId: dataset.id, dimension: 8, compareWithTeacher: true })).toThrow(/only a student is compared/);
      const job = await enqueueJob(
        {
          queue: "train",
          input: {
            role: "student",
            datasetId: dataset.id,
            dimension: 2,
            method: "rrd",
            teacherModelId: teacher.modelId,
            epochs: 1,
            seed: 3,
            hyperparameters: hyper,
            compareWithTeacher: true,
          },
        },
        deps(),
      );
      const trained = await waitForJobToFinish(t().db, job.id, { intervalMs: 200 });
      expect([trained.status, trained.error]).toEqual(["succeeded", null]);
      const { modelId, comparisonJobRunId } = trained.result as { modelId: string; comparisonJobRunId: string };
      const compared = await waitForJobToFinish(t().db, comparisonJobRunId, { intervalMs: 200 });
      expect([compared.queue, compared.status, compared.error]).toEqual(["compare-models", "succeeded", null]);
      const found = await findComparison({ teacherId: teacher.modelId, modelIds: [modelId], split: "test", negatives: 499, seed: 0 }, t().db);
      expect(found?.jobRunId).toBe(comparisonJobRunId);
      expect(found?.evaluations.map((e) => e.modelId).sort()).toEqual([teacher.modelId, modelId].sort());
    } finally {
      await trainWorker.stop();
    }
  }, 180_000);

  it("fails at once, naming the model, when a model is unknown", async () => {
    const teacher = await t().db.model.findFirstOrThrow({ where: { role: "teacher" } });
    const job = await enqueueJob({ queue: "compare-models", input: { teacherId: teacher.id, modelIds: ["no-such-model"] } }, deps());
    const run = await waitForJobToFinish(t().db, job.id, { intervalMs: 200 });
    expect(run.status).toBe("failed");
    expect(run.attempts).toBe(1);
    expect(run.error).toMatch(/model no-such-model does not exist/);
  }, 60_000);

  it("refuses a request listing the teacher among the models, before queueing", async () => {
    const teacher = await t().db.model.findFirstOrThrow({ where: { role: "teacher" } });
    await expect(enqueueJob({ queue: "compare-models", input: { teacherId: teacher.id, modelIds: [teacher.id] } }, deps())).rejects.toThrow(
      /do not list it again/,
    );
  });
});
