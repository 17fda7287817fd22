// The BPR training loop shared by teachers and students: shuffled positives, one sampled unobserved
// negative each, summed BPR loss plus whatever distillation losses are plugged in, sparse Adam on the
// touched rows, validation every `evalEvery` epochs with early stopping and best-weights restore.
import type { Dataset, ProgressFn } from "../types";
import { Rng } from "../random";
import { BprModel, bprLoss, sampleUnobserved } from "./bpr";
import { RowGrads, SparseAdam } from "./optim";
import { adamKernel } from "../kernels/adam";
import { learningRateAt, type LrSchedule } from "./lr-schedule";
import { EarlyStopping } from "./early-stopping";

export interface TrainConfig {
  dim: number;
  /** epoch budget (upper bound; early stopping may end sooner) */
  epochs: number;
  lr: number;
  weightDecay: number;
  batchSize: number;
  seed: number;
  initStd: number;
  /** validate every this many epochs */
  evalEvery: number;
  /** stop after this many validations in which neither a watched metric nor `selectBy` improved */
  patience: number;
  /**
   * validation metrics whose improvement resets patience (authors: H@5, H@10, H@20); `selectBy` always
   * does too, so training never stops while the metric that picks the kept weights still improves
   */
  watch: string[];
  /** validation metric that picks the weights kept */
  selectBy: string;
  /** "lazy": Adam on the touched rows only; "dense": every row every step (PyTorch's dense embedding) */
  adam: "lazy" | "dense";
  /** learning rate over the epoch budget: constant, or cosine down to lrFloor·lr at the last epoch */
  lrSchedule: LrSchedule;
  lrFloor: number;
}

export const TRAIN_DEFAULTS: Omit<TrainConfig, "dim"> = {
  epochs: 100,
  lr: 0.001,
  weightDecay: 0.001,
  batchSize: 1024,
  seed: 0,
  initStd: 0.01,
  evalEvery: 1,
  patience: 20,
  watch: ["H@5", "H@10", "H@20"],
  selectBy: "N@10",
  adam: "lazy",
  lrSchedule: "constant",
  lrFloor: 0.1,
};

/** One batch as the distillers see it: pairs [from, to) of the epoch arrays, unique entities, gradients. */
export interface BatchContext {
  epoch: number;
  users: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
  from: number;
  to: number;
  uniqueUsers: Int32Array;
  uniquePos: Int32Array;
  uniqueNeg: Int32Array;
  gradUsers: RowGrads;
  gradItems: RowGrads;
  rng: Rng;
}

/** A distillation loss added to BPR's; returns its weighted loss parts for this batch. */
export interface Distiller {
  readonly name: string;
  /** called before each epoch (resampling, temperature, ...) */
  beginEpoch?(epoch: number, epochs: number, rng: Rng): void | Promise<void>;
  /** adds its weighted loss gradient w.r.t. the student's rows to ctx.gradUsers/gradItems */
  batch(ctx: BatchContext, model: BprModel): Record<string, number>;
  /** updates its own parameters (experts, selection nets) after the batch */
  step?(): void;
  /** the learning rate of its own parameters' next steps, set before each epoch */
  setLearningRate?(lr: number): void;
  /** extra trainable parameters (for reporting) */
  readonly parameterCount?: number;
}

export interface EpochRecord {
  epoch: number;
  seconds: number;
  /** learning rate of the epoch */
  lr: number;
  /** summed loss parts over the epoch ("bpr", "de", "rrd", "rd") */
  loss: Record<string, number>;
  valid?: Record<string, number>;
}

export interface TrainResult {
  model: BprModel;
  history: EpochRecord[];
  /** epoch of the monitor's best validation (config.selectBy unless hooks.earlyStopping says otherwise), 0 when never validated */
  bestEpoch: number;
  bestValid: Record<string, number> | null;
  epochsRun: number;
  stoppedEarly: boolean;
  trainSeconds: number;
  /** where the Adam arithmetic ran */
  adamKernel: "wasm-simd" | "js";
}

export interface TrainHooks {
  distillers?: Distiller[];
  /** validation metrics of the current weights (higher is better) */
  validate?: (model: BprModel) => Record<string, number> | Promise<Record<string, number>>;
  progress?: ProgressFn;
  signal?: AbortSignal;
  /** per-epoch callback (CLI tables, logs) */
  onEpoch?: (rec: EpochRecord) => void;
  /** short label for progress messages */
  label?: string;
  /** overwrites rows of the random initialisation before training (warm start from an earlier model) */
  init?: (model: BprModel) => void;
  /** when to stop and which weights to keep; default `earlyStoppingOf(config)` */
  earlyStopping?: EarlyStopping;
}

export class TrainingAborted extends Error {
  constructor() {
    super("training aborted");
    this.name = "TrainingAborted";
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const YIELD_MS = 50;

/** Flattened training positives (user, item) in a fixed order. */
export function trainingPairs(ds: Dataset): { users: Int32Array; items: Int32Array } {
  let n = 0;
  for (const row of ds.trainByUser) n += row.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  let p = 0;
  for (let u = 0; u < ds.numUsers; u++) {
    const row = ds.trainByUser[u];
    for (let k = 0; k < row.length; k++) {
      users[p] = u;
      items[p++] = row[k];
    }
  }
  return { users, items };
}

/** The config's early stopping: best `selectBy` weights kept, patience reset by it and by `watch`. */
export function earlyStoppingOf(config: Pick<TrainConfig, "selectBy" | "watch" | "patience">): EarlyStopping {
  return new EarlyStopping({ monitor: config.selectBy, alsoWatch: config.watch, patience: config.patience, mode: "max", restoreBestWeights: true });
}

export async function trainBpr(ds: Dataset, config: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { distillers = [], validate, progress, signal, onEpoch } = hooks;
  const label = hooks.label ?? `bpr-${config.dim}`;
  const rng = new Rng(config.seed);
  const init = BprModel.random(ds.numUsers, ds.numItems, config.dim, rng.fork(), config.initStd);
  hooks.init?.(init);
  const pairs = trainingPairs(ds);
  const n = pairs.users.length;
  if (n === 0) throw new Error(`dataset ${ds.name} has no training interactions`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const users = new Int32Array(n);
  const pos = new Int32Array(n);
  const neg = new Int32Array(n);

  const gradUsers = new RowGrads(ds.numUsers, config.dim, 2048);
  const gradItems = new RowGrads(ds.numItems, config.dim, 4096);
  const kernel = await adamKernel();
  const adamUsers = new SparseAdam(init.users, config.dim, config, kernel);
  const adamItems = new SparseAdam(init.items, config.dim, config, kernel);
  // trains on the tables where the optimiser keeps them (the Adam kernel's memory, or init's own arrays)
  const model = new BprModel(ds.numUsers, ds.numItems, config.dim, adamUsers.table, adamItems.table);

  // stamps for unique-entity extraction per batch
  const userStamp = new Int32Array(ds.numUsers).fill(-1);
  const posStamp = new Int32Array(ds.numItems).fill(-1);
  const negStamp = new Int32Array(ds.numItems).fill(-1);
  const uq = new Int32Array(config.batchSize);
  const pq = new Int32Array(config.batchSize);
  const nq = new Int32Array(config.batchSize);

  const history: EpochRecord[] = [];
  const stopping = hooks.earlyStopping ?? earlyStoppingOf(config);
  let bestWeights: BprModel | null = null;
  let stoppedEarly = false;
  let epochsRun = 0;
  const started = performance.now();
  const batchesPerEpoch = Math.ceil(n / config.batchSize);
  let batchCounter = 0;
  let lastYield = performance.now();

  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    if (signal?.aborted) throw new TrainingAborted();
    const t0 = performance.now();
    const epochRng = rng.fork();
    const lr = learningRateAt(epoch - 1, config.epochs, config.lr, config.lrSchedule, config.lrFloor);
    adamUsers.lr = lr;
    adamItems.lr = lr;
    for (const d of distillers) d.setLearningRate?.(lr);
    for (const d of distillers) await d.beginEpoch?.(epoch, config.epochs, epochRng.fork());
    epochRng.shuffle(order);
    for (let p = 0; p < n; p++) {
      const q = order[p];
      const u = pairs.users[q];
      users[p] = u;
      pos[p] = pairs.items[q];
      neg[p] = sampleUnobserved(epochRng, ds.numItems, ds.trainByUser[u]);
    }
    const loss: Record<string, number> = { bpr: 0 };
    for (let from = 0; from < n; from += config.batchSize) {
      const to = Math.min(n, from + config.batchSize);
      const stamp = batchCounter++;
      let nu = 0;
      let np = 0;
      let nn = 0;
      for (let p = from; p < to; p++) {
        if (userStamp[users[p]] !== stamp) {
          userStamp[users[p]] = stamp;
          uq[nu++] = users[p];
        }
        if (posStamp[pos[p]] !== stamp) {
          posStamp[pos[p]] = stamp;
          pq[np++] = pos[p];
        }
        if (negStamp[neg[p]] !== stamp) {
          negStamp[neg[p]] = stamp;
          nq[nn++] = neg[p];
        }
      }
      loss.bpr += bprLoss(model, users, pos, neg, from, to, gradUsers, gradItems);
      if (distillers.length > 0) {
        const ctx: BatchContext = {
          epoch,
          users,
          pos,
          neg,
          from,
          to,
          uniqueUsers: uq.subarray(0, nu),
          uniquePos: pq.subarray(0, np),
          uniqueNeg: nq.subarray(0, nn),
          gradUsers,
          gradItems,
          rng: epochRng,
        };
        for (const d of distillers) {
          const parts = d.batch(ctx, model);
          for (const [k, v] of Object.entries(parts)) loss[k] = (loss[k] ?? 0) + v;
        }
      }
      if (config.adam === "dense") {
        adamUsers.stepDense(gradUsers);
        adamItems.stepDense(gradItems);
      } else {
        adamUsers.step(gradUsers);
        adamItems.step(gradItems);
      }
      gradUsers.reset();
      gradItems.reset();
      for (const d of distillers) d.step?.();
      // hand the event loop back at least every YIELD_MS: in the worker, pg-boss's connections and heartbeats
      // time out when a training job holds it for seconds
      if (performance.now() - lastYield >= YIELD_MS) {
        const b = Math.floor(from / config.batchSize);
        progress?.((epoch - 1 + (b + 1) / batchesPerEpoch) / config.epochs, `${label} epoch ${epoch}/${config.epochs}`);
        await yieldToEventLoop();
        lastYield = performance.now();
        if (signal?.aborted) throw new TrainingAborted();
      }
    }
    epochsRun = epoch;
    const rec: EpochRecord = { epoch, seconds: (performance.now() - t0) / 1000, lr, loss };
    if (validate && (epoch % config.evalEvery === 0 || epoch === config.epochs)) {
      const valid = await validate(model);
      rec.valid = valid;
      if (stopping.onValidation(epoch, valid).best && stopping.restoreBestWeights) {
        if (bestWeights) bestWeights.copyFrom(model);
        else bestWeights = model.clone();
      }
    }
    history.push(rec);
    onEpoch?.(rec);
    const msg = rec.valid
      ? `${label} epoch ${epoch}: ${stopping.monitor} ${fmt(rec.valid[stopping.monitor])} (best ${fmt(stopping.bestValue)} @${stopping.bestEpoch})`
      : `${label} epoch ${epoch}`;
    progress?.(epoch / config.epochs, msg);
    await yieldToEventLoop();
    if (validate && stopping.shouldStop) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestWeights) model.copyFrom(bestWeights);
  return {
    // own arrays, so the optimiser's memory (weights and moments) can be freed
    model: model.users === init.users ? model : model.clone(),
    history,
    bestEpoch: stopping.bestEpoch,
    bestValid: stopping.bestMetrics,
    epochsRun,
    stoppedEarly,
    trainSeconds: (performance.now() - started) / 1000,
    adamKernel: kernel ? "wasm-simd" : "js",
  };
}

function fmt(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(4);
}
