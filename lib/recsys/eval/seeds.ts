// Results over several training seeds: mean ± standard deviation of each metric, and paired per-user
// comparisons of two models pooled over the seeds. Each user's difference is first averaged over the seeds
// (the same evaluation users and negatives in every seed), so a user counts once and the interval is a
// t-interval over users: it covers the training seeds' variation as far as it shows in those averages.
import { studentTQuantile, studentTSf } from "../../stats/distributions";

export interface Spread {
  mean: number;
  /** sample standard deviation (n − 1); null with one value */
  sd: number | null;
  values: number[];
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) throw new RangeError("spread of no values");
  const mean = values.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, values: [...values] };
}

/** per key of the runs' metric records (keys missing or not finite in a run are skipped for that run, keys with no value left out) */
export function spreadOfRuns(runs: readonly Record<string, number>[]): Record<string, Spread> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  const values = keys.map((k) => [k, runs.map((r) => r[k]).filter((x) => x !== undefined && Number.isFinite(x))] as const);
  return Object.fromEntries(values.filter(([, xs]) => xs.length > 0).map(([k, xs]) => [k, spread(xs)]));
}

export interface PairedComparison {
  users: number;
  seeds: number;
  /** mean over users of (a − b), each user's difference averaged over the seeds */
  meanDiff: number;
  /** standard error of meanDiff */
  se: number;
  /** two-sided (1 − alpha) t-interval of meanDiff */
  ci: [number, number];
  alpha: number;
  /** two-sided p-value of meanDiff = 0 */
  pValue: number;
}

/**
 * a[s][p] and b[s][p]: per-user metric of two models trained with seed s, for the same evaluation users p
 * in the same order in every seed.
 */
export function pairedOverSeeds(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[], alpha = 0.05): PairedComparison {
  const seeds = a.length;
  if (seeds === 0 || b.length !== seeds) throw new RangeError(`paired comparison needs the same seeds on both sides, got ${a.length} and ${b.length}`);
  const n = a[0].length;
  for (let s = 0; s < seeds; s++) {
    if (a[s].length !== n || b[s].length !== n) throw new RangeError(`seed ${s}: ${a[s].length} and ${b[s].length} users, expected ${n} on both sides`);
  }
  if (n < 2) throw new RangeError(`paired comparison needs at least 2 users, got ${n}`);
  const d = new Float64Array(n);
  for (let s = 0; s < seeds; s++) for (let p = 0; p < n; p++) d[p] += (a[s][p] - b[s][p]) / seeds;
  let mean = 0;
  for (let p = 0; p < n; p++) mean += d[p];
  mean /= n;
  let ss = 0;
  for (let p = 0; p < n; p++) ss += (d[p] - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  const t = studentTQuantile(1 - alpha / 2, n - 1);
  const pValue = se === 0 ? (mean === 0 ? 1 : 0) : Math.min(1, 2 * studentTSf(Math.abs(mean / se), n - 1));
  return { users: n, seeds, meanDiff: mean, se, ci: [mean - t * se, mean + t * se], alpha, pValue };
}
