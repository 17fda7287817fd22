// Gradient checks shared by the model and distillation tests.
import { expect } from "vitest";
import type { RowGrads } from "@/lib/recsys/models/optim";

/** central finite difference of `loss()` with respect to table[idx]; the entry is restored afterwards */
export function centralDifference(table: Float32Array | number[], idx: number, h: number, loss: () => number): number {
  const x = table[idx];
  table[idx] = x + h;
  const up = loss();
  table[idx] = x - h;
  const down = loss();
  table[idx] = x;
  return (up - down) / (2 * h);
}

/** two computations of sparse row gradients agree: the same rows touched, every entry to 5 digits */
export function expectSameRowGrads(pairs: readonly (readonly [RowGrads, RowGrads, number])[], dim: number): void {
  for (const [ga, gb, rows] of pairs) {
    for (let r = 0; r < rows; r++) {
      const sa = ga.slots[r];
      const sb = gb.slots[r];
      expect(sb < 0, `row ${r} touched by one path only`).toBe(sa < 0);
      if (sa < 0) continue;
      for (let q = 0; q < dim; q++) expect(gb.grad[sb * dim + q]).toBeCloseTo(ga.grad[sa * dim + q], 5);
    }
  }
}
