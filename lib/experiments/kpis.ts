// The KPIs an experiment can test, how each is measured, and the conventions events must follow.
//
// Attribution: an event counts for an experiment when its `requestId` is the requestId of one of the
// experiment's exposures (the recommendation it reacts to). Events without a requestId are not
// attributed. All KPIs are analysed per user (the unit of randomisation): the report aggregates per
// (variant, user) first, then sums per variant, so variances are clustered by user.
//
// Held-out ground truth (simulator convention, agreed for S2a's simulator): for every request whose user
// has held-out future interactions, the simulator sends ONE event
//   { type: "custom", eventId: "heldout:<requestId>", requestId, userId, itemId?: <held-out item hit>,
//     value: 1 if a held-out item is among the recommended items, else 0 }
// Hit rate = (sum of those values) / (number of those events), per user then per variant. Requests
// without such an event (users without ground truth) do not enter the hit rate.

export const KPI_KEYS = ["ctr", "conversion", "revenue"] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

/** eventId prefix that marks a held-out ground-truth event (see the convention above). */
export const HELDOUT_EVENT_PREFIX = "heldout:";

export type KpiKind = "ratio" | "proportion" | "mean";

export interface KpiDefinition {
  key: KpiKey;
  label: string;
  /** ratio: sum(numerator)/sum(denominator) over users (delta method); proportion: share of users; mean: per-user mean */
  kind: KpiKind;
  description: string;
  /** how a value is shown */
  format: "percent" | "currency";
}

export const KPI_DEFINITIONS: Record<KpiKey, KpiDefinition> = {
  ctr: {
    key: "ctr",
    label: "CTR",
    kind: "ratio",
    description: "click events / exposures (requests served), variance by the delta method clustered by user",
    format: "percent",
  },
  conversion: {
    key: "conversion",
    label: "Conversion per user",
    kind: "proportion",
    description: "share of exposed users with at least one attributed conversion event",
    format: "percent",
  },
  revenue: {
    key: "revenue",
    label: "Revenue per user",
    kind: "mean",
    description: "sum of attributed revenue event values per exposed user",
    format: "currency",
  },
};

export function isKpiKey(value: string): value is KpiKey {
  return (KPI_KEYS as readonly string[]).includes(value);
}
