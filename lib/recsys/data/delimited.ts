// Streaming, byte-level parser of delimited interaction files (generic CSV/TSV with a header, MovieLens
// ratings.csv as a preset): bytes in, typed columns out, no object or string per row. The ids go
// through a ByteInterner; numbers are parsed from the bytes. A malformed line throws a DatasetError
// naming file, line and reason, or (preview) is collected and skipped.
import { DatasetError } from "./errors";
import { ByteInterner } from "./ids";
import { LineSplitter } from "./lines";
import { InteractionColumns } from "./split";

/** 0-based column indices of the fields an interaction is made of */
export interface ColumnMapping {
  user: number;
  item: number;
  timestamp?: number;
  weight?: number;
}

export interface DelimitedFormat {
  /** one character: "," "\t" ";" "|" */
  delimiter: string;
  /** the first non-empty line names the columns */
  header: boolean;
  mapping: ColumnMapping;
  /** rows whose weight is below this are not interactions (MovieLens: rating >= 4) */
  minWeight?: number;
}

export interface ParsedRow {
  line: number;
  user: string;
  item: string;
  /** unix seconds, null when there is no time */
  timestamp: number | null;
  weight: number | null;
  /** false when the weight is below the threshold (the row is read but not an interaction) */
  kept: boolean;
}

export interface LineError {
  line: number;
  message: string;
}

const MAX_FIELDS = 256;
const QUOTE = 34;
const SPACE = 32;

export function delimiterName(d: string): string {
  return d === "\t" ? "tab" : d === "," ? "comma" : d === ";" ? "semicolon" : d === "|" ? "pipe" : `'${d}'`;
}

/** a plain decimal number from bytes (sign, digits, fraction), else NaN; other forms go through Number() */
function parseNumber(buf: Buffer, s: number, e: number): number {
  let p = s;
  let neg = false;
  if (p < e && (buf[p] === 45 || buf[p] === 43)) neg = buf[p++] === 45;
  let v = 0;
  let digits = 0;
  while (p < e) {
    const c = buf[p] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    p++;
    digits++;
  }
  if (p < e && buf[p] === 46) {
    p++;
    let frac = 0;
    let scale = 1;
    while (p < e) {
      const c = buf[p] - 48;
      if (c < 0 || c > 9) break;
      frac = frac * 10 + c;
      scale *= 10;
      p++;
      digits++;
    }
    v += frac / scale;
  }
  if (p === e && digits > 0 && digits < 16) return neg ? -v : v;
  if (s === e) return NaN;
  const n = Number(buf.toString("latin1", s, e));
  return Number.isFinite(n) ? n : NaN;
}

/** numbers at or above 1e11 are milliseconds (1e11 seconds is the year 5138) */
function toSeconds(n: number): number {
  return Math.abs(n) >= 1e11 ? n / 1000 : n;
}

export class InteractionParser {
  readonly users = new ByteInterner();
  readonly items = new ByteInterner();
  readonly columns = new InteractionColumns();
  /** physical line number of the last line seen (1-based) */
  lineNumber = 0;
  /** data rows read (kept or below the weight threshold) */
  dataRows = 0;
  belowMinWeight = 0;
  /** rows with a timestamp column but an empty cell */
  emptyTimestamps = 0;
  header: string[] | null = null;
  readonly errors: LineError[] = [];
  errorCount = 0;
  readonly sample: ParsedRow[] = [];
  private fieldCount = -1;
  private headerBytes: Buffer | null = null;
  private readonly starts = new Int32Array(MAX_FIELDS);
  private readonly ends = new Int32Array(MAX_FIELDS);
  private readonly escaped = new Uint8Array(MAX_FIELDS);
  private readonly delim: number;
  private readonly splitter: LineSplitter;
  private readonly needed: number;

  constructor(
    readonly format: DelimitedFormat,
    private readonly where: { name: string; file?: string },
    /** preview: keep this many rows and errors instead of throwing at the first error */
    private readonly collect?: { rows: number; errors: number },
  ) {
    if (format.delimiter.length !== 1) throw new DatasetError(`delimiter must be one character, got '${format.delimiter}'`);
    this.delim = format.delimiter.charCodeAt(0);
    const m = format.mapping;
    this.needed = Math.max(m.user, m.item, m.timestamp ?? -1, m.weight ?? -1) + 1;
    if (m.user === m.item) throw new DatasetError("the user and item columns must differ");
    this.splitter = new LineSplitter((buf, s, e) => this.line(buf, s, e), where.name);
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  end(): void {
    this.splitter.end();
    if (this.dataRows === 0 && this.errorCount === 0) {
      this.fail(this.lineNumber, this.header ? "no data rows (header only)" : "empty file", false);
    }
  }

  /** rows a preview has seen */
  get enoughForPreview(): boolean {
    return this.collect !== undefined && this.sample.length >= this.collect.rows && this.errors.length >= this.collect.errors;
  }

  private fail(line: number, reason: string, atLine = true): void {
    const message = atLine ? `${this.where.name}:${line}: ${reason}` : `${this.where.name}: ${reason}`;
    if (this.collect && atLine) {
      this.errorCount++;
      if (this.errors.length < this.collect.errors) this.errors.push({ line, message });
      return;
    }
    throw new DatasetError(message, { file: this.where.file, line: atLine ? line : undefined });
  }

  private field(buf: Buffer, k: number): string {
    const s = buf.toString("utf8", this.starts[k], this.ends[k]);
    return this.escaped[k] ? s.replace(/""/g, '"') : s;
  }

  /** splits the line into fields; returns their count or -1 after reporting a quoting error */
  private split(buf: Buffer, s: number, e: number, line: number): number {
    const d = this.delim;
    const trim = d !== 9;
    let n = 0;
    let p = s;
    for (;;) {
      if (n === MAX_FIELDS) {
        this.fail(line, `more than ${MAX_FIELDS} columns`);
        return -1;
      }
      if (trim) while (p < e && buf[p] === SPACE) p++;
      if (p < e && buf[p] === QUOTE) {
        let q = p + 1;
        let esc = 0;
        for (;;) {
          if (q >= e) {
            this.fail(line, `unterminated quote in column ${n + 1}`);
            return -1;
          }
          if (buf[q] === QUOTE) {
            if (q + 1 < e && buf[q + 1] === QUOTE) {
              esc = 1;
              q += 2;
              continue;
            }
            break;
          }
          q++;
        }
        this.starts[n] = p + 1;
        this.ends[n] = q;
        this.escaped[n] = esc;
        p = q + 1;
        if (trim) while (p < e && buf[p] === SPACE) p++;
        n++;
        if (p >= e) return n;
        if (buf[p] !== d) {
          this.fail(line, `text after the closing quote of column ${n}`);
          return -1;
        }
        p++;
        continue;
      }
      let q = p;
      while (q < e && buf[q] !== d) q++;
      let end = q;
      if (trim) while (end > p && buf[end - 1] === SPACE) end--;
      this.starts[n] = p;
      this.ends[n] = end;
      this.escaped[n] = 0;
      n++;
      if (q >= e) return n;
      p = q + 1;
    }
  }

  private line(buf: Buffer, s: number, e: number): void {
    const line = ++this.lineNumber;
    if (e > s && buf[e - 1] === 13) e--;
    let blank = true;
    for (let p = s; p < e; p++) {
      if (buf[p] !== SPACE && buf[p] !== 9) {
        blank = false;
        break;
      }
    }
    if (blank) return;
    if (this.format.header && this.header === null) {
      const n = this.split(buf, s, e, line);
      if (n < 0) return;
      this.header = Array.from({ length: n }, (_, k) => this.field(buf, k));
      this.headerBytes = Buffer.from(buf.subarray(s, e));
      this.fieldCount = n;
      if (n < this.needed) this.fail(line, `the header has ${n} columns; the mapping uses column ${this.needed}`, false);
      return;
    }
    const n = this.split(buf, s, e, line);
    if (n < 0) return;
    const dn = delimiterName(this.format.delimiter);
    if (this.fieldCount < 0) {
      this.fieldCount = n;
      if (n < this.needed) {
        this.fail(line, `expected at least ${this.needed} ${dn}-separated columns for the chosen mapping, got ${n}`);
        this.fieldCount = -1;
        return;
      }
    } else if (n !== this.fieldCount) {
      if (this.headerBytes && e - s === this.headerBytes.length && this.headerBytes.equals(buf.subarray(s, e))) {
        this.fail(line, "header repeated inside the data (concatenated files?)");
      } else {
        this.fail(line, `expected ${this.fieldCount} ${dn}-separated columns${this.header ? " like the header" : " like the first row"}, got ${n}`);
      }
      return;
    }
    const m = this.format.mapping;
    const us = this.starts[m.user];
    const ue = this.ends[m.user];
    const is = this.starts[m.item];
    const ie = this.ends[m.item];
    if (us === ue || is === ie) {
      this.fail(line, `empty ${us === ue ? "user" : "item"} id${this.header ? ` (column '${this.header[us === ue ? m.user : m.item]}')` : ""}`);
      return;
    }
    if (this.headerBytes && e - s === this.headerBytes.length && this.headerBytes.equals(buf.subarray(s, e))) {
      this.fail(line, "header repeated inside the data (concatenated files?)");
      return;
    }
    let time = NaN;
    if (m.timestamp !== undefined) {
      const ts = this.starts[m.timestamp];
      const te = this.ends[m.timestamp];
      if (ts === te) this.emptyTimestamps++;
      else {
        const n = parseNumber(buf, ts, te);
        if (n === n) time = toSeconds(n);
        else {
          const raw = this.field(buf, m.timestamp);
          const ms = Date.parse(raw);
          if (!Number.isFinite(ms)) {
            this.fail(line, `timestamp '${raw.slice(0, 40)}' is neither a number nor a date`);
            return;
          }
          time = ms / 1000;
        }
      }
    }
    let weight = NaN;
    let kept = true;
    if (m.weight !== undefined) {
      weight = parseNumber(buf, this.starts[m.weight], this.ends[m.weight]);
      if (weight !== weight) {
        this.fail(line, `weight '${this.field(buf, m.weight).slice(0, 40)}' is not a number`);
        return;
      }
      if (this.format.minWeight !== undefined && weight < this.format.minWeight) kept = false;
    }
    this.dataRows++;
    if (this.collect && this.sample.length < this.collect.rows) {
      this.sample.push({
        line,
        user: this.field(buf, m.user),
        item: this.field(buf, m.item),
        timestamp: time === time ? time : null,
        weight: weight === weight ? weight : null,
        kept,
      });
    }
    if (!kept) {
      this.belowMinWeight++;
      return;
    }
    const u = this.escaped[m.user] ? this.internString(this.users, this.field(buf, m.user)) : this.users.intern(buf, us, ue);
    const i = this.escaped[m.item] ? this.internString(this.items, this.field(buf, m.item)) : this.items.intern(buf, is, ie);
    this.columns.push(u, i, time);
  }

  private internString(interner: ByteInterner, s: string): number {
    const b = Buffer.from(s, "utf8");
    return interner.intern(b, 0, b.length);
  }
}
