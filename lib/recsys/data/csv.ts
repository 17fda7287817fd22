// Raw interaction files split leave-one-out here: MovieLens ratings.csv (with a rating threshold)
// and generic CSV/TSV `user,item[,timestamp]`.
import path from "node:path";
import type { Dataset } from "../types";
import { DatasetError } from "./errors";
import { canonicalOrder, IdInterner } from "./ids";
import { firstLine, forEachLine, shortName } from "./lines";
import { InteractionColumns, leaveOneOut } from "./split";
import type { ColumnMapping } from "./delimited";

export interface MovieLensOptions {
  /** ratings at or above this count as positive feedback (default 4) */
  minRating?: number;
  /** breaks timestamp ties in the split (default 0) */
  seed?: number;
}

export interface InteractionsCsvOptions {
  /** held-out items are random by this seed when there is no timestamp; breaks time ties otherwise (default 0) */
  seed?: number;
  /** force header detection (default: detected from the first line) */
  header?: boolean;
  /** force the delimiter (default: detected from the first line: tab, comma or semicolon) */
  delimiter?: string;
}

const MOVIELENS_HEADER = ["userid", "movieid", "rating", "timestamp"];

/** lower-cased header fields without quotes, for detection */
function headerFields(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((f) =>
    unquote(f)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, ""),
  );
}

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f;
}

export function isMovieLensHeader(line: string): boolean {
  const f = headerFields(line, ",");
  return f.length === 4 && f.every((x, k) => x === MOVIELENS_HEADER[k]);
}

export function detectDelimiter(line: string): string {
  if (line.includes("\t")) return "\t";
  if (line.includes(",")) return ",";
  if (line.includes(";")) return ";";
  return "\t";
}

const USER_HEADERS = new Set([
  "user",
  "users",
  "userid",
  "uid",
  "customer",
  "customerid",
  "visitor",
  "visitorid",
  "member",
  "memberid",
  "session",
  "sessionid",
  "reader",
  "readerid",
]);
const ITEM_HEADERS = new Set([
  "item",
  "items",
  "itemid",
  "iid",
  "product",
  "productid",
  "movie",
  "movieid",
  "article",
  "articleid",
  "book",
  "bookid",
  "track",
  "trackid",
  "song",
  "songid",
  "video",
  "videoid",
  "doc",
  "docid",
  "document",
  "documentid",
  "paper",
  "paperid",
  "sku",
  "content",
  "contentid",
]);
const TIME_HEADERS = new Set(["timestamp", "time", "ts", "date", "datetime", "createdat", "eventtime"]);

/** a header names its columns: user and item column names, or a time column name where a time belongs */
function looksLikeHeader(line: string, delimiter: string): boolean {
  const f = headerFields(line, delimiter);
  return (USER_HEADERS.has(f[0]) && ITEM_HEADERS.has(f[1] ?? "")) || (f.length === 3 && TIME_HEADERS.has(f[2]));
}

function delimiterName(d: string): string {
  return d === "\t" ? "tab" : d === "," ? "comma" : d === ";" ? "semicolon" : `'${d}'`;
}

function parseTime(raw: string, name: string, line: number, file: string): number {
  const n = Number(raw);
  if (raw !== "" && Number.isFinite(n)) return n;
  const d = Date.parse(raw);
  if (Number.isFinite(d)) return d / 1000;
  throw new DatasetError(`${name}:${line}: timestamp '${raw.slice(0, 40)}' is neither a number nor a date`, { file, line });
}

function finish(file: string, users: IdInterner, items: IdInterner, raw: InteractionColumns, timed: boolean, seed: number, source: Dataset["source"]): Dataset {
  const name = shortName(file);
  if (raw.length === 0) throw new DatasetError(`${name}: no interactions`, { file });
  const U = canonicalOrder(users.ids);
  const I = canonicalOrder(items.ids);
  const columns = new InteractionColumns();
  for (let k = 0; k < raw.length; k++) columns.push(U.remap[raw.users[k]], I.remap[raw.items[k]], raw.times[k]);
  return leaveOneOut({
    name: path.basename(file).replace(/\.[^.]*$/, "") || name,
    source,
    userIds: U.ordered,
    itemIds: I.ordered,
    columns,
    timed,
    seed,
  });
}

/** MovieLens ratings.csv: userId,movieId,rating,timestamp; ratings >= minRating become interactions. */
export function loadMovieLens(ratingsCsvPath: string, opts: MovieLensOptions = {}): Dataset {
  const minRating = opts.minRating ?? 4;
  const seed = opts.seed ?? 0;
  const file = ratingsCsvPath;
  const name = shortName(file);
  const users = new IdInterner();
  const items = new IdInterner();
  const raw = new InteractionColumns();
  let rows = 0;
  let sawHeader = false;
  forEachLine(file, (text, line) => {
    if (text.trim() === "") return;
    if (!sawHeader) {
      if (!isMovieLensHeader(text)) {
        throw new DatasetError(`${name}:${line}: expected header 'userId,movieId,rating,timestamp', got '${text.slice(0, 80)}'`, { file, line });
      }
      sawHeader = true;
      return;
    }
    const f = text.split(",");
    if (f.length !== 4)
      throw new DatasetError(`${name}:${line}: expected 4 comma-separated columns (userId,movieId,rating,timestamp), got ${f.length}`, { file, line });
    const user = f[0].trim();
    const movie = f[1].trim();
    if (user === "" || movie === "") throw new DatasetError(`${name}:${line}: empty ${user === "" ? "userId" : "movieId"}`, { file, line });
    const rating = Number(f[2]);
    if (Number.isNaN(rating) && isMovieLensHeader(text)) {
      throw new DatasetError(`${name}:${line}: header repeated inside the data (concatenated files?)`, { file, line });
    }
    if (f[2].trim() === "" || !Number.isFinite(rating)) throw new DatasetError(`${name}:${line}: rating '${f[2]}' is not a number`, { file, line });
    const ts = Number(f[3]);
    if (f[3].trim() === "" || !Number.isFinite(ts)) throw new DatasetError(`${name}:${line}: timestamp '${f[3]}' is not a number`, { file, line });
    rows++;
    if (rating >= minRating) raw.push(users.intern(user), items.intern(movie), ts);
  });
  if (rows === 0) throw new DatasetError(`${name}: no ratings (empty file or header only)`, { file });
  if (raw.length === 0) throw new DatasetError(`${name}: none of the ${rows} ratings is >= ${minRating}; lower minRating`, { file });
  return finish(file, users, items, raw, true, seed, { kind: "movielens", path: file, params: { minRating, seed } });
}

/** Generic `user,item[,timestamp]` (comma, tab or semicolon; optional header; simple double quotes). */
export function loadInteractionsCsv(file: string, opts: InteractionsCsvOptions = {}): Dataset {
  const seed = opts.seed ?? 0;
  const name = shortName(file);
  const first = firstLine(file);
  if (first === undefined) throw new DatasetError(`${name}: empty file`, { file });
  const delimiter = opts.delimiter ?? detectDelimiter(first);
  const hasHeader = opts.header ?? looksLikeHeader(first, delimiter);
  const users = new IdInterner();
  const items = new IdInterner();
  const raw = new InteractionColumns();
  let columns = 0;
  let headerSkipped = !hasHeader;
  forEachLine(file, (text, line) => {
    if (text.trim() === "") return;
    if (!headerSkipped) {
      headerSkipped = true;
      return;
    }
    const f = text.split(delimiter);
    if (columns === 0) {
      if (f.length !== 2 && f.length !== 3) {
        throw new DatasetError(`${name}:${line}: expected 2 or 3 ${delimiterName(delimiter)}-separated columns (user, item[, timestamp]), got ${f.length}`, {
          file,
          line,
        });
      }
      columns = f.length;
    } else if (f.length !== columns) {
      throw new DatasetError(`${name}:${line}: expected ${columns} ${delimiterName(delimiter)}-separated columns like the first row, got ${f.length}`, {
        file,
        line,
      });
    }
    const user = unquote(f[0]);
    const item = unquote(f[1]);
    if (user === "" || item === "") throw new DatasetError(`${name}:${line}: empty ${user === "" ? "user" : "item"} id`, { file, line });
    if (hasHeader && text === first) {
      throw new DatasetError(`${name}:${line}: header repeated inside the data (concatenated files?)`, { file, line });
    }
    const time = columns === 3 ? parseTime(unquote(f[2]), name, line, file) : 0;
    raw.push(users.intern(user), items.intern(item), time);
  });
  return finish(file, users, items, raw, columns === 3, seed, { kind: "csv", path: file, params: { seed, delimiter, header: hasHeader } });
}

const WEIGHT_HEADERS = new Set(["rating", "ratings", "weight", "score", "count", "plays", "playcount", "quantity", "qty", "value", "strength"]);

export interface DetectedLayout {
  /** movielens: the ratings.csv header (user, movie, rating >= threshold, timestamp) */
  kind: "movielens" | "csv";
  delimiter: string;
  header: boolean;
  /** header names, or "column 1".. without a header */
  columns: string[];
  mapping: ColumnMapping;
}

function looksLikeTime(value: string): boolean {
  const v = unquote(value);
  return v !== "" && (Number.isFinite(Number(v)) || Number.isFinite(Date.parse(v)));
}

/**
 * Delimiter, header and column mapping guessed from the first lines of a file: header names
 * (user/item/time/weight synonyms), else user, item[, timestamp] in that order.
 */
export function detectLayout(lines: readonly string[]): DetectedLayout {
  const nonEmpty = lines.filter((l) => l.trim() !== "");
  const first = nonEmpty[0] ?? "";
  const delimiter = first.includes("\t") ? "\t" : first.includes(",") ? "," : first.includes(";") ? ";" : first.includes("|") ? "|" : ",";
  if (isMovieLensHeader(first)) {
    return { kind: "movielens", delimiter: ",", header: true, columns: first.split(",").map(unquote), mapping: { user: 0, item: 1, weight: 2, timestamp: 3 } };
  }
  const names = headerFields(first, delimiter);
  const find = (set: Set<string>) => {
    const k = names.findIndex((n) => set.has(n));
    return k < 0 ? undefined : k;
  };
  const user = find(USER_HEADERS);
  const item = find(ITEM_HEADERS);
  const timestamp = find(TIME_HEADERS);
  const weight = find(WEIGHT_HEADERS);
  const header = user !== undefined || item !== undefined || timestamp !== undefined || looksLikeHeader(first, delimiter);
  const columns = header ? first.split(delimiter).map(unquote) : first.split(delimiter).map((_, k) => `column ${k + 1}`);
  const mapping: ColumnMapping = { user: user ?? 0, item: item ?? (user === 1 ? 0 : 1) };
  if (timestamp !== undefined) mapping.timestamp = timestamp;
  else if (!header || columns.length >= 3) {
    // no named time column: a third column of numbers or dates is taken as the time
    const data = nonEmpty.slice(header ? 1 : 0, 20);
    const k = [0, 1, 2].find((c) => c !== mapping.user && c !== mapping.item && c < columns.length);
    if (k !== undefined && weight !== k && data.length > 0 && data.every((l) => looksLikeTime(l.split(delimiter)[k] ?? ""))) mapping.timestamp = k;
  }
  if (weight !== undefined && weight !== mapping.timestamp) mapping.weight = weight;
  return { kind: "csv", delimiter, header, columns, mapping };
}
