// Synchronous, chunked line reading: no whole-file string (files larger than V8's string limit work),
// no per-line Buffer decoding (chunks are decoded once, split at the last newline, which is UTF-8 safe).
import fs from "node:fs";
import path from "node:path";
import { DatasetError } from "./errors";

const CHUNK_BYTES = 4 << 20;

/** Calls `onLine(text, lineNumber)` for every line (1-based), without the line break; stops when it returns false. */
export function forEachLine(file: string, onLine: (text: string, lineNumber: number) => boolean | void): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    throw new DatasetError(`${file}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry: Buffer = Buffer.alloc(0);
    let lineNumber = 0;
    let first = true;
    let stopped = false;
    const emit = (text: string): void => {
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (text.endsWith("\r")) text = text.slice(0, -1);
      if (onLine(text, ++lineNumber) === false) stopped = true;
    };
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const chunk = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      const lastNl = chunk.lastIndexOf(0x0a);
      if (lastNl < 0) {
        carry = Buffer.from(chunk);
        continue;
      }
      const text = chunk.toString("utf8", 0, lastNl);
      carry = Buffer.from(chunk.subarray(lastNl + 1));
      let start = 0;
      for (;;) {
        const nl = text.indexOf("\n", start);
        if (nl < 0) {
          emit(text.slice(start));
          break;
        }
        emit(text.slice(start, nl));
        if (stopped) return;
        start = nl + 1;
      }
      if (stopped) return;
    }
    if (carry.length > 0) emit(carry.toString("utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof DatasetError || code === undefined) throw err;
    throw new DatasetError(`${file}: cannot read (${code})`, { file });
  } finally {
    fs.closeSync(fd);
  }
}

/** the first non-empty line of a file (for format detection), or undefined for an empty file */
export function firstLine(file: string): string | undefined {
  let found: string | undefined;
  forEachLine(file, (text) => {
    if (text.trim() === "") return true;
    found = text;
    return false;
  });
  return found;
}

/** short name used in error messages: the file name, as in `train.tsv:17: ...` */
export function shortName(file: string): string {
  return path.basename(file);
}
