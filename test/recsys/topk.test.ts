import { describe, expect, it } from "vitest";
import { rankAndTopK, rankInCatalogue, rankOf, topK } from "@/lib/recsys/topk";
import { Rng } from "@/lib/recsys/random";

/** reference: full sort under the same order (score desc, index asc, NaN as -Infinity) */
function sortTopK(scores: Float32Array, k: number, excluded: Set<number>): number[] {
  const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  return Array.from(scores.keys())
    .filter((i) => !excluded.has(i))
    .sort((a, b) => key(b) - key(a) || a - b)
    .slice(0, k);
}

function randomScores(rng: Rng, n: number, distinctValues: number): Float32Array {
  const s = new Float32Array(n);
  // few distinct values => many ties
  for (let i = 0; i < n; i++) s[i] = distinctValues > 0 ? rng.int(distinctValues) : rng.normal();
  // a few broken scores: NaN and -Infinity rank last, tied with each other
  for (let i = 0; i < n; i++) if (rng.next() < 0.03) s[i] = rng.next() < 0.5 ? NaN : -Infinity;
  return s;
}

describe("topK", () => {
  it("matches a full sort on random data, with ties and both exclusion forms", () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.int(300);
      const scores = randomScores(rng, n, trial % 3 === 0 ? 4 : trial % 3 === 1 ? 50 : 0);
      const k = rng.int(n + 5);
      const excluded = new Set<number>();
      const numEx = rng.int(Math.ceil(n / 2));
      for (let e = 0; e < numEx; e++) excluded.add(rng.int(n));
      const sortedEx = Int32Array.from([...excluded].sort((a, b) => a - b));
      const expected = sortTopK(scores, k, excluded);
      expect(Array.from(topK(scores, k, excluded))).toEqual(expected);
      expect(Array.from(topK(scores, k, sortedEx))).toEqual(expected);
      expect(Array.from(topK(scores, k))).toEqual(sortTopK(scores, k, new Set()));
    }
  });

  it("breaks ties by the lower index and ranks NaN last", () => {
    const s = Float32Array.from([1, 3, NaN, 3, 2, 3, -Infinity]);
    expect(Array.from(topK(s, 4))).toEqual([1, 3, 5, 4]);
    expect(Array.from(topK(s, 7))).toEqual([1, 3, 5, 4, 0, 2, 6]);
  });

  it("tolerates duplicate entries in a sorted exclusion list and k larger than what is left", () => {
    const s = Float32Array.from([5, 4, 3, 2, 1]);
    expect(Array.from(topK(s, 10, Int32Array.from([0, 0, 2, 2, 4])))).toEqual([1, 3]);
    expect(Array.from(topK(s, 0))).toEqual([]);
    expect(() => topK(s, -1)).toThrow(RangeError);
  });
});

describe("rankOf / rankInCatalogue / rankAndTopK", () => {
  it("rank NaN as -Infinity with ties to the lower index", () => {
    const s = Float32Array.from([NaN, -Infinity, 1, NaN]);
    expect(Array.from(topK(s, 4))).toEqual([2, 0, 1, 3]);
    for (const item of [0, 1, 2, 3]) {
      expect(rankInCatalogue(s, item)).toBe([2, 0, 1, 3].indexOf(item));
      expect(rankOf(s, item, [0, 1, 2, 3])).toBe([2, 0, 1, 3].indexOf(item));
      expect(rankAndTopK(s, item, 2).rank).toBe([2, 0, 1, 3].indexOf(item));
    }
    expect(rankInCatalogue(s, 1, Int32Array.from([0]))).toBe(1);
  });

  it("agree with the position in topK", () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 100; trial++) {
      const n = 2 + rng.int(200);
      const scores = randomScores(rng, n, trial % 2 === 0 ? 5 : 0);
      const excluded = new Set<number>();
      for (let e = 0; e < rng.int(n); e++) excluded.add(rng.int(n));
      const item = rng.int(n);
      excluded.delete(item);
      const sortedEx = Int32Array.from([...excluded].sort((a, b) => a - b));
      const order = Array.from(topK(scores, n, excluded));
      const candidates = order.filter((i) => i !== item);
      expect(rankOf(scores, item, candidates)).toBe(order.indexOf(item));
      expect(rankInCatalogue(scores, item, sortedEx)).toBe(order.indexOf(item));
      const k = 1 + rng.int(10);
      expect(rankAndTopK(scores, item, k, sortedEx)).toEqual({ rank: order.indexOf(item), top: topK(scores, k, sortedEx) });
    }
  });
});
