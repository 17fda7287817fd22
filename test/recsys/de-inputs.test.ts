// deLoss checks its named inputs before any arithmetic, as TensorFlow.js ops do: a wrong dtype, shape or
// scalar throws an OpInputError naming the op and the input.
import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/recsys/random";
import { DeSide, deLoss, drawGumbel, newDeGrads, type DeLossInputs } from "@/lib/recsys/distill/de";
import { JsEngine } from "@/lib/recsys/distill/engine";
import { OpInputError } from "@/lib/recsys/distill/op-inputs";

// 3 experts, student dim 2, teacher dim 4, 5 entities
function inputs(): DeLossInputs {
  const rng = new Rng(3);
  const side = new DeSide(3, 2, 4, rng);
  const n = 5;
  return {
    side,
    hs: Float32Array.from({ length: n * 2 }, () => rng.normal()),
    ht: Float32Array.from({ length: n * 4 }, () => rng.normal()),
    weights: new Float32Array(n).fill(1),
    gumbel: drawGumbel(rng, n, 3),
    tau: 1,
    skipBelow: 0,
    engine: new JsEngine(),
    grads: newDeGrads(side, n),
  };
}

describe("deLoss input checks", () => {
  it("accepts well-formed inputs, and a longer grads.hs buffer (reused scratch)", () => {
    expect(Number.isFinite(deLoss(inputs()))).toBe(true);
    const x = inputs();
    x.grads.hs = new Float32Array(100);
    expect(Number.isFinite(deLoss(x))).toBe(true);
  });

  const cases: [string, (x: DeLossInputs) => void, RegExp][] = [
    [
      "hs of the wrong shape",
      (x) => (x.hs = new Float32Array(8)),
      /deLoss: input 'hs' must be a Float32Array of shape \[5, 2\] \(10 values\), got a Float32Array of 8 values/,
    ],
    [
      "ht of the wrong dtype",
      (x) => (x.ht = new Float64Array(20) as unknown as Float32Array),
      /input 'ht' must be a Float32Array of shape \[5, 4\].*got a Float64Array/,
    ],
    ["gumbel for fewer experts", (x) => (x.gumbel = new Float64Array(10)), /input 'gumbel' must be a Float64Array of shape \[5, 3\]/],
    ["weights that are not a list", (x) => (x.weights = 5 as unknown as ArrayLike<number>), /input 'weights' must be a list/],
    ["a zero temperature", (x) => (x.tau = 0), /input 'tau' must be a finite number > 0, got 0/],
    ["skipBelow above 1", (x) => (x.skipBelow = 2), /input 'skipBelow' must be a finite number ≥ 0 and ≤ 1, got 2/],
    ["a fractional expert cap", (x) => (x.maxExperts = 1.5), /input 'maxExperts' must be a finite whole number ≥ 1, got 1.5/],
    ["a grads.hs buffer too short", (x) => (x.grads.hs = new Float32Array(4)), /input 'grads.hs' must be a Float32Array of shape at least \[5, 2\]/],
    ["a gradient for another side", (x) => (x.grads.experts = new Float32Array(3)), /input 'grads.experts' must be a Float32Array/],
  ];
  for (const [what, spoil, message] of cases) {
    it(`refuses ${what}`, () => {
      const x = inputs();
      spoil(x);
      let thrown: unknown;
      try {
        deLoss(x);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(OpInputError);
      expect((thrown as Error).message).toMatch(message);
    });
  }
});
