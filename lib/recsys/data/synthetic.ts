// Synthetic implicit feedback, deterministic by seed: users and items drawn around latent cluster
// centres, power-law item popularity, a minority of niche users who live in the long tail of their
// cluster, and a drift mode producing a later snapshot of the same world (tastes move to another
// cluster, popularity reshuffles, new items appear). Used by the demo, the tests and drift checks.
import type { Dataset } from "../types";
import { Rng } from "../random";
import { topK } from "../topk";
import { DatasetError } from "./errors";
import { MIN_ITEMS_FOR_HOLDOUT } from "./split";

export interface SyntheticDrift {
  /** how far the world has moved, 0 (not at all) .. 1 (tastes and popularity fully shifted) */
  phase: number;
  /** new items appended to the catalogue, as a fraction of numItems (default 0.1); they become popular as phase grows */
  newItemFraction?: number;
}

export interface SyntheticOptions {
  seed?: number;
  numUsers?: number;
  numItems?: number;
  numClusters?: number;
  /** mean interactions per user (each user gets between 5 and 3× this) */
  interactionsPerUser?: number;
  /** share of users with niche tastes (long-tail items of their cluster) */
  nicheUserFraction?: number;
  /** Zipf exponent of item popularity: weight ∝ 1/(rank+1)^exponent */
  popularityExponent?: number;
  /** weight of the user–item cosine (in nats, against log-popularity): higher = more personal, less popularity-driven */
  affinity?: number;
  /** latent dimension of the generating factors */
  latentDim?: number;
  drift?: SyntheticDrift;
}

export const SYNTHETIC_DEFAULTS = {
  seed: 0,
  numUsers: 600,
  numItems: 1000,
  numClusters: 24,
  interactionsPerUser: 30,
  nicheUserFraction: 0.15,
  popularityExponent: 1,
  affinity: 6,
  latentDim: 48,
} as const;

/** share of the most popular items that niche users avoid (matches the evaluation's head share) */
const HEAD_SHARE = 0.2;
/** log-weight penalty of head items for niche users */
const NICHE_HEAD_PENALTY = 5;

function checkOptions(o: Required<Omit<SyntheticOptions, "drift">>, drift: SyntheticDrift | undefined): void {
  const positiveInt = (name: string, v: number, min = 1) => {
    if (!Number.isInteger(v) || v < min) throw new DatasetError(`synthetic: ${name} must be an integer >= ${min}, got ${v}`);
  };
  positiveInt("numUsers", o.numUsers);
  positiveInt("numItems", o.numItems, 10);
  positiveInt("numClusters", o.numClusters);
  positiveInt("latentDim", o.latentDim);
  if (o.numClusters > o.numItems) throw new DatasetError(`synthetic: numClusters (${o.numClusters}) exceeds numItems (${o.numItems})`);
  if (!(o.interactionsPerUser >= MIN_ITEMS_FOR_HOLDOUT && o.interactionsPerUser <= o.numItems / 2)) {
    throw new DatasetError(`synthetic: interactionsPerUser must be between ${MIN_ITEMS_FOR_HOLDOUT} and numItems/2, got ${o.interactionsPerUser}`);
  }
  if (!(o.nicheUserFraction >= 0 && o.nicheUserFraction <= 1))
    throw new DatasetError(`synthetic: nicheUserFraction must be in [0, 1], got ${o.nicheUserFraction}`);
  if (!(o.popularityExponent >= 0 && o.popularityExponent <= 5))
    throw new DatasetError(`synthetic: popularityExponent must be in [0, 5], got ${o.popularityExponent}`);
  if (!(o.affinity >= 0 && Number.isFinite(o.affinity))) throw new DatasetError(`synthetic: affinity must be >= 0, got ${o.affinity}`);
  if (drift !== undefined) {
    if (!(drift.phase >= 0 && drift.phase <= 1)) throw new DatasetError(`synthetic: drift.phase must be in [0, 1], got ${drift.phase}`);
    const f = drift.newItemFraction ?? 0.1;
    if (!(f >= 0 && f <= 1)) throw new DatasetError(`synthetic: drift.newItemFraction must be in [0, 1], got ${f}`);
  }
}

function unitVector(rng: Rng, d: number): Float64Array {
  const v = new Float64Array(d);
  let n = 0;
  for (let j = 0; j < d; j++) n += (v[j] = rng.normal()) ** 2;
  n = Math.sqrt(n) || 1;
  for (let j = 0; j < d; j++) v[j] /= n;
  return v;
}

/** a vector near `centre` (unit-normalised): centre + noise·(random unit direction) */
function around(rng: Rng, centre: Float64Array, noise: number): Float64Array {
  const dir = unitVector(rng, centre.length);
  const v = new Float64Array(centre.length);
  let n = 0;
  for (let j = 0; j < v.length; j++) n += (v[j] = centre[j] + noise * dir[j]) ** 2;
  n = Math.sqrt(n) || 1;
  for (let j = 0; j < v.length; j++) v[j] /= n;
  return v;
}

export function generateSynthetic(options: SyntheticOptions = {}): Dataset {
  const { drift, ...rest } = options;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<SyntheticOptions, "drift">;
  const o = { ...SYNTHETIC_DEFAULTS, ...given } as Required<Omit<SyntheticOptions, "drift">>;
  // defaults that must fit a small catalogue scale down with it (explicit values are validated as given)
  if (given.numClusters === undefined) o.numClusters = Math.max(1, Math.min(SYNTHETIC_DEFAULTS.numClusters, Math.floor(o.numItems / 10)));
  if (given.interactionsPerUser === undefined) {
    o.interactionsPerUser = Math.max(3, Math.min(SYNTHETIC_DEFAULTS.interactionsPerUser, Math.floor(o.numItems / 4)));
  }
  checkOptions(o, drift);
  const { numUsers, numItems, numClusters: K, latentDim: D } = o;
  const phase = drift?.phase ?? 0;
  const numNew = drift === undefined ? 0 : Math.round((drift.newItemFraction ?? 0.1) * numItems);
  const catalogue = numItems + numNew;

  // Independent streams, forked in a fixed order, so the base world is identical with or without drift.
  const root = new Rng(o.seed);
  const worldRng = root.fork();
  const interactionRng = root.fork();
  const driftRng = root.fork();

  // --- the base world ---
  const centres = Array.from({ length: K }, () => unitVector(worldRng, D));
  const itemCluster = new Int32Array(catalogue);
  const itemVec: Float64Array[] = new Array(catalogue);
  for (let i = 0; i < numItems; i++) {
    itemCluster[i] = worldRng.int(K);
    itemVec[i] = around(worldRng, centres[itemCluster[i]], 0.6);
  }
  // popularity: a random rank per item, Zipf weight 1/(rank+1)^exponent, in log space
  const popRank = worldRng.shuffle(Int32Array.from({ length: numItems }, (_, r) => r));
  const logPop = new Float64Array(catalogue);
  for (let i = 0; i < numItems; i++) logPop[i] = -o.popularityExponent * Math.log(popRank[i] + 1);
  const headCut = Math.ceil(HEAD_SHARE * numItems);

  const userCluster = new Int32Array(numUsers);
  const userVec: Float64Array[] = new Array(numUsers);
  const niche = new Uint8Array(numUsers);
  const count = new Int32Array(numUsers);
  const maxPerUser = Math.min(Math.floor(catalogue / 2), 3 * o.interactionsPerUser);
  for (let u = 0; u < numUsers; u++) {
    userCluster[u] = worldRng.int(K);
    userVec[u] = around(worldRng, centres[userCluster[u]], 0.5);
    niche[u] = worldRng.next() < o.nicheUserFraction ? 1 : 0;
    // log-normal activity around the mean
    const n = Math.round(o.interactionsPerUser * Math.exp(0.6 * worldRng.normal() - 0.18));
    count[u] = Math.max(5, Math.min(maxPerUser, n));
  }

  // --- the drifted world: the same users and items in a later period ---
  if (drift !== undefined) {
    // tastes move toward another cluster: a fixed derangement-like shift of cluster ids
    const clusterShift = 1 + driftRng.int(Math.max(1, K - 1));
    for (let u = 0; u < numUsers && phase > 0; u++) {
      const target = centres[(userCluster[u] + clusterShift) % K];
      const v = new Float64Array(D);
      let n = 0;
      for (let j = 0; j < D; j++) n += (v[j] = (1 - phase) * userVec[u][j] + phase * target[j]) ** 2;
      n = Math.sqrt(n) || 1;
      for (let j = 0; j < D; j++) v[j] /= n;
      userVec[u] = v;
    }
    // popularity reshuffles: interpolate log-popularity toward a second random ranking
    const newRank = driftRng.shuffle(Int32Array.from({ length: numItems }, (_, r) => r));
    for (let i = 0; i < numItems && phase > 0; i++) {
      logPop[i] = (1 - phase) * logPop[i] - phase * o.popularityExponent * Math.log(newRank[i] + 1);
    }
    // new items: in random clusters, trending (high popularity) but absent at phase 0
    for (let i = numItems; i < catalogue; i++) {
      itemCluster[i] = driftRng.int(K);
      itemVec[i] = around(driftRng, centres[itemCluster[i]], 0.6);
      const rank = driftRng.int(Math.max(1, headCut));
      logPop[i] = phase > 0 ? -o.popularityExponent * Math.log(rank + 1) + Math.log(phase) : -Infinity;
    }
  }
  // the head by current popularity (niche users avoid it)
  const isHead = new Uint8Array(catalogue);
  const headOrder = topK(Float32Array.from(logPop), headCut);
  for (let r = 0; r < headOrder.length; r++) isHead[headOrder[r]] = 1;
  // niche users ignore popularity except to avoid the head (and items that do not exist yet)
  const nichePop = Float64Array.from(logPop, (l, i) => (l === -Infinity ? -Infinity : -NICHE_HEAD_PENALTY * isHead[i]));

  // --- interactions: per user, a sample without replacement ∝ exp(score) via Gumbel top-k ---
  const trainByUser: Int32Array[] = new Array(numUsers);
  const valid = new Int32Array(numUsers).fill(-1);
  const test = new Int32Array(numUsers).fill(-1);
  const keys = new Float32Array(catalogue);
  for (let u = 0; u < numUsers; u++) {
    // separate streams for the choice and the time order, so new items (extra draws) leave the order alone
    const urng = interactionRng.fork();
    const trng = interactionRng.fork();
    const uv = userVec[u];
    for (let i = 0; i < catalogue; i++) {
      const v = itemVec[i];
      let dot = 0;
      for (let j = 0; j < D; j++) dot += uv[j] * v[j];
      const pop = niche[u] ? nichePop[i] : logPop[i];
      keys[i] = o.affinity * dot + pop + urng.gumbel();
    }
    const picked = topK(keys, count[u]);
    // generated time order: a random order of the picked items; the last two are held out
    trng.shuffle(picked);
    const n = picked.length;
    if (n >= MIN_ITEMS_FOR_HOLDOUT) {
      test[u] = picked[n - 1];
      valid[u] = picked[n - 2];
      trainByUser[u] = picked.slice(0, n - 2).sort();
    } else {
      trainByUser[u] = picked.slice().sort();
    }
  }

  return {
    name: drift === undefined ? `synthetic-s${o.seed}` : `synthetic-s${o.seed}-drift${phase}`,
    numUsers,
    numItems: catalogue,
    userIds: Array.from({ length: numUsers }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: catalogue }, (_, i) => `i${i}`),
    trainByUser,
    valid,
    test,
    source: { kind: "synthetic", params: { ...o, ...(drift === undefined ? {} : { drift: { phase, newItemFraction: drift.newItemFraction ?? 0.1 } }) } },
  };
}
