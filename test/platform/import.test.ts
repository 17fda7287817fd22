// Dataset import through the API: the real route handlers (sessions and roles included), a real worker
// process and PostgreSQL. Good, malformed, empty, oversized and duplicate files; uploads and server
// paths under IMPORT_DIR (escapes refused); the preview; and that a failed import stores nothing.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as importRoute } from "@/app/api/datasets/import/route";
import { POST as previewRoute } from "@/app/api/datasets/import/preview/route";
import { POST as uploadRoute } from "@/app/api/datasets/import/uploads/route";
import { GET as filesRoute } from "@/app/api/datasets/import/files/route";
import { readInteractionsTsv } from "@/lib/recsys/data/interactions-tsv";
import { loadTsvDir } from "@/lib/recsys/data/tsv-dir";
import { isolatedTestDatabase } from "../helpers/db";
import { callRoute, sessionCookie } from "../helpers/route-session";
import { startWorkerProcess, waitForJobToFinish, type WorkerProcess } from "../helpers/worker";
import { useAsProcessDatabase } from "../serving/fixtures";

vi.mock("next/headers", async () => (await import("../helpers/route-session")).nextHeadersFromCurrentRequest);

const t = isolatedTestDatabase("import");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-import-api-"));
const dataDir = path.join(root, "data");
const importDir = path.join(root, "import");
const outside = path.join(root, "outside");
const MAX = 64 * 1024;
let worker: WorkerProcess;
let editor: string;
let viewer: string;
const saved = { DATA_DIR: process.env.DATA_DIR, IMPORT_DIR: process.env.IMPORT_DIR, IMPORT_MAX_BYTES: process.env.IMPORT_MAX_BYTES };

const GOOD = ["user,item,timestamp", ...Array.from({ length: 60 }, (_, k) => `u${k % 12},i${(k * 7) % 15},${1_700_000_000 + k * 60}`)].join("\n") + "\n";

beforeAll(async () => {
  useAsProcessDatabase(t());
  for (const d of [dataDir, importDir, outside]) fs.mkdirSync(d, { recursive: true });
  process.env.DATA_DIR = dataDir;
  process.env.IMPORT_DIR = importDir;
  process.env.IMPORT_MAX_BYTES = String(MAX);
  fs.mkdirSync(path.join(importDir, "ml"));
  fs.writeFileSync(path.join(importDir, "ml/ratings.csv"), "userId,movieId,rating,timestamp\n1,10,5,100\n1,11,4,101\n1,12,4.5,102\n2,10,2,100\n2,13,4,105\n");
  fs.writeFileSync(path.join(outside, "secret.csv"), GOOD);
  fs.symlinkSync(path.join(outside, "secret.csv"), path.join(importDir, "link.csv"));
  fs.mkdirSync(path.join(importDir, "split"));
  fs.writeFileSync(path.join(importDir, "split/train.tsv"), "user\titem\n0\t1\n0\t2\n1\t0\n");
  fs.writeFileSync(path.join(importDir, "split/valid.tsv"), "user\titem\n0\t3\n");
  fs.symlinkSync(path.join(outside, "secret.csv"), path.join(importDir, "split/test.tsv"));
  editor = (await sessionCookie(t().db, "editor")).cookie;
  viewer = (await sessionCookie(t().db, "viewer")).cookie;
  worker = await startWorkerProcess(t().url, { DATA_DIR: dataDir, IMPORT_DIR: importDir, WORKER_QUEUES: "import-dataset" });
});

afterAll(async () => {
  await worker?.stop();
  Object.assign(process.env, saved);
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  fs.rmSync(root, { recursive: true, force: true });
});

const URL_ = "http://localhost/api/datasets/import";

function multipart(url: string, cookie: string, fields: Record<string, string>, file?: { name: string; content: string | Buffer }): Request {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set("file", new Blob([typeof file.content === "string" ? file.content : new Uint8Array(file.content)]), file.name);
  return new Request(url, { method: "POST", headers: { cookie }, body: form });
}

function jsonRequest(url: string, cookie: string, body: unknown): Request {
  return new Request(url, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(body) });
}

const uploadsLeft = () => (fs.existsSync(path.join(dataDir, "uploads")) ? fs.readdirSync(path.join(dataDir, "uploads")) : []);
const storedDirs = () => (fs.existsSync(path.join(dataDir, "datasets")) ? fs.readdirSync(path.join(dataDir, "datasets")) : []);

async function importAndWait(request: Request) {
  const response = await callRoute(importRoute, request);
  const body = (await response.json()) as { job: { id: string }; message?: string };
  expect(response.status, body.message).toBe(202);
  return waitForJobToFinish(t().db, body.job.id, { timeoutMs: 90_000 });
}

describe("POST /api/datasets/import", () => {
  it("401 without a session, 403 for a viewer", async () => {
    expect((await callRoute(importRoute, multipart(URL_, "", { name: "x" }, { name: "a.csv", content: GOOD }))).status).toBe(401);
    const r = await callRoute(importRoute, multipart(URL_, viewer, { name: "x" }, { name: "a.csv", content: GOOD }));
    expect(r.status).toBe(403);
    expect(uploadsLeft()).toEqual([]);
  });

  let firstId = "";
  it("imports an uploaded CSV in the background: split files, ids, interactions.tsv, the split spec, and the upload removed", async () => {
    const run = await importAndWait(
      multipart(URL_, editor, { name: "shop log", split: JSON.stringify({ kind: "loo-random", seed: 5 }) }, { name: "log.csv", content: GOOD }),
    );
    expect([run.status, run.error]).toEqual(["succeeded", null]);
    const result = run.result as { datasetId: string; duplicate: boolean };
    expect(result.duplicate).toBe(false);
    firstId = result.datasetId;
    const row = await t().db.dataset.findUniqueOrThrow({ where: { id: firstId } });
    expect([row.name, row.source, row.numUsers, row.numItems]).toEqual(["shop log", "csv", 12, 15]);
    const params = row.params as { split: unknown; fileName: string; mapping: unknown };
    expect(params.split).toEqual({ kind: "loo-random", seed: 5 });
    expect(params.fileName).toBe("log.csv");
    expect(params.mapping).toEqual({ user: 0, item: 1, timestamp: 2 });
    const dir = path.join(dataDir, row.storagePath!);
    expect(fs.readdirSync(dir).sort()).toEqual(["ids.json", "interactions.tsv", "test.tsv", "train.tsv", "valid.tsv"]);
    const ds = loadTsvDir(dir);
    const inter = readInteractionsTsv(dir);
    expect(fs.readFileSync(path.join(dir, "interactions.tsv"), "utf8").split("\n")[0]).toBe("user\titem\ttimestamp");
    expect(inter.length).toBe(row.numInteractions);
    expect(ds.userIds.length).toBe(12);
    expect(uploadsLeft()).toEqual([]);
    const logs = await t().db.jobLog.findMany({ where: { jobRunId: run.id } });
    expect(logs.map((l) => l.message).join("\n")).toMatch(/parsed 60 rows/);
  });

  it("the same content again (even gzipped) is the same dataset", async () => {
    const before = await t().db.dataset.count();
    const dirs = storedDirs();
    const run = await importAndWait(
      multipart(URL_, editor, { name: "again", split: JSON.stringify({ kind: "loo-random", seed: 5 }) }, { name: "log.csv.gz", content: zlib.gzipSync(GOOD) }),
    );
    expect(run.status).toBe("succeeded");
    expect(run.result).toMatchObject({ datasetId: firstId, duplicate: true });
    expect(await t().db.dataset.count()).toBe(before);
    expect(storedDirs()).toEqual(dirs);
    // another split of the same file is another dataset
    const other = await importAndWait(multipart(URL_, editor, { name: "by time" }, { name: "log.csv", content: GOOD }));
    expect(other.result).toMatchObject({ duplicate: false });
    expect(
      ((await t().db.dataset.findUniqueOrThrow({ where: { id: (other.result as { datasetId: string }).datasetId } })).params as { split: unknown }).split,
    ).toEqual({ kind: "loo-time", seed: 0 });
  });

  it("a malformed line fails the job with file, line and reason, and stores nothing", async () => {
    const before = await t().db.dataset.count();
    const dirs = storedDirs();
    const bad = GOOD.replace("u3,i6,1700000180", "u3,i6");
    const run = await importAndWait(multipart(URL_, editor, { name: "broken" }, { name: "broken.csv", content: bad }));
    expect(run.status).toBe("failed");
    expect(run.attempts).toBe(1);
    expect(run.error).toBe("broken.csv:5: expected 3 comma-separated columns like the header, got 2");
    expect(await t().db.dataset.count()).toBe(before);
    expect(storedDirs()).toEqual(dirs);
    expect(uploadsLeft()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, "import-work", run.id))).toBe(false);
  });

  it("an empty file is refused at once (400), as is a request without a file or name", async () => {
    const empty = await callRoute(importRoute, multipart(URL_, editor, { name: "e" }, { name: "empty.csv", content: "" }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ issues: [{ path: "file", message: "The file is empty" }] });
    const noFile = await callRoute(importRoute, multipart(URL_, editor, { name: "e" }));
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(["source"]);
    const noName = await callRoute(importRoute, multipart(URL_, editor, {}, { name: "a.csv", content: GOOD }));
    expect(noName.status).toBe(400);
    expect(((await noName.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(["name"]);
    const headerOnly = await callRoute(importRoute, multipart(URL_, editor, { name: "h" }, { name: "h.csv", content: "\n\n" }));
    expect(headerOnly.status).toBe(202);
    expect(uploadsLeft().length).toBeLessThanOrEqual(1);
    const run = await waitForJobToFinish(t().db, ((await headerOnly.json()) as { job: { id: string } }).job.id);
    expect([run.status, run.error]).toEqual(["failed", "h.csv: empty file"]);
    expect(uploadsLeft()).toEqual([]);
  });

  it("a file over IMPORT_MAX_BYTES is 413, checked while streaming, and nothing is kept", async () => {
    const big = "user,item\n" + "a,b\n".repeat(MAX / 4 + 10);
    const declared = await callRoute(importRoute, multipart(URL_, editor, { name: "big" }, { name: "big.csv", content: big }));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: "payload_too_large", limit: MAX });
    // no Content-Length: the limit is hit while the body streams
    const sample = new Request("http://x", {
      method: "POST",
      body: (() => {
        const f = new FormData();
        f.set("name", "big");
        f.set("file", new Blob([big]), "big.csv");
        return f;
      })(),
    });
    const contentType = sample.headers.get("content-type")!;
    const bytes = new Uint8Array(await sample.arrayBuffer());
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let k = 0; k < bytes.length; k += 8192) controller.enqueue(bytes.subarray(k, k + 8192));
        controller.close();
      },
    });
    const streamed = await callRoute(
      importRoute,
      new Request(URL_, { method: "POST", headers: { cookie: editor, "content-type": contentType }, body: stream, duplex: "half" } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(uploadsLeft()).toEqual([]);
    // exactly at the limit is fine
    const exact = "user,item\n" + "x".repeat(MAX - 13) + ",y\n";
    expect(Buffer.byteLength(exact)).toBe(MAX);
    const ok = await callRoute(uploadRoute, multipart(`${URL_}/uploads`, editor, {}, { name: "exact.csv", content: exact }));
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { upload: { size: number } }).upload.size).toBe(MAX);
  });

  it("imports a MovieLens file named under IMPORT_DIR; refuses paths outside it, symlinks included", async () => {
    const run = await importAndWait(jsonRequest(URL_, editor, { name: "ml", source: { path: "ml/ratings.csv" } }));
    expect([run.status, run.error]).toEqual(["succeeded", null]);
    const row = await t().db.dataset.findUniqueOrThrow({ where: { id: (run.result as { datasetId: string }).datasetId } });
    expect([row.source, row.sourcePath, row.numUsers]).toEqual(["movielens", "ml/ratings.csv", 2]);
    expect((row.params as { minWeight: number }).minWeight).toBe(4);
    for (const [p, reason] of [
      ["../outside/secret.csv", /outside IMPORT_DIR/],
      [path.join(outside, "secret.csv"), /relative to IMPORT_DIR/],
      ["link.csv", /leads outside IMPORT_DIR \(symlink\)/],
      ["split", /split\/test\.tsv' leads outside IMPORT_DIR/],
      ["nope.csv", /does not exist under IMPORT_DIR/],
    ] as const) {
      const r = await callRoute(importRoute, jsonRequest(URL_, editor, { name: "x", source: { path: p } }));
      expect(r.status, p).toBe(400);
      const body = (await r.json()) as { issues: { path: string; message: string }[] };
      expect(body.issues[0].path).toBe("source.path");
      expect(body.issues[0].message).toMatch(reason);
    }
    const files = (await (await callRoute(filesRoute, new Request(`${URL_}/files`, { headers: { cookie: editor } }))).json()) as {
      enabled: boolean;
      files: { name: string }[];
    };
    expect(files.enabled).toBe(true);
    expect(files.files.map((f) => f.name)).toEqual(["link.csv", "ml", "split"]);
  });

  it("imports train/valid/test.tsv packed as a zip", async () => {
    const dir = path.join(root, "zipsrc");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "train.tsv"), "user\titem\n0\t1\n0\t2\n1\t0\n1\t2\n");
    fs.writeFileSync(path.join(dir, "valid.tsv"), "user\titem\n0\t3\n");
    fs.writeFileSync(path.join(dir, "test.tsv"), "user\titem\n0\t0\n1\t3\n");
    execFileSync("zip", ["-q", path.join(root, "split.zip"), "train.tsv", "valid.tsv", "test.tsv"], { cwd: dir });
    const run = await importAndWait(
      multipart(URL_, editor, { name: "given split" }, { name: "split.zip", content: fs.readFileSync(path.join(root, "split.zip")) }),
    );
    expect([run.status, run.error]).toEqual(["succeeded", null]);
    const row = await t().db.dataset.findUniqueOrThrow({ where: { id: (run.result as { datasetId: string }).datasetId } });
    expect([row.source, row.numInteractions]).toEqual(["tsv-dir", 7]);
    expect((row.params as { split: unknown }).split).toBeNull();
  });
});

describe("POST /api/datasets/import/preview", () => {
  it("previews a staged upload with a chosen mapping, and a multipart file directly", async () => {
    const up = await callRoute(uploadRoute, multipart(`${URL_}/uploads`, editor, {}, { name: "raw.tsv", content: "i1\tu1\t5\ni2\tu1\tlater\n" }));
    const { upload } = (await up.json()) as { upload: { id: string; name: string } };
    expect(upload.name).toBe("raw.tsv");
    const r = await callRoute(
      previewRoute,
      jsonRequest(`${URL_}/preview`, editor, { source: { uploadId: upload.id }, header: false, mapping: { user: 1, item: 0, timestamp: 2 } }),
    );
    expect(r.status).toBe(200);
    const { preview } = (await r.json()) as {
      preview: { rows: { user: string }[]; errors: { line: number; message: string }[]; delimiter: string; fileName: string };
    };
    expect(preview.delimiter).toBe("\t");
    expect(preview.fileName).toBe("raw.tsv");
    expect(preview.rows.map((x) => x.user)).toEqual(["u1"]);
    expect(preview.errors).toEqual([{ line: 2, message: "raw.tsv:2: timestamp 'later' is neither a number nor a date" }]);
    const direct = await callRoute(previewRoute, multipart(`${URL_}/preview`, editor, {}, { name: "log.csv", content: GOOD }));
    const body = (await direct.json()) as { preview: { estimatedRows: number; mapping: unknown }; upload: { id: string } };
    expect(body.preview.estimatedRows).toBe(60);
    expect(body.upload.id).toMatch(/^up_/);
    const bad = await callRoute(previewRoute, jsonRequest(`${URL_}/preview`, editor, { source: { uploadId: "up_000000000000000000000000" } }));
    expect(bad.status).toBe(400);
    // nothing was stored by previews
    expect(await t().db.dataset.count({ where: { name: "raw.tsv" } })).toBe(0);
  });
});
