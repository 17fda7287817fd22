// Synchronous, chunked line reading: no whole-file string (files larger than V8's string limit work),
// no per-line Buffer decoding (chunks are decoded once, split at the last newline, which is UTF-8 safe).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { DatasetError } from "./errors";

const CHUNK_BYTES = 4 << 20;

/** opens a file to read; a file that cannot be opened is a DatasetError naming it and the reason */
function openForReading(file: string): number {
  try {
    return fs.openSync(file, "r");
  } catch (err) {
    throw new DatasetError(`${file}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
}

/** Calls `onLine(text, lineNumber)` for every line (1-based), without the line break; stops when it returns false. */
export function forEachLine(file: string, onLine: (text: string, lineNumber: number) => boolean | void): void {
  const fd = openForReading(file);
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

/** longest line the byte-level readers accept (a binary file fed by mistake fails fast, not by memory) */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Cuts a byte stream into lines without decoding: `onLine(buf, start, end)` gets each line's byte range
 * (no line break; a UTF-8 BOM at the very start removed). Lines spanning chunks are carried over.
 */
export class LineSplitter {
  private carry = Buffer.alloc(0);
  private carryLength = 0;
  private started = false;

  constructor(
    private readonly onLine: (buf: Buffer, start: number, end: number) => void,
    private readonly name = "input",
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    if (this.carryLength > 0) {
      const nl = chunk.indexOf(10, start);
      const upto = nl < 0 ? chunk.length : nl;
      this.append(chunk, start, upto);
      if (nl < 0) return;
      this.onLine(this.carry, 0, this.carryLength);
      this.carryLength = 0;
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.onLine(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk, start, chunk.length);
  }

  end(): void {
    if (this.carryLength > 0) this.onLine(this.carry, 0, this.carryLength);
    this.carryLength = 0;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    const need = this.carryLength + end - start;
    if (need > MAX_LINE_BYTES) throw new DatasetError(`${this.name}: a line is longer than ${MAX_LINE_BYTES >> 20} MiB (not a text file of interactions?)`);
    if (need > this.carry.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.carry.length * 2, 4096));
      this.carry.copy(next, 0, 0, this.carryLength);
      this.carry = next;
    }
    chunk.copy(this.carry, this.carryLength, start, end);
    this.carryLength = need;
  }
}

/** Synchronous byte-level line reading of an uncompressed file (see LineSplitter). */
export function forEachChunkSync(file: string, onLine: (buf: Buffer, start: number, end: number) => void): void {
  const fd = openForReading(file);
  try {
    const splitter = new LineSplitter(onLine, shortName(file));
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      splitter.push(buf.subarray(0, n));
    }
    splitter.end();
  } finally {
    fs.closeSync(fd);
  }
}

export interface ByteInput {
  /** decompressed bytes, in chunks */
  chunks: AsyncIterable<Buffer>;
  /** whether the file is gzip-compressed */
  gzip: boolean;
  /** size of the file on disk */
  size: number;
  /** bytes of the file read so far (compressed bytes for gzip): progress */
  bytesRead(): number;
  close(): void;
}

/** Opens a file for streaming reads, gunzipping it when it starts with the gzip magic bytes. */
export function openByteInput(file: string): ByteInput {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    throw new DatasetError(`${shortName(file)}: cannot open (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
  const size = fs.fstatSync(fd).size;
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const raw = fs.createReadStream("", { fd, highWaterMark: 1 << 20, autoClose: true });
  let read = 0;
  raw.on("data", (c) => (read += c.length));
  const chunks: AsyncIterable<Buffer> = gzip ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  return {
    chunks: wrapGzipErrors(chunks, file, gzip),
    gzip,
    size,
    bytesRead: () => read,
    close: () => raw.destroy(),
  };
}

async function* wrapGzipErrors(chunks: AsyncIterable<Buffer>, file: string, gzip: boolean): AsyncIterable<Buffer> {
  try {
    for await (const c of chunks) yield c;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (gzip && typeof code === "string" && code.startsWith("Z_")) {
      throw new DatasetError(`${shortName(file)}: not a valid gzip file (${(err as Error).message})`, { file });
    }
    throw new DatasetError(`${shortName(file)}: cannot read (${code ?? String(err)})`, { file });
  }
}
