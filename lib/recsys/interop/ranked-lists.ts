// A teacher brought as its ranked lists: its top-N items per user, as CSV (`user,item,rank`, header
// optional) or JSONL ({"user", "item", "rank"} per line), rank 1 = best. Without embeddings only the
// methods that read rankings work (rd, rrd); DE needs the teacher's representation space and IR-RRD the
// teacher's ranking of users per item. Items the user has in the training split are dropped (our teachers'
// lists hold unobserved items only) and the rest keep their order.
import fs from "node:fs/promises";
import path from "node:path";
import type { Dataset } from "../types";
import { ImportError } from "./errors";

export const RANKED_FORMATS = ["csv", "jsonl"] as const;
export type RankedFormat = (typeof RANKED_FORMATS)[number];

export class RankedListTeacher {
  constructor(
    readonly numUsers: number,
    readonly numItems: number,
    /** list length (the longest list after dropping observed items) */
    readonly N: number,
    /** numUsers x N dense item indices, best first, -1 padded (users without a list: all -1) */
    readonly lists: Int32Array,
    /** users that have a non-empty list */
    readonly usersCovered: number,
  ) {}

  /** numUsers x n: the first n of each list (-1 padded when n > N) */
  topN(n: number): Int32Array {
    const out = new Int32Array(this.numUsers * n).fill(-1);
    const m = Math.min(n, this.N);
    for (let u = 0; u < this.numUsers; u++) out.set(this.lists.subarray(u * this.N, u * this.N + m), u * n);
    return out;
  }
}

export function formatOf(fileName: string): RankedFormat | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  return null;
}

/** parses and matches ranked lists to the dataset; ImportError naming the line on any problem */
export function parseRankedLists(text: string, format: RankedFormat, ds: Dataset, name: string, field = "rankedLists"): RankedListTeacher {
  const userIndex = new Map(ds.userIds.map((id, i) => [id, i]));
  const itemIndex = new Map(ds.itemIds.map((id, i) => [id, i]));
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const entries: { u: number; i: number; rank: number; line: number }[] = [];
  const fail = (line: number, why: string) => new ImportError(`${name}:${line}: ${why}`, field);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    const line = n + 1;
    if (raw.trim() === "") continue;
    let user: string;
    let item: string;
    let rankText: string;
    if (format === "csv") {
      const cols = raw.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
      if (entries.length === 0 && n === firstNonEmpty(lines) && /^user$/i.test(cols[0]) && /^item$/i.test(cols[1] ?? "")) {
        if (!/^rank$/i.test(cols[2] ?? "") || cols.length !== 3) throw fail(line, `header must be user,item,rank, got ${raw.trim()}`);
        continue;
      }
      if (cols.length !== 3)
        throw fail(line, `expected 3 comma-separated fields (user,item,rank), got ${cols.length}${n === lines.length - 1 ? " (file truncated?)" : ""}`);
      [user, item, rankText] = cols;
    } else {
      let obj: unknown;
      try {
        obj = JSON.parse(raw);
      } catch {
        throw fail(line, `not valid JSON${n >= lines.length - 2 ? " (file truncated?)" : ""}`);
      }
      const o = obj as Record<string, unknown>;
      if (typeof o !== "object" || o === null || !("user" in o) || !("item" in o) || !("rank" in o))
        throw fail(line, 'expected an object with "user", "item" and "rank"');
      user = String(o.user);
      item = String(o.item);
      rankText = String(o.rank);
    }
    const u = userIndex.get(user);
    if (u === undefined) throw fail(line, `user "${user}" is not in dataset ${ds.name}`);
    const i = itemIndex.get(item);
    if (i === undefined) throw fail(line, `item "${item}" is not in dataset ${ds.name}`);
    const rank = Number(rankText);
    if (!Number.isInteger(rank) || rank < 1) throw fail(line, `rank must be an integer >= 1 (1 = best), got "${rankText}"`);
    entries.push({ u, i, rank, line });
  }
  if (entries.length === 0) throw new ImportError(`${name}: no ranked entries`, field);
  entries.sort((a, b) => a.u - b.u || a.rank - b.rank);
  const perUser: number[][] = Array.from({ length: ds.numUsers }, () => []);
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    const prev = entries[k - 1];
    if (prev && prev.u === e.u && prev.rank === e.rank) throw fail(e.line, `user "${ds.userIds[e.u]}" has rank ${e.rank} twice (also line ${prev.line})`);
    perUser[e.u].push(e.i);
  }
  let N = 0;
  let covered = 0;
  const kept: number[][] = perUser.map((list, u) => {
    const seen = new Set<number>();
    for (const i of list) {
      if (seen.has(i)) throw new ImportError(`${name}: user "${ds.userIds[u]}" lists item "${ds.itemIds[i]}" twice`, field);
      seen.add(i);
    }
    const train = new Set(ds.trainByUser[u]);
    const out = list.filter((i) => !train.has(i));
    if (out.length > N) N = out.length;
    if (out.length > 0) covered++;
    return out;
  });
  if (N === 0) throw new ImportError(`${name}: every listed item is one the user already has in training: nothing to distill`, field);
  const lists = new Int32Array(ds.numUsers * N).fill(-1);
  kept.forEach((list, u) => lists.set(list, u * N));
  return new RankedListTeacher(ds.numUsers, ds.numItems, N, lists, covered);
}

function firstNonEmpty(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== "") return i;
  return -1;
}

export const RANKED_MANIFEST = "ranked-lists.json";
const LISTS_FILE = "lists.i32";

interface RankedManifest {
  format: "understudy-ranked-lists";
  version: 1;
  numUsers: number;
  numItems: number;
  N: number;
  usersCovered: number;
  datasetName: string;
  source: string;
  createdAt: string;
}

export async function saveRankedLists(dir: string, t: RankedListTeacher, meta: { datasetName: string; source: string }): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, LISTS_FILE), Buffer.from(t.lists.buffer, t.lists.byteOffset, t.lists.byteLength));
  const manifest: RankedManifest = {
    format: "understudy-ranked-lists",
    version: 1,
    numUsers: t.numUsers,
    numItems: t.numItems,
    N: t.N,
    usersCovered: t.usersCovered,
    ...meta,
    createdAt: new Date().toISOString(),
  };
  await fs.writeFile(path.join(dir, RANKED_MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
}

/** true when `dir` holds ranked lists (saveRankedLists) rather than a model */
export async function isRankedListsDir(dir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dir, RANKED_MANIFEST));
    return true;
  } catch {
    return false;
  }
}

export async function loadRankedLists(dir: string): Promise<RankedListTeacher> {
  const m = JSON.parse(await fs.readFile(path.join(dir, RANKED_MANIFEST), "utf8")) as RankedManifest;
  if (m.format !== "understudy-ranked-lists" || m.version !== 1) throw new Error(`${dir}: not an understudy ranked-lists directory`);
  const buf = await fs.readFile(path.join(dir, LISTS_FILE));
  if (buf.length !== m.numUsers * m.N * 4) throw new Error(`${dir}/${LISTS_FILE}: ${buf.length} bytes, expected ${m.numUsers * m.N * 4}`);
  const lists = new Int32Array(m.numUsers * m.N);
  new Uint8Array(lists.buffer).set(buf);
  return new RankedListTeacher(m.numUsers, m.numItems, m.N, lists, m.usersCovered);
}
