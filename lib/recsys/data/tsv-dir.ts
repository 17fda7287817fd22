// A directory holding train.tsv / valid.tsv / test.tsv with header `user<TAB>item`: a split made by
// someone else (the DE-RRD authors' CiteULike split), or one Understudy stored (writeTsvDir). Integer
// ids are kept as dense indices; an ids.json beside the files maps those indices to external ids.
import fs from "node:fs";
import path from "node:path";
import type { Dataset } from "../types";
import { DatasetError } from "./errors";
import { allCanonicalIntegers, canonicalOrder, IdInterner } from "./ids";
import { forEachLine, shortName } from "./lines";
import { TsvWriter } from "./tsv-writer";

export const SPLIT_FILES = ["train.tsv", "valid.tsv", "test.tsv"] as const;
/** `{userIds, itemIds}`: the external id of each dense index used in the tsv files */
export const EXTERNAL_IDS_FILE = "ids.json";

export interface TsvDirOptions {
  /**
   * Declared catalogue sizes when ids are integers and the split declares more ids than appear in its
   * rows (ids without rows are still users/items, e.g. sampled as negatives). Default: max id + 1.
   */
  numUsers?: number;
  numItems?: number;
}

interface Pairs {
  file: string;
  users: number[];
  items: number[];
  lines: number[];
}

function readPairs(file: string, users: IdInterner, items: IdInterner): Pairs {
  const name = shortName(file);
  const out: Pairs = { file, users: [], items: [], lines: [] };
  let sawHeader = false;
  forEachLine(file, (text, line) => {
    if (text.trim() === "") return;
    const tab = text.indexOf("\t");
    const cols = tab < 0 ? 1 : text.indexOf("\t", tab + 1) < 0 ? 2 : text.split("\t").length;
    if (cols !== 2) {
      throw new DatasetError(`${name}:${line}: expected 2 tab-separated columns, got ${cols}`, { file, line });
    }
    const u = text.slice(0, tab).trim();
    const i = text.slice(tab + 1).trim();
    if (u.toLowerCase() === "user" && i.toLowerCase() === "item") {
      if (sawHeader || out.users.length > 0) {
        throw new DatasetError(`${name}:${line}: header 'user<TAB>item' repeated inside the data (concatenated files?)`, { file, line });
      }
      sawHeader = true;
      return;
    }
    if (!sawHeader && out.users.length === 0) {
      throw new DatasetError(`${name}:${line}: expected header 'user<TAB>item', got '${text.slice(0, 80)}'`, { file, line });
    }
    if (u === "" || i === "") {
      throw new DatasetError(`${name}:${line}: empty ${u === "" ? "user" : "item"} id`, { file, line });
    }
    out.users.push(users.intern(u));
    out.items.push(items.intern(i));
    out.lines.push(line);
  });
  if (!sawHeader) throw new DatasetError(`${name}: empty file (expected header 'user<TAB>item' and rows)`, { file });
  return out;
}

/** dense mapping: identity for integer ids (with declared size), canonical order otherwise */
function denseIds(
  interner: IdInterner,
  declared: number | undefined,
  kind: string,
  dir: string,
  declaredBy = "declared",
): { remap: Int32Array; ids: string[] } {
  if (allCanonicalIntegers(interner.ids)) {
    let max = -1;
    for (const id of interner.ids) max = Math.max(max, Number(id));
    const size = declared ?? max + 1;
    if (size < max + 1) throw new DatasetError(`${dir}: ${declaredBy} ${size} ${kind}s but the files use ${kind} id ${max}`);
    if (size > 50_000_000) throw new DatasetError(`${dir}: ${kind} id ${max} is too large for dense integer ids`);
    const remap = Int32Array.from(interner.ids, Number);
    return { remap, ids: Array.from({ length: size }, (_, k) => String(k)) };
  }
  if (declared !== undefined) throw new DatasetError(`${dir}: a declared number of ${kind}s needs integer ${kind} ids`);
  const { remap, ordered } = canonicalOrder(interner.ids);
  return { remap, ids: ordered };
}

/**
 * Writes `ds` atomically into `dir` as train/valid/test.tsv with dense indices as ids, plus ids.json:
 * integer ids keep users and items without interactions (the declared catalogue), and ids.json restores
 * the external ids, so loadTsvDir(dir) returns the same dataset. `extra` may add files (e.g.
 * interactions.tsv) to the directory before it appears under its final name.
 */
export function writeTsvDir(ds: Dataset, dir: string, extra: (tmpDir: string) => void = () => undefined): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const [train, valid, test] = SPLIT_FILES.map((f) => new TsvWriter(path.join(tmp, f)).text("user\titem").newline());
    for (let u = 0; u < ds.numUsers; u++) {
      const items = ds.trainByUser[u];
      for (let k = 0; k < items.length; k++) train.integer(u).tab().integer(items[k]).newline();
      if (ds.valid[u] >= 0) valid.integer(u).tab().integer(ds.valid[u]).newline();
      if (ds.test[u] >= 0) test.integer(u).tab().integer(ds.test[u]).newline();
    }
    for (const w of [train, valid, test]) w.close();
    fs.writeFileSync(path.join(tmp, EXTERNAL_IDS_FILE), JSON.stringify({ userIds: ds.userIds, itemIds: ds.itemIds }));
    extra(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(tmp, dir);
}

function readExternalIds(dir: string): { userIds: string[]; itemIds: string[] } | null {
  const file = path.join(dir, EXTERNAL_IDS_FILE);
  if (!fs.existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new DatasetError(`${EXTERNAL_IDS_FILE}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { file });
  }
  const isIds = (v: unknown): v is string[] => Array.isArray(v) && v.every((id) => typeof id === "string");
  const ids = parsed as { userIds?: unknown; itemIds?: unknown } | null;
  if (!ids || !isIds(ids.userIds) || !isIds(ids.itemIds)) {
    throw new DatasetError(`${EXTERNAL_IDS_FILE}: expected {"userIds": [string], "itemIds": [string]}`, { file });
  }
  return { userIds: ids.userIds, itemIds: ids.itemIds };
}

export function loadTsvDir(dir: string, opts: TsvDirOptions = {}): Dataset {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DatasetError(`${dir}: not a directory`);
  for (const f of SPLIT_FILES) {
    if (!fs.existsSync(path.join(dir, f))) throw new DatasetError(`${dir}: missing ${f} (expected ${SPLIT_FILES.join(", ")})`, { file: path.join(dir, f) });
  }
  const users = new IdInterner();
  const items = new IdInterner();
  const [train, valid, test] = SPLIT_FILES.map((f) => readPairs(path.join(dir, f), users, items));
  if (train.users.length === 0) throw new DatasetError(`train.tsv: no interactions (header only)`, { file: train.file });

  const external = readExternalIds(dir);
  const byIdsFile = `${EXTERNAL_IDS_FILE} names`;
  const U = denseIds(users, opts.numUsers ?? external?.userIds.length, "user", dir, opts.numUsers === undefined && external ? byIdsFile : undefined);
  const I = denseIds(items, opts.numItems ?? external?.itemIds.length, "item", dir, opts.numItems === undefined && external ? byIdsFile : undefined);
  const numUsers = U.ids.length;
  const numItems = I.ids.length;
  if (external && (external.userIds.length !== numUsers || external.itemIds.length !== numItems)) {
    throw new DatasetError(
      `${EXTERNAL_IDS_FILE}: names ${external.userIds.length} users and ${external.itemIds.length} items, the dataset has ${numUsers} and ${numItems}`,
      { file: path.join(dir, EXTERNAL_IDS_FILE) },
    );
  }
  const userIds = external?.userIds ?? U.ids;
  const itemIds = external?.itemIds ?? I.ids;

  // train: sorted unique per user (duplicate rows collapse)
  const counts = new Int32Array(numUsers);
  for (const u of train.users) counts[U.remap[u]]++;
  const lists = Array.from(counts, (n) => new Int32Array(n));
  counts.fill(0);
  for (let k = 0; k < train.users.length; k++) {
    const u = U.remap[train.users[k]];
    lists[u][counts[u]++] = I.remap[train.items[k]];
  }
  const trainByUser = lists.map((l) => {
    l.sort();
    let w = 0;
    for (let r = 0; r < l.length; r++) if (r === 0 || l[r] !== l[r - 1]) l[w++] = l[r];
    return w === l.length ? l : l.slice(0, w);
  });

  const heldOut = (pairs: Pairs, other: Int32Array | null, otherName: string): Int32Array => {
    const name = shortName(pairs.file);
    const out = new Int32Array(numUsers).fill(-1);
    const firstLine = new Int32Array(numUsers);
    for (let k = 0; k < pairs.users.length; k++) {
      const u = U.remap[pairs.users[k]];
      const i = I.remap[pairs.items[k]];
      const line = pairs.lines[k];
      const where = { file: pairs.file, line };
      if (out[u] !== -1) {
        throw new DatasetError(
          `${name}:${line}: user '${userIds[u]}' already has a held-out item (line ${firstLine[u]}); leave-one-out needs one per user`,
          where,
        );
      }
      if (binarySearch(trainByUser[u], i)) {
        throw new DatasetError(`${name}:${line}: pair (user '${userIds[u]}', item '${itemIds[i]}') is also in train.tsv; splits must be disjoint`, where);
      }
      if (other !== null && other[u] === i) {
        throw new DatasetError(`${name}:${line}: pair (user '${userIds[u]}', item '${itemIds[i]}') is also in ${otherName}; splits must be disjoint`, where);
      }
      out[u] = i;
      firstLine[u] = line;
    }
    return out;
  };
  const validItems = heldOut(valid, null, "");
  const testItems = heldOut(test, validItems, "valid.tsv");

  return {
    name: path.basename(path.resolve(dir)),
    numUsers,
    numItems,
    userIds,
    itemIds,
    trainByUser,
    valid: validItems,
    test: testItems,
    source: { kind: "tsv-dir", path: dir, params: opts.numUsers || opts.numItems ? { ...opts } : undefined },
  };
}

export function binarySearch(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
