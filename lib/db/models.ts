// Model rows: trained teachers and distilled students with their lineage and artifacts.
import type { Model, ModelRole, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";
import { recordAudit } from "./audit";
import { OPEN_STATUSES } from "@/lib/experiments/statuses";

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
      dataset: { select: { id: true, name: true, snapshot: true } },
      teacher: { select: { id: true, name: true, dimension: true } },
      students: { select: { id: true, name: true, dimension: true, distillationMethod: true, archivedAt: true } },
      evaluations: { orderBy: { createdAt: "desc" } },
      trainingRun: true,
      variants: { include: { experiment: { select: { id: true, name: true, status: true } } } },
      servingSlots: { select: { name: true } },
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

// ---------- registry filters and archiving ----------

export const MODEL_SORTS = ["newest", "oldest", "name", "ndcg10", "size"] as const;
export type ModelSort = (typeof MODEL_SORTS)[number];

export interface ModelFilters {
  role?: ModelRole;
  datasetId?: string;
  /** distillation method; "teacher" for teachers */
  method?: string;
  /** active (default), archived, or all */
  status?: "active" | "archived" | "all";
  sort?: ModelSort;
}

/** the registry: filtered and sorted; N@10 sorting reads the test metrics stored with each model */
export async function searchModels(filters: ModelFilters, db: Db = defaultDb()) {
  const where: Prisma.ModelWhereInput = {
    role: filters.method === "teacher" ? "teacher" : filters.role,
    datasetId: filters.datasetId,
    ...(filters.method && filters.method !== "teacher" ? { distillationMethod: filters.method } : {}),
    ...(filters.status === "archived" ? { archivedAt: { not: null } } : filters.status === "all" ? {} : { archivedAt: null }),
  };
  const sort = filters.sort ?? "newest";
  const orderBy: Prisma.ModelOrderByWithRelationInput =
    sort === "oldest" ? { createdAt: "asc" } : sort === "name" ? { name: "asc" } : sort === "size" ? { sizeBytes: "asc" } : { createdAt: "desc" };
  const rows = await db.model.findMany({
    where,
    orderBy,
    take: 500,
    include: { dataset: { select: { id: true, name: true } }, teacher: { select: { id: true, name: true } } },
  });
  if (sort !== "ndcg10") return rows;
  const n10 = (m: { metrics: Prisma.JsonValue }) => {
    const test = (m.metrics as { test?: Record<string, number> } | null)?.test;
    return typeof test?.["N@10"] === "number" ? test["N@10"] : -Infinity;
  };
  return rows.sort((a, b) => n10(b) - n10(a));
}

/** why a model cannot be archived now (it serves production or a live experiment), or null */
export async function archiveBlocker(id: string, db: Db | Prisma.TransactionClient = defaultDb()): Promise<string | null> {
  const slot = await db.servingSlot.findFirst({ where: { modelId: id } });
  if (slot) return `it serves the ${slot.name} slot; cut over to another model first`;
  const variant = await db.variant.findFirst({
    where: { modelId: id, experiment: { status: { in: [...OPEN_STATUSES] } } },
    include: { experiment: { select: { id: true, name: true, status: true } } },
  });
  if (variant) return `experiment "${variant.experiment.name}" (${variant.experiment.status}) uses it as ${variant.key}`;
  return null;
}

export class ModelArchiveError extends Error {}

/** archives (hidden by default, never served) or restores a model; the row and its artifact are kept */
export async function setModelArchived(id: string, archived: boolean, actor: { id?: string; label: string }, db: Db = defaultDb()) {
  return db.$transaction(async (tx) => {
    const model = await tx.model.findUnique({ where: { id } });
    if (!model) return null;
    if (archived) {
      const blocker = await archiveBlocker(id, tx);
      if (blocker) throw new ModelArchiveError(`Cannot archive ${model.name}: ${blocker}`);
    }
    const updated = await tx.model.update({ where: { id }, data: { archivedAt: archived ? (model.archivedAt ?? new Date()) : null } });
    await recordAudit({ actor, action: archived ? "model.archived" : "model.restored", entityType: "model", entityId: id, data: { name: model.name } }, tx);
    return updated;
  });
}

/** Every model as a picker lists it, newest first. */
export function listModelChoices(db: Db = defaultDb(), take = 500) {
  return db.model.findMany({
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, name: true, role: true, dimension: true, distillationMethod: true, dataset: { select: { name: true } } },
  });
}

/** The students distilled from a teacher, oldest first. */
export function listStudentsOf(teacherId: string, db: Db = defaultDb()) {
  return db.model.findMany({ where: { teacherId }, orderBy: { createdAt: "asc" } });
}

export function modelsByIds(ids: readonly string[], db: Db = defaultDb()) {
  return db.model.findMany({ where: { id: { in: [...ids] } } });
}

/** A model's name and where its artifact lives, or null: enough to check it exists or export it. */
export function findModelSummary(id: string, db: Db = defaultDb()) {
  return db.model.findUnique({ where: { id }, select: { id: true, name: true, architecture: true, artifactUri: true } });
}
