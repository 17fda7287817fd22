// One entry point that picks the loader from what it finds at the path.
import fs from "node:fs";
import path from "node:path";
import type { Dataset } from "../types";
import { isMovieLensHeader, loadInteractionsCsv, loadMovieLens } from "./csv";
import { DatasetError } from "./errors";
import { firstLine } from "./lines";
import { loadTsvDir, SPLIT_FILES } from "./tsv-dir";

export type DatasetFormat = "tsv-dir" | "movielens" | "csv";

export interface LoadDatasetOptions {
  /** force a format instead of detecting it */
  format?: DatasetFormat;
  /** split seed for formats split here (default 0) */
  seed?: number;
  /** MovieLens rating threshold (default 4) */
  minRating?: number;
  /** tsv-dir: declared catalogue sizes (see TsvDirOptions) */
  numUsers?: number;
  numItems?: number;
}

/** the format a path holds, or a DatasetError saying what was expected */
export function detectFormat(pathOrDir: string): { format: DatasetFormat; file: string } {
  if (!fs.existsSync(pathOrDir)) throw new DatasetError(`${pathOrDir}: no such file or directory`);
  if (fs.statSync(pathOrDir).isDirectory()) {
    if (fs.existsSync(path.join(pathOrDir, "train.tsv"))) return { format: "tsv-dir", file: pathOrDir };
    const ratings = path.join(pathOrDir, "ratings.csv");
    if (fs.existsSync(ratings)) return { format: "movielens", file: ratings };
    throw new DatasetError(
      `${pathOrDir}: no dataset found (expected ${SPLIT_FILES.join("/")}, a MovieLens ratings.csv, or pass a CSV/TSV file of user,item[,timestamp])`,
    );
  }
  const first = firstLine(pathOrDir);
  if (first !== undefined && isMovieLensHeader(first)) return { format: "movielens", file: pathOrDir };
  return { format: "csv", file: pathOrDir };
}

export function loadDataset(pathOrDir: string, opts: LoadDatasetOptions = {}): Dataset {
  const detected = opts.format === undefined ? detectFormat(pathOrDir) : { format: opts.format, file: pathOrDir };
  let file = detected.file;
  if (detected.format === "movielens" && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "ratings.csv");
  switch (detected.format) {
    case "tsv-dir":
      return loadTsvDir(file, { numUsers: opts.numUsers, numItems: opts.numItems });
    case "movielens":
      return loadMovieLens(file, { minRating: opts.minRating, seed: opts.seed });
    case "csv":
      return loadInteractionsCsv(file, { seed: opts.seed });
  }
}
