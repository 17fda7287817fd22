// Teachers trained elsewhere, stored as Model rows (role teacher): embeddings become a BPR-MF artifact that
// every method distills from; ranked lists become a "ranked-lists" artifact that rd and rrd distill from.
// Everything is parsed and matched to the dataset before anything is written: a bad file stores nothing.
import fs from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Model, Prisma } from "./generated/client";
import { db as defaultDb, type Db } from "./client";
import { datasetDirectory, readStoredTsvDir } from "./datasets";
import { artifactsDir } from "./storage";
import type { Dataset as RecsysDataset } from "@/lib/recsys/types";
import { ImportError } from "@/lib/recsys/interop/errors";
import type { UploadedFile } from "@/lib/recsys/interop/teacher-embeddings";

export const RANKED_LISTS_ARCHITECTURE = "ranked-lists";

export type TeacherImport =
  | {
      kind: "embeddings";
      datasetId: string;
      name?: string;
      userEmbeddings: UploadedFile;
      userIds: UploadedFile;
      itemEmbeddings: UploadedFile;
      itemIds: UploadedFile;
    }
  | { kind: "ranked-lists"; datasetId: string; name?: string; rankedLists: UploadedFile };

async function loadDataset(datasetId: string, db: Db): Promise<RecsysDataset> {
  const row = await db.dataset.findUnique({ where: { id: datasetId } });
  if (!row) throw new ImportError("No such dataset", "datasetId");
  const dir = datasetDirectory(row);
  if (!dir) throw new ImportError("The dataset has no stored files", "datasetId");
  if (row.storagePath) return readStoredTsvDir(dir, row.name);
  const { loadDataset: load } = await import("@/lib/recsys/data");
  return { ...load(dir), name: row.name };
}

/** parses, matches ids, writes the artifact and the Model row; ImportError (field + reason) on bad input */
export async function importTeacher(input: TeacherImport, db: Db = defaultDb()): Promise<Model> {
  const ds = await loadDataset(input.datasetId, db);
  const dir = path.join(artifactsDir(), "imported", randomUUID());
  let fields: {
    architecture: string;
    dimension: number;
    parameterCount: number;
    sizeBytes: number;
    hyperparameters: Prisma.InputJsonValue;
    metrics: Prisma.InputJsonValue;
    defaultName: string;
  };
  if (input.kind === "embeddings") {
    const { teacherFromEmbeddings } = await import("@/lib/recsys/interop/teacher-embeddings");
    const { evaluate, metricsSummary } = await import("@/lib/recsys/eval/evaluate");
    const { saveModel } = await import("@/lib/recsys/artifact");
    const teacher = teacherFromEmbeddings(ds, input);
    // sampled test metrics only: cheap, and what the dashboard compares models by
    const test = evaluate(teacher, ds, { split: "test", seed: 0, full: false });
    await saveModel(dir, teacher);
    const files = [input.userEmbeddings, input.userIds, input.itemEmbeddings, input.itemIds].map((f) => f.name);
    fields = {
      architecture: "bpr-mf",
      dimension: teacher.dim,
      parameterCount: teacher.model.parameterCount,
      sizeBytes: teacher.manifest.sizeBytes,
      hyperparameters: { imported: { kind: "embeddings", files } },
      metrics: JSON.parse(JSON.stringify(metricsSummary(test))) as Prisma.InputJsonValue,
      defaultName: `Imported teacher (embeddings d${teacher.dim})`,
    };
  } else {
    const { formatOf, parseRankedLists, saveRankedLists } = await import("@/lib/recsys/interop/ranked-lists");
    const format = formatOf(input.rankedLists.name);
    if (!format) throw new ImportError(`${input.rankedLists.name}: expected a .csv or .jsonl file`, "rankedLists");
    const lists = parseRankedLists(new TextDecoder().decode(input.rankedLists.bytes), format, ds, input.rankedLists.name);
    await saveRankedLists(dir, lists, { datasetName: ds.name, source: input.rankedLists.name });
    fields = {
      architecture: RANKED_LISTS_ARCHITECTURE,
      dimension: 0,
      parameterCount: 0,
      sizeBytes: lists.lists.byteLength,
      hyperparameters: { imported: { kind: "ranked-lists", files: [input.rankedLists.name], listLength: lists.N, usersCovered: lists.usersCovered } },
      metrics: {},
      defaultName: `Imported teacher (ranked top-${lists.N})`,
    };
  }
  try {
    const { defaultName, ...rest } = fields;
    return await db.model.create({ data: { ...rest, name: input.name ?? defaultName, role: "teacher", artifactUri: dir, datasetId: input.datasetId } });
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}
