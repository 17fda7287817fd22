// NumPy's .npy format (format versions 1.0–3.0): magic "\x93NUMPY", version, header length (uint16 for
// 1.x, uint32 for 2.x/3.x), a Python-literal dict {'descr', 'fortran_order', 'shape'} padded with spaces
// to 64 bytes, then the raw array. Read: 2-D little-endian float32/float64, C or Fortran order. Written:
// version 1.0, '<f4', C order.
import { ImportError } from "./errors";
import { checkFinite, floatBytesLE, readFloats, type Matrix } from "./matrix";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(buf: Uint8Array, name: string, field: string): Matrix {
  const fail = (why: string) => new ImportError(`${name}: ${why}`, field);
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) throw fail("not a .npy file (no \\x93NUMPY magic)");
  const major = buf[6];
  if (major < 1 || major > 3) throw fail(`.npy format version ${major}.${buf[7]} is not supported (1.0–3.0 are)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (buf.length < headerStart) throw fail("truncated header");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (buf.length < headerStart + headerLen) throw fail(`truncated header (${headerLen} bytes announced, ${buf.length - headerStart} present)`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(buf.subarray(headerStart, headerStart + headerLen));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fail(`header is not a .npy header dict: ${header.trim().slice(0, 120)}`);
  const itemsize = descr === "<f4" ? 4 : descr === "<f8" ? 8 : null;
  if (itemsize === null) throw fail(`dtype ${descr} is not supported: expected little-endian float32 ('<f4') or float64 ('<f8')`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(Number);
  if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw fail(`shape (${shapeText.trim()}) is not a 2-D matrix (rows, dimension)`);
  const [rows, cols] = shape;
  const dataStart = headerStart + headerLen;
  const want = rows * cols * itemsize;
  const have = buf.length - dataStart;
  if (have < want) throw fail(`truncated: shape (${rows}, ${cols}) needs ${want} bytes of data, the file has ${have}`);
  if (have > want) throw fail(`${have - want} bytes after the (${rows}, ${cols}) array: not a single .npy array`);
  let data = readFloats(buf.subarray(dataStart), rows * cols, itemsize);
  if (fortran === "True") {
    const c = new Float32Array(rows * cols);
    for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) c[i * cols + j] = data[j * rows + i];
    data = c;
  }
  const m = { rows, cols, data };
  checkFinite(m, name, field);
  return m;
}

export function encodeNpy(m: Matrix): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  // magic (6) + version (2) + length (2) + header + "\n", padded to a multiple of 64
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + m.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(floatBytesLE(m.data), total);
  return out;
}
