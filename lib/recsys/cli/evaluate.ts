// npm run evaluate -- --model <dir> --data <dir> [--split test|valid] [--seed S]
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { loadDataset } from "../data/load";
import { loadModel } from "../artifact";
import { evaluate } from "../eval/evaluate";
import { backendName } from "../backend";
import { intFlag, progressBar, runFlagsCli, table, UsageError } from "./common";

const USAGE = `usage: npm run evaluate -- --model <model dir> --data <dataset dir or file> [options]

  --model <dir>     a saved model directory (manifest.json, ids.json, users.f32, items.f32)
  --data <path>     the dataset it was trained on
  --split <s>       test | valid (default test)
  --seed <n>        seed of the 499 sampled negatives (default 0)
  -h, --help        this message`;

const Flags = z.object({
  help: z.boolean().optional(),
  model: z.string({ error: "is required" }).min(1),
  data: z.string({ error: "is required" }).min(1),
  split: z.enum(["test", "valid"], { error: "expected test or valid" }).default("test"),
  seed: intFlag("a seed", 0).optional(),
});
type Flags = z.infer<typeof Flags>;

async function main(f: Flags) {
  if (!fs.existsSync(path.join(f.model, "manifest.json"))) throw new UsageError(`--model: ${f.model} is not a saved model directory (no manifest.json)`);
  if (!fs.existsSync(f.data)) throw new UsageError(`--data: ${f.data} does not exist`);
  const model = await loadModel(f.model);
  const ds = loadDataset(f.data);
  if (model.numUsers !== ds.numUsers || model.numItems !== ds.numItems) {
    throw new UsageError(`the model covers ${model.numUsers} users x ${model.numItems} items but ${f.data} has ${ds.numUsers} x ${ds.numItems}`);
  }
  for (let u = 0; u < ds.numUsers; u++) {
    if (model.userIds[u] !== ds.userIds[u])
      throw new UsageError(`the model's user ids differ from ${f.data} (index ${u}: '${model.userIds[u]}' vs '${ds.userIds[u]}')`);
  }
  for (let i = 0; i < ds.numItems; i++) {
    if (model.itemIds[i] !== ds.itemIds[i])
      throw new UsageError(`the model's item ids differ from ${f.data} (index ${i}: '${model.itemIds[i]}' vs '${ds.itemIds[i]}')`);
  }
  const bar = progressBar("evaluating");
  const r = evaluate(model, ds, { split: f.split, seed: f.seed ?? 0 }, bar.progress);
  bar.stop();
  const m = model.manifest;
  const s = r.sampled;
  const rows: (string | number)[][] = Object.keys(s).map((k) => [k, s[k]]);
  for (const [k, v] of Object.entries(r.full ?? {})) rows.push([`full ${k}`, v]);
  for (const [k, v] of Object.entries(r.longTail)) if (k.startsWith("H@") || k.startsWith("N@")) rows.push([`long-tail ${k}`, v]);
  rows.push(["coverage@10", r.coverage ?? "-"]);
  process.stdout.write(
    `${m.role} ${m.method ?? ""} bpr-mf d${m.dimension} (${m.parameterCount} parameters, ${(m.sizeBytes / 1e6).toFixed(2)} MB) on ${ds.name}, backend ${backendName()}\n` +
      `${r.split} split: ${r.users} users (${r.longTailUsers} long-tail), ${r.negatives} sampled negatives, seed ${r.seed}\n\n` +
      table(["metric", "value"], rows) +
      "\n",
  );
  model.dispose();
}

await runFlagsCli(USAGE, Flags, main);
