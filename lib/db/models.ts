// Model rows: trained teachers and distilled students with their lineage and artifacts.
import type { Model, ModelRole, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";

export function listModels(db: Db = defaultDb(), opts: { datasetId?: string; role?: ModelRole; take?: number } = {}) {
  return db.model.findMany({
    where: { datasetId: opts.datasetId, role: opts.role },
    orderBy: { createdAt: "desc" },
    take: Math.min(opts.take ?? 100, 500),
    include: { dataset: { select: { id: true, name: true } }, teacher: { select: { id: true, name: true } } },
  });
}

export function getModel(id: string, db: Db = defaultDb()) {
  return db.model.findUnique({
    where: { id },
    include: {
      dataset: { select: { id: true, name: true } },
      teacher: { select: { id: true, name: true, dimension: true } },
      students: { select: { id: true, name: true, dimension: true, distillationMethod: true } },
      evaluations: { orderBy: { createdAt: "desc" } },
      trainingRun: true,
    },
  });
}

export interface ModelRecordInput {
  name: string;
  role: ModelRole;
  architecture: string;
  dimension: number;
  parameterCount: number;
  sizeBytes: number;
  artifactUri: string;
  datasetId: string;
  teacherId?: string | null;
  distillationMethod?: string | null;
  hyperparameters: Prisma.InputJsonValue;
  metrics?: Prisma.InputJsonValue;
  trainingRunId: string;
}

/** One model per training run (Model.trainingRunId is unique): a re-run updates, never duplicates. */
export function saveModel(input: ModelRecordInput, db: Db = defaultDb()): Promise<Model> {
  const { trainingRunId, ...fields } = input;
  return db.model.upsert({
    where: { trainingRunId },
    create: { ...fields, trainingRunId },
    update: fields,
  });
}
