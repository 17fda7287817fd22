// Evaluation: leave-one-out metrics, agreement between models, scoring latency.
export { evaluate, evaluatePlan, type EvalResult, type EvaluateOptions } from "./evaluate";
export { buildEvalPlan, cachedEvalPlan, headItems, type EvalPlan, type EvalPlanOptions, type EvalSplit } from "./plan";
export { agreement, scoringLatency, type AgreementOptions, type Latency, type LatencyOptions } from "./agreement";
export { hitAt, ndcgAt, mrrAt, sampledMetrics, fullMetrics } from "./metrics";
export { forEachUserScores, isBatchScorer, isCandidateScorer, type BatchScorer, type CandidateScorer } from "./scoring";
export { asDeployed, runOfflineGate, DEFAULT_GATE, type GateCheck, type GateKey, type GateResult, type OfflineGateSettings } from "./gate";
