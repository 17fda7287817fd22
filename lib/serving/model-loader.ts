// Loads a Model row for serving: the weights from its artifact directory (lib/recsys/artifact) and the
// training interactions of its dataset (for exclusion and the popularity fallback), each cached.
import { readStoredTsvDir } from "@/lib/db/datasets";
import type { DatasetSource, ModelSource } from "@/lib/db/serving";
import { resolveStoragePath } from "@/lib/db/storage";
import { loadDataset } from "@/lib/recsys/data/load";
import type { Dataset, ServableModel } from "@/lib/recsys/types";
import type { ScoringEngine } from "@/lib/recsys/models/servable";
import { maxBatch, ServingModel } from "./serving-model";

// Datasets are shared by a teacher and its students: read each once per process. A failed read is
// forgotten so the next attempt retries.
const datasets = new Map<string, Promise<Dataset>>();

export type WeightsLoader = (source: ModelSource) => Promise<ServableModel>;

/** UNDERSTUDY_SCORER: "kernel" (default, the wasm SIMD kernel) or "tfjs" (one tfjs matmul per batch) */
export function servingEngine(): ScoringEngine {
  const raw = process.env.UNDERSTUDY_SCORER ?? "kernel";
  if (raw !== "kernel" && raw !== "tfjs") throw new Error(`UNDERSTUDY_SCORER must be kernel or tfjs, got "${raw}"`);
  return raw;
}

/** the weights of a Model row, from its artifact directory, ready to score batches of maxBatch() users */
export const loadWeightsFromArtifact: WeightsLoader = async (source) => {
  // imported on first load only: route modules stay light to import (next build, cold starts)
  const { loadModel } = await import("@/lib/recsys/artifact");
  const model = await loadModel(source.artifactUri, { accelerate: false });
  return model.accelerate(servingEngine(), maxBatch());
};

export async function loadServingModel(source: ModelSource, loadWeights: WeightsLoader = loadWeightsFromArtifact): Promise<ServingModel> {
  const [model, history] = await Promise.all([loadWeights(source), trainingData(source.dataset)]);
  const serving = new ServingModel(source.id, model, history);
  serving.warmUp();
  return serving;
}

function trainingData(dataset: DatasetSource): Promise<Dataset> {
  let cached = datasets.get(dataset.id);
  if (!cached) {
    cached = readDatasetOfRow(dataset);
    cached.catch(() => datasets.delete(dataset.id));
    datasets.set(dataset.id, cached);
  }
  return cached;
}

/** The interactions of a Dataset row: our stored copy (same ids as at training), else its source. */
export async function readDatasetOfRow(dataset: DatasetSource): Promise<Dataset> {
  if (dataset.storagePath) return readStoredTsvDir(resolveStoragePath(dataset.storagePath), dataset.name);
  if (dataset.sourcePath) return loadDataset(dataset.sourcePath);
  throw new Error(`dataset ${dataset.id} (${dataset.name}) has neither a stored copy nor a source path to read its interactions from`);
}
