// Compiles the WebAssembly text of our SIMD kernels (adam-wat.ts, rrd-wat.ts) with wabt, once per kernel.
// A kernel is null where wasm SIMD or wabt is unavailable; callers then keep their JS loops.
import wabt from "wabt";

const compiled = new Map<string, Promise<WebAssembly.Module | null>>();

export function compileWat(name: string, text: string): Promise<WebAssembly.Module | null> {
  let m = compiled.get(name);
  if (!m) {
    m = compile(name, text).catch(() => null);
    compiled.set(name, m);
  }
  return m;
}

async function compile(name: string, text: string): Promise<WebAssembly.Module> {
  const tools = await wabt();
  const parsed = tools.parseWat(`${name}.wat`, text, { simd: true });
  try {
    parsed.validate();
    return await WebAssembly.compile(new Uint8Array(parsed.toBinary({}).buffer));
  } finally {
    parsed.destroy();
  }
}

/** a fixed-size memory of at least `bytes` (fixed: typed-array views on it would detach if it grew) */
export function fixedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  return new WebAssembly.Memory({ initial: pages, maximum: pages });
}

/**
 * Byte offsets of consecutive 16-byte-aligned regions of 4-byte elements, laid out from byte `start` in
 * the order of `sizes` (element counts); `end` is the first byte after the last region.
 */
export function alignedRegions<K extends string>(sizes: Record<K, number>, start = 0): { offsets: Record<K, number>; end: number } {
  let at = start;
  const offsets = {} as Record<K, number>;
  for (const [k, n] of Object.entries(sizes) as [K, number][]) {
    offsets[k] = at;
    at += Math.ceil(n / 4) * 16;
  }
  return { offsets, end: at };
}
