// interactions.tsv: a dataset's raw interactions beside its split files, header `user<TAB>item<TAB>timestamp`,
// users and items as dense indices (ids.json names them), timestamp in unix seconds (as the import writes it) or empty when
// the interaction has no time (rows reconstructed from a split that never had timestamps).
import fs from "node:fs";
import path from "node:path";
import { DatasetError } from "./errors";
import { forEachLine, shortName } from "./lines";
import { InteractionColumns } from "./split";

export const INTERACTIONS_FILE = "interactions.tsv";
const HEADER = "user\titem\ttimestamp";

/** Writes `rows` (times NaN = untimed) to dir/interactions.tsv atomically (temp file, then rename). */
export function writeInteractions(dir: string, rows: InteractionColumns): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, INTERACTIONS_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, HEADER + "\n");
    const CHUNK = 10_000;
    for (let start = 0; start < rows.length; start += CHUNK) {
      const lines: string[] = [];
      for (let k = start; k < Math.min(rows.length, start + CHUNK); k++) {
        const t = rows.times[k];
        lines.push(`${rows.users[k]}\t${rows.items[k]}\t${Number.isNaN(t) ? "" : Math.round(t)}`);
      }
      fs.writeSync(fd, lines.join("\n") + "\n");
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Reads dir/interactions.tsv, or null when the directory has none. Indices must lie within the given sizes. */
export function readInteractions(dir: string, sizes: { numUsers: number; numItems: number }): InteractionColumns | null {
  const file = path.join(dir, INTERACTIONS_FILE);
  if (!fs.existsSync(file)) return null;
  const name = shortName(file);
  const rows = new InteractionColumns();
  let sawHeader = false;
  const index = (text: string, kind: "user" | "item", max: number, line: number) => {
    const v = Number(text);
    if (!/^\d+$/.test(text) || v >= max) {
      throw new DatasetError(`${name}:${line}: ${kind} '${text}' is not a dense index below ${max}`, { file, line });
    }
    return v;
  };
  forEachLine(file, (text, line) => {
    if (text.trim() === "") return;
    if (!sawHeader) {
      if (text.trim() !== HEADER) throw new DatasetError(`${name}:${line}: expected header '${HEADER.replace(/\t/g, "<TAB>")}'`, { file, line });
      sawHeader = true;
      return;
    }
    const cols = text.split("\t");
    if (cols.length !== 3) throw new DatasetError(`${name}:${line}: expected 3 tab-separated columns, got ${cols.length}`, { file, line });
    const ts = cols[2].trim();
    const time = ts === "" ? NaN : Number(ts);
    if (ts !== "" && !Number.isFinite(time)) throw new DatasetError(`${name}:${line}: timestamp '${ts}' is not a number of seconds`, { file, line });
    rows.push(index(cols[0].trim(), "user", sizes.numUsers, line), index(cols[1].trim(), "item", sizes.numItems, line), time);
  });
  if (!sawHeader) throw new DatasetError(`${name}: empty file (expected header '${HEADER.replace(/\t/g, "<TAB>")}')`, { file });
  return rows;
}
