// Keeps a worker alive through stray errors. Some libraries install process handlers that rethrow:
// tfjs-backend-wasm's emscripten runtime adds `unhandledRejection: reason => { throw reason }`
// when the wasm backend loads, which would turn any late database error into a crash. The worker
// logs such errors instead (a job's own failures are recorded on its JobRun by the runner).
type Listener = (...args: unknown[]) => void;

const GUARDED = new Set<string | symbol>(["unhandledRejection", "uncaughtException"]);

export function guardProcess(log: (message: string, err: unknown) => void): void {
  const own = new Set<Listener>();
  const onRejection: Listener = (err) => log("unhandled rejection", err);
  const onException: Listener = (err) => log("uncaught exception", err);
  own.add(onRejection);
  own.add(onException);

  for (const event of GUARDED) process.removeAllListeners(event);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);

  for (const method of ["on", "addListener", "prependListener", "once", "prependOnceListener"] as const) {
    const original = process[method].bind(process) as (event: string | symbol, listener: Listener) => NodeJS.Process;
    (process as unknown as Record<string, unknown>)[method] = (event: string | symbol, listener: Listener) => {
      if (GUARDED.has(event) && !own.has(listener)) return process;
      return original(event, listener);
    };
  }
}
