// Per production model settings of the closed loop (LoopSettings): drift-check interval and thresholds,
// snapshot cadence and retention, redistillation triggers, teacher warm start, the offline gate, and
// whether a passing candidate's experiment starts at once. A model without a row has the defaults.
import { z } from "zod";
import { DEFAULT_LIVE_THRESHOLDS, type LiveDriftThresholds } from "@/lib/drift/live";
import { DEFAULT_GATE, type OfflineGateSettings } from "@/lib/recsys/eval/gate";
import type { LoopSettings, Prisma } from "./generated/client";
import type { Db } from "./client";

const positive = z.number({ error: "must be a number" }).positive("must be greater than 0").finite();

/** Minutes a cron can repeat evenly: a divisor of 60, or whole hours dividing a day. */
export function cronForMinutes(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = minutes / 60;
  return hours >= 24 ? "0 0 * * *" : `0 */${hours} * * *`;
}

const everyMinutes = z
  .number({ error: "must be a number" })
  .int("must be whole minutes")
  .min(1, "at least 1 minute")
  .max(1440, "at most a day (1440)")
  .refine(
    (m) => (m < 60 ? 60 % m === 0 : m % 60 === 0 && 24 % (m / 60) === 0),
    "must divide an hour (1–6, 10, 12, 15, 20, 30) or be whole hours dividing a day (60, 120, 180, 240, 360, 480, 720, 1440)",
  );
const everyHours = z
  .number({ error: "must be a number" })
  .int("must be whole hours")
  .min(1, "at least 1 hour")
  .max(24 * 30, "at most 30 days")
  .refine((h) => (h <= 24 ? 24 % h === 0 : h % 24 === 0), "must divide a day (1, 2, 3, 4, 6, 8, 12, 24) or be whole days");

export const thresholdsSchema = z
  .object({
    popularityPsi: positive,
    popularityJsd: positive.max(1, "JSD is at most 1"),
    unknownItemShare: positive.max(1, "a share is at most 1"),
    unknownUserShare: positive.max(1, "a share is at most 1"),
    userActivityJsd: positive.max(1, "JSD is at most 1"),
    minAgreement10: positive.max(1, "agreement is at most 1"),
    kpiAlpha: positive.max(0.5, "at most 0.5"),
  })
  .partial()
  .strict();

export const gateSchema = z
  .object({
    ndcgTolerance: z.number({ error: "must be a number" }).min(0, "must be 0 or more").max(1, "at most 1 (100%)"),
    longTailTolerance: z.number({ error: "must be a number" }).min(0, "must be 0 or more").max(1, "at most 1 (100%)"),
    latencyBudgetP99Us: positive.max(10_000_000),
    negatives: z.number().int().min(1).max(10_000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
  })
  .partial()
  .strict();

/** What a person may change (PUT /api/models/:id/loop): every field optional. */
export const loopSettingsInput = z
  .object({
    driftIntervalMinutes: everyMinutes,
    driftWindowHours: z
      .number({ error: "must be a number" })
      .int("must be whole hours")
      .min(1)
      .max(24 * 90, "at most 90 days"),
    thresholds: thresholdsSchema,
    snapshotIntervalHours: everyHours,
    retentionDays: z.number({ error: "must be a number" }).int("must be whole days").min(1).max(3650, "at most 10 years"),
    redistillOnDrift: z.boolean(),
    redistillIntervalHours: everyHours.nullable(),
    warmStartTeacher: z.boolean(),
    autoStartExperiment: z.boolean(),
    gate: gateSchema,
  })
  .partial()
  .strict();
export type LoopSettingsInput = z.infer<typeof loopSettingsInput>;

export interface EffectiveLoopSettings extends Omit<LoopSettings, "thresholds" | "gate" | "updatedAt"> {
  thresholds: LiveDriftThresholds;
  gate: OfflineGateSettings;
  updatedAt: Date | null;
  /** no row yet: every value is a default */
  isDefault: boolean;
}

export const LOOP_DEFAULTS = {
  driftIntervalMinutes: 60,
  driftWindowHours: 168,
  snapshotIntervalHours: 24,
  retentionDays: 365,
  redistillOnDrift: true,
  redistillIntervalHours: null,
  warmStartTeacher: false,
  autoStartExperiment: false,
} as const;

function effective(modelId: string, row: LoopSettings | null): EffectiveLoopSettings {
  const thresholds = thresholdsSchema.safeParse(row?.thresholds ?? {});
  const gate = gateSchema.safeParse(row?.gate ?? {});
  return {
    ...LOOP_DEFAULTS,
    modelId,
    updatedById: null,
    ...(row ?? {}),
    thresholds: { ...DEFAULT_LIVE_THRESHOLDS, ...(thresholds.success ? thresholds.data : {}) },
    gate: { ...DEFAULT_GATE, ...(gate.success ? gate.data : {}) },
    updatedAt: row?.updatedAt ?? null,
    isDefault: row === null,
  };
}

export async function getLoopSettings(db: Db, modelId: string): Promise<EffectiveLoopSettings> {
  return effective(modelId, await db.loopSettings.findUnique({ where: { modelId } }));
}

/** Merges `input` into the stored settings (thresholds and gate merge key by key). */
export async function saveLoopSettings(db: Db, modelId: string, input: LoopSettingsInput, updatedById: string | null): Promise<EffectiveLoopSettings> {
  const current = await db.loopSettings.findUnique({ where: { modelId } });
  const thresholds = { ...((current?.thresholds as object | undefined) ?? {}), ...(input.thresholds ?? {}) } as Prisma.InputJsonValue;
  const gate = { ...((current?.gate as object | undefined) ?? {}), ...(input.gate ?? {}) } as Prisma.InputJsonValue;
  const data = { ...input, thresholds, gate, updatedById };
  const row = await db.loopSettings.upsert({ where: { modelId }, create: { modelId, ...data }, update: data });
  return effective(modelId, row);
}
