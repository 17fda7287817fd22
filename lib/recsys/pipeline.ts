// Entry points for job handlers, the demo seeding and the CLI: train a BPR teacher, distill a student.
// Both train with early stopping on the valid split, restore the best weights, evaluate on test
// (R1's evaluate: sampled 499 negatives, full catalogue, long tail, coverage) and return a ServableBpr
// whose manifest carries the configuration and metrics (saveModel(dir, result.model) persists it).
import type { Dataset, ModelManifest, ProgressFn } from "./types";
import { Rng } from "./random";
import { backendName, getTf } from "./backend";
import { BprModel } from "./models/bpr";
import { ServableBpr } from "./models/servable";
import { trainBpr, TRAIN_DEFAULTS, type EpochRecord, type TrainConfig } from "./models/train";
import { sampledValidator } from "./models/validation";
import { LR_SCHEDULES } from "./models/lr-schedule";
import { createDistillers, rankedTeacherProblem, type DistillMethod, type DistillSetup } from "./distill";
import { RankedListTeacher } from "./interop/ranked-lists";
import { evaluate, metricsSummary, type EvalResult } from "./eval/evaluate";
import { weightBytes } from "./artifact";

export type { DistillMethod } from "./distill";
export { DISTILL_METHODS } from "./distill";
export { TrainingAborted } from "./models/train";

export interface TeacherOptions extends Partial<TrainConfig> {
  /** seed of the evaluation negatives (valid and test), default 0 */
  evalSeed?: number;
}

/** An earlier model of the same dimension whose rows start the users and items it knows (matched by external id). */
export interface WarmStart {
  model: BprModel;
  userIds: readonly string[];
  itemIds: readonly string[];
}

/** copies the warm-start rows into `init` by external id; returns how many users and items were copied */
export function applyWarmStart(init: BprModel, ds: Dataset, warm: WarmStart): { users: number; items: number } {
  if (warm.model.dim !== init.dim) throw new RangeError(`warm start has dimension ${warm.model.dim}, the model ${init.dim}`);
  const d = init.dim;
  const copy = (ids: readonly string[], fromIds: readonly string[], from: Float32Array, to: Float32Array) => {
    const index = new Map(fromIds.map((id, k) => [id, k]));
    let n = 0;
    ids.forEach((id, k) => {
      const f = index.get(id);
      if (f === undefined) return;
      to.set(from.subarray(f * d, (f + 1) * d), k * d);
      n++;
    });
    return n;
  };
  return { users: copy(ds.userIds, warm.userIds, warm.model.users, init.users), items: copy(ds.itemIds, warm.itemIds, warm.model.items, init.items) };
}

export interface StudentOptions extends TeacherOptions, Partial<Omit<DistillSetup, "method">> {
  method?: DistillMethod;
}

export interface TrainedModel {
  model: ServableBpr;
  history: EpochRecord[];
  testMetrics: EvalResult;
  bestEpoch: number;
  bestValid: Record<string, number> | null;
  epochsRun: number;
  stoppedEarly: boolean;
  trainSeconds: number;
  config: Record<string, unknown>;
  backend: string;
}

/**
 * Teacher defaults: BPR dim 200, Adam lr 0.003 cosine-decayed to 0.0003 / wd 0.001, batch 1024, dense Adam,
 * ≤ 60 epochs. Measured on CiteULike, 80 epochs: valid N@10 0.4371, against 0.4332 at a constant 0.002 and
 * 0.4300 for 0.002 decayed.
 */
export const TEACHER_DEFAULTS: TrainConfig = {
  ...TRAIN_DEFAULTS,
  dim: 200,
  lr: 0.003,
  lrSchedule: "cosine",
  epochs: 60,
  adam: "dense",
  evalEvery: 2,
  patience: 5,
};
/**
 * Student defaults: BPR dim 20, Adam lr 0.003 / wd 0.001, batch 1024, dense Adam, ≤ 200 epochs. A cosine
 * decay (lrSchedule) helped RRD on CiteULike's 200-epoch budget but cost the short synthetic budgets
 * (24 epochs: DE-RRD N@10 0.212 → 0.189), so it is opt-in for students.
 */
export const STUDENT_DEFAULTS: TrainConfig = { ...TRAIN_DEFAULTS, dim: 20, lr: 0.003, epochs: 200, adam: "dense", evalEvery: 2, patience: 10 };

function pick(defaults: TrainConfig, opts: Partial<TrainConfig>): TrainConfig {
  const c = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof TrainConfig)[]) {
    const v = opts[key];
    if (v !== undefined) (c as Record<string, unknown>)[key] = v;
  }
  if (!Number.isInteger(c.dim) || c.dim < 1) throw new RangeError(`dim must be a positive integer, got ${c.dim}`);
  if (!Number.isInteger(c.epochs) || c.epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${c.epochs}`);
  if (!(c.lr > 0)) throw new RangeError(`lr must be positive, got ${c.lr}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${c.batchSize}`);
  if (!(LR_SCHEDULES as readonly string[]).includes(c.lrSchedule))
    throw new RangeError(`lrSchedule must be one of ${LR_SCHEDULES.join(", ")}, got ${c.lrSchedule}`);
  if (!(c.lrFloor > 0 && c.lrFloor <= 1)) throw new RangeError(`lrFloor must be in (0, 1], got ${c.lrFloor}`);
  return c;
}

function manifestFor(
  role: "teacher" | "student",
  method: DistillMethod | null,
  ds: Dataset,
  model: BprModel,
  trainingConfig: Record<string, unknown>,
  metrics: Record<string, unknown>,
): ModelManifest {
  return {
    format: "understudy-model",
    version: 1,
    architecture: "bpr-mf",
    role,
    dimension: model.dim,
    numUsers: model.numUsers,
    numItems: model.numItems,
    parameterCount: model.parameterCount,
    sizeBytes: weightBytes(model.numUsers, model.numItems, model.dim),
    method,
    datasetName: ds.name,
    trainingConfig,
    metrics,
    createdAt: new Date().toISOString(),
  };
}

async function finish(
  role: "teacher" | "student",
  method: DistillMethod | null,
  ds: Dataset,
  result: Awaited<ReturnType<typeof trainBpr>>,
  config: Record<string, unknown>,
  evalSeed: number,
  progress?: ProgressFn,
): Promise<TrainedModel> {
  await getTf();
  const backend = backendName() ?? "cpu";
  const fullConfig = {
    ...config,
    backend,
    adamKernel: result.adamKernel,
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    trainSeconds: result.trainSeconds,
  };
  const provisional = new ServableBpr(result.model, manifestFor(role, method, ds, result.model, fullConfig, {}), ds.userIds, ds.itemIds);
  await provisional.accelerate();
  const testMetrics = evaluate(provisional, ds, { split: "test", seed: evalSeed }, progress ? (f, m) => progress(f, m) : undefined);
  const metrics = { ...metricsSummary(testMetrics), bestValid: result.bestValid };
  const model = new ServableBpr(result.model, manifestFor(role, method, ds, result.model, fullConfig, metrics), ds.userIds, ds.itemIds);
  provisional.dispose();
  await model.accelerate();
  return {
    model,
    history: result.history,
    testMetrics,
    bestEpoch: result.bestEpoch,
    bestValid: result.bestValid,
    epochsRun: result.epochsRun,
    stoppedEarly: result.stoppedEarly,
    trainSeconds: result.trainSeconds,
    config: fullConfig,
    backend,
  };
}

/**
 * Trains a BPR teacher (default dim 200) with early stopping on valid, and evaluates it on test.
 * `progress(fraction, message)` is called during training; aborting `signal` rejects with TrainingAborted.
 */
export async function trainTeacher(
  ds: Dataset,
  opts: TeacherOptions = {},
  progress?: ProgressFn,
  signal?: AbortSignal,
  warm?: WarmStart,
): Promise<TrainedModel> {
  const config = pick(TEACHER_DEFAULTS, opts);
  const evalSeed = opts.evalSeed ?? 0;
  const validate = sampledValidator(ds, { seed: evalSeed });
  let warmed: { users: number; items: number } | null = null;
  const result = await trainBpr(ds, config, {
    init: warm ? (m) => (warmed = applyWarmStart(m, ds, warm)) : undefined,
    validate,
    progress: progress ? (f, m) => progress(0.95 * f, m) : undefined,
    signal,
    label: `teacher-${config.dim}`,
  });
  const warmStart = warmed ? { warmStartRows: warmed } : {};
  return finish("teacher", null, ds, result, { ...config, evalSeed, ...warmStart }, evalSeed, progress ? (f, m) => progress(0.95 + 0.05 * f, m) : undefined);
}

/**
 * Distills a student (default dim 20, method "de-rrd") from `teacher` on the same dataset, with early
 * stopping on valid, and evaluates it on test. Experts and selection nets are dropped after training:
 * the returned model is a plain BPR model of the student's dimension.
 */
export async function distillStudent(
  ds: Dataset,
  teacher: ServableBpr | BprModel | RankedListTeacher | null,
  opts: StudentOptions = {},
  progress?: ProgressFn,
  signal?: AbortSignal,
): Promise<TrainedModel> {
  const method = opts.method ?? "de-rrd";
  // "none" learns from the data alone, so it may run before (or beside) the teacher's training
  if (!teacher && method !== "none") throw new RangeError(`method ${method} needs a teacher`);
  const t = teacher instanceof ServableBpr ? teacher.model : teacher;
  if (t instanceof RankedListTeacher) {
    const problem = rankedTeacherProblem(method);
    if (problem) throw new RangeError(problem);
  }
  if (t && (t.numUsers !== ds.numUsers || t.numItems !== ds.numItems)) {
    throw new RangeError(`teacher covers ${t.numUsers} users x ${t.numItems} items but dataset ${ds.name} has ${ds.numUsers} x ${ds.numItems}`);
  }
  const config = pick(STUDENT_DEFAULTS, opts);
  const evalSeed = opts.evalSeed ?? 0;
  const setup: DistillSetup = { method, de: opts.de, rrd: opts.rrd, ir: opts.ir, rd: opts.rd, engine: opts.engine };
  const rng = new Rng(config.seed ^ 0x5eed);
  const prep = progress ? (f: number, m: string) => progress(0.05 * f, m) : undefined;
  const { distillers, engine, engineTimings } = t
    ? await createDistillers(setup, ds, t, config.dim, config, rng, prep)
    : { distillers: [], engine: null, engineTimings: {} };
  const validate = sampledValidator(ds, { seed: evalSeed });
  const result = await trainBpr(ds, config, {
    distillers,
    validate,
    progress: progress ? (f, m) => progress(0.05 + 0.9 * f, m) : undefined,
    signal,
    label: `student-${config.dim} ${method}`,
  });
  const extra = distillers.reduce((a, d) => a + (d.parameterCount ?? 0), 0);
  const trainingConfig = {
    ...config,
    method,
    evalSeed,
    teacherDim: t instanceof BprModel ? t.dim : null,
    teacherKind: t instanceof RankedListTeacher ? "ranked-lists" : t ? "embeddings" : null,
    de: setup.de ?? null,
    rrd: setup.rrd ?? null,
    ir: setup.ir ?? null,
    rd: setup.rd ?? null,
    engine,
    engineTimingsUs: engineTimings,
    distillationParameters: extra,
  };
  return finish("student", method, ds, result, trainingConfig, evalSeed, progress ? (f, m) => progress(0.95 + 0.05 * f, m) : undefined);
}
