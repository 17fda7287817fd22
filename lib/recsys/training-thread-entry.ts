// The worker thread behind trainInThread: trains, saves the model, reports progress and the result.
import { parentPort, threadId, workerData } from "node:worker_threads";
import { distillStudent, trainTeacher } from "./pipeline";
import { loadModel, saveModel } from "./artifact";
import { isRankedListsDir, loadRankedLists } from "./interop/ranked-lists";
import type { ThreadMessage, ThreadTrainingRequest, ThreadTrainingResult } from "./training-thread";

const port = parentPort;
if (!port) throw new Error("training-thread-entry runs only as a worker thread (see trainInThread)");
const send = (m: ThreadMessage) => port.postMessage(m);
const controller = new AbortController();
port.on("message", (m: { type: string }) => {
  if (m.type === "abort") controller.abort();
});

async function run(req: ThreadTrainingRequest): Promise<ThreadTrainingResult> {
  const progress = (fraction: number, message: string) => send({ type: "progress", fraction, message });
  // a teacher imported as ranked lists has no weights (rd and rrd only: distillStudent says why for the others)
  const teacher = !req.teacherDir
    ? null
    : (await isRankedListsDir(req.teacherDir))
      ? await loadRankedLists(req.teacherDir)
      : await loadModel(req.teacherDir, { accelerate: false });
  const warm = req.warmStartDir ? await loadModel(req.warmStartDir, { accelerate: false }) : null;
  try {
    const trained =
      req.role === "teacher"
        ? await trainTeacher(
            req.dataset,
            req.options,
            progress,
            controller.signal,
            warm ? { model: warm.model, userIds: warm.userIds, itemIds: warm.itemIds } : undefined,
          )
        : await distillStudent(req.dataset, teacher, req.options, progress, controller.signal);
    await saveModel(req.outDir, trained.model);
    const { model, ...rest } = trained;
    const manifest = model.manifest;
    model.dispose();
    return { ...rest, manifest, threadId };
  } finally {
    if (teacher && "dispose" in teacher) teacher.dispose();
    warm?.dispose();
  }
}

run(workerData as ThreadTrainingRequest).then(
  (result) => send({ type: "done", result }),
  (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: "failed", error: { name: e.name, message: e.message, stack: e.stack } });
  },
);
