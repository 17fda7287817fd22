// interactions.tsv beside a stored split: the de-duplicated raw interactions with their times, so a
// later snapshot can add new interactions and split everything again the same way. Header
// `user<TAB>item<TAB>timestamp`; users and items are the dense indices of ids.json; the timestamp is
// unix seconds, empty when unknown.
import fs from "node:fs";
import path from "node:path";
import { DatasetError } from "./errors";
import { forEachChunkSync } from "./lines";
import type { Dataset } from "../types";
import { dedupeInteractions, InteractionColumns, type DedupedInteractions } from "./split";
import { TsvWriter } from "./tsv-writer";

export const INTERACTIONS_FILE = "interactions.tsv";
const HEADER = "user\titem\ttimestamp";

type RowSink = (user: number, item: number, time: number) => void;

function writeTsv(file: string, rows: (row: RowSink) => void): void {
  const w = new TsvWriter(file);
  try {
    w.text(HEADER).newline();
    rows((user, item, time) => {
      w.integer(user).tab().integer(item).tab();
      if (time === time) w.number(time);
      w.newline();
    });
  } finally {
    w.close();
  }
}

/** Writes de-duplicated interactions (sorted by user, item) as interactions.tsv into `file`. */
export function writeInteractionsTsv(file: string, d: DedupedInteractions): void {
  writeTsv(file, (row) => {
    for (let u = 0; u < d.numUsers; u++) for (let p = d.userStart[u]; p < d.userStart[u + 1]; p++) row(u, d.items[p], d.times[p]);
  });
}

/** Writes `rows` in their order (times NaN = untimed, others in whole seconds) to dir/interactions.tsv atomically. */
export function writeInteractions(dir: string, rows: InteractionColumns): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, INTERACTIONS_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeTsv(tmp, (row) => {
    for (let k = 0; k < rows.length; k++) row(rows.users[k], rows.items[k], Math.round(rows.times[k]));
  });
  fs.renameSync(tmp, file);
}

/** Reads dir/interactions.tsv, or null when the directory has none; indices must lie within `sizes`. */
export function readInteractions(dir: string, sizes: { numUsers: number; numItems: number }): InteractionColumns | null {
  return fs.existsSync(path.join(dir, INTERACTIONS_FILE)) ? readInteractionsTsv(dir, sizes) : null;
}

/**
 * Reads interactions.tsv (a file, or the dataset directory holding it) into columns: dense user and
 * item indices, below `sizes` when given, and times (NaN when empty). Byte-level and chunked: no string per row.
 */
export function readInteractionsTsv(fileOrDir: string, sizes?: { numUsers: number; numItems: number }): InteractionColumns {
  const file = fileOrDir.endsWith(".tsv") ? fileOrDir : path.join(fileOrDir, INTERACTIONS_FILE);
  const name = path.basename(file);
  const out = new InteractionColumns();
  let line = 0;
  let header = false;
  const fail = (reason: string): never => {
    throw new DatasetError(`${name}:${line}: ${reason}`, { file, line });
  };
  forEachChunkSync(file, (buf, start, end) => {
    line++;
    if (end > start && buf[end - 1] === 13) end--;
    if (!header) {
      if (buf.toString("utf8", start, end) !== HEADER) fail(`expected header '${HEADER.replace(/\t/g, "<TAB>")}'`);
      header = true;
      return;
    }
    if (end === start) return;
    let p = start;
    const int = (what: string, below: number | undefined): number => {
      let v = 0;
      const s = p;
      while (p < end && buf[p] >= 48 && buf[p] <= 57) v = v * 10 + (buf[p++] - 48);
      if (p === s) fail(`${what} is not a dense index`);
      if (below !== undefined && v >= below) fail(`${what} '${buf.toString("latin1", s, p)}' is not a dense index below ${below}`);
      return v;
    };
    const u = int("user", sizes?.numUsers);
    if (buf[p++] !== 9) fail("expected 3 tab-separated columns");
    const i = int("item", sizes?.numItems);
    if (buf[p++] !== 9) fail("expected 3 tab-separated columns");
    let t = NaN;
    if (p < end) {
      t = Number(buf.toString("latin1", p, end));
      if (!Number.isFinite(t)) fail(`timestamp '${buf.toString("utf8", p, Math.min(end, p + 40))}' is not a number`);
    }
    out.push(u, i, t);
  });
  if (!header) throw new DatasetError(`${name}: empty file (expected header '${HEADER.replace(/\t/g, "<TAB>")}')`, { file });
  return out;
}

/**
 * The interactions of a split dataset without times (train + valid + test, de-duplicated): what a
 * dataset stored without interactions.tsv (synthetic, an older import) can be extended from.
 */
export function interactionsFromDataset(ds: Dataset): DedupedInteractions {
  const cols = new InteractionColumns();
  for (let u = 0; u < ds.numUsers; u++) {
    const items = ds.trainByUser[u];
    for (let k = 0; k < items.length; k++) cols.push(u, items[k], NaN);
    if (ds.valid[u] >= 0) cols.push(u, ds.valid[u], NaN);
    if (ds.test[u] >= 0) cols.push(u, ds.test[u], NaN);
  }
  return dedupeInteractions(cols, { numUsers: ds.numUsers, numItems: ds.numItems });
}
