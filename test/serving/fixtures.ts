// Shared set-up of the serving tests: the per-file database becomes the process database (the route
// handlers and API-key checks use db()), a user with API keys, and helpers to call the handlers with
// real Request objects.
import { createApiKey } from "@/lib/auth/api-keys";
import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { ExposureRow } from "@/lib/db/exposures";
import type { TestDatabase } from "../helpers/db";
import { saveDataset } from "@/lib/db/datasets";
import { contentHash } from "@/lib/recsys/data/stats";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { BprModel } from "@/lib/recsys/models/bpr";
import { Rng } from "@/lib/recsys/random";
import path from "node:path";
import { saveModel } from "@/lib/recsys/artifact";
import { ServableBpr } from "@/lib/recsys/models/servable";
import { dataDir } from "@/lib/db/storage";
import type { Dataset, ModelManifest } from "@/lib/recsys/types";

/** An exposure row of a served candidate answer (fresh requestId, now), for `modelId` in `experimentId`; `overrides` win. */
export function exposureRow(modelId: string, experimentId: string | null, overrides: Partial<ExposureRow> = {}): ExposureRow {
  return {
    requestId: randomUUID(),
    experimentId,
    variant: "candidate",
    modelId,
    userId: "u1",
    itemCount: 10,
    latencyUs: 150,
    cpuUs: 140,
    failed: false,
    createdAt: new Date(),
    ...overrides,
  };
}

/** Points db() at the test database. Call in beforeAll, before any handler runs. */
export function useAsProcessDatabase(t: TestDatabase): void {
  process.env.DATABASE_URL = t.url;
  (globalThis as unknown as { understudyDb?: Db }).understudyDb = t.db;
}

export async function apiKeys(db: Db): Promise<{ all: string; eventsOnly: string }> {
  const user = await db.user.create({ data: { email: `svc-${Date.now()}@example.com`, passwordHash: "x", role: "admin" } });
  const actor = { id: user.id, label: user.email };
  const all = await createApiKey({ name: "all", scopes: ["recommend", "events"], createdById: user.id }, actor);
  const eventsOnly = await createApiKey({ name: "events only", scopes: ["events"], createdById: user.id }, actor);
  return { all: all.key, eventsOnly: eventsOnly.key };
}

export function postJson(url: string, body: unknown, key?: string): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// ---------- a small world with a teacher and a student ----------

export interface ServingWorld {
  dataset: Dataset;
  datasetId: string;
  teacherId: string;
  studentId: string;
  /** a Model row whose artifact directory does not exist */
  brokenId: string;
}

/** Saves a model with seeded random weights as a real artifact directory (lib/recsys/artifact). */
export async function saveRandomModel(dir: string, ds: Dataset, role: "teacher" | "student", dim: number): Promise<void> {
  const bpr = BprModel.random(ds.numUsers, ds.numItems, dim, new Rng(dim), 1);
  const manifest: ModelManifest = {
    format: "understudy-model",
    version: 1,
    architecture: "bpr-mf",
    role,
    dimension: dim,
    numUsers: ds.numUsers,
    numItems: ds.numItems,
    parameterCount: bpr.parameterCount,
    sizeBytes: bpr.parameterCount * 4,
    method: role === "student" ? "none" : null,
    datasetName: ds.name,
    trainingConfig: {},
    metrics: {},
    createdAt: new Date(0).toISOString(),
  };
  await saveModel(dir, new ServableBpr(bpr, manifest, ds.userIds, ds.itemIds));
}

/**
 * A synthetic dataset stored the way the product stores it (DATA_DIR must point at a scratch
 * directory), teacher and student artifacts with random weights, their rows, and the production slot
 * on the teacher.
 */
export async function seedServingWorld(db: Db, opts: { numUsers?: number; numItems?: number } = {}): Promise<ServingWorld> {
  const dataset = generateSynthetic({ seed: 3, numUsers: opts.numUsers ?? 80, numItems: opts.numItems ?? 120 });
  const row = await saveDataset(
    {
      name: "serving-test",
      source: "synthetic",
      snapshot: contentHash(dataset),
      params: { seed: 3 },
      numUsers: dataset.numUsers,
      numItems: dataset.numItems,
      numInteractions: 0,
    },
    dataset,
    db,
  );
  const model = async (name: string, role: "teacher" | "student", dimension: number, save = true) => {
    const dir = path.join(dataDir(), "models", `${name}-${row.id}`);
    if (save) await saveRandomModel(dir, dataset, role, dimension);
    return db.model.create({
      data: { name, role, architecture: "bpr-mf", dimension, parameterCount: 0, artifactUri: dir, datasetId: row.id },
    });
  };
  const teacher = await model("teacher", "teacher", 16);
  const student = await model("student", "student", 4);
  const broken = await model("broken", "student", 4, false);
  await db.servingSlot.create({ data: { name: "production", modelId: teacher.id } });
  return { dataset, datasetId: row.id, teacherId: teacher.id, studentId: student.id, brokenId: broken.id };
}
