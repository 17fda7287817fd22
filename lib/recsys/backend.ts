// Compute backend for lib/recsys: tfjs-node when installed, else tfjs on the wasm backend (SIMD build,
// single-threaded in Node), else the plain cpu backend. Everything that needs tfjs calls getTf().
import { createRequire } from "node:module";
import path from "node:path";
import * as tfjs from "@tensorflow/tfjs";

export type Tf = typeof tfjs;
export type BackendName = "tensorflow" | "wasm" | "cpu";

let ready: Promise<Tf> | null = null;
let activeName: BackendName | null = null;

/** Initialise (once) and return the tfjs namespace with the best available backend selected. */
export function getTf(): Promise<Tf> {
  if (!ready) ready = init();
  return ready;
}

/** Name of the backend that runs (after getTf() resolved); null before initialisation. */
export function backendName(): BackendName | null {
  return activeName;
}

async function init(): Promise<Tf> {
  // tfjs-node registers the "tensorflow" backend on import; it is an optional dependency.
  try {
    const nodeModule = "@tensorflow/tfjs-node";
    await import(/* webpackIgnore: true */ nodeModule);
    if (await tfjs.setBackend("tensorflow")) {
      await tfjs.ready();
      activeName = "tensorflow";
      return tfjs;
    }
  } catch {
    // not installed: fall through
  }
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (typeof window === "undefined") {
      const require = createRequire(import.meta.url);
      // inside Next's server bundle require.resolve() returns a module id, not a path: then read the
      // package from the app's node_modules (next start runs in the app directory)
      const resolved: unknown = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
      const distDir = typeof resolved === "string" ? path.dirname(resolved) : path.join(process.cwd(), "node_modules", "@tensorflow", "tfjs-backend-wasm");
      const dist = path.join(distDir, "dist") + path.sep;
      // In Node the wasm binaries are read from disk: plain file paths, not URLs.
      wasm.setWasmPaths({
        "tfjs-backend-wasm.wasm": dist + "tfjs-backend-wasm.wasm",
        "tfjs-backend-wasm-simd.wasm": dist + "tfjs-backend-wasm-simd.wasm",
        "tfjs-backend-wasm-threaded-simd.wasm": dist + "tfjs-backend-wasm-threaded-simd.wasm",
      });
    }
    if (await tfjs.setBackend("wasm")) {
      await tfjs.ready();
      activeName = "wasm";
      return tfjs;
    }
  } catch {
    // wasm unavailable: fall back to cpu
  }
  await tfjs.setBackend("cpu");
  await tfjs.ready();
  activeName = "cpu";
  return tfjs;
}
