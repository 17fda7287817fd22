// Teacher–student agreement and serving latency: how alike two models' lists are, and how fast one answers.
import type { Dataset, ProgressFn, Scorer } from "../types";
import { Rng } from "../random";
import { topK } from "../topk";
import { forEachUserScores } from "./scoring";

export interface AgreementOptions {
  /** users to compare (default: every user) */
  users?: Int32Array;
  progress?: ProgressFn;
}

/** mean |topk(a) ∩ topk(b)| / k over users, each user's training items excluded from both lists */
export function agreement(a: Scorer, b: Scorer, ds: Dataset, k = 10, opts: AgreementOptions = {}): number {
  if (a.numItems !== ds.numItems || b.numItems !== ds.numItems) throw new RangeError(`scorers and dataset ${ds.name} disagree on the number of items`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const users = opts.users ?? Int32Array.from({ length: ds.numUsers }, (_, u) => u);
  if (users.length === 0) return 0;
  // all of a's lists first, then b's, so batch scorers can score blocks of users
  const listsA = new Int32Array(users.length * k).fill(-1);
  forEachUserScores(
    a,
    users,
    (u, scores, p) => listsA.set(topK(scores, k, ds.trainByUser[u]), p * k),
    opts.progress && ((f, m) => opts.progress!(f / 2, `agreement: ${m}`)),
  );
  const mark = new Int32Array(ds.numItems).fill(-1);
  let total = 0;
  forEachUserScores(
    b,
    users,
    (u, scores, p) => {
      for (let j = p * k; j < (p + 1) * k; j++) if (listsA[j] >= 0) mark[listsA[j]] = p;
      const tb = topK(scores, k, ds.trainByUser[u]);
      let overlap = 0;
      for (let j = 0; j < tb.length; j++) if (mark[tb[j]] === p) overlap++;
      total += overlap / k;
    },
    opts.progress && ((f, m) => opts.progress!(0.5 + f / 2, `agreement: ${m}`)),
  );
  return total / users.length;
}

export interface LatencyOptions {
  /** users timed (default 200, drawn by seed) */
  users?: number;
  /** list length (default 20) */
  k?: number;
  seed?: number;
  /** untimed warm-up calls (default 20), and at least WARMUP_MS of them unless 0 */
  warmup?: number;
}

/** least warm-up time unless warm-up is turned off (warmup: 0) */
const WARMUP_MS = 50;
/** the timed calls fall into this many rounds for the CPU figure */
const CPU_ROUNDS = 10;

export interface Latency {
  /** wall-clock percentiles of one call: what a caller waits */
  p50us: number;
  p99us: number;
  /** wall-clock mean: inflated by any call the OS descheduled, so never a cost figure */
  meanUs: number;
  /** CPU µs per call of the scoring thread (bounded by wall and process CPU time; cheapest round): what a request costs */
  cpuMeanUs: number;
  samples: number;
}

/**
 * Microseconds to score the full catalogue for one user and take its top-k (training items excluded):
 * wall-clock percentiles per call, and the mean CPU time per call.
 */
export function scoringLatency(scorer: Scorer, ds: Dataset, opts: LatencyOptions = {}): Latency {
  const count = opts.users ?? 200;
  const k = opts.k ?? 20;
  const rng = new Rng(opts.seed ?? 0);
  if (ds.numUsers === 0) throw new RangeError(`dataset ${ds.name} has no users`);
  const scores = new Float32Array(scorer.numItems);
  const once = (u: number) => {
    scorer.scoreUser(u, scores);
    return topK(scores, k, ds.trainByUser[u]);
  };
  // warm-up until the compiler has settled: a number of calls, and a minimum time
  const warmUntil = process.hrtime.bigint() + BigInt(opts.warmup === 0 ? 0 : WARMUP_MS * 1e6);
  for (let w = 0; w < (opts.warmup ?? 20) || process.hrtime.bigint() < warmUntil; w++) once(rng.int(ds.numUsers));
  const times = new Float64Array(count);
  // The scoring thread's CPU time is below both a round's wall time (which also counts time the OS
  // gave the core to someone else) and the process's CPU time (which also counts the compiler's and
  // the collector's threads): the tighter of the two, from the cheapest round, since noise only adds.
  let cpuMeanUs = count > 0 ? Infinity : 0;
  const rounds = Math.min(CPU_ROUNDS, count);
  for (let r = 0, s = 0; r < rounds; r++) {
    const end = Math.round(((r + 1) * count) / rounds);
    const calls = end - s;
    const cpu0 = process.cpuUsage();
    const round0 = process.hrtime.bigint();
    for (; s < end; s++) {
      const u = rng.int(ds.numUsers);
      const t0 = process.hrtime.bigint();
      once(u);
      times[s] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const wallUs = Number(process.hrtime.bigint() - round0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    cpuMeanUs = Math.min(cpuMeanUs, Math.min(wallUs, cpu.user + cpu.system) / calls);
  }
  times.sort();
  const pick = (q: number) => times[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))];
  let sum = 0;
  for (const t of times) sum += t;
  return {
    p50us: pick(0.5),
    p99us: pick(0.99),
    meanUs: count === 0 ? 0 : sum / count,
    cpuMeanUs,
    samples: count,
  };
}
