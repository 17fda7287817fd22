// The work of the distillation-signals job, off the serving path: scores sampled candidate slates with
// the reference model (overlap@10 with its list for the same user and exclusions), and computes the
// user segments of each live experiment's candidate dataset once.
import type { Db } from "@/lib/db/client";
import { modelSources, pendingSlateSamples, recordSlateScores, saveSegmentation, segmentationOf, type SlateScore } from "@/lib/db/distillation-signals";
import type { ModelSource } from "@/lib/db/serving";
import { LIVE_STATUSES } from "@/lib/experiments/statuses";
import { AGREEMENT_K, overlapAtK } from "@/lib/experiments/teacher-agreement";
import { userSegments } from "@/lib/experiments/user-segments";
import { loadServingModel, readDatasetOfRow } from "./model-loader";
import type { ServingModel } from "./serving-model";

export type ModelLoader = (source: ModelSource) => Promise<ServingModel>;

// reference models stay loaded between the job's runs; one no longer referenced is let go
const loaded = new Map<string, Promise<ServingModel>>();

function reference(source: ModelSource, load: ModelLoader): Promise<ServingModel> {
  let model = loaded.get(source.id);
  if (!model) {
    model = load(source);
    model.catch(() => loaded.delete(source.id));
    loaded.set(source.id, model);
  }
  return model;
}

export interface SlateScoringResult {
  scored: number;
  failed: number;
}

/** Scores up to `limit` of the oldest unscored samples. */
export async function scoreSlateSamples(db: Db, options: { limit?: number; load?: ModelLoader } = {}): Promise<SlateScoringResult> {
  const load = options.load ?? ((source: ModelSource) => loadServingModel(source));
  const pending = await pendingSlateSamples(db, options.limit ?? 5000);
  if (pending.length === 0) return { scored: 0, failed: 0 };
  const ids = [...new Set(pending.map((p) => p.referenceModelId).filter((id): id is string => id !== null))];
  const sources = new Map((await modelSources(db, ids)).map((s) => [s.id, s]));
  const models = new Map<string, ServingModel | Error>();
  for (const id of ids) {
    const source = sources.get(id);
    try {
      if (!source) throw new Error(`model ${id} does not exist`);
      models.set(id, await reference(source, load));
    } catch (error) {
      models.set(id, error instanceof Error ? error : new Error(String(error)));
    }
  }
  for (const id of loaded.keys()) if (!models.has(id)) loaded.delete(id);

  const scores: SlateScore[] = [];
  for (const p of pending) {
    const model = p.referenceModelId ? models.get(p.referenceModelId) : undefined;
    if (!model || model instanceof Error) {
      const error = model ? `reference model failed to load: ${model.message}` : "the experiment has no teacher or control model";
      scores.push({ requestId: p.requestId, referenceModelId: p.referenceModelId, agreement: null, error });
      continue;
    }
    try {
      const list = await model.recommend(p.userId, Math.min(AGREEMENT_K, p.items.length), p.exclude);
      scores.push({
        requestId: p.requestId,
        referenceModelId: p.referenceModelId,
        agreement: overlapAtK(
          p.items,
          list.items.map((i) => i.itemId),
        ),
        error: null,
      });
    } catch (error) {
      scores.push({
        requestId: p.requestId,
        referenceModelId: p.referenceModelId,
        agreement: null,
        error: `scoring failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  await recordSlateScores(db, scores);
  return { scored: scores.filter((s) => s.agreement !== null).length, failed: scores.filter((s) => s.agreement === null).length };
}

/** Computes the user segments of every live experiment's candidate dataset that has none yet. */
export async function segmentLiveDatasets(db: Db): Promise<{ computed: string[]; failed: { datasetId: string; error: string }[] }> {
  const live = await db.variant.findMany({
    where: { key: "candidate", experiment: { status: { in: [...LIVE_STATUSES] } } },
    select: { model: { select: { dataset: { select: { id: true, name: true, source: true, sourcePath: true, storagePath: true } } } } },
  });
  const datasets = new Map(live.map((v) => [v.model.dataset.id, v.model.dataset]));
  const computed: string[] = [];
  const failed: { datasetId: string; error: string }[] = [];
  for (const [id, dataset] of datasets) {
    if (await segmentationOf(db, id)) continue;
    try {
      await saveSegmentation(db, id, userSegments(await readDatasetOfRow(dataset)));
      computed.push(id);
    } catch (error) {
      failed.push({ datasetId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { computed, failed };
}
