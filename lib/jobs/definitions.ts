// What each queue accepts and how pg-boss treats it (retries, time limits, overlap). No handler code
// here: route handlers import this module to validate and enqueue without loading training code.
import { z } from "zod";
import { DEFAULT_PRESET, PRESET_NAMES } from "@/lib/recsys/presets";
import { LR_SCHEDULES } from "@/lib/recsys/models/lr-schedule";
import { DISTILL_METHODS } from "@/lib/recsys/distill/methods";
import { IR_ANCHORS, RRD_SAMPLINGS } from "@/lib/recsys/distill/rrd";
import { QUEUES, type QueueName } from "./queues";

export interface JobDefinition<Input = unknown> {
  queue: QueueName;
  /** short human title for lists */
  title: string;
  input: z.ZodType<Input>;
  /** retries after the first attempt */
  retryLimit: number;
  /** seconds before the first retry; doubled each retry (with jitter) when retryBackoff */
  retryDelaySeconds: number;
  retryBackoff: boolean;
  retryDelayMaxSeconds?: number;
  /** an attempt running longer than this is failed (and retried) */
  expireInSeconds: number;
  /**
   * pg-boss heartbeat (>= 10): a worker that stops sending it (killed, frozen) loses the job,
   * which another worker then retries.
   */
  heartbeatSeconds: number;
  /**
   * Runs that must not overlap share a key, derived from the input here or passed to enqueueJob.
   * Every queue uses pg-boss's "exclusive" policy (one queued-or-active job per key); a job without
   * a key gets its JobRun id as key, so it overlaps with nothing.
   */
  singletonKey?: (input: Input) => string | undefined;
  /** jobs of this queue one worker process runs at once */
  concurrency: number;
}

/** retries after the first attempt, the first retry's delay and its cap in seconds (doubled each retry, with jitter) */
function backoff(retryLimit: number, retryDelaySeconds: number, retryDelayMaxSeconds: number) {
  return { retryLimit, retryDelaySeconds, retryBackoff: true, retryDelayMaxSeconds };
}

/** a scheduled job: not retried (the next scheduled run is the retry), ten minutes at most */
const SCHEDULED = { retries: backoff(0, 5, 60), limits: { expireInSeconds: 10 * 60, heartbeatSeconds: 30 } };
/** up to an hour of work in long synchronous stretches (the heartbeat allows two minutes), retried twice */
const SYNCHRONOUS_HOUR = { retries: backoff(2, 10, 300), limits: { expireInSeconds: 60 * 60, heartbeatSeconds: 120 } };

interface QueuePolicy<Input> extends Pick<JobDefinition<Input>, "singletonKey"> {
  retries: ReturnType<typeof backoff>;
  limits: Pick<JobDefinition<Input>, "expireInSeconds" | "heartbeatSeconds">;
  /** default 1 */
  concurrency?: number;
}

function define<Input>(
  queue: QueueName,
  title: string,
  input: z.ZodType<Input>,
  { retries, limits, concurrency = 1, ...rest }: QueuePolicy<Input>,
): JobDefinition<Input> {
  return { queue, title, input, ...retries, ...limits, concurrency, ...rest };
}

/** a training or generator seed: a non-negative 32-bit integer */
const seedInput = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

export const selftestInput = z
  .object({
    /** counts 1..steps */
    steps: z.number().int().min(1).max(100_000).default(10),
    /** pause per step, ms (the work being simulated) */
    stepMs: z.number().int().min(0).max(60_000).default(100),
    /** attempts that fail on purpose before one succeeds (retry tests) */
    failAttempts: z.number().int().min(0).max(10).default(0),
    /** step at which a failing attempt throws */
    failAtStep: z.number().int().min(1).optional(),
    /** a non-retryable failure: the run fails at once whatever the retry budget */
    permanentFailure: z.boolean().default(false),
    /** also raise an unhandled rejection outside the job (the worker must log it and live on) */
    strayRejection: z.boolean().default(false),
    /** overlap guard for tests */
    singletonKey: z.string().min(1).max(200).optional(),
  })
  .strict();
export type SelftestInput = z.infer<typeof selftestInput>;

export const generateDatasetInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    seed: seedInput.default(42),
    numUsers: z.number().int().min(10).max(200_000).default(1000),
    numItems: z.number().int().min(10).max(200_000).default(1000),
    // generator knobs (lib/recsys/data/synthetic.ts); omitted ones take the generator's defaults
    numClusters: z.number().int().min(1).max(1000).optional(),
    interactionsPerUser: z.number().min(3).max(10_000).optional(),
    nicheUserFraction: z.number().min(0).max(1).optional(),
    popularityExponent: z.number().min(0).max(5).optional(),
    affinity: z.number().min(0).max(100).optional(),
    latentDim: z.number().int().min(1).max(512).optional(),
    /** a drifted snapshot: phase 0 = none, 1 = fully shifted tastes and popularity */
    drift: z
      .object({ phase: z.number().min(0).max(1), newItemFraction: z.number().min(0).max(1).optional() })
      .strict()
      .optional(),
    /** a later snapshot of this dataset (drift) */
    parentDatasetId: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // Each bound alone allows a job of hours and gigabytes; their products are what costs.
    const perUser = v.interactionsPerUser ?? 30;
    if (v.numUsers * perUser > MAX_SYNTHETIC_INTERACTIONS) {
      ctx.addIssue({
        code: "custom",
        path: ["interactionsPerUser"],
        message: `users × interactions per user must be at most ${MAX_SYNTHETIC_INTERACTIONS.toLocaleString("en")} (got ${(v.numUsers * perUser).toLocaleString("en")})`,
      });
    }
    const latent = (v.numUsers + v.numItems) * (v.latentDim ?? 48);
    if (latent > MAX_SYNTHETIC_LATENT_VALUES) {
      ctx.addIssue({
        code: "custom",
        path: ["latentDim"],
        message: `(users + items) × latent dimension must be at most ${MAX_SYNTHETIC_LATENT_VALUES.toLocaleString("en")} (got ${latent.toLocaleString("en")})`,
      });
    }
  });
/** Synthetic datasets: expected interactions (users × per user) and latent values ((users + items) × dim). */
export const MAX_SYNTHETIC_INTERACTIONS = 5_000_000;
export const MAX_SYNTHETIC_LATENT_VALUES = 20_000_000;
export type GenerateDatasetInput = z.infer<typeof generateDatasetInput>;

const num = (min: number, max: number) => z.number().min(min).max(max);
const int = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * Trainer knobs a request may set, each bounded so no request buys unbounded CPU or memory (the epoch
 * budget is the top-level `epochs`, the size `dimension`; neither can be smuggled in here). Unknown keys
 * are refused with their names.
 */
const rrdFields = {
  topN: int(1, 2000),
  K: int(1, 500),
  L: int(1, 2000),
  T: z.number().gt(0).max(10_000),
  lambda: num(0, 1000),
  sampling: z.enum(RRD_SAMPLINGS),
};
const rrdKnobs = z.object(rrdFields).partial().strict();
const irKnobs = z
  .object({ ...rrdFields, anchors: z.enum(IR_ANCHORS), anchorShare: z.number().gt(0, "anchorShare must be above 0").max(1, "anchorShare must be at most 1") })
  .partial()
  .strict();

export const hyperparametersSchema = z
  .object({
    lr: z.number().gt(0).max(1).optional(),
    weightDecay: num(0, 1).optional(),
    batchSize: int(32, 65_536).optional(),
    initStd: z.number().gt(0).max(1).optional(),
    evalEvery: int(1, 100).optional(),
    patience: int(1, 1000).optional(),
    adam: z.enum(["lazy", "dense"]).optional(),
    lrSchedule: z.enum(LR_SCHEDULES).optional(),
    lrFloor: num(0, 1).optional(),
    engine: z.enum(["auto", "tfjs", "typed-arrays"]).optional(),
    de: z
      .object({
        experts: int(1, 64),
        lambda: num(0, 1000),
        tauStart: z.number().gt(0).max(100),
        tauEnd: z.number().gt(0).max(100),
        skipBelow: num(0, 1),
        maxExperts: int(1, 64),
        entityFraction: z.number().gt(0).max(1),
      })
      .partial()
      .strict()
      .optional(),
    rrd: rrdKnobs.optional(),
    /** IR-RRD's item side (methods ir-rrd, de-ir-rrd): the same knobs over users */
    ir: irKnobs.optional(),
    rd: z
      .object({ K: int(1, 500), mu: z.number().gt(0).max(1000), lambda: num(0, 1000) })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

export const trainInput = z
  .object({
    /** teacher: BPR-MF trained alone; student: a small model distilled from teacherModelId */
    role: z.enum(["teacher", "student"]),
    datasetId: z.string().min(1),
    name: z.string().trim().min(1).max(120).optional(),
    dimension: z.number().int().min(1).max(1024),
    method: z.enum(DISTILL_METHODS).default("none"),
    /** the recipe under the explicit settings: "recommended" (the CiteULike benchmark's), "fast" or "quality" (with DE-IR-RRD) */
    preset: z.enum(PRESET_NAMES).default(DEFAULT_PRESET),
    teacherModelId: z.string().min(1).optional(),
    /** the teacher is still being trained by this job: wait for it, then distill from its model */
    teacherJobRunId: z.string().min(1).optional(),
    epochs: z.number().int().min(1).max(1000).optional(),
    seed: seedInput.default(42),
    /** further trainer hyperparameters (learning rate, λ_DE, λ_RRD, ...): allow-listed and bounded */
    hyperparameters: hyperparametersSchema.default({}),
    /** teacher | distill | redistill: redistill comes from a drift check */
    kind: z.enum(["teacher", "distill", "redistill"]).optional(),
    /** bootstrap: when no model serves production yet, the trained model becomes the production model */
    promoteIfNoProduction: z.boolean().default(false),
    /** teachers: start from this earlier teacher's weights (rows matched by external id; same dimension) */
    warmStartModelId: z.string().min(1).optional(),
    /** students: once trained, queue an offline comparison with the teacher (compare-models job) */
    compareWithTeacher: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.role === "student" && v.method !== "none" && !v.teacherModelId && !v.teacherJobRunId) {
      ctx.addIssue({ code: "custom", path: ["teacherModelId"], message: `distillation method "${v.method}" needs a teacher model` });
    }
    if (v.role === "student" && v.warmStartModelId) {
      ctx.addIssue({ code: "custom", path: ["warmStartModelId"], message: "only a teacher is warm-started" });
    }
    if (v.role === "teacher" && v.compareWithTeacher) {
      ctx.addIssue({ code: "custom", path: ["compareWithTeacher"], message: "only a student is compared with its teacher" });
    }
    if (v.role === "teacher" && v.method !== "none") {
      ctx.addIssue({ code: "custom", path: ["method"], message: 'a teacher is trained alone: method must be "none"' });
    }
  });
export type TrainInput = z.infer<typeof trainInput>;

/** The rollout scheduler's run: evaluates every live experiment (input is empty; the cron sends {}). */
export const rolloutEvaluateInput = z.object({}).strict();
export type RolloutEvaluateInput = z.infer<typeof rolloutEvaluateInput>;

/** Teacher agreement of sampled candidate slates and user segments of live candidates' datasets (the cron sends {}). */
export const distillationSignalsInput = z
  .object({
    /** most sampled slates scored in one run (the oldest first; the rest wait for the next minute) */
    limit: z.number().int().min(1).max(100_000).default(5000),
  })
  .strict();
export type DistillationSignalsInput = z.infer<typeof distillationSignalsInput>;

/** Purges expired sessions and stale sign-in throttle rows (input is empty; the cron sends {}). */
export const authHousekeepingInput = z.object({}).strict();
export type AuthHousekeepingInput = z.infer<typeof authHousekeepingInput>;

/** Compares a current dataset snapshot with a reference one and, on drift, queues a redistillation. */
export const snapshotDriftCheckInput = z
  .object({
    /** what the production model was trained on (or any earlier snapshot) */
    referenceDatasetId: z.string().min(1),
    /** the snapshot to check; the DriftCheck row belongs to it */
    currentDatasetId: z.string().min(1),
    /** model whose HR@10 decay is measured; default: the model serving production, if any */
    modelId: z.string().min(1).optional(),
    /** on drift, queue a teacher and a student trained on the current snapshot (kind "redistill") */
    redistill: z.boolean().default(true),
  })
  .strict()
  .refine((v) => v.referenceDatasetId !== v.currentDatasetId, { path: ["referenceDatasetId"], message: "pick a reference other than the dataset itself" });
/** Compares a production model's training snapshot with its recent live traffic (the per-model cron). */
export const liveDriftCheckInput = z
  .object({
    kind: z.literal("live"),
    modelId: z.string().min(1),
    /** on a breach, start a redistillation when the model's settings allow it */
    redistill: z.boolean().default(true),
    /** schedule | manual */
    trigger: z.enum(["schedule", "manual"]).default("schedule"),
  })
  .strict();
export type LiveDriftCheckInput = z.infer<typeof liveDriftCheckInput>;
export type SnapshotDriftCheckInput = z.infer<typeof snapshotDriftCheckInput>;

export const driftCheckInput = z.union([liveDriftCheckInput, snapshotDriftCheckInput]);
export type DriftCheckInput = z.infer<typeof driftCheckInput>;

/** One attempt at POSTing one webhook delivery (lib/notifications/deliver.ts); pg-boss retries with backoff. */
export const webhookDeliverInput = z.object({ deliveryId: z.string().min(1) }).strict();
export type WebhookDeliverInput = z.infer<typeof webhookDeliverInput>;

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const v = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isInteger(v) && v >= min && v <= max ? v : fallback;
}

/** Folds the live clicks and conversions since the last snapshot into a new snapshot of the production model's dataset. */
export const snapshotBuildInput = z.object({ modelId: z.string().min(1).optional() }).strict();
export type SnapshotBuildInput = z.infer<typeof snapshotBuildInput>;

/** Redistills a production model on its newest snapshot, gates the student offline, and on a pass creates its experiment. */
export const redistillInput = z
  .object({
    modelId: z.string().min(1),
    trigger: z.enum(["drift", "schedule", "manual"]),
    driftCheckId: z.string().min(1).optional(),
    /** scheduled runs first fold the live events into a new snapshot */
    buildSnapshot: z.boolean().default(false),
  })
  .strict();
export type RedistillInput = z.infer<typeof redistillInput>;

/** Demo installs: the drifted demo world through the events ingestion, folded and drift-checked (lib/db/demo-replay.ts). */
export const demoReplayInput = z
  .object({
    /** the production model (on the demo dataset) whose traffic this is */
    modelId: z.string().min(1),
    phase: z.number().min(0).max(1).default(1),
    newItemFraction: z.number().min(0).max(1).default(0.3),
  })
  .strict();
export type DemoReplayInput = z.infer<typeof demoReplayInput>;

/** How an import is split (lib/recsys/data/split.ts SplitSpec); recorded in Dataset.params.split. */
export const splitSpecInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("loo-time"), seed: seedInput.default(0) }).strict(),
  z.object({ kind: z.literal("loo-random"), seed: seedInput.default(0) }).strict(),
  z
    .object({
      kind: z.literal("time-cutoff"),
      cutoff: z
        .string()
        .trim()
        .min(1)
        .max(40)
        .refine((v) => Number.isFinite(Date.parse(v)), "Must be a date (ISO 8601, e.g. 2024-01-31)"),
      seed: seedInput.default(0),
    })
    .strict(),
]);

const columnIndex = z.number().int().min(0).max(255);

/** Parse options of an import, shared by the preview and the job. */
export const importOptionsInput = z
  .object({
    format: z.enum(["movielens", "csv", "tsv-dir"]).optional(),
    delimiter: z.enum([",", "\t", ";", "|"]).optional(),
    header: z.boolean().optional(),
    /** 0-based columns; default: detected from the header */
    mapping: z
      .object({ user: columnIndex, item: columnIndex, timestamp: columnIndex.optional(), weight: columnIndex.optional() })
      .strict()
      .refine(
        (m) =>
          new Set([m.user, m.item, m.timestamp, m.weight].filter((c) => c !== undefined)).size ===
          [m.user, m.item, m.timestamp, m.weight].filter((c) => c !== undefined).length,
        {
          message: "each column can have one role only",
        },
      )
      .optional(),
    /** rows with a weight (MovieLens: rating) below this are dropped; MovieLens default 4 */
    minWeight: z.number().finite().optional(),
    split: splitSpecInput.optional(),
  })
  .strict();

/** A staged upload (POST /api/datasets/import/uploads) or a path relative to IMPORT_DIR. */
export const importSourceInput = z.union([
  z.object({ uploadId: z.string().regex(/^up_[a-f0-9]{24}$/, "Must be an upload id from /api/datasets/import/uploads") }).strict(),
  z.object({ path: z.string().trim().min(1).max(1000) }).strict(),
]);

export const importPreviewInput = importOptionsInput.extend({ source: importSourceInput }).strict();
export type ImportPreviewInput = z.infer<typeof importPreviewInput>;

export const importDatasetInput = importOptionsInput.extend({ name: z.string().trim().min(1).max(120), source: importSourceInput }).strict();
export type ImportDatasetInput = z.infer<typeof importDatasetInput>;

/** Evaluates a teacher and other models of its dataset on one split with the same sampled negatives (issue 12). */
export const compareModelsInput = z
  .object({
    teacherId: z.string().min(1),
    /** the models compared with the teacher (students or other teachers of the same dataset) */
    modelIds: z.array(z.string().min(1)).min(1, "Pick at least one model to compare with the teacher").max(12, "Compare at most 12 models at once"),
    split: z.enum(["valid", "test"]).default("test"),
    negatives: z.number().int().min(1).max(10_000).default(499),
    seed: seedInput.default(0),
  })
  .strict()
  .refine((v) => !v.modelIds.includes(v.teacherId), { path: ["modelIds"], message: "the teacher is always compared: do not list it again" })
  .refine((v) => new Set(v.modelIds).size === v.modelIds.length, { path: ["modelIds"], message: "a model is listed twice" });
export type CompareModelsInput = z.infer<typeof compareModelsInput>;

/** one comparison of the same models and protocol at a time */
export function compareModelsKey(i: CompareModelsInput): string {
  return ["compare", i.teacherId, [...i.modelIds].sort().join(","), i.split, i.negatives, i.seed].join(":");
}

export const JOB_DEFINITIONS = {
  [QUEUES.selftest]: define(QUEUES.selftest, "Self-test", selftestInput, {
    retries: backoff(2, 1, 30),
    limits: { expireInSeconds: 15 * 60, heartbeatSeconds: 10 },
    singletonKey: (input) => input.singletonKey,
    concurrency: 2,
  }),
  [QUEUES.generateDataset]: define(QUEUES.generateDataset, "Generate dataset", generateDatasetInput, {
    retries: backoff(2, 5, 300),
    limits: { expireInSeconds: 60 * 60, heartbeatSeconds: 30 },
  }),
  [QUEUES.train]: define(QUEUES.train, "Train / distill", trainInput, {
    retries: backoff(2, 10, 600),
    // Training computes in long synchronous stretches (the event loop, and with it pg-boss's heartbeat,
    // can pause for a minute on a busy machine); a dead worker's training job is retried after the heartbeat.
    limits: { expireInSeconds: 6 * 60 * 60, heartbeatSeconds: 300 },
    // the same model (dataset, role, size, method, teacher, seed) is never trained twice at once
    singletonKey: (i) => ["train", i.datasetId, i.role, i.dimension, i.method, i.teacherModelId ?? i.teacherJobRunId ?? "-", i.seed].join(":"),
  }),
  [QUEUES.rolloutEvaluate]: define(QUEUES.rolloutEvaluate, "Evaluate rollouts", rolloutEvaluateInput, {
    ...SCHEDULED,
    // one evaluation at a time across all workers (each decision is also applied under a row lock)
    singletonKey: () => "rollout-evaluate",
  }),
  [QUEUES.driftCheck]: define(QUEUES.driftCheck, "Drift check", driftCheckInput, {
    // evaluating the production model on two snapshots is synchronous work
    ...SYNCHRONOUS_HOUR,
    // one check of the same pair (or of the same production model's live traffic) at a time
    singletonKey: (i) =>
      ("kind" in i ? ["drift-check", "live", i.modelId] : ["drift-check", i.currentDatasetId, i.referenceDatasetId, i.modelId ?? "-"]).join(":"),
  }),
  [QUEUES.webhookDeliver]: define(QUEUES.webhookDeliver, "Webhook delivery", webhookDeliverInput, {
    // retry n waits base·2^(n-1) to base·2^n seconds (pg-boss's backoff, with jitter), capped at an hour:
    // with the defaults (10 s, 8 retries) a receiver has about 1.5 to 3 hours to come back
    retries: backoff(intFromEnv("WEBHOOK_RETRY_LIMIT", 8, 0, 20), intFromEnv("WEBHOOK_RETRY_DELAY_SECONDS", 10, 1, 3600), 3600),
    // an attempt is bounded by WEBHOOK_TIMEOUT_MS (10 s); this only catches a stuck worker
    limits: { expireInSeconds: 120, heartbeatSeconds: 10 },
    singletonKey: (i) => `webhook-deliver:${i.deliveryId}`,
    concurrency: 4,
  }),
  [QUEUES.snapshotBuild]: define(QUEUES.snapshotBuild, "Build live snapshot", snapshotBuildInput, {
    ...SYNCHRONOUS_HOUR,
    // snapshots of one model's chain are built one at a time (each extends the previous)
    singletonKey: (i) => `snapshot-build:${i.modelId ?? "production"}`,
  }),
  [QUEUES.redistill]: define(QUEUES.redistill, "Redistill", redistillInput, {
    retries: backoff(1, 30, 600),
    // waits for a teacher and a student to train
    limits: { expireInSeconds: 12 * 60 * 60, heartbeatSeconds: 120 },
    // single flight per production model: two breaches, one run
    singletonKey: (i) => `redistill:${i.modelId}`,
    concurrency: 2,
  }),
  [QUEUES.importDataset]: define(QUEUES.importDataset, "Import dataset", importDatasetInput, {
    retries: backoff(1, 10, 120),
    // de-duplicating and splitting tens of millions of rows holds the event loop for seconds
    limits: { expireInSeconds: 2 * 60 * 60, heartbeatSeconds: 120 },
    // one import of the same upload or server path at a time
    singletonKey: (i) => `import:${"uploadId" in i.source ? i.source.uploadId : i.source.path}`,
  }),
  [QUEUES.authHousekeeping]: define(QUEUES.authHousekeeping, "Purge expired sessions", authHousekeepingInput, {
    ...SCHEDULED,
    singletonKey: () => "auth-housekeeping",
  }),
  [QUEUES.compareModels]: define(QUEUES.compareModels, "Compare models", compareModelsInput, {
    // evaluation and latency timing are synchronous stretches on this thread
    ...SYNCHRONOUS_HOUR,
    singletonKey: compareModelsKey,
  }),
  [QUEUES.distillationSignals]: define(QUEUES.distillationSignals, "Distillation guardrails", distillationSignalsInput, {
    ...SCHEDULED,
    // loading a reference model and its dataset, and scoring, are synchronous stretches
    limits: { ...SCHEDULED.limits, heartbeatSeconds: 60 },
    singletonKey: () => "distillation-signals",
  }),
  [QUEUES.demoReplay]: define(QUEUES.demoReplay, "Replay drifted demo traffic", demoReplayInput, {
    // a retry sends the same event ids (stored once) and finds its own drift check
    retries: backoff(1, 10, 120),
    limits: { expireInSeconds: 30 * 60, heartbeatSeconds: 60 },
    // one replay at a time on the install
    singletonKey: () => "demo-replay",
  }),
} satisfies Record<QueueName, object>;

export function jobDefinition(queue: QueueName): JobDefinition<unknown> {
  return JOB_DEFINITIONS[queue] as unknown as JobDefinition<unknown>;
}

/** Recurring jobs (pg-boss cron, UTC). Later issues add e.g. the rollout evaluation every minute. */
export interface JobSchedule {
  queue: QueueName;
  /** cron expression, e.g. "* * * * *" */
  cron: string;
  input: unknown;
  /** distinguishes several schedules of one queue */
  key?: string;
}

export const JOB_SCHEDULES: JobSchedule[] = [
  // lib/services/experiments.ts evaluateLiveExperiments: advance / hold / pause / roll back / ask for approval
  { queue: QUEUES.rolloutEvaluate, cron: process.env.UNDERSTUDY_ROLLOUT_CRON ?? "* * * * *", input: {} },
  { queue: QUEUES.authHousekeeping, cron: "17 * * * *", input: {} },
  // lib/serving/distillation-signals.ts: teacher agreement of sampled slates, user segments
  { queue: QUEUES.distillationSignals, cron: process.env.UNDERSTUDY_ROLLOUT_CRON ?? "* * * * *", input: {} },
];
