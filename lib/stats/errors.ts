/** Thrown when a statistics function gets input that cannot describe real data (negative counts, p ∉ [0,1], …). */
export class StatsInputError extends Error {
  constructor(
    /** The offending argument or field, e.g. "control.sum". */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = "StatsInputError";
  }
}
