// Loads a Model row for serving: the weights from its artifact directory (lib/recsys/artifact) and the
// training interactions of its dataset (for exclusion and the popularity fallback), each cached.
import { datasetDirectory } from "@/lib/db/datasets";
import type { ModelSource } from "@/lib/db/serving";
import { loadModel } from "@/lib/recsys/artifact";
import { loadDataset } from "@/lib/recsys/data/load";
import type { Dataset } from "@/lib/recsys/types";
import { ServingModel } from "./serving-model";

// Datasets are shared by a teacher and its students: read each once per process. A failed read is
// forgotten so the next attempt retries.
const datasets = new Map<string, Promise<Dataset>>();

export async function loadServingModel(source: ModelSource): Promise<ServingModel> {
  const [model, history] = await Promise.all([loadModel(source.artifactUri), trainingData(source.dataset)]);
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
