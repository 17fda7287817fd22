// The drift decision: each signal is divided by its threshold, the score is the largest ratio, and
// drift is detected when the score exceeds 1 (some signal crossed its threshold). Stored as
// DriftCheck.score with DriftCheck.threshold = 1.
import type { Dataset } from "@/lib/recsys/types";
import { newItemSignal, popularityShift, userActivityShift, type NewItemSignal, type PopularityShift, type UserActivityShift } from "./signals";
import { qualityDecay, type DriftScorer, type QualityDecay } from "./quality";
import { formatShare } from "@/lib/format";

export interface DriftThresholds {
  /** item-popularity JSD (base 2) above which popularity has drifted */
  popularityJsd: number;
  /** share of current interactions on items unseen in the reference */
  newItemShare: number;
  /** |relative change| of mean interactions per active user */
  userActivityChange: number;
  /** relative drop of the production model's sampled HR@10 */
  qualityDrop: number;
}

/**
 * Defaults: a JSD of 0.05 is already a visible reshuffle of the head (resampling the same world gives
 * ~0.01 on 1k×1k synthetic data); a tenth of the traffic on items the model has never seen, a quarter
 * more or less activity per user, or a tenth of HR@10 lost are each worth a retraining.
 */
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  popularityJsd: 0.05,
  newItemShare: 0.1,
  userActivityChange: 0.25,
  qualityDrop: 0.1,
};

export interface CompareOptions {
  thresholds?: Partial<DriftThresholds>;
  /** the production model: adds the quality-decay signal */
  model?: DriftScorer;
  /** negatives sampling seed for both evaluations (default 0) */
  seed?: number;
  /** sampled negatives per user (default 499) */
  negatives?: number;
}

export interface DriftSignals {
  popularity: PopularityShift;
  newItems: NewItemSignal;
  userActivity: UserActivityShift;
  /** only with a model */
  quality: QualityDecay | null;
}

export interface DriftDecision {
  driftDetected: boolean;
  /** max over signals of value / threshold; drift when > threshold */
  score: number;
  threshold: number;
  thresholds: DriftThresholds;
  /** value / threshold per signal (quality: null without a model) */
  ratios: { popularityJsd: number; newItemShare: number; userActivityChange: number; qualityDrop: number | null };
  signals: DriftSignals;
  /** one sentence per signal over its threshold */
  reasons: string[];
}

export function compareSnapshots(reference: Dataset, current: Dataset, opts: CompareOptions = {}): DriftDecision {
  const thresholds = { ...DEFAULT_DRIFT_THRESHOLDS, ...opts.thresholds };
  for (const [k, v] of Object.entries(thresholds)) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`threshold ${k} must be a positive number, got ${v}`);
  }
  const signals: DriftSignals = {
    popularity: popularityShift(reference, current),
    newItems: newItemSignal(reference, current),
    userActivity: userActivityShift(reference, current),
    quality: opts.model ? qualityDecay(reference, current, opts.model, { seed: opts.seed, negatives: opts.negatives }) : null,
  };
  const ratios: DriftDecision["ratios"] = {
    popularityJsd: signals.popularity.jsd / thresholds.popularityJsd,
    newItemShare: signals.newItems.share / thresholds.newItemShare,
    userActivityChange: Math.abs(signals.userActivity.relativeChange) / thresholds.userActivityChange,
    // an improvement (negative drop) is no drift
    qualityDrop: signals.quality ? Math.max(0, signals.quality.relativeDrop) / thresholds.qualityDrop : null,
  };
  const reasons: string[] = [];
  if (ratios.popularityJsd > 1) reasons.push(`item popularity shifted: JSD ${signals.popularity.jsd.toFixed(4)} > ${thresholds.popularityJsd}`);
  if (ratios.newItemShare > 1) {
    reasons.push(
      `${formatShare(signals.newItems.share)} of interactions are on ${signals.newItems.items} items unseen in the reference (> ${formatShare(thresholds.newItemShare)})`,
    );
  }
  if (ratios.userActivityChange > 1) {
    reasons.push(
      `interactions per user changed by ${formatShare(signals.userActivity.relativeChange)} (${signals.userActivity.referenceMeanPerUser.toFixed(1)} → ${signals.userActivity.currentMeanPerUser.toFixed(1)}; limit ±${formatShare(thresholds.userActivityChange)})`,
    );
  }
  if (signals.quality && ratios.qualityDrop !== null && ratios.qualityDrop > 1) {
    const q = signals.quality;
    reasons.push(
      `production HR@10 dropped by ${formatShare(q.relativeDrop)} (${q.reference.hr10.toFixed(4)} → ${q.current.hr10.toFixed(4)}; limit ${formatShare(thresholds.qualityDrop)})`,
    );
  }
  const score = Math.max(...Object.values(ratios).map((r) => r ?? 0));
  const threshold = 1;
  return { driftDetected: score > threshold, score, threshold, thresholds, ratios, signals, reasons };
}
