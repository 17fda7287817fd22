// The candidate's CTR lift over time for the experiment report's chart: at the end of each time bucket,
// the cumulative exposure-level CTR of each arm, the relative lift and its 95% CI by the delta method on
// log(ratio) of two proportions. Exposures are not independent (a user sees many), so this band is
// narrower than the per-user always-valid interval the gates use; the chart says so.

export interface ArmBucket {
  t: number;
  exposures: { control: number; candidate: number };
  clicks: { control: number; candidate: number };
}

export interface LiftPoint {
  t: number;
  lift: number;
  low: number;
  high: number;
}

const Z95 = 1.959963984540054;

export function cumulativeLift(buckets: ArmBucket[], z = Z95): LiftPoint[] {
  const sorted = [...buckets].sort((a, b) => a.t - b.t);
  let n0 = 0;
  let n1 = 0;
  let c0 = 0;
  let c1 = 0;
  const out: LiftPoint[] = [];
  for (const b of sorted) {
    n0 += b.exposures.control;
    n1 += b.exposures.candidate;
    c0 += b.clicks.control;
    c1 += b.clicks.candidate;
    if (n0 === 0 || n1 === 0 || c0 === 0 || c1 === 0) continue;
    const p0 = c0 / n0;
    const p1 = c1 / n1;
    // Var(log p̂) ≈ (1 − p) / (n p)
    const se = Math.sqrt((1 - p0) / (n0 * p0) + (1 - p1) / (n1 * p1));
    const logRatio = Math.log(p1 / p0);
    out.push({ t: b.t, lift: p1 / p0 - 1, low: Math.exp(logRatio - z * se) - 1, high: Math.exp(logRatio + z * se) - 1 });
  }
  return out;
}
