// Early stopping on validation metrics, shaped like tfjs-layers' EarlyStopping callback (monitor,
// minDelta, patience, mode) with Keras' restoreBestWeights: the training loop reports each validation,
// asks whether to keep the current weights as the best and whether to stop.

export interface EarlyStoppingArgs {
  /** the validation metric whose best value picks the weights kept */
  monitor: string;
  /** more metrics whose improvement also resets patience (the monitor always does) */
  alsoWatch?: readonly string[];
  /** an improvement must beat the best value by more than this */
  minDelta?: number;
  /** stop after this many validations without an improvement of a watched metric */
  patience: number;
  /** "max": higher is better (ranking metrics); "min": lower is better (losses) */
  mode?: "max" | "min";
  /** keep the weights of the monitor's best validation at the end (otherwise the last weights) */
  restoreBestWeights?: boolean;
}

export interface ValidationVerdict {
  /** the monitor improved: these weights are the best so far */
  best: boolean;
  /** training should stop after this epoch */
  stop: boolean;
}

export class EarlyStopping {
  readonly monitor: string;
  readonly watched: ReadonlySet<string>;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: "max" | "min";
  readonly restoreBestWeights: boolean;
  /** validations since a watched metric last improved */
  wait = 0;
  bestEpoch = 0;
  bestMetrics: Record<string, number> | null = null;
  private readonly best = new Map<string, number>();

  constructor(args: EarlyStoppingArgs) {
    if (!args.monitor) throw new Error("EarlyStopping: 'monitor' must name a validation metric");
    if (!(Number.isInteger(args.patience) && args.patience >= 0)) throw new Error(`EarlyStopping: 'patience' must be a whole number ≥ 0, got ${args.patience}`);
    const minDelta = args.minDelta ?? 0;
    if (!(Number.isFinite(minDelta) && minDelta >= 0)) throw new Error(`EarlyStopping: 'minDelta' must be a finite number ≥ 0, got ${minDelta}`);
    this.monitor = args.monitor;
    this.watched = new Set([...(args.alsoWatch ?? []), args.monitor]);
    this.minDelta = minDelta;
    this.patience = args.patience;
    this.mode = args.mode ?? "max";
    this.restoreBestWeights = args.restoreBestWeights ?? true;
  }

  /** The monitor's best value so far (−∞ in "max" mode, +∞ in "min" mode before any). */
  get bestValue(): number {
    return this.best.get(this.monitor) ?? this.worst;
  }

  /** Whether the loop should stop now (checked after every epoch, validated or not). */
  get shouldStop(): boolean {
    return this.wait >= this.patience;
  }

  /** Records the validation of `epoch`; a metric missing from `metrics` does not improve. */
  onValidation(epoch: number, metrics: Record<string, number>): ValidationVerdict {
    let improved = false;
    let best = false;
    for (const key of this.watched) {
      const value = metrics[key];
      if (value === undefined || !this.improves(value, this.best.get(key) ?? this.worst)) continue;
      this.best.set(key, value);
      improved = true;
      if (key === this.monitor) best = true;
    }
    if (best) {
      this.bestEpoch = epoch;
      this.bestMetrics = metrics;
    }
    this.wait = improved ? 0 : this.wait + 1;
    return { best, stop: this.shouldStop };
  }

  private get worst(): number {
    return this.mode === "max" ? -Infinity : Infinity;
  }

  private improves(value: number, best: number): boolean {
    return this.mode === "max" ? value - this.minDelta > best : value + this.minDelta < best;
  }
}
