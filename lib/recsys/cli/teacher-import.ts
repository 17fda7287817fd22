// npm run teacher:import -- --data <dataset> --out <dir> (--users u.npy --user-ids u.txt --items i.npy --item-ids i.txt | --ranked top.csv)
// A teacher trained elsewhere, matched to the dataset's ids and saved where `npm run distill -- --teacher <dir>`
// reads it: embeddings as a model directory (every method), ranked lists as a ranked-lists directory (rd, rrd).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { loadDataset } from "../data/load";
import { saveModel } from "../artifact";
import { teacherFromEmbeddings } from "../interop/teacher-embeddings";
import { formatOf, parseRankedLists, saveRankedLists } from "../interop/ranked-lists";
import { runFlagsCli, UsageError } from "./common";

const USAGE = `usage: npm run teacher:import -- --data <dataset> --out <dir> EMBEDDINGS | RANKED

  --data <path>        the dataset the teacher was trained on (ids are matched to its users and items)
  --out <dir>          where to save the teacher (then: npm run distill -- --data <path> --teacher <dir>)
 EMBEDDINGS (every method can distill from them; scores are inner products):
  --users <file>       user embedding matrix, .npy or .safetensors (rows x dimension, float32/float64)
  --user-ids <file>    the users' ids, one per line (or a JSON array), in the matrix's row order
  --items <file>       item embedding matrix, .npy or .safetensors
  --item-ids <file>    the items' ids, in the matrix's row order
 RANKED (rd and rrd only: DE and IR-RRD need the teacher's embeddings):
  --ranked <file>      the teacher's top-N per user, .csv (user,item,rank) or .jsonl ({"user","item","rank"}), rank 1 = best
  -h, --help           this message`;

const Flags = z.object({
  help: z.boolean().optional(),
  data: z.string({ error: "is required" }).min(1),
  out: z.string({ error: "is required" }).min(1),
  users: z.string().optional(),
  "user-ids": z.string().optional(),
  items: z.string().optional(),
  "item-ids": z.string().optional(),
  ranked: z.string().optional(),
});
type Flags = z.infer<typeof Flags>;

function read(file: string, flag: string): { name: string; bytes: Uint8Array } {
  if (!fs.existsSync(file)) throw new UsageError(`--${flag}: ${file} does not exist`);
  return { name: path.basename(file), bytes: new Uint8Array(fs.readFileSync(file)) };
}

async function main(f: Flags) {
  if (!fs.existsSync(f.data)) throw new UsageError(`--data: ${f.data} does not exist`);
  const emb = [f.users, f["user-ids"], f.items, f["item-ids"]];
  const anyEmb = emb.some((x) => x !== undefined);
  if (anyEmb === (f.ranked !== undefined)) throw new UsageError("give either --users, --user-ids, --items and --item-ids, or --ranked");
  if (fs.existsSync(path.join(f.out, "manifest.json")) || fs.existsSync(path.join(f.out, "ranked-lists.json")))
    throw new UsageError(`--out: ${f.out} already holds a teacher`);
  const ds = loadDataset(f.data);
  if (f.ranked !== undefined) {
    const file = read(f.ranked, "ranked");
    const format = formatOf(file.name);
    if (!format) throw new UsageError(`--ranked: ${f.ranked}: expected a .csv or .jsonl file`);
    const lists = parseRankedLists(new TextDecoder().decode(file.bytes), format, ds, f.ranked, "ranked");
    await saveRankedLists(f.out, lists, { datasetName: ds.name, source: f.ranked });
    process.stdout.write(
      `ranked lists of ${lists.usersCovered}/${ds.numUsers} users (top-${lists.N} after dropping training items) saved to ${f.out}\nthey distill with --method rd or rrd; DE and IR-RRD need the teacher's embeddings\n`,
    );
    return;
  }
  const missing = (["users", "user-ids", "items", "item-ids"] as const).filter((k) => f[k] === undefined);
  if (missing.length > 0) throw new UsageError(`embeddings need ${missing.map((k) => `--${k}`).join(", ")} too`);
  const teacher = teacherFromEmbeddings(ds, {
    userEmbeddings: read(f.users!, "users"),
    userIds: read(f["user-ids"]!, "user-ids"),
    itemEmbeddings: read(f.items!, "items"),
    itemIds: read(f["item-ids"]!, "item-ids"),
  });
  await saveModel(f.out, teacher);
  process.stdout.write(`teacher dim ${teacher.dim} for ${ds.numUsers} users x ${ds.numItems} items saved to ${f.out}\n`);
}

await runFlagsCli(USAGE, Flags, main);
