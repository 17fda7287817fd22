// Shared contracts of lib/recsys: datasets in dense-index form, and anything that scores items.
// Framework-free: nothing under lib/recsys imports Next or Prisma.

/** Implicit-feedback data after id mapping and the leave-one-out split. */
export interface Dataset {
  name: string;
  numUsers: number;
  numItems: number;
  /** external id of each dense user index */
  userIds: string[];
  /** external id of each dense item index */
  itemIds: string[];
  /** training items of each user: dense item indices, sorted ascending, unique */
  trainByUser: Int32Array[];
  /** held-out validation item per user (dense index), -1 when the user has none */
  valid: Int32Array;
  /** held-out test item per user (dense index), -1 when the user has none */
  test: Int32Array;
  /** where it came from, for manifests and the database row */
  source: { kind: "tsv-dir" | "movielens" | "csv" | "synthetic"; path?: string; params?: Record<string, unknown> };
}

/** Anything that can score the whole catalogue for one user (a trained model, a baseline). */
export interface Scorer {
  readonly numUsers: number;
  readonly numItems: number;
  /** writes the score of every item for dense user `user` into `out` (length numItems) */
  scoreUser(user: number, out: Float32Array): void;
}

/** Progress callback used by long operations (CLI progress bars, job progress). */
export type ProgressFn = (fraction: number, message: string) => void;

/** manifest.json of a saved model directory (weights beside it). */
export interface ModelManifest {
  format: "understudy-model";
  version: 1;
  architecture: "bpr-mf";
  role: "teacher" | "student";
  dimension: number;
  numUsers: number;
  numItems: number;
  parameterCount: number;
  sizeBytes: number;
  /** distillation method for students: none | de | rrd | de-rrd | rd */
  method: string | null;
  datasetName: string;
  trainingConfig: Record<string, unknown>;
  metrics: Record<string, unknown>;
  createdAt: string;
}

/** A trained model ready to answer requests in external ids (what serving and evaluation load). */
export interface ServableModel extends Scorer {
  readonly manifest: ModelManifest;
  /** dense index of an external user id, undefined when unknown */
  userIndex(externalId: string): number | undefined;
  itemIndex(externalId: string): number | undefined;
  /** external ids by dense index */
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** top-k dense item indices with scores for a dense user, skipping `exclude` (dense item indices) */
  recommend(user: number, k: number, exclude?: ReadonlySet<number>): { item: number; score: number }[];
}
