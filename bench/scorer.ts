// `npm run bench:scorer -- [--items 25181] [--users 2000] [--batch 1,16] [--exclude 40] [--out file.json] [--quiet-machine]`
//
// Full-catalogue top-10 per user for a dim-20 student and a dim-200 teacher (random N(0,1) weights, or the
// models given with --student/--teacher), six ways, in one process one after the other:
//   tfjs   — item matrix on the tfjs backend (wasm: XNNPACK), one matMul per block, heap top-k over the copy
//   kernel — our wasm SIMD kernel (lib/recsys/kernels/score-wat.ts), heap top-k over its output
//   kernel+blocks — the same kernel, top-k through the panel maxima (topKBlocks) reading only the
//            panels that can hold a top-k item
//   kernel1+blocks — kernel+blocks with every user scored alone (no 4- and 2-user passes), the former kernel
//   kernel16-all — the 16-bit candidate filter over every panel and the f32 scores of its candidates
//   kernel16 — the same over only the panels whose upper bound can reach the top-k (PanelScorer.topK; the
//            serving engine), exact by construction: checked to give the kernel's top-k for every user
// Each user excludes `exclude` random items (like its training items). Prints and writes µs per user (CPU
// and wall) per engine, dimension and batch size, and checks that all give the same top-k.
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { backendName } from "@/lib/recsys/backend";
import { loadModel } from "@/lib/recsys/artifact";
import { PANEL } from "@/lib/recsys/kernels/score";
import { BprModel } from "@/lib/recsys/models/bpr";
import { ServableBpr } from "@/lib/recsys/models/servable";
import { Rng } from "@/lib/recsys/random";
import { topK, topKBlocks } from "@/lib/recsys/topk";
import type { ModelManifest } from "@/lib/recsys/types";

const { values } = parseArgs({
  options: {
    items: { type: "string", default: "25181" },
    users: { type: "string", default: "2000" },
    batch: { type: "string", default: "1,16" },
    exclude: { type: "string", default: "40" },
    k: { type: "string", default: "10" },
    student: { type: "string" },
    teacher: { type: "string" },
    out: { type: "string" },
    /** the run had the machine to itself (recorded in the JSON; the default says it was shared) */
    "quiet-machine": { type: "boolean", default: false },
  },
  strict: true,
});
const numItems = Number(values.items);
const numUsers = Number(values.users);
const k = Number(values.k);
const batches = values.batch.split(",").map(Number);
const exclusions = Number(values.exclude);

function randomModel(dim: number): ServableBpr {
  const bpr = BprModel.random(numUsers, numItems, dim, new Rng(dim), 1);
  const manifest = { dimension: dim } as ModelManifest;
  return new ServableBpr(
    bpr,
    manifest,
    Array.from({ length: numUsers }, (_, i) => `u${i}`),
    Array.from({ length: numItems }, (_, i) => `i${i}`),
  );
}

function cpuUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  for (const [name, dim, dir] of [
    ["student", 20, values.student],
    ["teacher", 200, values.teacher],
  ] as const) {
    const base = dir ? await loadModel(dir, { accelerate: false }) : randomModel(dim);
    const n = base.numItems;
    const users = base.numUsers;
    const rng = new Rng(11);
    const skips = Array.from({ length: users }, () => Int32Array.from(new Set(Array.from({ length: exclusions }, () => rng.int(n)))).sort());
    const tfjs = new ServableBpr(base.model, base.manifest, base.userIds, base.itemIds);
    await tfjs.accelerate("tfjs");
    const kernel = new ServableBpr(base.model, base.manifest, base.userIds, base.itemIds);
    await kernel.accelerate("kernel", Math.max(...batches));
    if (kernel.engine !== "kernel") throw new Error("the SIMD kernel is unavailable here");
    for (const batch of batches) {
      const out = new Float32Array(batch * n);
      const tops: Record<string, Int32Array[]> = { tfjs: [], kernel: [], "kernel+blocks": [], "kernel1+blocks": [], "kernel16-all": [], kernel16: [] };
      const ks = new Array<number>(batch).fill(k);
      const pruned = { users: 0, panels: 0 };
      const run = (engine: keyof typeof tops) => {
        const stats = kernel.panelScorer!.stats;
        const before = { ...stats };
        const t0 = performance.now();
        const c0 = cpuUs();
        for (let from = 0; from + batch <= users; from += batch) {
          const ids = Int32Array.from({ length: batch }, (_, j) => from + j);
          if (engine === "kernel16" || engine === "kernel16-all") {
            kernel.panelScorer!.pruned = engine === "kernel16";
            const ranked = kernel.topKBlock(ids, ks, skips.slice(from, from + batch));
            if (!ranked) throw new Error("the 16-bit filter declined the model");
            for (let j = 0; j < batch; j++) tops[engine][from + j] = ranked[j].items;
          } else if (engine === "tfjs") {
            tfjs.scoreUsers(ids, out);
            for (let j = 0; j < batch; j++) tops.tfjs[from + j] = topK(out.subarray(j * n, (j + 1) * n), k, skips[from + j]);
          } else {
            kernel.panelScorer!.grouped = engine !== "kernel1+blocks";
            const block = kernel.scoreBlock(ids)!;
            for (let j = 0; j < batch; j++) {
              const row = block.scores.subarray(j * block.stride, j * block.stride + n);
              tops[engine][from + j] =
                engine === "kernel"
                  ? topK(row, k, skips[from + j])
                  : topKBlocks(row, block.maxima.subarray(j * block.panels, (j + 1) * block.panels), PANEL, k, skips[from + j]);
            }
          }
        }
        const scored = Math.floor(users / batch) * batch;
        if (engine === "kernel16") [pruned.users, pruned.panels] = [pruned.users + stats.users - before.users, pruned.panels + stats.panels - before.panels];
        return { cpuUsPerUser: (cpuUs() - c0) / scored, wallUsPerUser: ((performance.now() - t0) * 1000) / scored };
      };
      // warm-up then three measured rounds, interleaved so outside load hits every engine alike
      for (const engine of Object.keys(tops) as (keyof typeof tops)[]) run(engine);
      const rounds: Record<string, { cpuUsPerUser: number; wallUsPerUser: number }[]> = {
        tfjs: [],
        kernel: [],
        "kernel+blocks": [],
        "kernel1+blocks": [],
        "kernel16-all": [],
        kernel16: [],
      };
      for (let r = 0; r < 3; r++) for (const engine of Object.keys(tops) as (keyof typeof tops)[]) rounds[engine].push(run(engine));
      let differ = 0;
      for (let u = 0; u < tops.tfjs.length; u++) {
        const a = tops.tfjs[u].join();
        if (tops.kernel[u].join() !== tops["kernel+blocks"][u].join()) throw new Error(`kernel and kernel+blocks disagree for user ${u}`);
        if (tops.kernel[u].join() !== tops["kernel1+blocks"][u].join()) throw new Error(`kernel and kernel1+blocks disagree for user ${u}`);
        if (tops.kernel[u].join() !== tops.kernel16[u].join()) throw new Error(`kernel and kernel16 disagree for user ${u}`);
        if (tops.kernel[u].join() !== tops["kernel16-all"][u].join()) throw new Error(`kernel and kernel16-all disagree for user ${u}`);
        if (tops.kernel[u].join() !== a) differ++;
      }
      const panelShare = pruned.panels / pruned.users / kernel.panelScorer!.panels;
      console.log(`${name}: kernel16 scored ${(100 * panelShare).toFixed(1)} % of the ${kernel.panelScorer!.panels} panels a user`);
      for (const [engine, rs] of Object.entries(rounds)) {
        const cpu = rs.map((x) => x.cpuUsPerUser).sort((a, b) => a - b);
        const wall = rs.map((x) => x.wallUsPerUser).sort((a, b) => a - b);
        const row = {
          model: name,
          dim: base.dim,
          items: n,
          batch,
          engine,
          cpuUsPerUser: { min: round(cpu[0]), median: round(cpu[1]), max: round(cpu[2]) },
          wallUsPerUser: { min: round(wall[0]), median: round(wall[1]), max: round(wall[2]) },
          ...(engine === "tfjs" ? {} : { usersWhoseTopKDiffersFromTfjs: differ }),
          ...(engine === "kernel16" ? { panelShare: round(panelShare * 1000) / 1000 } : {}),
        };
        results.push(row);
        console.log(
          `${name} dim ${base.dim} batch ${batch} ${engine.padEnd(13)} cpu µs/user ${row.cpuUsPerUser.median} (${row.cpuUsPerUser.min}–${row.cpuUsPerUser.max}), wall ${row.wallUsPerUser.median}${engine === "tfjs" ? "" : `; top-${k} differs from tfjs for ${differ}/${tops.tfjs.length} users`}`,
        );
      }
    }
    tfjs.dispose();
  }
  if (values.out) {
    const cpus = os.cpus();
    const machine = {
      cpu: cpus[0]?.model,
      cores: cpus.length,
      node: process.version,
      backend: backendName(),
      date: new Date().toISOString(),
      loadAverage: os.loadavg().map(round),
      shared: !values["quiet-machine"],
      note: values["quiet-machine"]
        ? "run declared quiet (--quiet-machine)"
        : "SHARED machine: other work was running (see loadAverage); absolute figures are disturbed",
    };
    writeFileSync(values.out, JSON.stringify({ machine, options: { numItems, numUsers, k, exclusions }, results }, null, 2) + "\n");
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
