// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the tensors'
// bytes (offsets relative to the end of the header). Read: 2-D F32/F64 tensors. Written: F32.
import { ImportError } from "./errors";
import { checkFinite, floatBytesLE, readFloats, type Matrix } from "./matrix";

export interface SafetensorsFile {
  tensors: Map<string, Matrix>;
  metadata: Record<string, string>;
}

export function parseSafetensors(buf: Uint8Array, name: string, field: string): SafetensorsFile {
  const fail = (why: string) => new ImportError(`${name}: ${why}`, field);
  if (buf.length < 8) throw fail("truncated: shorter than the 8-byte header length");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > buf.length - 8) throw fail(`truncated: header of ${n} bytes announced, ${buf.length - 8} present (or not a .safetensors file)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch {
    throw fail("header is not valid JSON (not a .safetensors file?)");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw fail("header is not a JSON object");
  const body = buf.subarray(8 + n);
  const tensors = new Map<string, Matrix>();
  let metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(header)) {
    if (key === "__metadata__") {
      metadata = (value ?? {}) as Record<string, string>;
      continue;
    }
    const t = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const shape = t.shape;
    const offsets = t.data_offsets;
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2 || typeof t.dtype !== "string")
      throw fail(`tensor "${key}": needs dtype, shape and data_offsets`);
    const itemsize = t.dtype === "F32" ? 4 : t.dtype === "F64" ? 8 : null;
    if (itemsize === null) throw fail(`tensor "${key}": dtype ${t.dtype} is not supported (F32 or F64)`);
    if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0))
      throw fail(`tensor "${key}": shape [${shape.join(", ")}] is not a 2-D matrix (rows, dimension)`);
    const [begin, end] = offsets as number[];
    const [rows, cols] = shape as number[];
    if (end > body.length) throw fail(`truncated: tensor "${key}" ends at byte ${end} of the data, which has ${body.length}`);
    if (!(Number.isInteger(begin) && Number.isInteger(end) && begin >= 0 && end >= begin)) throw fail(`tensor "${key}": bad data_offsets [${begin}, ${end}]`);
    if (end - begin !== rows * cols * itemsize)
      throw fail(`tensor "${key}": shape [${rows}, ${cols}] of ${t.dtype} needs ${rows * cols * itemsize} bytes, its offsets span ${end - begin}`);
    const m = { rows, cols, data: readFloats(body.subarray(begin, end), rows * cols, itemsize) };
    checkFinite(m, `${name} tensor "${key}"`, field);
    tensors.set(key, m);
  }
  if (tensors.size === 0) throw fail("holds no tensor");
  return { tensors, metadata };
}

export function encodeSafetensors(tensors: Record<string, Matrix>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [key, m] of Object.entries(tensors)) {
    header[key] = { dtype: "F32", shape: [m.rows, m.cols], data_offsets: [offset, offset + m.data.length * 4] };
    offset += m.data.length * 4;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  // padded with spaces so the data starts 8-byte aligned, as the reference writer does
  const headerBytes = new Uint8Array(Math.ceil(raw.length / 8) * 8).fill(0x20);
  headerBytes.set(raw);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const m of Object.values(tensors)) {
    out.set(floatBytesLE(m.data), at);
    at += m.data.length * 4;
  }
  return out;
}
