// Datasets: loading, ids, summary numbers, the synthetic generator and the popularity baseline.
export { DatasetError } from "./errors";
export { loadDataset, detectFormat, type DatasetFormat, type LoadDatasetOptions } from "./load";
export { loadTsvDir, writeTsvDir, EXTERNAL_IDS_FILE, type TsvDirOptions } from "./tsv-dir";
export { loadMovieLens, loadInteractionsCsv, type MovieLensOptions, type InteractionsCsvOptions } from "./csv";
export { idMaps, userIndexOf, itemIndexOf, userIdOf, itemIdOf, type IdMaps } from "./ids";
export { datasetStats, contentHash, itemTrainCounts, gini, type DatasetStats } from "./stats";
export { popularityScorer } from "./popularity";
export { generateSynthetic, SYNTHETIC_DEFAULTS, type SyntheticOptions, type SyntheticDrift } from "./synthetic";
export { MIN_ITEMS_FOR_HOLDOUT } from "./split";
export { splitInteractions, dedupeInteractions, InteractionColumns, SPLIT_KINDS, type SplitSpec, type SplitResult, type DedupedInteractions } from "./split";
export { readInteractionsTsv, writeInteractionsTsv, INTERACTIONS_FILE } from "./interactions-tsv";
export { previewImport, runImport, resolveInput, defaultSplit, type ImportFormat, type ImportOptions, type ImportPreview, type ImportedData } from "./import";
export { interactionsFromDataset } from "./interactions-tsv";
