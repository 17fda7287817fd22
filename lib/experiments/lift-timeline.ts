// The experiment report's over-time charts: exposure rows bucketed per arm, and the candidate's CTR lift
// over time: at the end of each time bucket, the cumulative exposure-level CTR of each arm, the relative
// lift and its 95% CI by the delta method on log(ratio) of two proportions. Exposures are not independent
// (a user sees many), so this band is narrower than the per-user always-valid interval the gates use; the
// chart says so.

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

/** Per-bucket series for one arm pair; null where an arm has no exposures in the bucket. */
export interface SeriesPoint {
  t: number;
  control: number | null;
  candidate: number | null;
}

export interface TimelineRow {
  bucket: Date;
  variant: string;
  exposures: number;
  clicks: number;
}

export interface TimelineSeries {
  exposures: SeriesPoint[];
  ctr: SeriesPoint[];
  lift: LiftPoint[];
  bucketSeconds: number;
}

/** At most this many buckets across a report window (never shorter than a minute). */
const MAX_BUCKETS = 40;

/** The time range and bucket width of the over-time charts for a report window: it ends now at the latest. */
export function timelineWindow(window: { from: string; to: string }, now: Date): { from: Date; to: Date; bucketSeconds: number } {
  const from = new Date(window.from);
  const to = new Date(Math.min(now.getTime(), new Date(window.to).getTime()));
  const bucketSeconds = Math.max(60, Math.ceil((to.getTime() - from.getTime()) / 1000 / MAX_BUCKETS));
  // the query's upper bound is exclusive: one millisecond more keeps an exposure at exactly `to`
  return { from, to: new Date(to.getTime() + 1), bucketSeconds };
}

/** Exposures, CTR and cumulative lift per bucket from the per-variant bucket rows (other variants ignored). */
export function timelineSeries(rows: readonly TimelineRow[], bucketSeconds: number): TimelineSeries {
  const byT = new Map<number, ArmBucket>();
  for (const r of rows) {
    const t = r.bucket.getTime();
    const e = byT.get(t) ?? { t, exposures: { control: 0, candidate: 0 }, clicks: { control: 0, candidate: 0 } };
    if (r.variant === "control" || r.variant === "candidate") {
      e.exposures[r.variant] += r.exposures;
      e.clicks[r.variant] += r.clicks;
    }
    byT.set(t, e);
  }
  const sorted = [...byT.values()].sort((a, b) => a.t - b.t);
  return {
    exposures: sorted.map((e) => ({ t: e.t, control: e.exposures.control, candidate: e.exposures.candidate })),
    ctr: sorted.map((e) => ({
      t: e.t,
      control: e.exposures.control > 0 ? e.clicks.control / e.exposures.control : null,
      candidate: e.exposures.candidate > 0 ? e.clicks.candidate / e.exposures.candidate : null,
    })),
    lift: cumulativeLift(sorted),
    bucketSeconds,
  };
}
