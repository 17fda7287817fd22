// Where files live (the turbopackIgnore comments keep `next build` from tracing the whole project
// for these runtime paths): DATA_DIR (default ./.data) holds datasets/<id>/ (tsv-dir copies) and, unless
// ARTIFACTS_DIR says otherwise, models/<trainingRunId>/ (weights + manifest.json).
import path from "node:path";

export function dataDir(): string {
  return path.resolve(/* turbopackIgnore: true */ process.env.DATA_DIR ?? ".data");
}

export function artifactsDir(): string {
  return path.resolve(/* turbopackIgnore: true */ process.env.ARTIFACTS_DIR ?? path.join(dataDir(), "models"));
}

/** Stored dataset directory, relative to DATA_DIR (what Dataset.storagePath holds). */
export function datasetStoragePath(datasetId: string): string {
  return path.join("datasets", datasetId);
}

export function resolveStoragePath(storagePath: string): string {
  return path.isAbsolute(storagePath) ? storagePath : path.join(/* turbopackIgnore: true */ dataDir(), storagePath);
}

export function modelArtifactDir(trainingRunId: string): string {
  return path.join(artifactsDir(), trainingRunId);
}
