// What an experiment is configured with, validated by zod, with the defaults a product team expects.
// The same schema validates the dashboard's create form (per-field errors) and the stored `guardrails`
// JSON (parsed again when the scheduler reads it, so an old row gets today's defaults for new fields).
import { z } from "zod";
import { distillationGuardrailsSchema } from "./distillation-config";
import { KPI_KEYS, type KpiKey } from "./kpis";
import { experimentMetricsSchema } from "./metrics";

export const DEFAULT_RAMP_SCHEDULE = [1, 5, 20, 50, 100];
export const DEFAULT_MIN_STAGE_MINUTES = 60;
export const DEFAULT_MIN_STAGE_EXPOSURES = 1000;
export const DEFAULT_NON_INFERIORITY_MARGIN = 0.05;
/** Highest candidate share any stage may reach before a person approves the cutover. */
export const DEFAULT_MAX_UNAPPROVED_PERCENT = 50;

/**
 * The installation's cap on the candidate's share before approval (UNDERSTUDY_MAX_UNAPPROVED_PERCENT,
 * 1..99): an operator's setting, not an experiment's, so an editor cannot lift it alone.
 */
export function maxUnapprovedPercent(env: Record<string, string | undefined> = process.env): number {
  const raw = env.UNDERSTUDY_MAX_UNAPPROVED_PERCENT?.trim();
  if (!raw) return DEFAULT_MAX_UNAPPROVED_PERCENT;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 99 ? n : DEFAULT_MAX_UNAPPROVED_PERCENT;
}

const marginSchema = z.number({ error: "must be a number" }).gt(0, "must be greater than 0").lt(1, "must be below 1 (it is a relative margin: 0.05 = 5%)");

export const severeSchema = z.object({
  /** severe when the candidate's error rate exceeds errorRate × this */
  errorRateMultiplier: z.number().min(1, "must be at least 1").default(5),
  /** severe when the candidate's p95 latency exceeds latencyP95Ms × this */
  latencyP95Multiplier: z.number().min(1, "must be at least 1").default(2),
  /** severe when a KPI is inferior beyond its margin at this (much smaller) alpha */
  kpiAlpha: z.number().gt(0).lt(0.5).default(0.001),
  /** what a severe breach does: roll back to 0% (default) or only pause */
  action: z.enum(["rollback", "pause"]).default("rollback"),
});

export const guardrailsSchema = z.object({
  /** ceiling on the candidate's p95 scoring latency in the current stage, milliseconds */
  latencyP95Ms: z.number({ error: "must be a number" }).gt(0, "must be greater than 0").default(50),
  /** ceiling on the candidate's error rate (failed requests / requests) in the current stage */
  errorRate: z.number({ error: "must be a number" }).min(0).max(1, "is a fraction: 0.01 = 1%").default(0.01),
  /** relative non-inferiority margin per KPI: the candidate may be at most this much worse (0.05 = 5%) */
  nonInferiorityMargins: z
    .partialRecord(z.enum(KPI_KEYS), marginSchema)
    .default({})
    .transform((m) => {
      const full = {} as Record<KpiKey, number>;
      for (const k of KPI_KEYS) full[k] = m[k] ?? DEFAULT_NON_INFERIORITY_MARGIN;
      return full;
    }),
  /** significance level of the sequential (always-valid) tests */
  alpha: z.number({ error: "must be a number" }).gt(0).max(0.2, "must be at most 0.2").default(0.05),
  /** sample-ratio-mismatch: hold when the chi-square p-value is below this */
  srmPValue: z.number().gt(0).lt(0.5).default(0.001),
  /**
   * p95 latency relative to control: breach when the candidate's p95 is significantly more than this
   * fraction slower (lower bound of the CI of q_candidate/q_control − 1 above it; 0.2 = 20 % slower)
   */
  latencyQuantileMargin: z.number({ error: "must be a number" }).gt(0, "must be greater than 0").max(10).default(0.2),
  /** candidate requests needed in a stage before latency and error-rate guardrails are judged */
  minGuardrailExposures: z.number().int().min(0).default(200),
  severe: severeSchema.prefault({}),
  /** CUPED: days of each user's activity before the experiment used as covariate (0 = off) */
  cupedLookbackDays: z.number().int().min(0).max(90).default(14),
  /** teacher agreement of live slates and niche-user guardrails (lib/experiments/distillation-config.ts) */
  distillation: distillationGuardrailsSchema.prefault({}),
});

export type Guardrails = z.output<typeof guardrailsSchema>;
export type GuardrailsInput = z.input<typeof guardrailsSchema>;

export const rampScheduleSchema = z
  .array(
    z.number({ error: "each step must be a number of percent" }).int("must be whole percents").min(1, "must be at least 1%").max(100, "must be at most 100%"),
  )
  .min(2, "needs at least one stage before the 100% cutover")
  .max(20, "at most 20 stages")
  .superRefine((ramp, ctx) => {
    for (let i = 1; i < ramp.length; i++) {
      if (ramp[i] <= ramp[i - 1]) {
        ctx.addIssue({ code: "custom", message: "must increase at every stage", path: [i] });
        return;
      }
    }
    if (ramp[ramp.length - 1] !== 100) {
      ctx.addIssue({ code: "custom", message: "must end at 100 (the approved production cutover)" });
      return;
    }
    const cap = maxUnapprovedPercent();
    for (let i = 0; i < ramp.length - 1; i++) {
      if (ramp[i] > cap) {
        ctx.addIssue({ code: "custom", message: `stages before the approved cutover may send at most ${cap}% to the candidate`, path: [i] });
        return;
      }
    }
  })
  .default(DEFAULT_RAMP_SCHEDULE);

/** Everything needed to create an experiment. controlModelId defaults to the production model. */
export const experimentConfigSchema = z
  .object({
    name: z.string({ error: "is required" }).trim().min(1, "is required").max(120, "at most 120 characters"),
    description: z.string().trim().max(2000, "at most 2000 characters").default(""),
    controlModelId: z.string().trim().min(1).optional(),
    candidateModelId: z.string({ error: "is required" }).trim().min(1, "is required"),
    rampSchedule: rampScheduleSchema,
    minStageMinutes: z
      .number({ error: "must be a number" })
      .int("must be whole minutes")
      .min(0, "must be 0 or more")
      .max(60 * 24 * 30, "at most 30 days")
      .default(DEFAULT_MIN_STAGE_MINUTES),
    minStageExposures: z
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(1_000_000_000)
      .default(DEFAULT_MIN_STAGE_EXPOSURES),
    kpis: z
      .array(z.enum(KPI_KEYS, { error: `must be one of ${KPI_KEYS.join(", ")}` }))
      .min(1, "choose at least one KPI")
      .default([...KPI_KEYS])
      .transform((ks) => [...new Set(ks)]),
    guardrails: guardrailsSchema.prefault({}),
    /** catalogue metrics (primary, secondary, guardrails); when given they gate instead of `kpis` */
    metrics: experimentMetricsSchema.optional(),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.controlModelId && cfg.controlModelId === cfg.candidateModelId) {
      ctx.addIssue({ code: "custom", path: ["candidateModelId"], message: "must differ from the control model" });
    }
  });

export type ExperimentConfig = z.output<typeof experimentConfigSchema>;
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;

/** Reads the stored guardrails JSON, filling defaults; a corrupt row falls back to defaults rather than crashing the scheduler. */
export function parseGuardrails(stored: unknown): Guardrails {
  const parsed = guardrailsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : guardrailsSchema.parse({});
}
