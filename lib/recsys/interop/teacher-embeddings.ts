// A teacher trained elsewhere, brought as user and item embedding matrices (.npy or .safetensors) with
// their id lists, scored by inner product like our BPR teachers. Rows are matched to the dataset's users
// and items by external id and reordered to its dense indices; every dataset user and item needs a row
// (DE maps every entity into the teacher's space, RRD ranks every user's items).
import type { Dataset } from "../types";
import { BprModel } from "../models/bpr";
import { ServableBpr } from "../models/servable";
import { weightBytes } from "../artifact";
import { ImportError } from "./errors";
import type { Matrix } from "./matrix";
import { parseNpy } from "./npy";
import { parseSafetensors } from "./safetensors";
import { parseIdList } from "./ids";

export interface UploadedFile {
  /** file name (its extension picks the parser: .npy or .safetensors) */
  name: string;
  bytes: Uint8Array;
}

export interface EmbeddingTeacherFiles {
  userEmbeddings: UploadedFile;
  userIds: UploadedFile;
  itemEmbeddings: UploadedFile;
  itemIds: UploadedFile;
}

/** one matrix from a .npy file, or from a .safetensors file (its tensor named `side`, else its only tensor) */
export function readMatrix(file: UploadedFile, field: string, side: "users" | "items"): Matrix {
  const lower = file.name.toLowerCase();
  if (lower.endsWith(".npy")) return parseNpy(file.bytes, file.name, field);
  if (lower.endsWith(".safetensors")) {
    const { tensors } = parseSafetensors(file.bytes, file.name, field);
    const named = tensors.get(side);
    if (named) return named;
    if (tensors.size === 1) return [...tensors.values()][0];
    throw new ImportError(`${file.name}: holds ${tensors.size} tensors (${[...tensors.keys()].join(", ")}) and none is named "${side}"`, field);
  }
  throw new ImportError(`${file.name}: expected a .npy or .safetensors file`, field);
}

function placeRows(
  m: Matrix,
  ids: string[],
  index: Map<string, number>,
  count: number,
  what: "user" | "item",
  files: { matrix: string; ids: string },
  fields: { matrix: string; ids: string },
  dsName: string,
): Float32Array {
  if (m.rows !== ids.length)
    throw new ImportError(`${files.matrix} has ${m.rows} rows but ${files.ids} lists ${ids.length} ids: one id per row`, fields.matrix);
  const unknown = ids.filter((id) => !index.has(id));
  if (unknown.length > 0) {
    throw new ImportError(
      `${files.ids}: ${unknown.length} ${what} id(s) not in dataset ${dsName}, e.g. ${unknown
        .slice(0, 3)
        .map((s) => `"${s}"`)
        .join(", ")}`,
      fields.ids,
    );
  }
  if (ids.length < count) {
    const have = new Set(ids);
    const missing = [...index.keys()].filter((id) => !have.has(id));
    throw new ImportError(
      `${files.ids}: no embedding for ${missing.length} of the dataset's ${count} ${what}s, e.g. ${missing
        .slice(0, 3)
        .map((s) => `"${s}"`)
        .join(", ")}`,
      fields.ids,
    );
  }
  const d = m.cols;
  const out = new Float32Array(count * d);
  ids.forEach((id, r) => out.set(m.data.subarray(r * d, (r + 1) * d), index.get(id)! * d));
  return out;
}

/** the imported teacher as a servable BPR-MF model in the dataset's dense order; ImportError on any problem */
export function teacherFromEmbeddings(ds: Dataset, files: EmbeddingTeacherFiles, name = "imported teacher"): ServableBpr {
  const U = readMatrix(files.userEmbeddings, "userEmbeddings", "users");
  const V = readMatrix(files.itemEmbeddings, "itemEmbeddings", "items");
  if (U.cols !== V.cols)
    throw new ImportError(`user embeddings have dimension ${U.cols}, item embeddings ${V.cols}: inner-product scoring needs the same`, "itemEmbeddings");
  if (U.cols < 1) throw new ImportError(`${files.userEmbeddings.name}: dimension 0`, "userEmbeddings");
  const userIds = parseIdList(new TextDecoder().decode(files.userIds.bytes), files.userIds.name, "userIds");
  const itemIds = parseIdList(new TextDecoder().decode(files.itemIds.bytes), files.itemIds.name, "itemIds");
  const place = (side: "user" | "item", matrix: typeof U, ids: string[], datasetIds: readonly string[], count: number) => {
    const fields = side === "user" ? ({ matrix: "userEmbeddings", ids: "userIds" } as const) : ({ matrix: "itemEmbeddings", ids: "itemIds" } as const);
    const index = new Map(datasetIds.map((id, i) => [id, i]));
    return placeRows(matrix, ids, index, count, side, { matrix: files[fields.matrix].name, ids: files[fields.ids].name }, fields, ds.name);
  };
  const users = place("user", U, userIds, ds.userIds, ds.numUsers);
  const items = place("item", V, itemIds, ds.itemIds, ds.numItems);
  const model = new BprModel(ds.numUsers, ds.numItems, U.cols, users, items);
  return new ServableBpr(
    model,
    {
      format: "understudy-model",
      version: 1,
      architecture: "bpr-mf",
      role: "teacher",
      dimension: U.cols,
      numUsers: ds.numUsers,
      numItems: ds.numItems,
      parameterCount: model.parameterCount,
      sizeBytes: weightBytes(ds.numUsers, ds.numItems, U.cols),
      method: null,
      datasetName: ds.name,
      trainingConfig: {
        imported: { kind: "embeddings", name, files: [files.userEmbeddings.name, files.userIds.name, files.itemEmbeddings.name, files.itemIds.name] },
      },
      metrics: {},
      createdAt: new Date().toISOString(),
    },
    ds.userIds,
    ds.itemIds,
  );
}
