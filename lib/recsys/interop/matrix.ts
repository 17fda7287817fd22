// A dense row-major float matrix read from or written to an interchange file.
import { ImportError } from "./errors";

export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** every value finite, else an ImportError naming the first bad row and column */
export function checkFinite(m: Matrix, what: string, field: string): void {
  const { data, cols } = m;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isFinite(x))
      throw new ImportError(`${what}: value ${String(x)} at row ${Math.floor(i / cols)}, column ${i % cols} (every value must be a finite number)`, field);
  }
}

/** little-endian floats of `bytes` (itemsize 4 or 8) into a Float32Array; the float64 → float32 cast must stay finite */
export function readFloats(bytes: Uint8Array, count: number, itemsize: 4 | 8): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (itemsize === 4) for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

export function floatBytesLE(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}
