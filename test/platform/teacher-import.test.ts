// Importing a teacher trained elsewhere into a stored dataset: embeddings become a BPR-MF teacher (every
// method distills from it), ranked lists a ranked-lists teacher (rd, rrd); bad files store nothing.
import { mkdtempSync, readdirSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyntheticDataset } from "@/lib/db/synthetic-datasets";
import { importTeacher, RANKED_LISTS_ARCHITECTURE } from "@/lib/db/teacher-import";
import { readStoredTsvDir, datasetDirectory } from "@/lib/db/datasets";
import { loadModel } from "@/lib/recsys/artifact";
import { loadRankedLists } from "@/lib/recsys/interop/ranked-lists";
import { encodeNpy } from "@/lib/recsys/interop/npy";
import { exportEmbeddings } from "@/lib/recsys/interop/export";
import { ImportError } from "@/lib/recsys/interop/errors";
import { distillStudent } from "@/lib/recsys/pipeline";
import { Rng } from "@/lib/recsys/random";
import { isolatedTestDatabase } from "../helpers/db";

const t = isolatedTestDatabase("teacher-import");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "understudy-import-"));
const previousDataDir = process.env.DATA_DIR;
const previousArtifacts = process.env.ARTIFACTS_DIR;

beforeAll(() => {
  process.env.DATA_DIR = dataDir;
  delete process.env.ARTIFACTS_DIR;
});
afterAll(() => {
  process.env.DATA_DIR = previousDataDir;
  if (previousArtifacts !== undefined) process.env.ARTIFACTS_DIR = previousArtifacts;
  rmSync(dataDir, { recursive: true, force: true });
});

const enc = (s: string) => new TextEncoder().encode(s);
const importedDirs = () => (existsSync(path.join(dataDir, "models", "imported")) ? readdirSync(path.join(dataDir, "models", "imported")).length : 0);

describe("teacher import", () => {
  it("embeddings: matched by id, stored as a teacher with test metrics, loadable and exportable; bad files store nothing", async () => {
    const dataset = await createSyntheticDataset({ name: "import-emb", seed: 5, numUsers: 40, numItems: 60, interactionsPerUser: 8 }, t().db);
    const ds = await readStoredTsvDir(datasetDirectory(dataset)!, dataset.name);
    const rng = new Rng(1);
    const d = 6;
    // rows in reverse order of the dataset's dense indices
    const U = new Float32Array(ds.numUsers * d).map(() => rng.normal());
    const V = new Float32Array(ds.numItems * d).map(() => rng.normal());
    const files = {
      userEmbeddings: { name: "users.npy", bytes: encodeNpy({ rows: ds.numUsers, cols: d, data: U }) },
      userIds: { name: "user_ids.txt", bytes: enc([...ds.userIds].reverse().join("\n")) },
      itemEmbeddings: { name: "items.npy", bytes: encodeNpy({ rows: ds.numItems, cols: d, data: V }) },
      itemIds: { name: "item_ids.txt", bytes: enc([...ds.itemIds].reverse().join("\n")) },
    };
    const before = await t().db.model.count();
    // a NaN, a truncated file, an unknown id: each an ImportError naming its field, and nothing stored
    const nanU = U.slice();
    nanU[7] = NaN;
    const bad = [
      { ...files, userEmbeddings: { name: "users.npy", bytes: encodeNpy({ rows: ds.numUsers, cols: d, data: nanU }) } },
      { ...files, itemEmbeddings: { name: "items.npy", bytes: files.itemEmbeddings.bytes.subarray(0, 500) } },
      { ...files, itemIds: { name: "item_ids.txt", bytes: enc(["nope", ...ds.itemIds.slice(1)].join("\n")) } },
    ];
    const fields: string[] = [];
    for (const f of bad) {
      const e = await importTeacher({ kind: "embeddings", datasetId: dataset.id, ...f }, t().db).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ImportError);
      fields.push((e as ImportError).field);
    }
    expect(fields).toEqual(["userEmbeddings", "itemEmbeddings", "itemIds"]);
    expect(await t().db.model.count()).toBe(before);
    expect(importedDirs()).toBe(0);
    await expect(importTeacher({ kind: "embeddings", datasetId: "missing", ...files }, t().db)).rejects.toMatchObject({ field: "datasetId" });

    const row = await importTeacher({ kind: "embeddings", datasetId: dataset.id, name: "Outside teacher", ...files }, t().db);
    expect(row).toMatchObject({ role: "teacher", architecture: "bpr-mf", dimension: d, name: "Outside teacher" });
    expect((row.metrics as { test: Record<string, number> }).test["N@10"]).toBeGreaterThanOrEqual(0);
    const model = await loadModel(row.artifactUri, { accelerate: false });
    // user 0 of the dataset is the last row of the file
    expect(Array.from(model.model.users.subarray(0, d))).toEqual(Array.from(U.subarray((ds.numUsers - 1) * d)));
    const out = exportEmbeddings(model, "npy");
    expect(new TextDecoder().decode(out["user_ids.txt"]).split("\n")[0]).toBe(ds.userIds[0]);
    const student = await distillStudent(ds, model, {
      method: "de-ir-rrd",
      dim: 4,
      epochs: 1,
      rrd: { topN: 20, K: 4, L: 4 },
      ir: { topN: 10, K: 3, L: 3 },
      de: { experts: 2 },
    });
    expect(student.history[0].loss.ir).toBeGreaterThan(0);
    model.dispose();
  });

  it("ranked lists: stored as a ranked-lists teacher that rrd distills from; a bad line stores nothing", async () => {
    const dataset = await createSyntheticDataset({ name: "import-ranked", seed: 6, numUsers: 30, numItems: 50, interactionsPerUser: 6 }, t().db);
    const ds = await readStoredTsvDir(datasetDirectory(dataset)!, dataset.name);
    const lines = ["user,item,rank"];
    for (let u = 0; u < ds.numUsers; u++) for (let r = 1; r <= 12; r++) lines.push(`${ds.userIds[u]},${ds.itemIds[(u * 5 + r * 3) % ds.numItems]},${r}`);
    const before = await t().db.model.count();
    const dirs = importedDirs();
    const broken = [...lines.slice(0, 20), `${ds.userIds[0]},unknown-item,13`].join("\n");
    await expect(importTeacher({ kind: "ranked-lists", datasetId: dataset.id, rankedLists: { name: "top.csv", bytes: enc(broken) } }, t().db)).rejects.toThrow(
      /top\.csv:21: item "unknown-item" is not in dataset/,
    );
    expect(await t().db.model.count()).toBe(before);
    expect(importedDirs()).toBe(dirs);
    const row = await importTeacher({ kind: "ranked-lists", datasetId: dataset.id, rankedLists: { name: "top.csv", bytes: enc(lines.join("\n")) } }, t().db);
    expect(row.architecture).toBe(RANKED_LISTS_ARCHITECTURE);
    const lists = await loadRankedLists(row.artifactUri);
    const s = await distillStudent(ds, lists, { method: "rrd", dim: 4, epochs: 1, rrd: { topN: 12, K: 4, L: 4 } });
    expect(s.history[0].loss.rrd).toBeGreaterThan(0);
  });
});
