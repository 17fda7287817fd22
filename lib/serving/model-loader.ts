// Loads a Model row for serving: the weights from its artifact directory (lib/recsys/artifact) and the
// training interactions of its dataset (for exclusion and the popularity fallback), each cached.
import { datasetDirectory } from "@/lib/db/datasets";
import type { ModelSource } from "@/lib/db/serving";
import { loadDataset } from "@/lib/recsys/data/load";
import type { Dataset, ServableModel } from "@/lib/recsys/types";
import { ServingModel } from "./serving-model";

// Datasets are shared by a teacher and its students: read each once per process. A failed read is
// forgotten so the next attempt retries.
const datasets = new Map<string, Promise<Dataset>>();

export type WeightsLoader = (source: ModelSource) => Promise<ServableModel>;

/** the weights of a Model row, from its artifact directory */
export const loadWeightsFromArtifact: WeightsLoader = async (source) => {
  // imported on first load only: route modules stay light to import (next build, cold starts)
  const { loadModel } = await import("@/lib/recsys/artifact");
  return loadModel(source.artifactUri);
};

export async function loadServingModel(source: ModelSource, loadWeights: WeightsLoader = loadWeightsFromArtifact): Promise<ServingModel> {
  const [model, history] = await Promise.all([loadWeights(source), trainingData(source.dataset)]);
  return new ServingModel(source.id, model, history);
}

function trainingData(dataset: ModelSource["dataset"]): Promise<Dataset> {
  let cached = datasets.get(dataset.id);
  if (!cached) {
    cached = Promise.resolve().then(() => {
      // every dataset is stored as a tsv-dir copy (lib/db/datasets.ts); sourcePath is the fallback
      const dir = datasetDirectory(dataset);
      if (!dir) throw new Error(`dataset ${dataset.id} has no stored copy to read its training interactions from`);
      return loadDataset(dir);
    });
    cached.catch(() => datasets.delete(dataset.id));
    datasets.set(dataset.id, cached);
  }
  return cached;
}
