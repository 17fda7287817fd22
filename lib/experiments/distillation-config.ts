// Guardrails made for distilled students, configured per experiment (guardrails.distillation).
//
// Teacher agreement: a share of the candidate's requests (decided from the request id, so the same
// request is always in or out) keep their served list; a job scores the same user with the reference
// model (the candidate's teacher, else the control) and stores overlap@10. The default floor of 0.3 sits
// well below what an undistilled student reaches offline (agreement@10 0.44 on CiteULike, distilled ones
// 0.51–0.65, bench/results/distill-citeulike-a.json) and far above a broken or popularity-only list
// (about 10 / items), so it catches a student that no longer ranks like its teacher without holding a
// healthy one.
//
// Niche retention: every KPI is also tested for long-tail users (most training interactions outside the
// most popular 20% of items) and cold users (≤ 5 training interactions, unknown users included), with
// Benjamini–Hochberg control across segments × KPIs.
import { z } from "zod";

export const DEFAULT_TEACHER_AGREEMENT_SAMPLE_RATE = 0.05;
export const DEFAULT_MIN_TEACHER_AGREEMENT = 0.3;

export const distillationGuardrailsSchema = z.object({
  /** share of the candidate's requests whose slate is compared with the teacher (0 = off) */
  teacherAgreementSampleRate: z
    .number({ error: "must be a number" })
    .min(0, "must be 0 or more")
    .max(1, "is a fraction: 0.05 = 5%")
    .default(DEFAULT_TEACHER_AGREEMENT_SAMPLE_RATE),
  /** hold the stage while the mean overlap@10 with the teacher is below this (0 = never hold) */
  minTeacherAgreement: z
    .number({ error: "must be a number" })
    .min(0, "must be 0 or more")
    .max(1, "overlap@10 is at most 1")
    .default(DEFAULT_MIN_TEACHER_AGREEMENT),
  /** scored samples needed in a stage before the agreement is judged */
  minAgreementSamples: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(1_000_000).default(50),
  /** test every KPI on long-tail and cold users too, holding the stage when a segment is significantly worse */
  segmentGuardrails: z.boolean({ error: "must be true or false" }).default(true),
  /** false-discovery rate across segments × KPIs (Benjamini–Hochberg) */
  segmentFdr: z.number({ error: "must be a number" }).gt(0, "must be greater than 0").max(0.2, "must be at most 0.2").default(0.05),
  /** users needed in each arm of a segment before it is tested */
  minSegmentUsers: z.number({ error: "must be a number" }).int("must be a whole number").min(2, "must be at least 2").max(1_000_000).default(50),
});

export type DistillationGuardrails = z.output<typeof distillationGuardrailsSchema>;
