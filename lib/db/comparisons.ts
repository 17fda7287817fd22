// Offline comparisons: the compare-models job's work (load the dataset and every model, evaluate them on
// one plan with lib/recsys/eval/compare, store an OfflineComparison with one OfflineEvaluation a model)
// and the queries the comparison page reads. Idempotent per JobRun: the comparison is keyed by jobRunId
// and its evaluations are replaced on a re-run.
import { compareModelsKey, type CompareModelsInput } from "@/lib/jobs/definitions";
import { QUEUES } from "@/lib/jobs/queues";
import type { ComparedMetrics, ComparisonProtocol } from "@/lib/recsys/eval/compare";
import type { Model, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";

export interface ComparisonHooks {
  db: Db;
  jobRunId: string;
  progress: (fraction: number, message: string) => void;
  log: (message: string, level?: "info" | "warn" | "error") => Promise<void>;
  /** a problem retrying cannot fix: unknown model, models of different datasets */
  fail: (message: string) => Error;
}

/** OfflineEvaluation.metrics of a comparison's evaluation */
export type ComparisonMetrics = ComparedMetrics;

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

/** the models of a comparison request in its order (teacher first), or a hooks.fail naming what is wrong */
async function loadRows(input: CompareModelsInput, h: ComparisonHooks): Promise<Model[]> {
  const ids = [input.teacherId, ...input.modelIds];
  const rows = await h.db.model.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw h.fail(`model ${missing.join(", ")} does not exist`);
  const teacher = byId.get(input.teacherId)!;
  const foreign = input.modelIds.filter((id) => byId.get(id)!.datasetId !== teacher.datasetId);
  if (foreign.length) throw h.fail(`model ${foreign.join(", ")} was trained on another dataset than the teacher (${teacher.datasetId})`);
  return ids.map((id) => byId.get(id)!);
}

export async function runComparison(input: CompareModelsInput, h: ComparisonHooks): Promise<{ comparisonId: string; models: number }> {
  const rows = await loadRows(input, h);
  const teacherRow = rows[0];
  const { datasetDirectory, readStoredTsvDir } = await import("./datasets");
  const datasetRow = await h.db.dataset.findUnique({ where: { id: teacherRow.datasetId } });
  if (!datasetRow) throw h.fail(`dataset ${teacherRow.datasetId} does not exist`);
  const dir = datasetDirectory(datasetRow);
  if (!dir) throw h.fail(`dataset ${datasetRow.id} has no stored files`);
  const ds = datasetRow.storagePath
    ? await readStoredTsvDir(dir, datasetRow.name)
    : { ...(await import("@/lib/recsys/data")).loadDataset(dir), name: datasetRow.name };
  await h.log(`loaded dataset "${datasetRow.name}": ${ds.numUsers} users, ${ds.numItems} items`);
  h.progress(0.05, "loading models");

  const { loadModel } = await import("@/lib/recsys/artifact");
  const { compareModels } = await import("@/lib/recsys/eval/compare");
  const loaded: Awaited<ReturnType<typeof loadModel>>[] = [];
  try {
    for (const row of rows) {
      const model = await loadModel(row.artifactUri);
      loaded.push(model);
      if (model.numUsers !== ds.numUsers || model.numItems !== ds.numItems) {
        throw h.fail(`model ${row.id} covers ${model.numUsers} users × ${model.numItems} items but its dataset has ${ds.numUsers} × ${ds.numItems}`);
      }
    }
    await h.log(`comparing ${rows.length} models on the ${input.split} split with ${input.negatives} sampled negatives (seed ${input.seed})`);
    const { protocol, results } = compareModels(
      { id: teacherRow.id, scorer: loaded[0] },
      rows.slice(1).map((r, i) => ({ id: r.id, scorer: loaded[i + 1] })),
      ds,
      { split: input.split, negatives: input.negatives, seed: input.seed },
      (f, m) => h.progress(0.05 + 0.9 * f, m),
    );
    const modelIds = rows.map((r) => r.id).sort();
    const comparison = await h.db.$transaction(async (tx) => {
      const c = await tx.offlineComparison.upsert({
        where: { jobRunId: h.jobRunId },
        create: { jobRunId: h.jobRunId, datasetId: datasetRow.id, teacherId: teacherRow.id, modelIds, split: input.split, protocol: json(protocol) },
        update: { modelIds, protocol: json(protocol) },
      });
      await tx.offlineEvaluation.deleteMany({ where: { comparisonId: c.id } });
      await tx.offlineEvaluation.createMany({
        data: rows.map((r) => ({
          modelId: r.id,
          datasetId: datasetRow.id,
          split: input.split,
          protocol: json(protocol),
          metrics: json(results.get(r.id)),
          comparisonId: c.id,
        })),
      });
      return c;
    });
    const t = results.get(teacherRow.id)!;
    for (const r of rows) {
      const m = results.get(r.id)!;
      await h.log(
        `${r.name}: N@10 ${m.sampled["N@10"].toFixed(4)} (${((100 * m.sampled["N@10"]) / (t.sampled["N@10"] || 1)).toFixed(1)}% of the teacher), p50 ${m.latency.p50us.toFixed(0)} µs`,
      );
    }
    h.progress(1, "comparison stored");
    return { comparisonId: comparison.id, models: rows.length };
  } finally {
    for (const m of loaded) m.dispose();
  }
}

export interface ComparisonRequest {
  teacherId: string;
  modelIds: string[];
  split: "valid" | "test";
  negatives: number;
  seed: number;
}

/**
 * The newest stored comparison that evaluated the teacher and every requested model together on this
 * split and protocol (it may hold more models), with its evaluations; null when there is none.
 */
export async function findComparison(req: ComparisonRequest, db: Db = defaultDb()) {
  const rows = await db.offlineComparison.findMany({
    where: { teacherId: req.teacherId, split: req.split, modelIds: { hasEvery: [req.teacherId, ...req.modelIds] } },
    orderBy: { createdAt: "desc" },
    take: 20,
    include: { evaluations: true },
  });
  const match = rows.find((c) => {
    const p = c.protocol as unknown as Partial<ComparisonProtocol>;
    return p.negatives === req.negatives && p.seed === req.seed;
  });
  if (!match) return null;
  return { ...match, protocol: match.protocol as unknown as ComparisonProtocol };
}

/** the compare-models run queued or running for this request, if any */
export function activeComparisonJob(req: ComparisonRequest, db: Db = defaultDb()) {
  return db.jobRun.findFirst({
    where: { queue: QUEUES.compareModels, singletonKey: compareModelsKey(req), status: { in: ["queued", "running"] } },
    orderBy: { createdAt: "desc" },
    include: { createdBy: { select: { email: true } } },
  });
}

/** the newest failed run for this request after `after`, to say why no comparison exists */
export function failedComparisonJob(req: ComparisonRequest, db: Db = defaultDb()) {
  return db.jobRun.findFirst({ where: { queue: QUEUES.compareModels, singletonKey: compareModelsKey(req), status: "failed" }, orderBy: { createdAt: "desc" } });
}

/** an evaluation's stored metrics; those stored before CPU time was measured cost their wall-clock mean */
export function comparisonMetrics(evaluation: { metrics: Prisma.JsonValue }): ComparisonMetrics {
  const m = evaluation.metrics as unknown as ComparisonMetrics;
  const latency = m.latency as Omit<ComparisonMetrics["latency"], "cpuMeanUs"> & { cpuMeanUs?: number };
  return latency.cpuMeanUs === undefined ? { ...m, latency: { ...latency, cpuMeanUs: latency.meanUs } } : m;
}

/** Teachers one can compare (not archived), newest first, with their dataset's name. */
export function listComparableTeachers(db: Db = defaultDb()) {
  return db.model.findMany({
    where: { role: "teacher", archivedAt: null },
    orderBy: { createdAt: "desc" },
    take: 200,
    include: { dataset: { select: { name: true } } },
  });
}

/** A model with its dataset's name, or null. */
export function findModelWithDataset(id: string, db: Db = defaultDb()) {
  return db.model.findUnique({ where: { id }, include: { dataset: { select: { name: true } } } });
}

/** The other models of a teacher's dataset (not archived): students first, newest first. */
export function listComparisonCandidates(teacher: { id: string; datasetId: string }, db: Db = defaultDb()) {
  return db.model.findMany({
    where: { datasetId: teacher.datasetId, id: { not: teacher.id }, archivedAt: null },
    orderBy: [{ role: "desc" }, { createdAt: "desc" }],
    take: 100,
  });
}
