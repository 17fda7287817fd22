// Buffered byte writer for large tab-separated files: integers are formatted into the buffer directly,
// so writing tens of millions of rows makes no string per row.
import fs from "node:fs";

const BUFFER_BYTES = 1 << 20;

export class TsvWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private pos = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
  }

  /** a non-negative or negative integer, or any finite number (non-integers through String) */
  number(n: number): this {
    if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return this.integer(n);
    return this.text(String(n));
  }

  integer(n: number): this {
    if (this.pos + 24 > BUFFER_BYTES) this.flush();
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 45;
      n = -n;
    }
    if (n < 10) {
      buf[this.pos++] = 48 + n;
      return this;
    }
    if (n <= 0x7fffffff) {
      let digits = 1;
      for (let v = n; v >= 10; v = (v / 10) | 0) digits++;
      let p = this.pos + digits;
      this.pos = p;
      let v = n | 0;
      while (v >= 10) {
        const q = (v / 10) | 0;
        buf[--p] = 48 + v - q * 10;
        v = q;
      }
      buf[--p] = 48 + v;
      return this;
    }
    this.pos += buf.write(String(n), this.pos, "latin1");
    return this;
  }

  text(s: string): this {
    if (this.pos + s.length * 3 > BUFFER_BYTES) this.flush();
    if (s.length * 3 > BUFFER_BYTES) {
      fs.writeSync(this.fd, s);
      return this;
    }
    this.pos += this.buf.write(s, this.pos, "utf8");
    return this;
  }

  /** one ASCII character by code */
  char(code: number): this {
    if (this.pos + 1 > BUFFER_BYTES) this.flush();
    this.buf[this.pos++] = code;
    return this;
  }

  tab(): this {
    if (this.pos + 1 > BUFFER_BYTES) this.flush();
    this.buf[this.pos++] = 9;
    return this;
  }

  newline(): this {
    if (this.pos + 1 > BUFFER_BYTES) this.flush();
    this.buf[this.pos++] = 10;
    return this;
  }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  close(): void {
    try {
      this.flush();
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }
}
