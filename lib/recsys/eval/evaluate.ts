// Leave-one-out evaluation as in the DE-RRD authors' protocol (held-out item ranked among 499 sampled
// unobserved items), plus full-catalogue ranking, niche (long-tail) retention and coverage, in one pass.
import type { Dataset, ProgressFn, Scorer } from "../types";
import { rankAndTopK, rankOf } from "../topk";
import { fullMetrics, sampledMetrics } from "./metrics";
import { cachedEvalPlan, type EvalPlan, type EvalPlanOptions, type EvalSplit } from "./plan";
import { forEachUserScores, isCandidateScorer, type CandidateScorer } from "./scoring";

export interface EvaluateOptions extends EvalPlanOptions {
  /** sampled-metric cutoffs (default [5, 10, 20]) */
  cutoffs?: number[];
  /** full-catalogue ranking, coverage included (default true; turn off for cheap early-stopping checks) */
  full?: boolean;
  /** full-catalogue cutoffs (default [20]: keys "R@20", "N@20") */
  fullCutoffs?: number[];
  /** list length for catalogue coverage (default 10) */
  coverageK?: number;
  /** also return every user's ranks (for paired comparisons and confidence intervals; default false) */
  keepRanks?: boolean;
  /** a plan from buildEvalPlan to reuse; otherwise one is built (and memoised per dataset) from the options */
  plan?: EvalPlan;
}

export interface EvalResult {
  split: EvalSplit;
  seed: number;
  negatives: number;
  /** users evaluated (those with a held-out item in the split) */
  users: number;
  /** sampled metrics over all users: "H@5", "N@5", "M@5", "H@10", ... */
  sampled: Record<string, number>;
  /** full-catalogue metrics ("R@20", "N@20"), null when `full` was off */
  full: Record<string, number> | null;
  /** sampled metrics over users whose held-out item is in the long tail */
  longTail: Record<string, number>;
  longTailUsers: number;
  /** fraction of the catalogue in at least one user's full-catalogue top-coverageK, null when `full` was off */
  coverage: number | null;
  coverageK: number;
  seconds: number;
  /** with keepRanks: 0-based ranks per evaluated user (users[p] is the dense user index) */
  ranks?: { users: Int32Array; sampled: Int32Array; full: Int32Array | null };
}

export function evaluate(scorer: Scorer, ds: Dataset, opts: EvaluateOptions, progress?: ProgressFn): EvalResult {
  if (scorer.numItems !== ds.numItems || scorer.numUsers !== ds.numUsers) {
    throw new RangeError(`scorer covers ${scorer.numUsers} users × ${scorer.numItems} items but dataset ${ds.name} has ${ds.numUsers} × ${ds.numItems}`);
  }
  const plan = opts.plan ?? cachedEvalPlan(ds, opts);
  if (plan.numItems !== ds.numItems) throw new RangeError(`evaluation plan was built for another dataset (${plan.numItems} items)`);
  return evaluatePlan(scorer, plan, opts, progress);
}

/** evaluate against a prepared plan */
export function evaluatePlan(
  scorer: Scorer,
  plan: EvalPlan,
  opts: Pick<EvaluateOptions, "cutoffs" | "full" | "fullCutoffs" | "coverageK" | "keepRanks"> = {},
  progress?: ProgressFn,
): EvalResult {
  const started = process.hrtime.bigint();
  const cutoffs = opts.cutoffs ?? [5, 10, 20];
  const full = opts.full ?? true;
  const fullCutoffs = opts.fullCutoffs ?? [20];
  const coverageK = opts.coverageK ?? 10;
  for (const k of [...cutoffs, ...fullCutoffs, coverageK]) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`cutoffs must be positive integers, got ${k}`);
  }

  const n = plan.users.length;
  const sampledRanks = new Int32Array(n);
  const fullRanks = new Int32Array(full ? n : 0);
  const covered = new Uint8Array(full ? plan.numItems : 0);

  if (!full && isCandidateScorer(scorer)) {
    sampledRanksFromCandidates(scorer, plan, sampledRanks, progress);
  } else {
    forEachUserScores(
      scorer,
      plan.users,
      (_user, scores, p) => {
        const item = plan.heldOut[p];
        sampledRanks[p] = rankOf(scores, item, plan.negativeItems.subarray(plan.negativeOffsets[p], plan.negativeOffsets[p + 1]));
        if (full) {
          const { rank, top } = rankAndTopK(scores, item, coverageK, plan.fullExclude[p]);
          fullRanks[p] = rank;
          for (let j = 0; j < top.length; j++) covered[top[j]] = 1;
        }
      },
      progress,
      `evaluating ${plan.split}`,
    );
  }

  const tailRanks = Int32Array.from(plan.longTailPositions, (p) => sampledRanks[p]);
  let coveredCount = 0;
  for (let i = 0; i < covered.length; i++) coveredCount += covered[i];

  return {
    split: plan.split,
    seed: plan.seed,
    negatives: plan.negatives,
    users: n,
    sampled: sampledMetrics(sampledRanks, cutoffs),
    full: full ? fullMetrics(fullRanks, fullCutoffs) : null,
    longTail: sampledMetrics(tailRanks, cutoffs),
    longTailUsers: tailRanks.length,
    coverage: full ? (plan.numItems === 0 ? 0 : coveredCount / plan.numItems) : null,
    coverageK,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    ...(opts.keepRanks ? { ranks: { users: plan.users, sampled: sampledRanks, full: full ? fullRanks : null } } : {}),
  };
}

/** sampled ranks scoring only the held-out item and its negatives (same order rule as rankOf) */
function sampledRanksFromCandidates(scorer: CandidateScorer, plan: EvalPlan, ranks: Int32Array, progress?: ProgressFn): void {
  const maxCandidates = plan.negatives + 1;
  const items = new Int32Array(maxCandidates);
  const scores = new Float32Array(maxCandidates);
  const n = plan.users.length;
  for (let p = 0; p < n; p++) {
    const start = plan.negativeOffsets[p];
    const count = plan.negativeOffsets[p + 1] - start + 1;
    const item = plan.heldOut[p];
    items[0] = item;
    items.set(plan.negativeItems.subarray(start, start + count - 1), 1);
    scorer.scoreItems(plan.users[p], items.subarray(0, count), scores.subarray(0, count));
    let target: number = scores[0];
    if (target !== target) target = -Infinity;
    let rank = 0;
    for (let j = 1; j < count; j++) {
      let s: number = scores[j];
      if (s !== s) s = -Infinity;
      if (s > target || (s === target && items[j] < item)) rank++;
    }
    ranks[p] = rank;
    if (progress !== undefined && ((p & 255) === 255 || p === n - 1)) progress((p + 1) / n, `evaluating ${plan.split} ${p + 1}/${n} users`);
  }
}

/** test metrics flattened for manifests: sampled, full, long tail, coverage */
export function metricsSummary(r: EvalResult): Record<string, unknown> {
  return {
    split: r.split,
    evalSeed: r.seed,
    negatives: r.negatives,
    users: r.users,
    test: r.sampled,
    full: r.full,
    longTail: r.longTail,
    longTailUsers: r.longTailUsers,
    coverage10: r.coverage,
  };
}
