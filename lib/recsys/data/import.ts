// Importing a team's interaction file: format detection, a preview of the first rows and errors, and
// the streaming import itself (parse → de-duplicate → split), for MovieLens ratings.csv, generic
// CSV/TSV with a header, and train/valid/test.tsv as a directory or .zip; gzip accepted.
import fs from "node:fs";
import path from "node:path";
import type { Dataset } from "../types";
import { detectLayout } from "./csv";
import { InteractionParser, type ColumnMapping, type LineError, type ParsedRow } from "./delimited";
import { DatasetError } from "./errors";
import { canonicalOrder } from "./ids";
import { LineSplitter, openByteInput } from "./lines";
import { interactionsFromDataset } from "./interactions-tsv";
import { splitInteractions, type DedupedInteractions, type SplitSpec } from "./split";
import { loadTsvDir, SPLIT_FILES } from "./tsv-dir";
import { extractTsvZip, isZipFile, peekTsvZip } from "./zip";

export type ImportFormat = "movielens" | "csv" | "tsv-dir";

export interface ImportOptions {
  /** default: detected */
  format?: ImportFormat;
  delimiter?: string;
  header?: boolean;
  /** default: detected from the header */
  mapping?: ColumnMapping;
  /** rows with a weight below this are dropped; MovieLens default 4 */
  minWeight?: number;
  /** default: loo-time when the file has timestamps, else loo-random (seed 0); ignored by tsv-dir */
  split?: SplitSpec;
}

export const MOVIELENS_MIN_RATING = 4;
const PREVIEW_ROWS = 20;
const PREVIEW_ERRORS = 20;
const PREVIEW_BYTES = 4 << 20;

export interface ResolvedInput {
  format: ImportFormat;
  /** the file to read (ratings.csv inside a MovieLens directory), or the tsv-dir directory / zip */
  file: string;
  zip: boolean;
}

/** What kind of data a path holds: a tsv-dir directory or zip, a MovieLens directory, or a delimited file. */
export async function resolveInput(input: string, forced?: ImportFormat): Promise<ResolvedInput> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(input);
  } catch {
    throw new DatasetError(`${path.basename(input)}: no such file or directory`);
  }
  if (stat.isDirectory()) {
    if (fs.existsSync(path.join(input, "train.tsv"))) return { format: "tsv-dir", file: input, zip: false };
    for (const f of ["ratings.csv", "ratings.csv.gz"]) {
      if (fs.existsSync(path.join(input, f))) return { format: forced ?? "movielens", file: path.join(input, f), zip: false };
    }
    throw new DatasetError(`${path.basename(input)}: no dataset in this directory (expected ${SPLIT_FILES.join("/")} or a MovieLens ratings.csv)`);
  }
  if (stat.size === 0) throw new DatasetError(`${path.basename(input)}: empty file`);
  if (isZipFile(input)) return { format: "tsv-dir", file: input, zip: true };
  if (forced === "tsv-dir") throw new DatasetError(`${path.basename(input)}: the train/valid/test.tsv format needs a directory or a .zip`);
  if (forced) return { format: forced, file: input, zip: false };
  const head = await readHeadLines(input, 2);
  return { format: detectLayout(head).kind, file: input, zip: false };
}

/** the first `n` non-empty lines (decompressed), for detection */
async function readHeadLines(file: string, n: number, maxBytes = 1 << 20): Promise<string[]> {
  const lines: string[] = [];
  const input = openByteInput(file);
  let got = 0;
  try {
    const splitter = new LineSplitter((buf, s, e) => {
      const text = buf.toString("utf8", s, e).replace(/\r$/, "");
      if (text.trim() !== "" && lines.length < n) lines.push(text);
    }, path.basename(file));
    for await (const chunk of input.chunks) {
      splitter.push(chunk);
      got += chunk.length;
      if (lines.length >= n || got >= maxBytes) break;
    }
    if (lines.length < n) splitter.end();
  } finally {
    input.close();
  }
  return lines;
}

interface DelimitedPlan {
  delimiter: string;
  header: boolean;
  columns: string[];
  mapping: ColumnMapping;
  detectedMapping: ColumnMapping;
  minWeight?: number;
}

async function planDelimited(file: string, format: "movielens" | "csv", opts: ImportOptions): Promise<DelimitedPlan> {
  const head = await readHeadLines(file, 20);
  if (head.length === 0) throw new DatasetError(`${path.basename(file)}: empty file`);
  const layout = detectLayout(head);
  const delimiter = opts.delimiter ?? layout.delimiter;
  const redetected = delimiter === layout.delimiter ? layout : { ...layout, mapping: layout.mapping };
  const header = opts.header ?? (format === "movielens" ? true : redetected.header);
  const first = head[0];
  const columns = header ? first.split(delimiter).map((c) => c.trim().replace(/^"(.*)"$/, "$1")) : first.split(delimiter).map((_, k) => `column ${k + 1}`);
  const detectedMapping = format === "movielens" ? { user: 0, item: 1, weight: 2, timestamp: 3 } : redetected.mapping;
  const mapping = opts.mapping ?? detectedMapping;
  const minWeight = opts.minWeight ?? (format === "movielens" ? MOVIELENS_MIN_RATING : undefined);
  return { delimiter, header, columns, mapping, detectedMapping, minWeight };
}

export interface ImportPreview {
  format: ImportFormat;
  gzip: boolean;
  zip: boolean;
  /** size of the file on disk (bytes) */
  size: number;
  delimiter: string | null;
  header: boolean;
  columns: string[];
  /** the mapping used for the rows below, and the one detected */
  mapping: ColumnMapping | null;
  detectedMapping: ColumnMapping | null;
  minWeight: number | null;
  rows: ParsedRow[];
  errors: LineError[];
  /** errors in the lines sampled (the preview reads the first few MiB) */
  errorsInSample: number;
  sampledLines: number;
  /** data rows in the file: exact when the whole file fit in the sample */
  estimatedRows: number;
  exact: boolean;
  hasTimestamps: boolean;
  defaultSplit: SplitSpec["kind"] | null;
  /** tsv-dir: the split files and their sizes */
  files?: { name: string; size: number }[];
}

/** The first 20 parsed rows and errors, detected columns and delimiter, and a row estimate; stores nothing. */
export async function previewImport(inputPath: string, opts: ImportOptions = {}): Promise<ImportPreview> {
  const r = await resolveInput(inputPath, opts.format);
  if (r.format === "tsv-dir") return previewTsvDir(r);
  const plan = await planDelimited(r.file, r.format, opts);
  const parser = new InteractionParser(
    { delimiter: plan.delimiter, header: plan.header, mapping: plan.mapping, minWeight: plan.minWeight },
    { name: path.basename(r.file), file: r.file },
    { rows: PREVIEW_ROWS, errors: PREVIEW_ERRORS },
  );
  const input = openByteInput(r.file);
  let decompressed = 0;
  let complete = true;
  try {
    for await (const chunk of input.chunks) {
      const take = Math.min(chunk.length, PREVIEW_BYTES - decompressed);
      parser.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      decompressed += take;
      if (decompressed >= PREVIEW_BYTES) {
        complete = false;
        break;
      }
    }
  } finally {
    input.close();
  }
  if (complete) {
    try {
      parser.end();
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err;
      parser.errors.push({ line: parser.lineNumber, message: err.message });
    }
  }
  const rawConsumed = input.gzip ? Math.max(1, input.bytesRead()) : decompressed;
  const estimatedRows = complete ? parser.dataRows : Math.round((parser.dataRows * input.size) / rawConsumed);
  const hasTimestamps = plan.mapping.timestamp !== undefined;
  return {
    format: r.format,
    gzip: input.gzip,
    zip: false,
    size: input.size,
    delimiter: plan.delimiter,
    header: plan.header,
    columns: parser.header ?? plan.columns,
    mapping: plan.mapping,
    detectedMapping: plan.detectedMapping,
    minWeight: plan.minWeight ?? null,
    rows: parser.sample,
    errors: parser.errors,
    errorsInSample: parser.errorCount + (parser.errors.length > parser.errorCount ? parser.errors.length - parser.errorCount : 0),
    sampledLines: parser.lineNumber,
    estimatedRows,
    exact: complete,
    hasTimestamps,
    defaultSplit: hasTimestamps ? "loo-time" : "loo-random",
  };
}

async function previewTsvDir(r: ResolvedInput): Promise<ImportPreview> {
  const heads = r.zip
    ? await peekTsvZip(r.file, 64 << 10)
    : SPLIT_FILES.map((name) => {
        const file = path.join(r.file, name);
        if (!fs.existsSync(file)) throw new DatasetError(`${path.basename(r.file)}: missing ${name} (expected ${SPLIT_FILES.join(", ")})`);
        const fd = fs.openSync(file, "r");
        try {
          const head = Buffer.alloc(64 << 10);
          const n = fs.readSync(fd, head, 0, head.length, 0);
          return { name, size: fs.fstatSync(fd).size, head: head.subarray(0, n) };
        } finally {
          fs.closeSync(fd);
        }
      });
  const rows: ParsedRow[] = [];
  const errors: LineError[] = [];
  let estimated = 0;
  let sampled = 0;
  for (const { name, size, head } of heads) {
    const lines = head.toString("utf8").split("\n");
    if (head.length === size) {
      // whole file: the last line is complete
    } else lines.pop();
    const nonEmpty = lines.map((l, k) => ({ text: l.replace(/\r$/, ""), line: k + 1 })).filter((l) => l.text.trim() !== "");
    if (name === "train.tsv") sampled = lines.length;
    if (nonEmpty.length === 0 || nonEmpty[0].text.trim().toLowerCase().replace(/\s+/g, "\t") !== "user\titem") {
      errors.push({ line: nonEmpty[0]?.line ?? 1, message: `${name}:${nonEmpty[0]?.line ?? 1}: expected header 'user<TAB>item'` });
      continue;
    }
    const data = nonEmpty.slice(1);
    for (const l of data) {
      const f = l.text.split("\t");
      if (f.length !== 2 || f[0].trim() === "" || f[1].trim() === "") {
        if (errors.length < PREVIEW_ERRORS) errors.push({ line: l.line, message: `${name}:${l.line}: expected 2 tab-separated columns (user, item)` });
      } else if (name === "train.tsv" && rows.length < PREVIEW_ROWS) {
        rows.push({ line: l.line, user: f[0].trim(), item: f[1].trim(), timestamp: null, weight: null, kept: true });
      }
    }
    const bytesSampled = Math.max(
      1,
      lines.reduce((a, l) => a + l.length + 1, 0),
    );
    estimated += head.length === size ? data.length : Math.round((data.length * size) / bytesSampled);
  }
  return {
    format: "tsv-dir",
    gzip: false,
    zip: r.zip,
    size: r.zip ? fs.statSync(r.file).size : heads.reduce((a, h) => a + h.size, 0),
    delimiter: "\t",
    header: true,
    columns: ["user", "item"],
    mapping: null,
    detectedMapping: null,
    minWeight: null,
    rows,
    errors,
    errorsInSample: errors.length,
    sampledLines: sampled,
    estimatedRows: estimated,
    exact: heads.every((h) => h.head.length === h.size),
    hasTimestamps: false,
    defaultSplit: null,
    files: heads.map((h) => ({ name: h.name, size: h.size })),
  };
}

export interface ImportedData {
  dataset: Dataset;
  /** the de-duplicated interactions in the dataset's dense indices (interactions.tsv) */
  interactions: DedupedInteractions;
  format: ImportFormat;
  gzip: boolean;
  /** what to record in Dataset.params */
  params: {
    format: ImportFormat;
    fileName: string;
    delimiter?: string;
    header?: boolean;
    columns?: string[];
    mapping?: ColumnMapping;
    minWeight?: number;
    /** how the split was made; null when the files came split (tsv-dir) */
    split: SplitSpec | null;
    counts: Record<string, number>;
  };
}

export interface ImportRunOptions extends ImportOptions {
  name: string;
  /** scratch space (a zip is unpacked there) */
  workDir: string;
  /** a zip must not unpack to more than this */
  maxUnpackedBytes?: number;
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

/** the default split for a file: by time when it has timestamps */
export function defaultSplit(timed: boolean): SplitSpec {
  return timed ? { kind: "loo-time", seed: 0 } : { kind: "loo-random", seed: 0 };
}

/** Parses, de-duplicates and splits an interaction file or directory. Throws DatasetError (file, line, reason). */
export async function runImport(inputPath: string, opts: ImportRunOptions): Promise<ImportedData> {
  const r = await resolveInput(inputPath, opts.format);
  const fileName = path.basename(inputPath);
  if (r.format === "tsv-dir") return importTsvDir(r, fileName, opts);
  const plan = await planDelimited(r.file, r.format, opts);
  const name = path.basename(r.file);
  const parser = new InteractionParser(
    { delimiter: plan.delimiter, header: plan.header, mapping: plan.mapping, minWeight: plan.minWeight },
    { name, file: r.file },
  );
  const input = openByteInput(r.file);
  const report = opts.onProgress ?? (() => undefined);
  let reserved = false;
  let pushed = 0;
  let lastReport = 0;
  try {
    for await (const chunk of input.chunks) {
      opts.signal?.throwIfAborted();
      parser.push(chunk);
      pushed += chunk.length;
      if (!reserved && parser.lineNumber > 1000) {
        // a size estimate from the first chunk saves the copies of growing 20M-row columns
        const ratio = input.gzip ? pushed / Math.max(1, input.bytesRead()) : 1;
        parser.columns.reserve(Math.ceil(((input.size * ratio) / (pushed / parser.lineNumber)) * 1.1));
        reserved = true;
      }
      const now = Date.now();
      if (now - lastReport > 250) {
        lastReport = now;
        report((0.8 * input.bytesRead()) / Math.max(1, input.size), `read ${parser.dataRows.toLocaleString("en")} rows`);
      }
    }
    parser.end();
  } finally {
    input.close();
  }
  const cols = parser.columns;
  if (cols.length === 0) {
    throw new DatasetError(
      parser.belowMinWeight > 0
        ? `${name}: none of the ${parser.dataRows} rows has a ${r.format === "movielens" ? "rating" : "weight"} >= ${plan.minWeight}; lower the threshold`
        : `${name}: no interactions`,
      { file: r.file },
    );
  }
  report(0.82, `read ${parser.dataRows.toLocaleString("en")} rows; splitting`);
  const timed = plan.mapping.timestamp !== undefined;
  const split = opts.split ?? defaultSplit(timed);
  if (split.kind !== "loo-random" && !timed) {
    throw new DatasetError(`${name}: the ${split.kind} split needs a timestamp column; map one or choose random leave-one-out`, { file: r.file });
  }
  const U = canonicalOrder(parser.users.ids());
  const I = canonicalOrder(parser.items.ids());
  for (let k = 0; k < cols.length; k++) {
    cols.users[k] = U.remap[cols.users[k]];
    cols.items[k] = I.remap[cols.items[k]];
  }
  const s = splitInteractions(cols, split, { numUsers: U.ordered.length, numItems: I.ordered.length });
  const dataset: Dataset = {
    name: opts.name,
    numUsers: s.numUsers,
    numItems: s.numItems,
    userIds: U.ordered,
    itemIds: I.ordered,
    trainByUser: s.trainByUser,
    valid: s.valid,
    test: s.test,
    source: { kind: r.format, path: fileName },
  };
  return {
    dataset,
    interactions: s.interactions,
    format: r.format,
    gzip: input.gzip,
    params: {
      format: r.format,
      fileName,
      delimiter: plan.delimiter,
      header: plan.header,
      columns: parser.header ?? plan.columns,
      mapping: plan.mapping,
      ...(plan.minWeight !== undefined ? { minWeight: plan.minWeight } : {}),
      split: { ...split, seed: split.seed ?? 0 },
      counts: {
        ...s.counts,
        rows: parser.dataRows,
        belowMinWeight: parser.belowMinWeight,
        emptyTimestamps: parser.emptyTimestamps,
        duplicates: cols.length - s.counts.interactions,
      },
    },
  };
}

async function importTsvDir(r: ResolvedInput, fileName: string, opts: ImportRunOptions): Promise<ImportedData> {
  let dir = r.file;
  if (r.zip) {
    dir = path.join(opts.workDir, "unpacked");
    opts.onProgress?.(0.05, "unpacking the archive");
    await extractTsvZip(r.file, dir, opts.maxUnpackedBytes ?? 16 * 2 ** 30);
  }
  opts.onProgress?.(0.3, "reading train/valid/test.tsv");
  const loaded = loadTsvDir(dir);
  const interactions = interactionsFromDataset(loaded);
  const rows = interactions.items.length;
  return {
    dataset: { ...loaded, name: opts.name, source: { kind: "tsv-dir", path: fileName } },
    interactions,
    format: "tsv-dir",
    gzip: false,
    params: { format: "tsv-dir", fileName, split: null, counts: { rows, interactions: interactions.items.length } },
  };
}
