// Model directories: manifest.json (ModelManifest), ids.json (external ids by dense index), and the two
// embedding tables as raw little-endian Float32 files (users.f32: numUsers x dim, items.f32: numItems x dim).
import fs from "node:fs/promises";
import path from "node:path";
import type { ModelManifest } from "./types";
import { BprModel } from "./models/bpr";
import { ServableBpr } from "./models/servable";

export const MANIFEST_FILE = "manifest.json";
export const IDS_FILE = "ids.json";
export const USERS_FILE = "users.f32";
export const ITEMS_FILE = "items.f32";

export class ArtifactError extends Error {
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message);
    this.name = "ArtifactError";
  }
}

/** bytes on disk of a BPR model's weights */
export function weightBytes(numUsers: number, numItems: number, dim: number): number {
  return (numUsers + numItems) * dim * 4;
}

function le(a: Float32Array): Buffer {
  const buf = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) buf.writeFloatLE(a[i], i * 4);
  return buf;
}

/** Writes the model directory (created if needed; existing files are replaced atomically per file). */
export async function saveModel(dir: string, model: ServableBpr): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const m = model.model;
  const manifest: ModelManifest = {
    ...model.manifest,
    numUsers: m.numUsers,
    numItems: m.numItems,
    dimension: m.dim,
    parameterCount: m.parameterCount,
    sizeBytes: weightBytes(m.numUsers, m.numItems, m.dim),
  };
  const writes: [string, string | Buffer][] = [
    [USERS_FILE, os_le ? Buffer.from(m.users.buffer, m.users.byteOffset, m.users.byteLength) : le(m.users)],
    [ITEMS_FILE, os_le ? Buffer.from(m.items.buffer, m.items.byteOffset, m.items.byteLength) : le(m.items)],
    [IDS_FILE, JSON.stringify({ users: model.userIds, items: model.itemIds })],
    // manifest last: a directory with a manifest is complete
    [MANIFEST_FILE, JSON.stringify(manifest, null, 2) + "\n"],
  ];
  for (const [name, data] of writes) {
    const tmp = path.join(dir, `.${name}.tmp`);
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path.join(dir, name));
  }
}

const os_le = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

async function readF32(dir: string, name: string, expected: number): Promise<Float32Array> {
  const file = path.join(dir, name);
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    throw new ArtifactError(`${file}: missing weights file`, dir);
  }
  if (buf.length !== expected * 4) {
    throw new ArtifactError(`${file}: ${buf.length} bytes, expected ${expected * 4} (${expected} float32 values)`, dir);
  }
  const out = new Float32Array(expected);
  if (os_le) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < expected; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

function isManifest(x: unknown): x is ModelManifest {
  const m = x as Partial<ModelManifest> | null;
  return (
    typeof m === "object" &&
    m !== null &&
    m.format === "understudy-model" &&
    m.architecture === "bpr-mf" &&
    Number.isInteger(m.dimension) &&
    Number.isInteger(m.numUsers) &&
    Number.isInteger(m.numItems)
  );
}

/** Loads a model directory written by saveModel. Clear ArtifactErrors for missing or inconsistent files. */
export async function loadModel(dir: string, opts: { accelerate?: boolean } = {}): Promise<ServableBpr> {
  let raw: string;
  try {
    raw = await fs.readFile(path.join(dir, MANIFEST_FILE), "utf8");
  } catch {
    throw new ArtifactError(`${dir}: not a model directory (no ${MANIFEST_FILE})`, dir);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(raw);
  } catch {
    throw new ArtifactError(`${path.join(dir, MANIFEST_FILE)}: not valid JSON`, dir);
  }
  if (!isManifest(manifest)) throw new ArtifactError(`${path.join(dir, MANIFEST_FILE)}: not an understudy bpr-mf manifest`, dir);
  if (manifest.version !== 1) throw new ArtifactError(`${dir}: manifest version ${String(manifest.version)} is not supported (expected 1)`, dir);
  const { numUsers, numItems, dimension } = manifest;
  let ids: { users: string[]; items: string[] };
  try {
    ids = JSON.parse(await fs.readFile(path.join(dir, IDS_FILE), "utf8"));
  } catch {
    throw new ArtifactError(`${path.join(dir, IDS_FILE)}: missing or not valid JSON`, dir);
  }
  if (!Array.isArray(ids.users) || !Array.isArray(ids.items) || ids.users.length !== numUsers || ids.items.length !== numItems) {
    throw new ArtifactError(`${path.join(dir, IDS_FILE)}: id lists do not match ${numUsers} users and ${numItems} items`, dir);
  }
  const users = await readF32(dir, USERS_FILE, numUsers * dimension);
  const items = await readF32(dir, ITEMS_FILE, numItems * dimension);
  const model = new ServableBpr(new BprModel(numUsers, numItems, dimension, users, items), manifest, ids.users, ids.items);
  if (opts.accelerate ?? true) await model.accelerate();
  return model;
}
