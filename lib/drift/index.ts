// Drift detection between dataset snapshots (pure logic; lib/db/drift.ts stores and acts on it).
export { compareSnapshots, DEFAULT_DRIFT_THRESHOLDS, type CompareOptions, type DriftDecision, type DriftSignals, type DriftThresholds } from "./compare";
export { jensenShannon, itemCountsById, newItemSignal, popularityShift, userActivityShift } from "./signals";
export { projectOntoModel, qualityDecay, splitQuality, type DriftScorer, type QualityDecay, type SplitQuality } from "./quality";
