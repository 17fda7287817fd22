// The metric catalogue: user-defined KPIs an experiment can choose as primary, secondary or guardrail
// metrics. A metric names what it counts and how the per-user values become one number per arm:
//   share     share of exposed users with ≥ 1 of the event                 (proportion)
//   mean      per exposed user: count of the event, or sum of its values    (sample mean)
//   ratio     Σ numerator / Σ denominator over users, e.g. clicks per exposure, revenue per order
//             (delta method clustered by user)
//   quantile  a quantile (e.g. p95) of a per-request value — latency, or the event's value — with an
//             interval for the difference of quantiles between arms
// Events: a built-in type ("click", "conversion", "revenue"), "exposure" (the served request itself),
// "latency" (the request's latency in ms, quantile metrics only), or a custom event name — an event
// of type "custom" whose eventId starts with "<name>:" (the convention held-out events already use).
// Capping (winsorising) at a percentile of the per-user values, pooled over arms, bounds outliers.
import { z } from "zod";
import type { ProportionStatistic, QuantileStatistic, RatioStatistic, SampleMeanStatistic } from "@/lib/stats";

export const METRIC_AGGREGATIONS = ["share", "mean", "ratio", "quantile"] as const;
export type MetricAggregation = (typeof METRIC_AGGREGATIONS)[number];

const BUILT_IN_EVENTS = ["click", "conversion", "revenue", "exposure", "latency"] as const;
const customEvent = z
  .string()
  .regex(
    /^custom:[a-z0-9][a-z0-9_.-]{0,62}$/,
    'a built-in event (click, conversion, revenue, exposure, latency) or "custom:<name>" (lower case, digits, _ . -)',
  );
export const metricEventSchema = z.union([z.enum(BUILT_IN_EVENTS), customEvent]);
export type MetricEvent = z.infer<typeof metricEventSchema>;

export const metricDefinitionSchema = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, "lower case letters, digits and _, 2–41 characters, starting with a letter"),
    name: z.string().trim().min(1).max(80),
    description: z.string().max(500).default(""),
    aggregation: z.enum(METRIC_AGGREGATIONS),
    event: metricEventSchema,
    /** count the events, or sum their values (revenue, custom values) */
    measure: z.enum(["count", "value"]).default("count"),
    /** ratio only: what the numerator is divided by */
    denominatorEvent: metricEventSchema.nullable().default(null),
    denominatorMeasure: z.enum(["count", "value"]).default("count"),
    /** quantile only, in (0, 1), e.g. 0.95 */
    quantile: z.number().gt(0).lt(1).nullable().default(null),
    direction: z.enum(["higherIsBetter", "lowerIsBetter"]),
    /** cap per-user values at this percentile (pooled over arms), e.g. 0.99; null: no cap */
    capPercentile: z.number().gt(0.5).lt(1).nullable().default(null),
    /** default non-inferiority margin, relative (0.02 = 2 % worse is acceptable) */
    nonInferiorityMargin: z.number().min(0).max(1),
  })
  .superRefine((m, ctx) => {
    if (m.aggregation === "ratio" && !m.denominatorEvent)
      ctx.addIssue({ code: "custom", path: ["denominatorEvent"], message: "a ratio needs a denominator event" });
    if (m.aggregation !== "ratio" && m.denominatorEvent)
      ctx.addIssue({ code: "custom", path: ["denominatorEvent"], message: "only ratio metrics have a denominator" });
    if (m.aggregation === "quantile" && m.quantile === null)
      ctx.addIssue({ code: "custom", path: ["quantile"], message: "a quantile metric needs its quantile, e.g. 0.95" });
    if (m.aggregation !== "quantile" && m.quantile !== null)
      ctx.addIssue({ code: "custom", path: ["quantile"], message: "only quantile metrics have a quantile" });
    if (m.event === "latency" && m.aggregation !== "quantile")
      ctx.addIssue({ code: "custom", path: ["event"], message: "latency is a per-request value: use a quantile metric" });
    if (m.aggregation === "quantile" && m.capPercentile !== null)
      ctx.addIssue({ code: "custom", path: ["capPercentile"], message: "quantiles are not capped" });
    if (m.aggregation === "share" && m.measure === "value")
      ctx.addIssue({ code: "custom", path: ["measure"], message: "a share counts users with the event: measure must be count" });
    if (m.event === "exposure" && m.measure === "value") ctx.addIssue({ code: "custom", path: ["measure"], message: "exposures have no value" });
    if (m.aggregation === "quantile" && m.event === "exposure")
      ctx.addIssue({ code: "custom", path: ["event"], message: "exposures have no per-request value: use latency or an event with values" });
  });
export type MetricDefinition = z.infer<typeof metricDefinitionSchema>;
export type MetricDefinitionInput = z.input<typeof metricDefinitionSchema>;

/** The built-in KPIs (lib/experiments/kpis.ts) as catalogue entries. */
/** a built-in catalogue entry, through the catalogue's own schema: higher is better, 2 % margin */
const builtIn = (m: Omit<MetricDefinitionInput, "direction" | "nonInferiorityMargin">): MetricDefinition =>
  metricDefinitionSchema.parse({ direction: "higherIsBetter", nonInferiorityMargin: 0.02, ...m });

export const BUILT_IN_METRICS: readonly MetricDefinition[] = [
  builtIn({
    key: "ctr",
    name: "CTR",
    description: "click events / exposures, variance by the delta method clustered by user",
    aggregation: "ratio",
    event: "click",
    denominatorEvent: "exposure",
  }),
  builtIn({
    key: "conversion",
    name: "Conversion per user",
    description: "share of exposed users with at least one attributed conversion event",
    aggregation: "share",
    event: "conversion",
  }),
  builtIn({
    key: "revenue",
    name: "Revenue per user",
    description: "sum of attributed revenue event values per exposed user",
    aggregation: "mean",
    event: "revenue",
    measure: "value",
  }),
];

/** How an experiment uses a catalogue metric. */
export const METRIC_ROLES = ["primary", "secondary", "guardrail"] as const;
export type MetricRole = (typeof METRIC_ROLES)[number];

/** An experiment's choice of catalogue metrics: at most one primary, each metric once. */
export const experimentMetricsSchema = z
  .array(
    z.object({
      metricKey: z.string().min(1),
      role: z.enum(METRIC_ROLES),
      /** overrides the metric's default non-inferiority margin for this experiment */
      nonInferiorityMargin: z
        .number({ error: "must be a number" })
        .min(0, "must be 0 or more")
        .max(1, "is relative: at most 1 (100%)")
        .nullable()
        .default(null),
    }),
  )
  .max(50)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((m, i) => {
      if (seen.has(m.metricKey)) ctx.addIssue({ code: "custom", path: [i, "metricKey"], message: `"${m.metricKey}" is listed twice` });
      seen.add(m.metricKey);
    });
    const primaries = list.filter((m) => m.role === "primary").length;
    if (primaries > 1) ctx.addIssue({ code: "custom", path: [], message: "at most one primary metric" });
    if (list.length > 0 && primaries === 0) ctx.addIssue({ code: "custom", path: [], message: "choose a primary metric" });
  });
export type ExperimentMetricChoice = z.output<typeof experimentMetricsSchema>[number];

/** Report order: primary first, then secondary, then guardrails. */
export const ROLE_ORDER: Record<MetricRole, number> = { primary: 0, secondary: 1, guardrail: 2 };

/** The test each aggregation gets (shown beside the result). */
export const AGGREGATION_TEST: Record<MetricAggregation, string> = {
  share: "two proportions (Fisher exact and score interval at the edges)",
  mean: "Welch t on per-user values",
  ratio: "ratio of sums, delta method clustered by user",
  quantile: "difference of quantiles, order-statistic interval",
};

export const AGGREGATION_LABEL: Record<MetricAggregation, string> = {
  share: "share of users with ≥ 1",
  mean: "mean per user",
  ratio: "ratio of two sums",
  quantile: "quantile",
};

/** One line saying what a metric measures, e.g. "p95 of latency per request". */
export function describeMetric(
  m: Pick<MetricDefinition, "aggregation" | "event" | "measure" | "denominatorEvent" | "denominatorMeasure" | "quantile" | "capPercentile">,
): string {
  const what = (event: string, measure: string) =>
    event === "exposure" ? "exposures" : event === "latency" ? "latency (ms)" : measure === "value" ? `${event} value` : `${event} events`;
  const cap = m.capPercentile !== null ? `, capped at p${Math.round(m.capPercentile * 1000) / 10}` : "";
  switch (m.aggregation) {
    case "share":
      return `share of exposed users with ≥ 1 ${m.event} event`;
    case "mean":
      return `${what(m.event, m.measure)} per exposed user${cap}`;
    case "ratio":
      return `Σ ${what(m.event, m.measure)} ÷ Σ ${what(m.denominatorEvent ?? "", m.denominatorMeasure)}${cap}`;
    case "quantile":
      return `p${Math.round((m.quantile ?? 0) * 1000) / 10} of ${m.event === "latency" ? "latency (ms) per request" : `${m.event} value per event`}`;
  }
}

/** One arm's sufficient statistics of a catalogue metric, as the SQL returns them. */
export type MetricArmStatistic = { variant: string } & (ProportionStatistic | SampleMeanStatistic | RatioStatistic | QuantileStatistic);
