// Offline comparison of a teacher and other models on one evaluation plan: every model ranks the same
// held-out items among the same sampled negatives, so differences are the models' and not the draw's.
// Adds what one model's evaluation lacks: activity segments (cold and heavy users), agreement with the
// teacher's lists, and scoring latency / single-core throughput measured here.
import type { Dataset, ProgressFn, Scorer } from "../types";
import { evaluatePlan, type EvalResult } from "./evaluate";
import { agreement, scoringLatency, type Latency } from "./agreement";
import { sampledMetrics } from "./metrics";
import { buildEvalPlan, type EvalPlan, type EvalSplit } from "./plan";

export interface CompareOptions {
  split: EvalSplit;
  negatives?: number;
  seed?: number;
  /** users with at most this many training interactions are "cold" (default 5) */
  coldMaxInteractions?: number;
  /** the most active share of evaluated users is "heavy" (default 0.1) */
  heavyShare?: number;
  /** users timed for latency (default 200) */
  latencyUsers?: number;
  /** users whose top-10 lists are compared with the teacher's (default: every evaluated user, at most 2,000) */
  agreementUsers?: number;
}

export interface SegmentMetrics {
  users: number;
  /** sampled H/N/M @5/10/20 over the segment's users */
  metrics: Record<string, number>;
}

export interface ComparedMetrics {
  sampled: Record<string, number>;
  full: Record<string, number>;
  longTail: Record<string, number>;
  longTailUsers: number;
  segments: { cold: SegmentMetrics; heavy: SegmentMetrics };
  coverage10: number;
  /** mean overlap of the top-10 lists with the teacher's (1 for the teacher itself) */
  agreement10: number;
  latency: Latency;
  /** users scored per second on one core (full catalogue + top-20), from the mean CPU time per call */
  throughputUsersPerSec: number;
  users: number;
  seconds: number;
}

export interface ComparisonProtocol {
  split: EvalSplit;
  negatives: number;
  seed: number;
  headShare: number;
  coldMaxInteractions: number;
  heavyShare: number;
  /** training interactions at or above which a user is heavy */
  heavyMinInteractions: number;
  latencyUsers: number;
  agreementUsers: number;
  cutoffs: number[];
}

export interface ComparedModel {
  id: string;
  scorer: Scorer;
}

const CUTOFFS = [5, 10, 20];

/** positions of the plan's users that are cold (≤ coldMax training items) and heavy (top heavyShare by activity) */
export function activitySegments(ds: Dataset, plan: EvalPlan, coldMax: number, heavyShare: number): { cold: Int32Array; heavy: Int32Array; heavyMin: number } {
  const counts = Array.from(plan.users, (u) => ds.trainByUser[u].length);
  const sorted = [...counts].sort((a, b) => b - a);
  const heavyCount = Math.max(1, Math.ceil(heavyShare * counts.length));
  const heavyMin = sorted.length === 0 ? Infinity : sorted[Math.min(heavyCount, sorted.length) - 1];
  const cold: number[] = [];
  const heavy: number[] = [];
  counts.forEach((c, p) => {
    if (c <= coldMax) cold.push(p);
    if (c >= heavyMin && c > coldMax) heavy.push(p);
  });
  return { cold: Int32Array.from(cold), heavy: Int32Array.from(heavy), heavyMin };
}

function segment(ranks: Int32Array, positions: Int32Array): SegmentMetrics {
  return {
    users: positions.length,
    metrics: sampledMetrics(
      Int32Array.from(positions, (p) => ranks[p]),
      CUTOFFS,
    ),
  };
}

/**
 * Evaluates the teacher and every other model on one plan. Models must cover the dataset's users and
 * items (trained on it). Returns metrics by model id, the teacher's included, and the protocol used.
 */
export function compareModels(
  teacher: ComparedModel,
  others: ComparedModel[],
  ds: Dataset,
  opts: CompareOptions,
  progress?: ProgressFn,
): { protocol: ComparisonProtocol; results: Map<string, ComparedMetrics> } {
  const coldMax = opts.coldMaxInteractions ?? 5;
  const heavyShare = opts.heavyShare ?? 0.1;
  if (!(heavyShare > 0 && heavyShare < 1)) throw new RangeError(`heavyShare must be in (0, 1), got ${heavyShare}`);
  const plan = buildEvalPlan(ds, { split: opts.split, negatives: opts.negatives, seed: opts.seed });
  const seg = activitySegments(ds, plan, coldMax, heavyShare);
  const agreementCount = Math.min(opts.agreementUsers ?? 2000, plan.users.length);
  // an even spread of evaluated users, the same for every model
  const agreementUsers = Int32Array.from({ length: agreementCount }, (_, j) => plan.users[Math.floor((j * plan.users.length) / agreementCount)]);
  const latencyUsers = opts.latencyUsers ?? 200;
  const models = [teacher, ...others];
  const results = new Map<string, ComparedMetrics>();
  models.forEach((m, index) => {
    const share = (f: number, msg: string) => progress?.((index + f) / models.length, `model ${index + 1}/${models.length}: ${msg}`);
    const r: EvalResult = evaluatePlan(m.scorer, plan, { cutoffs: CUTOFFS, full: true, fullCutoffs: [20], coverageK: 10, keepRanks: true }, (f, msg) =>
      share(0.7 * f, msg),
    );
    share(0.7, "agreement with the teacher");
    const agree = m === teacher ? 1 : agreement(teacher.scorer, m.scorer, ds, 10, { users: agreementUsers });
    share(0.85, "scoring latency");
    const latency = scoringLatency(m.scorer, ds, { users: latencyUsers, seed: plan.seed });
    const ranks = r.ranks!.sampled;
    results.set(m.id, {
      sampled: r.sampled,
      full: r.full!,
      longTail: r.longTail,
      longTailUsers: r.longTailUsers,
      segments: { cold: segment(ranks, seg.cold), heavy: segment(ranks, seg.heavy) },
      coverage10: r.coverage!,
      agreement10: agree,
      latency,
      throughputUsersPerSec: latency.cpuMeanUs > 0 ? 1e6 / latency.cpuMeanUs : 0,
      users: r.users,
      seconds: r.seconds,
    });
    share(1, "done");
  });
  return {
    protocol: {
      split: plan.split,
      negatives: plan.negatives,
      seed: plan.seed,
      headShare: plan.headShare,
      coldMaxInteractions: coldMax,
      heavyShare,
      heavyMinInteractions: Number.isFinite(seg.heavyMin) ? seg.heavyMin : 0,
      latencyUsers,
      agreementUsers: agreementCount,
      cutoffs: CUTOFFS,
    },
    results,
  };
}
