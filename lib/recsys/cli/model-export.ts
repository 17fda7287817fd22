// npm run model:export -- --model <model dir> --out <dir> [--format npy|safetensors]
// A trained model's user and item embeddings with their ids, for serving elsewhere (inner-product scores).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { loadModel } from "../artifact";
import { EXPORT_FORMATS, exportEmbeddings } from "../interop/export";
import { runFlagsCli, UsageError } from "./common";

const USAGE = `usage: npm run model:export -- --model <model dir> --out <dir> [--format npy|safetensors]

  --model <dir>        a saved model directory (npm run distill's --out, or a teacher)
  --out <dir>          where to write the files (created)
  --format <f>         npy: users.npy, items.npy, user_ids.txt, item_ids.txt; safetensors (default):
                       model.safetensors (tensors "users", "items"; ids in its metadata) + the id files
  -h, --help           this message`;

const Flags = z.object({
  help: z.boolean().optional(),
  model: z.string({ error: "is required" }).min(1),
  out: z.string({ error: "is required" }).min(1),
  format: z.enum(EXPORT_FORMATS, { error: `expected one of ${EXPORT_FORMATS.join(", ")}` }).default("safetensors"),
});
type Flags = z.infer<typeof Flags>;

async function main(f: Flags) {
  if (!fs.existsSync(path.join(f.model, "manifest.json"))) throw new UsageError(`--model: ${f.model} is not a saved model directory (no manifest.json)`);
  const model = await loadModel(f.model, { accelerate: false });
  fs.mkdirSync(f.out, { recursive: true });
  const files = exportEmbeddings(model, f.format);
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(f.out, name), bytes);
  process.stdout.write(
    `${model.manifest.role} dim ${model.dim} (${model.numUsers} users, ${model.numItems} items) exported to ${f.out}: ${Object.keys(files).join(", ")}\n`,
  );
  model.dispose();
}

await runFlagsCli(USAGE, Flags, main);
