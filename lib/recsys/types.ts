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
