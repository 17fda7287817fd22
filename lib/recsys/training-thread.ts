// Trains a teacher or distills a student in a worker thread. A DE batch can keep the CPU for a second
// or more; run on the caller's thread, that starved the job worker's event loop (pg-boss reported
// connection timeouts, heartbeats and cancellation waited). The thread loads the teacher from its
// artifact directory, saves the trained model to `outDir` and sends back everything but the weights.
import { Worker } from "node:worker_threads";
import type { Dataset, ModelManifest, ProgressFn } from "./types";
import type { StudentOptions, TrainedModel } from "./pipeline";
import { TrainingAborted } from "./models/train";

export interface ThreadTrainingRequest {
  /** "teacher": trainTeacher; "student": distillStudent (method "none" needs no teacherDir) */
  role: "teacher" | "student";
  dataset: Dataset;
  options: StudentOptions;
  /** the teacher's artifact directory, for students distilled from one */
  teacherDir: string | null;
  /** where the trained model is saved (saveModel) */
  outDir: string;
  /** teachers: an earlier teacher's artifact directory whose weights start the rows it knows */
  warmStartDir?: string | null;
}

export interface ThreadTrainingResult extends Omit<TrainedModel, "model"> {
  manifest: ModelManifest;
  /** the thread that trained (never the caller's) */
  threadId: number;
}

export type ThreadMessage =
  | { type: "progress"; fraction: number; message: string }
  | { type: "done"; result: ThreadTrainingResult }
  | { type: "failed"; error: { name: string; message: string; stack?: string } };

/** after an abort, how long the thread gets to stop at its next yield before it is terminated */
const ABORT_GRACE_MS = 10_000;

function rebuildError(e: { name: string; message: string; stack?: string }): Error {
  if (e.name === "TrainingAborted") return new TrainingAborted();
  const err = e.name === "RangeError" ? new RangeError(e.message) : new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

export function trainInThread(request: ThreadTrainingRequest, progress?: ProgressFn, signal?: AbortSignal): Promise<ThreadTrainingResult> {
  if (signal?.aborted) return Promise.reject(new TrainingAborted());
  return new Promise((resolve, reject) => {
    // a JavaScript entry that registers tsx, then loads training-thread-entry.ts
    const worker = new Worker(new URL("./training-thread-boot.mjs", import.meta.url), { workerData: request });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      fn();
      void worker.terminate();
    };
    const onAbort = () => {
      worker.postMessage({ type: "abort" });
      killTimer = setTimeout(() => settle(() => reject(new TrainingAborted())), ABORT_GRACE_MS);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: ThreadMessage) => {
      if (m.type === "progress") progress?.(m.fraction, m.message);
      else if (m.type === "done") settle(() => resolve(m.result));
      else settle(() => reject(rebuildError(m.error)));
    });
    worker.on("error", (err) => settle(() => reject(err)));
    worker.on("exit", (code) => settle(() => reject(new Error(`the training thread exited (code ${code}) before it reported a result`))));
  });
}
