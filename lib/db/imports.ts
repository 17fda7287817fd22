// Dataset import on the platform side: where uploads are staged (DATA_DIR/uploads/<id>/), which server
// paths may be read (under IMPORT_DIR, symlinks resolved), and storing an imported dataset atomically:
// files are written under a fresh directory first and the row is created last, so a failure leaves
// neither; the same content (snapshot hash) imported again returns the existing row.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { contentHash, datasetStats } from "@/lib/recsys/data/stats";
import { DatasetError } from "@/lib/recsys/data/errors";
import { INTERACTIONS_FILE, writeInteractionsTsv } from "@/lib/recsys/data/interactions-tsv";
import { writeTsvDir } from "@/lib/recsys/data/tsv-dir";
import type { ImportedData } from "@/lib/recsys/data/import";
import type { DedupedInteractions } from "@/lib/recsys/data/split";
import { Prisma, type Dataset } from "./generated/client";
import type { Db } from "./client";
import { dataDir, datasetStoragePath, resolveStoragePath } from "./storage";
import { DEFAULT_IMPORT_MAX_BYTES } from "@/lib/http/limits";

export { DEFAULT_IMPORT_MAX_BYTES };

/** IMPORT_MAX_BYTES (default 2 GiB): the largest upload accepted */
export function importMaxBytes(): number {
  const v = Number(process.env.IMPORT_MAX_BYTES);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : DEFAULT_IMPORT_MAX_BYTES;
}

/** IMPORT_DIR: the server directory files may be imported from, or null when server imports are off */
export function importDir(): string | null {
  const d = process.env.IMPORT_DIR;
  return d && d.trim() !== "" ? path.resolve(/* turbopackIgnore: true */ d) : null;
}

export class ImportPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportPathError";
  }
}

function inside(base: string, target: string): boolean {
  return target === base || target.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
}

/**
 * The real path of `relative` under IMPORT_DIR. Refuses absolute paths, `..` escapes and symlinks
 * (the file's, a directory's, or any file inside a directory) that lead outside IMPORT_DIR.
 */
export function resolveImportPath(relative: string): string {
  const base = importDir();
  if (!base) throw new ImportPathError("server-side import is off: set IMPORT_DIR on the server to a directory of files to import");
  let realBase: string;
  try {
    realBase = fs.realpathSync(base);
  } catch {
    throw new ImportPathError("IMPORT_DIR does not exist on the server");
  }
  if (relative.trim() === "" || path.isAbsolute(relative)) throw new ImportPathError("give a path relative to IMPORT_DIR");
  const candidate = path.resolve(realBase, relative);
  if (!inside(realBase, candidate)) throw new ImportPathError(`'${relative}' is outside IMPORT_DIR`);
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw new ImportPathError(`'${relative}' does not exist under IMPORT_DIR`);
  }
  if (!inside(realBase, real)) throw new ImportPathError(`'${relative}' leads outside IMPORT_DIR (symlink)`);
  if (fs.statSync(real).isDirectory()) {
    for (const entry of fs.readdirSync(real)) {
      const target = fs.realpathSync(path.join(real, entry));
      if (!inside(realBase, target)) throw new ImportPathError(`'${path.join(relative, entry)}' leads outside IMPORT_DIR (symlink)`);
    }
  }
  return real;
}

/** Files and directories directly under IMPORT_DIR (what the form offers), or null when it is off. */
export function listImportDir(): { name: string; kind: "file" | "directory"; size: number }[] | null {
  const base = importDir();
  if (!base || !fs.existsSync(base)) return null;
  return fs
    .readdirSync(base, { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .map((e) => {
      const st = fs.statSync(path.join(base, e.name), { throwIfNoEntry: false });
      return { name: e.name, kind: st?.isDirectory() ? ("directory" as const) : ("file" as const), size: st?.size ?? 0 };
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 500);
}

// ---------- staged uploads ----------

const UPLOAD_ID = /^up_[a-f0-9]{24}$/;
/** staged uploads nobody imported are deleted after this */
const UPLOAD_TTL_MS = 24 * 3600 * 1000;

export interface UploadMeta {
  id: string;
  name: string;
  size: number;
  createdById: string | null;
  createdAt: string;
}

function uploadsDir(): string {
  return path.join(dataDir(), "uploads");
}

export function uploadDir(id: string): string {
  if (!UPLOAD_ID.test(id)) throw new ImportPathError(`'${id}' is not an upload id`);
  return path.join(uploadsDir(), id);
}

/** the name an upload is stored under: its own (messages name the file people know), made safe */
function safeFileName(name: string): string {
  const base = path
    .basename(name || "upload")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^\.+/, "")
    .slice(-120);
  return base === "" || base === "meta.json" ? `upload-${base}` : base;
}

/** the staged file of an upload */
export function uploadFile(id: string): string {
  const meta = readUploadMeta(id);
  if (!meta) throw new ImportPathError(`upload ${id} is gone (uploads are kept for 24 hours and removed after an import); upload the file again`);
  return path.join(uploadDir(id), safeFileName(meta.name));
}

export function readUploadMeta(id: string): UploadMeta | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(uploadDir(id), "meta.json"), "utf8")) as UploadMeta;
  } catch {
    return null;
  }
}

export function removeUpload(id: string): void {
  fs.rmSync(uploadDir(id), { recursive: true, force: true });
}

function removeExpiredUploads(now = Date.now()): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(uploadsDir());
  } catch {
    return;
  }
  for (const id of entries) {
    if (!UPLOAD_ID.test(id)) continue;
    const meta = readUploadMeta(id);
    const created = meta ? Date.parse(meta.createdAt) : fs.statSync(path.join(uploadsDir(), id)).mtimeMs;
    if (now - created > UPLOAD_TTL_MS) removeUpload(id);
  }
}

export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than the import limit of ${limit} bytes (IMPORT_MAX_BYTES)`);
    this.name = "UploadTooLargeError";
  }
}

/**
 * Streams an uploaded file to DATA_DIR/uploads/<id>/data. `truncated()` says whether the stream was cut
 * at the size limit (busboy's fileSize limit): then nothing is kept and UploadTooLargeError is thrown.
 */
export async function stageUpload(
  stream: Readable,
  info: { name: string; createdById: string | null; truncated: () => boolean; limit: number },
): Promise<UploadMeta> {
  removeExpiredUploads();
  const id = `up_${randomBytes(12).toString("hex")}`;
  const dir = uploadDir(id);
  fs.mkdirSync(dir, { recursive: true });
  const name = path.basename(info.name || "upload").slice(0, 200);
  const file = path.join(dir, safeFileName(name));
  try {
    await pipeline(stream, fs.createWriteStream(file));
    if (info.truncated()) throw new UploadTooLargeError(info.limit);
    const meta: UploadMeta = {
      id,
      name,
      size: fs.statSync(file).size,
      createdById: info.createdById,
      createdAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify(meta));
    return meta;
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------- storing ----------

/** Snapshot id of an import: the split's content hash plus the de-duplicated interactions with their times. */
export function importSnapshot(imported: ImportedData): string {
  const d: DedupedInteractions = imported.interactions;
  const h = createHash("sha256");
  h.update(`understudy-import-v1\n${contentHash(imported.dataset)}\n`);
  h.update(new Uint8Array(d.userStart.buffer, d.userStart.byteOffset, d.userStart.byteLength));
  h.update(new Uint8Array(d.items.buffer, d.items.byteOffset, d.items.byteLength));
  h.update(new Uint8Array(d.times.buffer, d.times.byteOffset, d.times.byteLength));
  return h.digest("hex");
}

export interface StoredImport {
  dataset: Dataset;
  /** the same content had been imported before: this is that dataset, nothing new was stored */
  duplicate: boolean;
}

/**
 * Stores an imported dataset: train/valid/test.tsv, ids.json and interactions.tsv under
 * DATA_DIR/datasets/<id>/, then the row. Same (source, snapshot) as an existing row: returns it.
 */
export async function storeImportedDataset(
  imported: ImportedData,
  db: Db,
  opts: { sourcePath: string | null; log?: (m: string) => void | Promise<void> },
): Promise<StoredImport> {
  const snapshot = importSnapshot(imported);
  const source = imported.format;
  const existing = await db.dataset.findUnique({ where: { source_snapshot: { source, snapshot } } });
  if (existing?.storagePath) return { dataset: existing, duplicate: true };
  const stats = datasetStats(imported.dataset);
  const id = existing?.id ?? `ds${randomBytes(11).toString("hex")}`;
  const storagePath = datasetStoragePath(id);
  const dir = resolveStoragePath(storagePath);
  writeTsvDir(imported.dataset, dir, (tmp) => writeInteractionsTsv(path.join(tmp, INTERACTIONS_FILE), imported.interactions));
  await opts.log?.(`stored ${stats.users} users, ${stats.items} items, ${stats.interactions} interactions in ${storagePath}`);
  const params = JSON.parse(JSON.stringify({ ...imported.params, gzip: imported.gzip, stats })) as Prisma.InputJsonValue;
  try {
    const row = existing
      ? await db.dataset.update({ where: { id }, data: { storagePath } })
      : await db.dataset.create({
          data: {
            id,
            name: imported.dataset.name,
            source,
            sourcePath: opts.sourcePath,
            storagePath,
            snapshot,
            params,
            numUsers: stats.users,
            numItems: stats.items,
            numInteractions: stats.interactions,
          },
        });
    return { dataset: row, duplicate: false };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      // the same content was stored by a concurrent import
      const row = await db.dataset.findUniqueOrThrow({ where: { source_snapshot: { source, snapshot } } });
      return { dataset: row, duplicate: true };
    }
    throw err;
  }
}

export { DatasetError };

// ---------- one import, as the job runs it ----------

export type ImportSource = { uploadId: string } | { path: string };

export interface ImportRequest {
  name: string;
  source: ImportSource;
  options: import("@/lib/recsys/data/import").ImportOptions;
}

/** the file or directory an import reads */
export function importSourcePath(source: ImportSource): { path: string; label: string } {
  if ("uploadId" in source) return { path: uploadFile(source.uploadId), label: readUploadMeta(source.uploadId)!.name };
  return { path: resolveImportPath(source.path), label: source.path };
}

/**
 * Reads, splits and stores one import. A DatasetError or ImportPathError (bad file, bad path) means
 * nothing was stored. The staged upload is removed once the import is done either way, except on
 * an error retrying might fix.
 */
export async function importDataset(
  request: ImportRequest,
  deps: { db: Db; workKey: string; progress: (percent: number, message: string) => void; log: (m: string) => void | Promise<void>; signal?: AbortSignal },
): Promise<StoredImport & { counts: Record<string, number> }> {
  const { runImport } = await import("@/lib/recsys/data/import");
  const input = importSourcePath(request.source);
  const workDir = path.join(dataDir(), "import-work", deps.workKey);
  let final = true;
  try {
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    const fileName = "uploadId" in request.source ? input.label : path.basename(input.path);
    await deps.log(`importing ${input.label}`);
    const imported = await runImport(input.path, {
      ...request.options,
      name: request.name,
      workDir,
      maxUnpackedBytes: 8 * importMaxBytes(),
      onProgress: (f, m) => deps.progress(5 + 85 * f, m),
      signal: deps.signal,
    });
    imported.params.fileName = fileName;
    imported.dataset.source.path = fileName;
    await deps.log(
      `parsed ${imported.params.counts.rows} rows: ${imported.interactions.items.length} distinct interactions of ${imported.dataset.numUsers} users and ${imported.dataset.numItems} items`,
    );
    deps.progress(92, "storing");
    const stored = await storeImportedDataset(imported, deps.db, { sourcePath: "path" in request.source ? request.source.path : null, log: deps.log });
    if (stored.duplicate) await deps.log(`the same content is already dataset ${stored.dataset.id} ("${stored.dataset.name}"); nothing new stored`);
    return { ...stored, counts: imported.params.counts };
  } catch (err) {
    final = err instanceof DatasetError || err instanceof ImportPathError;
    throw err;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
    if (final && "uploadId" in request.source) removeUpload(request.source.uploadId);
  }
}

/**
 * Checks that an import source exists and holds something importable (a quick look: stat and first
 * lines). Throws ImportPathError or DatasetError with the reason.
 */
export async function checkImportSource(
  source: ImportSource,
  format?: import("@/lib/recsys/data/import").ImportFormat,
): Promise<{ path: string; label: string }> {
  const { resolveInput } = await import("@/lib/recsys/data/import");
  const input = importSourcePath(source);
  try {
    await resolveInput(input.path, format);
  } catch (err) {
    if (err instanceof DatasetError) throw new DatasetError(err.message.replace(/^data: /, `${input.label}: `), { file: err.file, line: err.line });
    throw err;
  }
  return input;
}
