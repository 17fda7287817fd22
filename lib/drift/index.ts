// Drift detection between dataset snapshots (pure logic; lib/services/drift.ts stores and acts on it).
export { compareSnapshots, DEFAULT_DRIFT_THRESHOLDS, type CompareOptions, type DriftDecision, type DriftSignals, type DriftThresholds } from "./compare";
export { jensenShannon, itemCountsById, newItemSignal, popularityShift, userActivityShift } from "./signals";
export { projectOntoModel, qualityDecay, splitQuality, type DriftScorer, type QualityDecay, type SplitQuality } from "./quality";
export {
  DEFAULT_LIVE_THRESHOLDS,
  LIVE_SIGNAL_KEYS,
  LIVE_SIGNAL_LABELS,
  liveDriftDecision,
  popularityBins,
  psi,
  type LiveDriftDecision,
  type LiveDriftThresholds,
  type LiveSignal,
  type LiveSignalKey,
} from "./live";
