// The wasm SIMD scoring kernel and the block-maxima top-k against plain references, and the serving
// engines ("kernel" vs "tfjs") against each other: same top-k, ties to the lower index.
import { describe, expect, it } from "vitest";
import { panelLayout, panelLayoutYielding, panelOrder } from "@/lib/recsys/kernels/panel-order";
import { PANEL, PanelScorer, scoreKernel } from "@/lib/recsys/kernels/score";
import { BprModel } from "@/lib/recsys/models/bpr";
import { ServableBpr } from "@/lib/recsys/models/servable";
import { Rng } from "@/lib/recsys/random";
import { topK, topKBlocks } from "@/lib/recsys/topk";
import type { ModelManifest } from "@/lib/recsys/types";

/** what the kernel computes per lane: an f32 sum in ascending feature order */
function f32Score(user: Float32Array, items: Float32Array, i: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s = Math.fround(s + Math.fround(user[k] * items[i * dim + k]));
  return s;
}

function blockMaxima(scores: Float32Array, block: number): Float32Array {
  const m = new Float32Array(Math.ceil(scores.length / block)).fill(-Infinity);
  for (let i = 0; i < scores.length; i++) {
    const b = Math.floor(i / block);
    if (scores[i] !== scores[i] || m[b] !== m[b]) m[b] = NaN;
    else if (scores[i] > m[b]) m[b] = scores[i];
  }
  return m;
}

describe("score kernel", () => {
  it("computes every score and panel maximum exactly like an f32 loop, on odd shapes", async () => {
    const kernel = await scoreKernel();
    expect(kernel).not.toBeNull();
    const rng = new Rng(5);
    // rows: users scored four at a time, the rest one at a time (1, 4, 5, 9 and 11 cover every mix)
    for (const [numItems, dim, rows] of [
      [1, 1, 1],
      [31, 3, 2],
      [33, 7, 3],
      [100, 20, 5],
      [257, 200, 4],
      [70, 20, 9],
      [65, 1, 11],
      [300, 37, 8],
    ]) {
      const items = Float32Array.from({ length: numItems * dim }, () => rng.normal());
      const users = Float32Array.from({ length: 9 * dim }, () => rng.normal());
      const scorer = new PanelScorer(kernel!, items, numItems, dim, rows);
      const ids = Array.from({ length: rows }, (_, j) => (j * 4 + (j >> 2)) % 9);
      const block = scorer.score(users, ids);
      expect(block.stride).toBe(Math.ceil(numItems / PANEL) * PANEL);
      for (let j = 0; j < rows; j++) {
        const u = users.subarray(ids[j] * dim, (ids[j] + 1) * dim);
        const expected = Float32Array.from({ length: numItems }, (_, i) => f32Score(u, items, i, dim));
        const row = block.scores.subarray(j * block.stride, j * block.stride + numItems);
        expect(Array.from(row)).toEqual(Array.from(expected));
        // full panels: the maximum of their 32 scores
        const maxima = blockMaxima(expected, PANEL);
        for (let p = 0; p < Math.floor(numItems / PANEL); p++) expect(block.maxima[j * block.panels + p]).toBe(maxima[p]);
      }
      expect(() =>
        scorer.score(
          users,
          Array.from({ length: rows + 1 }, () => 0),
        ),
      ).toThrow(RangeError);
    }
  });
});

describe("16-bit filter (PanelScorer.topK)", () => {
  it("gives exactly the f32 kernel's top-k and scores, with ties, exclusions and odd shapes", async () => {
    const kernel = await scoreKernel();
    const rng = new Rng(23);
    let compared = 0;
    for (const [numItems, dim, rows, scale] of [
      [2000, 20, 5, 1],
      [1500, 7, 4, 1e-3],
      [3000, 1, 3, 1],
      [700, 200, 2, 10],
      [1000, 33, 9, 1],
    ]) {
      const items = Float32Array.from({ length: numItems * dim }, () => scale * rng.normal());
      // exact ties: copies of a large-norm item, which must come out lower index first
      for (let x = 0; x < dim; x++) items[100 * dim + x] *= 4;
      for (const copy of [7, 250, 251]) items.copyWithin(copy * dim, 100 * dim, 101 * dim);
      const users = Float32Array.from({ length: 12 * dim }, () => rng.normal());
      const scorer = new PanelScorer(kernel!, items, numItems, dim, rows);
      const ids = Array.from({ length: rows }, (_, j) => (j * 5) % 12);
      const ks = ids.map((_, j) => [1, 10, 25, 3][j % 4]);
      const excludes = ids.map((_, j) =>
        j % 3 === 2 ? undefined : Int32Array.from(new Set([7, ...Array.from({ length: 40 }, () => rng.int(numItems))])).sort(),
      );
      const ranked = scorer.topK(users, ids, ks, excludes);
      expect(ranked).not.toBeNull();
      const block = scorer.score(users, ids);
      for (let j = 0; j < rows; j++) {
        const row = block.scores.subarray(j * block.stride, j * block.stride + numItems);
        const expected = topK(row, ks[j], excludes[j]);
        expect(Array.from(ranked![j].items)).toEqual(Array.from(expected));
        expect(Array.from(ranked![j].scores)).toEqual(Array.from(expected, (i) => row[i]));
        compared++;
      }
    }
    expect(compared).toBe(23);
  });

  it("skips the panels its bounds rule out on clustered items and still ranks exactly like scoring them all", async () => {
    const kernel = await scoreKernel();
    const rng = new Rng(31);
    // items around 60 topics, each topic with its own popularity (norm), the last panel partly filled;
    // users near one topic or a mix of two
    const [numItems, dim, topics] = [9001, 16, 60];
    const centres = Array.from({ length: topics }, (_, c) => Float32Array.from({ length: dim }, () => (1 + (c % 7)) * rng.normal()));
    const items = new Float32Array(numItems * dim);
    for (let i = 0; i < numItems; i++) {
      const c = centres[rng.int(topics)];
      for (let x = 0; x < dim; x++) items[i * dim + x] = c[x] + 0.3 * rng.normal();
    }
    // 100 copies of one strong item: more tied candidates than the insertion sort takes
    for (let x = 0; x < dim; x++) items[2000 * dim + x] = 3 * centres[6][x];
    for (let copy = 0; copy < 100; copy++) items.copyWithin((5100 + copy) * dim, 2000 * dim, 2001 * dim);
    const numUsers = 40;
    const users = new Float32Array(numUsers * dim);
    for (let u = 0; u < numUsers; u++) {
      const [a, b] = [centres[u % topics], centres[(7 * u + 3) % topics]];
      for (let x = 0; x < dim; x++) users[u * dim + x] = a[x] + (u % 2) * 0.5 * b[x] + 0.2 * rng.normal();
    }
    const pruned = new PanelScorer(kernel!, items, numItems, dim, 1);
    const full = new PanelScorer(kernel!, items, numItems, dim, 1);
    full.pruned = false;
    const reference = new PanelScorer(kernel!, items, numItems, dim, 1);
    const panels = pruned.panels;
    // k = 260 takes the most seed panels (32); exclusions hit the strong copies and the padded last panel
    for (const k of [1, 10, 80, 260]) {
      for (let u = 0; u < numUsers; u++) {
        const exclude = u % 3 === 0 ? undefined : Int32Array.from(new Set([2000, 5101, 9000, ...Array.from({ length: 30 }, () => rng.int(numItems))])).sort();
        const row = reference.score(users, [u]).scores.subarray(0, numItems);
        const expected = Array.from(topK(row, k, exclude));
        for (const scorer of [pruned, full]) {
          const [ranked] = scorer.topK(users, [u], [k], [exclude])!;
          expect(Array.from(ranked.items)).toEqual(expected);
          expect(Array.from(ranked.scores)).toEqual(expected.map((i) => row[i]));
        }
      }
    }
    expect(full.stats.panels).toBe(full.stats.users * panels);
    expect(pruned.stats.users).toBe(4 * numUsers);
    // most of the catalogue is never scored for k = 10 and below, and the share grows with k
    expect(pruned.stats.panels / (pruned.stats.users * panels)).toBeLessThan(0.15);
    const k1 = new PanelScorer(kernel!, items, numItems, dim, 1);
    for (let u = 0; u < numUsers; u++) k1.topK(users, [u], [1], [undefined]);
    expect(k1.stats.panels / (k1.stats.users * panels)).toBeLessThan(0.075);
  });

  it("declines what it cannot bound (a zero user, k ≥ panels, non-finite weights)", async () => {
    const kernel = await scoreKernel();
    const items = Float32Array.from({ length: 100 * 4 }, (_, i) => Math.sin(i));
    const scorer = new PanelScorer(kernel!, items, 100, 4, 2);
    const users = Float32Array.from({ length: 8 }, (_, i) => (i < 4 ? 0 : i));
    expect(scorer.topK(users, [0], [2], [undefined])).toBeNull();
    expect(scorer.topK(users, [1], [4], [undefined])).toBeNull();
    expect(scorer.topK(users, [1], [2], [undefined])).not.toBeNull();
    items[5] = Infinity;
    expect(new PanelScorer(kernel!, items, 100, 4, 2).topK(users, [1], [2], [undefined])).toBeNull();
  });
});

describe("panelOrder", () => {
  it("is a permutation into panels of similar items (tight balls on clustered data)", () => {
    const rng = new Rng(41);
    const [dim, panel] = [8, 32];
    // 40 clusters of 32 items, shuffled: the order should gather them again
    const clusters = 40;
    const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, () => 5 * rng.normal()));
    const numItems = clusters * panel + 7;
    const shuffled = Int32Array.from({ length: numItems }, (_, i) => i);
    for (let i = numItems - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const items = new Float32Array(numItems * dim);
    for (let i = 0; i < numItems; i++) {
      const c = centres[Math.floor(shuffled[i] / panel) % clusters];
      for (let x = 0; x < dim; x++) items[i * dim + x] = c[x] + 0.1 * rng.normal();
    }
    const order = panelOrder(items, numItems, dim, panel);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: numItems }, (_, i) => i));
    expect(Array.from(panelOrder(items, numItems, dim, panel))).toEqual(Array.from(order));
    // the mean squared radius of the panels' balls, in this order and in the given one
    const spread = (slots: ArrayLike<number>) => {
      let total = 0;
      for (let from = 0; from < numItems; from += panel) {
        const to = Math.min(numItems, from + panel);
        const mean = new Float64Array(dim);
        for (let t = from; t < to; t++) for (let x = 0; x < dim; x++) mean[x] += items[slots[t] * dim + x] / (to - from);
        let radius = 0;
        for (let t = from; t < to; t++) {
          let sq = 0;
          for (let x = 0; x < dim; x++) sq += (items[slots[t] * dim + x] - mean[x]) ** 2;
          radius = Math.max(radius, sq);
        }
        total += radius;
      }
      return total / Math.ceil(numItems / panel);
    };
    const given = Array.from({ length: numItems }, (_, i) => i);
    // (the norm bands cut a few clusters, the PCA tree then mixes their parts)
    expect(spread(order)).toBeLessThan(0.25 * spread(given));
    // the layout's ball centres: never a larger radius than the mean's, smaller on the whole
    const { centres: ballCentres } = panelLayout(items, numItems, dim, panel);
    let [meanRadii, ballRadii] = [0, 0];
    for (let from = 0, p = 0; from < numItems; from += panel, p++) {
      const to = Math.min(numItems, from + panel);
      const mean = new Float64Array(dim);
      for (let t = from; t < to; t++) for (let x = 0; x < dim; x++) mean[x] += items[order[t] * dim + x] / (to - from);
      const radius = (c: ArrayLike<number>) => {
        let r = 0;
        for (let t = from; t < to; t++) {
          let sq = 0;
          for (let x = 0; x < dim; x++) sq += (items[order[t] * dim + x] - c[x]) ** 2;
          r = Math.max(r, Math.sqrt(sq));
        }
        return r;
      };
      const ball = radius(ballCentres.subarray(p * dim, (p + 1) * dim));
      expect(ball).toBeLessThanOrEqual(radius(mean) * (1 + 1e-6));
      [meanRadii, ballRadii] = [meanRadii + radius(mean), ballRadii + ball];
    }
    expect(ballRadii).toBeLessThan(0.97 * meanRadii);
    expect(() => panelOrder(items, numItems + 1, dim, panel)).toThrow(RangeError);
  });

  it("gives the same layout while yielding to the event loop between slices", async () => {
    const rng = new Rng(43);
    const [numItems, dim] = [5000, 12];
    const items = Float32Array.from({ length: numItems * dim }, () => rng.normal());
    // a zero slice yields after every node: the immediates queued meanwhile get to run
    let ticks = 0;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const layout = await panelLayoutYielding(items, numItems, dim, PANEL, 0);
    done = true;
    const expected = panelLayout(items, numItems, dim, PANEL);
    expect(Array.from(layout.order)).toEqual(Array.from(expected.order));
    expect(Array.from(layout.order)).toEqual(Array.from(panelOrder(items, numItems, dim, PANEL)));
    expect(Array.from(layout.centres)).toEqual(Array.from(expected.centres));
    expect(ticks).toBeGreaterThan(50);
    await expect(panelLayoutYielding(items, numItems - 1, dim, PANEL)).rejects.toThrow(RangeError);
  });
});

describe("topKBlocks", () => {
  it("equals topK on random scores with ties, NaN, -Infinity and both exclusion forms", () => {
    const rng = new Rng(17);
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + rng.int(2000);
      const block = [1, 4, 32, 100][trial % 4];
      const distinct = trial % 3 === 0 ? 3 : trial % 3 === 1 ? 40 : 0;
      const scores = Float32Array.from({ length: n }, () => (distinct > 0 ? rng.int(distinct) : rng.normal()));
      if (trial % 5 === 0) for (let i = 0; i < n; i++) if (rng.next() < 0.01) scores[i] = rng.next() < 0.5 ? NaN : -Infinity;
      if (trial % 7 === 0) scores.fill(-Infinity, 0, Math.floor(n / 2));
      const k = rng.int(25);
      const excluded = new Set<number>();
      for (let e = rng.int(60); e > 0; e--) excluded.add(rng.int(n));
      const sorted = Int32Array.from([...excluded].sort((a, b) => a - b));
      // the same exclusions with repeats (a training item also passed in the request's exclude)
      const repeated = Int32Array.from([...sorted, ...sorted.subarray(0, 3)].sort((a, b) => a - b));
      const maxima = blockMaxima(scores, block);
      const before = { scores: Array.from(scores), maxima: Array.from(maxima) };
      const expected = Array.from(topK(scores, k, sorted));
      expect(Array.from(topKBlocks(scores, maxima, block, k, sorted))).toEqual(expected);
      expect(Array.from(topKBlocks(scores, maxima, block, k, excluded))).toEqual(expected);
      expect(Array.from(topKBlocks(scores, maxima, block, k, repeated))).toEqual(expected);
      expect(Array.from(topKBlocks(scores, maxima, block, k))).toEqual(Array.from(topK(scores, k)));
      // the excluded items are masked in place while selecting, and restored
      expect({ scores: Array.from(scores), maxima: Array.from(maxima) }).toEqual(before);
    }
  });

  it("keeps the lower index first among equal scores across blocks", () => {
    const scores = new Float32Array(200);
    for (const i of [150, 3, 77, 64]) scores[i] = 5;
    scores[10] = 6;
    expect(Array.from(topKBlocks(scores, blockMaxima(scores, 32), 32, 4, Int32Array.of(77)))).toEqual([10, 3, 64, 150]);
    expect(() => topKBlocks(scores, new Float32Array(2), 32, 4)).toThrow(RangeError);
  });
});

describe("serving engines", () => {
  function model(dim: number, numUsers: number, numItems: number): ServableBpr {
    const bpr = BprModel.random(numUsers, numItems, dim, new Rng(dim + 1), 1);
    // duplicated item rows: exact ties, which both engines must break by the lower index (the copied
    // items get a large norm so that they reach many users' top-k)
    for (const of of [900, 41]) for (let k = 0; k < dim; k++) bpr.items[of * dim + k] *= 4;
    for (const [copy, of] of [
      [5, 900],
      [17, 900],
      [40, 41],
      [1000, 41],
    ])
      bpr.items.copyWithin(copy * dim, of * dim, (of + 1) * dim);
    const manifest = { dimension: dim } as ModelManifest;
    return new ServableBpr(
      bpr,
      manifest,
      Array.from({ length: numUsers }, (_, i) => `u${i}`),
      Array.from({ length: numItems }, (_, i) => `i${i}`),
    );
  }

  for (const dim of [20, 200]) {
    it(`give the same top-k for dim ${dim} (kernel + block maxima vs tfjs matmul + heap)`, async () => {
      const base = model(dim, 64, 1500);
      const tfjs = new ServableBpr(base.model, base.manifest, base.userIds, base.itemIds);
      await tfjs.accelerate("tfjs");
      const kernel = new ServableBpr(base.model, base.manifest, base.userIds, base.itemIds);
      await kernel.accelerate("kernel", 16);
      expect(kernel.engine).toBe("kernel");
      const n = base.numItems;
      const out = new Float32Array(16 * n);
      let ties = 0;
      for (let from = 0; from < 64; from += 16) {
        const users = Int32Array.from({ length: 16 }, (_, j) => from + j);
        tfjs.scoreUsers(users, out);
        const block = kernel.scoreBlock(users)!;
        for (let j = 0; j < 16; j++) {
          const exclude = Int32Array.of(from + j, 300 + j);
          const ref = out.subarray(j * n, (j + 1) * n);
          const row = block.scores.subarray(j * block.stride, j * block.stride + n);
          for (let i = 0; i < n; i += 97) expect(Math.abs(row[i] - ref[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[i])));
          const expected = Array.from(topK(ref, 50, exclude));
          expect(Array.from(topKBlocks(row, block.maxima.subarray(j * block.panels, (j + 1) * block.panels), PANEL, 50, exclude))).toEqual(expected);
          if (expected.includes(5) && expected.includes(17)) ties++;
          if (expected.includes(5)) expect(expected.indexOf(5)).toBeLessThan(expected.indexOf(17));
          if (expected.includes(40)) expect(expected.indexOf(40)).toBeLessThan(expected.indexOf(41));
        }
      }
      expect(ties).toBeGreaterThan(0);
      // the generic path gives the tfjs layout (row j at j·numItems)
      const users = Int32Array.of(3, 9);
      const a = new Float32Array(2 * n);
      const b = new Float32Array(2 * n);
      kernel.scoreUsers(users, a);
      tfjs.scoreUsers(users, b);
      for (let i = 0; i < a.length; i += 131) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[i])));
      tfjs.dispose();
    });
  }
});
