// Drift of live traffic against the production model's training snapshot: each signal has a value,
// a threshold and a direction; a signal breaches when it crosses its threshold, and the check's score
// is the largest value/threshold ratio (lower-is-worse signals use threshold/value). Pure.
import type { Dataset } from "@/lib/recsys/types";
import type { SequentialResult } from "@/lib/stats";
import { itemCountsById, jensenShannon } from "./signals";
import { formatShare } from "@/lib/format";

export interface LiveDriftThresholds {
  /** population stability index of item popularity, over reference-popularity bins (0.25 is the usual "major shift") */
  popularityPsi: number;
  /** Jensen–Shannon divergence (base 2) of item shares */
  popularityJsd: number;
  /** share of live interactions on items the model does not know */
  unknownItemShare: number;
  /** share of active live users the model does not know */
  unknownUserShare: number;
  /** JSD of the users' activity distribution relative to its mean (log2 buckets) */
  userActivityJsd: number;
  /** teacher–student agreement@10 on recent users below this is a breach */
  minAgreement10: number;
  /** level of the sequential test of the production arm's CTR against its own baseline */
  kpiAlpha: number;
}

export const DEFAULT_LIVE_THRESHOLDS: LiveDriftThresholds = {
  popularityPsi: 0.25,
  popularityJsd: 0.15,
  unknownItemShare: 0.1,
  unknownUserShare: 0.25,
  userActivityJsd: 0.1,
  minAgreement10: 0.2,
  kpiAlpha: 0.01,
};

export const LIVE_SIGNAL_KEYS = [
  "popularityPsi",
  "popularityJsd",
  "unknownItemShare",
  "unknownUserShare",
  "userActivityJsd",
  "agreement10",
  "kpiDrift",
] as const;
export type LiveSignalKey = (typeof LIVE_SIGNAL_KEYS)[number];

export const LIVE_SIGNAL_LABELS: Record<LiveSignalKey, string> = {
  popularityPsi: "Item popularity PSI",
  popularityJsd: "Item popularity JSD",
  unknownItemShare: "Traffic on unknown items",
  unknownUserShare: "Unknown users",
  userActivityJsd: "User activity shift (JSD)",
  agreement10: "Teacher–student agreement@10",
  kpiDrift: "Production CTR drift (p-value)",
};

export interface LiveSignal {
  key: LiveSignalKey;
  /** null when it could not be measured (see note) */
  value: number | null;
  threshold: number;
  /** "above": breach when value > threshold; "below": breach when value < threshold */
  direction: "above" | "below";
  ratio: number | null;
  breached: boolean;
  note?: string;
}

export interface LiveInteractions {
  userIds: readonly string[];
  itemIds: readonly string[];
}

export interface KpiDriftInput {
  /** sequential comparison of CTR per exposure: control = baseline window, treatment = recent window */
  test: SequentialResult | null;
  baseline: { exposures: number; clicks: number };
  recent: { exposures: number; clicks: number };
  note?: string;
}

export interface LiveDriftInput {
  reference: Dataset;
  live: LiveInteractions;
  knownUser: (id: string) => boolean;
  knownItem: (id: string) => boolean;
  agreement10: { value: number; users: number } | { value: null; note: string };
  kpi: KpiDriftInput;
  thresholds?: Partial<LiveDriftThresholds>;
}

export interface LiveDriftDecision {
  driftDetected: boolean;
  score: number;
  threshold: 1;
  thresholds: LiveDriftThresholds;
  signals: LiveSignal[];
  reasons: string[];
  window: { interactions: number; users: number; items: number };
  detail: {
    referenceMeanPerUser: number;
    liveMeanPerUser: number;
    psiBins: { reference: number[]; live: number[] };
    unknownItems: number;
    unknownUsers: number;
    kpi: KpiDriftInput;
    agreementUsers: number;
  };
}

/** PSI = Σ (p − q)·ln(p / q) over bins, shares floored at `floor` so empty bins stay finite. */
export function psi(reference: readonly number[], current: readonly number[], floor = 1e-4): number {
  if (reference.length !== current.length) throw new RangeError("psi: both distributions need the same bins");
  const sr = reference.reduce((a, b) => a + b, 0);
  const sc = current.reduce((a, b) => a + b, 0);
  if (sr === 0 || sc === 0) return 0;
  let total = 0;
  for (let b = 0; b < reference.length; b++) {
    const p = Math.max(floor, reference[b] / sr);
    const q = Math.max(floor, current[b] / sc);
    total += (q - p) * Math.log(q / p);
  }
  return total;
}

/**
 * Items binned by reference popularity into `bins` bins of equal reference mass (most popular first),
 * plus a last bin for items the reference never saw; returns the counts of both sides per bin.
 */
export function popularityBins(reference: ReadonlyMap<string, number>, live: ReadonlyMap<string, number>, bins = 10): { reference: number[]; live: number[] } {
  const sorted = [...reference.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  const binOf = new Map<string, number>();
  const ref = new Array<number>(bins + 1).fill(0);
  let cumulative = 0;
  for (const [id, n] of sorted) {
    const b = Math.min(bins - 1, Math.floor((cumulative / Math.max(1, total)) * bins));
    binOf.set(id, b);
    ref[b] += n;
    cumulative += n;
  }
  const cur = new Array<number>(bins + 1).fill(0);
  for (const [id, n] of live) cur[binOf.get(id) ?? bins] += n;
  return { reference: ref, live: cur };
}

/** users' activity relative to the mean, in log2 buckets from 1/16× to 16× */
function activityBuckets(counts: Iterable<number>): Map<string, number> {
  const values = [...counts];
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const out = new Map<string, number>();
  for (const v of values) {
    const b = Math.max(-4, Math.min(4, Math.round(Math.log2(v / mean))));
    out.set(String(b), (out.get(String(b)) ?? 0) + 1);
  }
  return out;
}

export function liveDriftDecision(input: LiveDriftInput): LiveDriftDecision {
  const thresholds = { ...DEFAULT_LIVE_THRESHOLDS, ...input.thresholds };
  for (const [k, v] of Object.entries(thresholds)) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`threshold ${k} must be a positive number, got ${v}`);
  }
  const { live } = input;
  if (live.userIds.length !== live.itemIds.length) throw new RangeError("live interactions: userIds and itemIds differ in length");
  const refItems = itemCountsById(input.reference);
  const liveItems = new Map<string, number>();
  const liveUsers = new Map<string, number>();
  let unknownItemInteractions = 0;
  for (let k = 0; k < live.itemIds.length; k++) {
    const item = live.itemIds[k];
    liveItems.set(item, (liveItems.get(item) ?? 0) + 1);
    liveUsers.set(live.userIds[k], (liveUsers.get(live.userIds[k]) ?? 0) + 1);
    if (!input.knownItem(item)) unknownItemInteractions++;
  }
  let unknownUsers = 0;
  for (const id of liveUsers.keys()) if (!input.knownUser(id)) unknownUsers++;
  const refUserCounts: number[] = [];
  for (let u = 0; u < input.reference.numUsers; u++) {
    const n = input.reference.trainByUser[u].length;
    if (n > 0) refUserCounts.push(n);
  }
  const n = live.itemIds.length;
  const empty = n === 0;
  const bins = popularityBins(refItems, liveItems);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

  const signals: LiveSignal[] = [];
  const add = (key: LiveSignalKey, value: number | null, threshold: number, direction: "above" | "below", note?: string) => {
    const ratio = value === null ? null : direction === "above" ? value / threshold : threshold / Math.max(value, 1e-9);
    signals.push({ key, value, threshold, direction, ratio, breached: ratio !== null && ratio > 1, ...(note ? { note } : {}) });
  };
  const noTraffic = "no live interactions in the window";
  add("popularityPsi", empty ? null : psi(bins.reference, bins.live), thresholds.popularityPsi, "above", empty ? noTraffic : undefined);
  add("popularityJsd", empty ? null : jensenShannon(refItems, liveItems), thresholds.popularityJsd, "above", empty ? noTraffic : undefined);
  add("unknownItemShare", empty ? null : unknownItemInteractions / n, thresholds.unknownItemShare, "above", empty ? noTraffic : undefined);
  add("unknownUserShare", empty ? null : unknownUsers / liveUsers.size, thresholds.unknownUserShare, "above", empty ? noTraffic : undefined);
  add(
    "userActivityJsd",
    empty ? null : jensenShannon(activityBuckets(refUserCounts), activityBuckets(liveUsers.values())),
    thresholds.userActivityJsd,
    "above",
    empty ? noTraffic : undefined,
  );
  const ag = input.agreement10;
  add("agreement10", ag.value, thresholds.minAgreement10, "below", ag.value === null ? ag.note : undefined);
  // the KPI breaches only on a significant drop: its "value" is the always-valid p-value of a drop
  const kpi = input.kpi;
  const dropP = kpi.test && kpi.test.estimate < 0 ? kpi.test.pValue : kpi.test ? 1 : null;
  add("kpiDrift", dropP, thresholds.kpiAlpha, "below", kpi.test ? undefined : (kpi.note ?? "not enough production traffic"));

  const reasons = signals
    .filter((s) => s.breached)
    .map((s) => {
      const v = s.value!;
      const shown = s.key === "unknownItemShare" || s.key === "unknownUserShare" ? formatShare(v) : v.toFixed(4);
      const limit = s.key === "unknownItemShare" || s.key === "unknownUserShare" ? formatShare(s.threshold) : String(s.threshold);
      return `${LIVE_SIGNAL_LABELS[s.key]} ${shown} ${s.direction === "above" ? ">" : "<"} ${limit}`;
    });
  const score = Math.max(0, ...signals.map((s) => s.ratio ?? 0));
  return {
    driftDetected: score > 1,
    score,
    threshold: 1,
    thresholds,
    signals,
    reasons,
    window: { interactions: n, users: liveUsers.size, items: liveItems.size },
    detail: {
      referenceMeanPerUser: mean(refUserCounts),
      liveMeanPerUser: liveUsers.size ? n / liveUsers.size : 0,
      psiBins: bins,
      unknownItems: [...liveItems.keys()].filter((id) => !input.knownItem(id)).length,
      unknownUsers,
      kpi,
      agreementUsers: ag.value === null ? 0 : ag.users,
    },
  };
}
