// What each queue accepts and how pg-boss treats it (retries, time limits, overlap). No handler code
// here: route handlers import this module to validate and enqueue without loading training code.
import { z } from "zod";
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

function define<Input>(d: JobDefinition<Input>): JobDefinition<Input> {
  return d;
}

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
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
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
    drift: z.object({ phase: z.number().min(0).max(1), newItemFraction: z.number().min(0).max(1).optional() }).strict().optional(),
    /** a later snapshot of this dataset (drift) */
    parentDatasetId: z.string().min(1).optional(),
  })
  .strict();
export type GenerateDatasetInput = z.infer<typeof generateDatasetInput>;

export const DISTILLATION_METHODS = ["none", "rd", "de", "rrd", "de-rrd"] as const;

export const trainInput = z
  .object({
    /** teacher: BPR-MF trained alone; student: a small model distilled from teacherModelId */
    role: z.enum(["teacher", "student"]),
    datasetId: z.string().min(1),
    name: z.string().trim().min(1).max(120).optional(),
    dimension: z.number().int().min(1).max(1024),
    method: z.enum(DISTILLATION_METHODS).default("none"),
    teacherModelId: z.string().min(1).optional(),
    /** the teacher is still being trained by this job: wait for it, then distill from its model */
    teacherJobRunId: z.string().min(1).optional(),
    epochs: z.number().int().min(1).max(1000).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /** further trainer hyperparameters (learning rate, λ_DE, λ_RRD, ...) */
    hyperparameters: z.record(z.string(), z.unknown()).default({}),
    /** teacher | distill | redistill: redistill comes from a drift check */
    kind: z.enum(["teacher", "distill", "redistill"]).optional(),
    /** bootstrap: when no model serves production yet, the trained model becomes the production model */
    promoteIfNoProduction: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.role === "student" && v.method !== "none" && !v.teacherModelId && !v.teacherJobRunId) {
      ctx.addIssue({ code: "custom", path: ["teacherModelId"], message: `distillation method "${v.method}" needs a teacher model` });
    }
    if (v.role === "teacher" && v.method !== "none") {
      ctx.addIssue({ code: "custom", path: ["method"], message: "a teacher is trained alone: method must be \"none\"" });
    }
  });
export type TrainInput = z.infer<typeof trainInput>;

/** The rollout scheduler's run: evaluates every live experiment (input is empty; the cron sends {}). */
export const rolloutEvaluateInput = z.object({}).strict();
export type RolloutEvaluateInput = z.infer<typeof rolloutEvaluateInput>;

/** Compares a current dataset snapshot with a reference one and, on drift, queues a redistillation. */
export const driftCheckInput = z
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
export type DriftCheckInput = z.infer<typeof driftCheckInput>;

/** Evaluates a teacher and other models of its dataset on one split with the same sampled negatives (issue 12). */
export const compareModelsInput = z
  .object({
    teacherId: z.string().min(1),
    /** the models compared with the teacher (students or other teachers of the same dataset) */
    modelIds: z.array(z.string().min(1)).min(1, "Pick at least one model to compare with the teacher").max(12, "Compare at most 12 models at once"),
    split: z.enum(["valid", "test"]).default("test"),
    negatives: z.number().int().min(1).max(10_000).default(499),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
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
  [QUEUES.selftest]: define<SelftestInput>({
    queue: QUEUES.selftest,
    title: "Self-test",
    input: selftestInput,
    retryLimit: 2,
    retryDelaySeconds: 1,
    retryBackoff: true,
    retryDelayMaxSeconds: 30,
    expireInSeconds: 15 * 60,
    heartbeatSeconds: 10,
    singletonKey: (input) => input.singletonKey,
    concurrency: 2,
  }),
  [QUEUES.generateDataset]: define<GenerateDatasetInput>({
    queue: QUEUES.generateDataset,
    title: "Generate dataset",
    input: generateDatasetInput,
    retryLimit: 2,
    retryDelaySeconds: 5,
    retryBackoff: true,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 60 * 60,
    heartbeatSeconds: 30,
    concurrency: 1,
  }),
  [QUEUES.train]: define<TrainInput>({
    queue: QUEUES.train,
    title: "Train / distill",
    input: trainInput,
    retryLimit: 2,
    retryDelaySeconds: 10,
    retryBackoff: true,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 6 * 60 * 60,
    // Training computes in long synchronous stretches (the event loop, and with it pg-boss's heartbeat,
    // can pause for a minute on a busy machine); a dead worker's training job is retried after this.
    heartbeatSeconds: 300,
    // the same model (dataset, role, size, method, teacher, seed) is never trained twice at once
    singletonKey: (i) => ["train", i.datasetId, i.role, i.dimension, i.method, i.teacherModelId ?? i.teacherJobRunId ?? "-", i.seed].join(":"),
    concurrency: 1,
  }),
  [QUEUES.rolloutEvaluate]: define<RolloutEvaluateInput>({
    queue: QUEUES.rolloutEvaluate,
    title: "Evaluate rollouts",
    input: rolloutEvaluateInput,
    // the next minute's run is the retry
    retryLimit: 0,
    retryDelaySeconds: 5,
    retryBackoff: true,
    retryDelayMaxSeconds: 60,
    expireInSeconds: 10 * 60,
    heartbeatSeconds: 30,
    // one evaluation at a time across all workers (each decision is also applied under a row lock)
    singletonKey: () => "rollout-evaluate",
    concurrency: 1,
  }),
  [QUEUES.driftCheck]: define<DriftCheckInput>({
    queue: QUEUES.driftCheck,
    title: "Drift check",
    input: driftCheckInput,
    retryLimit: 2,
    retryDelaySeconds: 10,
    retryBackoff: true,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 60 * 60,
    // evaluating the production model on two snapshots is synchronous work
    heartbeatSeconds: 120,
    // one check of the same pair at a time
    singletonKey: (i) => ["drift-check", i.currentDatasetId, i.referenceDatasetId, i.modelId ?? "-"].join(":"),
    concurrency: 1,
  }),
  [QUEUES.compareModels]: define<CompareModelsInput>({
    queue: QUEUES.compareModels,
    title: "Compare models",
    input: compareModelsInput,
    retryLimit: 2,
    retryDelaySeconds: 10,
    retryBackoff: true,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 60 * 60,
    // evaluation and latency timing are synchronous stretches on this thread
    heartbeatSeconds: 120,
    singletonKey: compareModelsKey,
    concurrency: 1,
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
  // lib/db/experiments.ts evaluateLiveExperiments: advance / hold / pause / roll back / ask for approval
  { queue: QUEUES.rolloutEvaluate, cron: process.env.UNDERSTUDY_ROLLOUT_CRON ?? "* * * * *", input: {} },
];
