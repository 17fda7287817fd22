// Entry of trainInThread's worker thread. On Node 20 a worker does not take tsx's loader from
// execArgv (`--import tsx` is ignored for .ts there), so register it here, then run the TypeScript entry.
import { register } from "tsx/esm/api";

register();
await import("./training-thread-entry.ts");
