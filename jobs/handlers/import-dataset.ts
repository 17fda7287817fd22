// Imports an uploaded or server-side interaction file as a dataset (lib/db/imports). A bad file or path
// fails at once (nothing stored); the same content imported again returns the existing dataset.
import type { ImportDatasetInput } from "@/lib/jobs/definitions";
import { PermanentJobError, type JobContext } from "../context";

export async function importDataset(
  input: ImportDatasetInput,
  ctx: JobContext,
): Promise<{ datasetId: string; snapshot: string; duplicate: boolean; counts: Record<string, number> }> {
  const { importDataset: run, ImportPathError } = await import("@/lib/db/imports");
  const { DatasetError } = await import("@/lib/recsys/data/errors");
  const { name, source, ...options } = input;
  ctx.progress(1, "starting");
  try {
    const r = await run(
      { name, source, options },
      { db: ctx.db, workKey: ctx.jobRunId, progress: (p, m) => ctx.progress(p, m), log: (m) => ctx.log(m), signal: ctx.signal },
    );
    return { datasetId: r.dataset.id, snapshot: r.dataset.snapshot, duplicate: r.duplicate, counts: r.counts };
  } catch (err) {
    if (err instanceof DatasetError || err instanceof ImportPathError) throw new PermanentJobError(err.message);
    throw err;
  }
}
