// Gumbel-softmax temperature schedule for DE: geometric from tauStart at the first epoch to tauEnd at the
// last epoch of the budget, τ_e = tauStart · (tauEnd/tauStart)^(e/(E−1)), e = 0..E−1.
export function temperatureAt(epochIndex: number, epochs: number, tauStart = 1, tauEnd = 1e-10): number {
  if (!(tauStart > 0 && tauEnd > 0)) throw new RangeError("temperatures must be positive");
  if (epochs <= 1) return tauStart;
  const f = Math.min(1, Math.max(0, epochIndex / (epochs - 1)));
  return tauStart * Math.pow(tauEnd / tauStart, f);
}
