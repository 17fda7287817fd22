/**
 * Statistics engine for experiment reports and rollout gates. Pure functions over per-variant
 * sufficient statistics (what one PostgreSQL GROUP BY returns), organised like GrowthBook's gbstats:
 * statistic types → moments → tests (fixed-horizon, sequential), plus SRM, Holm, CUPED and power.
 */
export { StatsInputError } from "./errors";
export {
  lnGamma,
  lnBeta,
  regularizedGammaP,
  regularizedGammaQ,
  regularizedBeta,
  normalPdf,
  normalCdf,
  normalSf,
  normalQuantile,
  studentTPdf,
  studentTCdf,
  studentTSf,
  studentTQuantile,
  chiSquareCdf,
  chiSquareSf,
  chiSquareQuantile,
  noncentralTCdf,
} from "./distributions";
export {
  type ProportionStatistic,
  type SampleMeanStatistic,
  type RatioStatistic,
  type RegressionAdjustedStatistic,
  type SufficientStatistic,
  type Moments,
  proportion,
  sampleMean,
  ratio,
  regressionAdjusted,
  validate,
  sampleVariance,
  sampleCovariance,
  proportionMoments,
  sampleMeanMoments,
  ratioMoments,
  regressionAdjustedMoments,
  moments,
  combine,
} from "./sufficient";
export {
  type DifferenceType,
  type ReferenceDistribution,
  type ComparisonOptions,
  type TestResult,
  type TwoProportionResult,
  checkMoments,
  welchDf,
  effectEstimate,
  compareMoments,
  welchTTest,
  twoProportionZTest,
  ratioTest,
  compare,
} from "./frequentist";
export {
  type SequentialOptions,
  type SequentialResult,
  type AlwaysValidState,
  DEFAULT_SEQUENTIAL_TUNING,
  sequentialRho2,
  msprtLikelihoodRatio,
  confidenceSequenceHalfWidth,
  sequentialCompare,
  accumulateAlwaysValid,
} from "./sequential";
export {
  type Direction,
  type NonInferiorityDecision,
  type NonInferiorityOptions,
  type NonInferiorityResult,
  nonInferiorityDecision,
  sequentialNonInferiority,
} from "./noninferiority";
export { type SrmResult, DEFAULT_SRM_THRESHOLD, sampleRatioMismatch } from "./srm";
export { type HolmResult, type MultipleTestingMethod, holmAdjust, holmBonferroni, benjaminiHochbergAdjust, adjustPValues } from "./multiple";
export { type QuantileStatistic, clusteredEffectiveN, quantileIntervalLevels, quantileMoments, quantileDifferenceTest } from "./quantile";
export { wilsonInterval, newcombeInterval, ratioScoreInterval, fisherExactPValue, needsExactProportionTest } from "./exact";
export { type CupedAdjustment, cupedTheta, cupedAdjust, cupedCompare } from "./cuped";
export {
  type ProportionDesign,
  type MeanDesign,
  type SampleSizeResult,
  type RelativeLiftDesign,
  relativeLiftPower,
  relativeLiftSampleSize,
  relativeLiftMde,
  proportionSampleSize,
  proportionPower,
  meanSampleSize,
  meanPower,
} from "./power";
export {
  type MetricAnalysisOptions,
  type MetricAnalysis,
  type KpiInput,
  type KpiAnalysis,
  type KpiAnalysisOptions,
  analyzeMetric,
  analyzeKpis,
} from "./analysis";
