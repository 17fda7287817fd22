// The learning rate over the epoch budget: constant, or cosine from lr at the first epoch down to floor·lr at
// the last. Measured on CiteULike (bench/README.md): a constant 0.003 learns ~3x faster per epoch than the
// authors' 0.001 but settles lower; decaying it keeps the fast start and the better end.
export const LR_SCHEDULES = ["constant", "cosine"] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/** learning rate of epoch `epochIndex` (0-based) of a budget of `epochs` */
export function learningRateAt(epochIndex: number, epochs: number, lr: number, schedule: LrSchedule, floor = 0.1): number {
  if (!(lr > 0)) throw new RangeError("the learning rate must be positive");
  if (!(floor > 0 && floor <= 1)) throw new RangeError("the learning-rate floor must be in (0, 1]");
  if (schedule === "constant" || epochs <= 1) return lr;
  const f = Math.min(1, Math.max(0, epochIndex / (epochs - 1)));
  return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * f)));
}
