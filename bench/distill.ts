// npm run bench:distill -- --data ../shared/datasets/citeulike-a --out bench/results/distill-<date>.json
// Teacher (dim 200) and students (dim 20) with none, rd, de, rrd, de-rrd on one dataset; writes the JSON of
// issue 3 ({backend, machine, seed, models: [...]}) and prints a table. Progress bars on stderr.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { loadDataset } from "../lib/recsys/data/load";
import { getTf, backendName } from "../lib/recsys/backend";
import { loadModel } from "../lib/recsys/artifact";
import { DISTILL_METHODS, distillStudent, trainTeacher, type DistillMethod, type TrainedModel } from "../lib/recsys/pipeline";
import { evaluate, type EvalResult } from "../lib/recsys/eval/evaluate";
import { agreement, scoringLatency } from "../lib/recsys/eval/agreement";
import type { ServableBpr } from "../lib/recsys/models/servable";
import { intFlag, numberFlag, parseFlags, progressBar, runCli, table, UsageError } from "../lib/recsys/cli/common";

const USAGE = `usage: npm run bench:distill -- --data <dataset dir> --out <file.json> [options]

  --data <path>            dataset (e.g. ../shared/datasets/citeulike-a)
  --out <file>             JSON result file
  --methods <list>         comma-separated subset of none,rd,de,rrd,de-rrd (default all five)
  --seed <n>               training seed (default 0)
  --eval-seed <n>          seed of the sampled evaluation negatives (default 0)
  --teacher-epochs <n>     teacher epoch budget (default 60)
  --student-epochs <n>     student epoch budget (default 200)
  --de-epochs <n>          epoch budget of the DE students (default: --student-epochs)
  --de-fraction <x>        DE entity share per batch, unbiased (default 1)
  --de-max-experts <n>     DE experts evaluated per entity (default 30)
  --teacher <dir>          reuse a saved teacher (its training time is then not part of the run)
  -h, --help               this message`;

const OPTIONS = {
  data: { type: "string" },
  out: { type: "string" },
  methods: { type: "string" },
  seed: { type: "string" },
  "eval-seed": { type: "string" },
  "teacher-epochs": { type: "string" },
  "student-epochs": { type: "string" },
  "de-epochs": { type: "string" },
  "de-fraction": { type: "string" },
  "de-max-experts": { type: "string" },
  teacher: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const Flags = z.object({
  help: z.boolean().optional(),
  data: z.string({ error: "is required" }).min(1),
  out: z.string({ error: "is required" }).min(1),
  methods: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .refine((xs) => xs.every((x) => (DISTILL_METHODS as readonly string[]).includes(x)), { message: `expected a comma-separated subset of ${DISTILL_METHODS.join(",")}` })
    .optional(),
  seed: intFlag("a seed", 0).optional(),
  "eval-seed": intFlag("a seed", 0).optional(),
  "teacher-epochs": intFlag("an epoch count", 1).optional(),
  "student-epochs": intFlag("an epoch count", 1).optional(),
  "de-epochs": intFlag("an epoch count", 1).optional(),
  "de-fraction": numberFlag("a fraction").refine((x) => x > 0 && x <= 1, "must be in (0, 1]").optional(),
  "de-max-experts": intFlag("an expert count", 1).optional(),
  teacher: z.string().optional(),
});

interface ModelRow {
  name: string;
  role: "teacher" | "student";
  method: DistillMethod | null;
  dim: number;
  params: number;
  sizeBytes: number;
  epochs: number;
  bestEpoch: number;
  trainSeconds: number;
  secondsPerEpoch: number;
  test: Record<string, number>;
  full: Record<string, number>;
  longTail: Record<string, number>;
  coverage10: number;
  agreement10: number;
  scoreP50us: number;
  scoreP99us: number;
  config: Record<string, unknown>;
}

const TEST_KEYS = ["H@5", "N@5", "M@5", "H@10", "N@10", "M@10", "H@20", "N@20", "M@20"];
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const pickKeys = (r: Record<string, number> | null, keys: string[]) => Object.fromEntries(keys.map((k) => [k, round(r?.[k] ?? NaN)]));

function row(name: string, role: "teacher" | "student", method: DistillMethod | null, model: ServableBpr, r: EvalResult, t: Partial<TrainedModel>, agree: number, lat: { p50us: number; p99us: number }): ModelRow {
  const epochs = t.epochsRun ?? 0;
  return {
    name,
    role,
    method,
    dim: model.dim,
    params: model.model.parameterCount,
    sizeBytes: model.manifest.sizeBytes,
    epochs,
    bestEpoch: t.bestEpoch ?? 0,
    trainSeconds: round(t.trainSeconds ?? 0, 1),
    secondsPerEpoch: epochs > 0 ? round((t.trainSeconds ?? 0) / epochs, 3) : 0,
    test: pickKeys(r.sampled, TEST_KEYS),
    full: pickKeys(r.full, ["R@20", "N@20"]),
    longTail: pickKeys(r.longTail, ["H@10", "N@10"]),
    coverage10: round(r.coverage ?? NaN),
    agreement10: round(agree),
    scoreP50us: round(lat.p50us, 1),
    scoreP99us: round(lat.p99us, 1),
    config: t.config ?? {},
  };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const f = parseFlags(argv, OPTIONS, Flags);
  if (!fs.existsSync(f.data)) throw new UsageError(`--data: ${f.data} does not exist`);
  const outDir = path.dirname(path.resolve(f.out));
  if (!fs.existsSync(outDir)) throw new UsageError(`--out: directory ${outDir} does not exist`);
  const methods = (f.methods ?? ["none", "rd", "de", "rrd", "de-rrd"]) as DistillMethod[];
  const seed = f.seed ?? 0;
  const evalSeed = f["eval-seed"] ?? 0;
  const started = performance.now();
  const load0 = os.loadavg();
  await getTf();
  const ds = loadDataset(f.data);
  process.stderr.write(`dataset ${ds.name}: ${ds.numUsers} users, ${ds.numItems} items; backend ${backendName()}\n`);

  let teacher: ServableBpr;
  let teacherTrain: Partial<TrainedModel>;
  let teacherTest: EvalResult;
  if (f.teacher) {
    teacher = await loadModel(f.teacher);
    teacherTrain = { epochsRun: Number(teacher.manifest.trainingConfig.epochsRun ?? 0), bestEpoch: Number(teacher.manifest.trainingConfig.bestEpoch ?? 0), trainSeconds: Number(teacher.manifest.trainingConfig.trainSeconds ?? 0), config: { ...teacher.manifest.trainingConfig, reused: f.teacher } };
    teacherTest = evaluate(teacher, ds, { split: "test", seed: evalSeed });
  } else {
    const bar = progressBar("teacher d200");
    const t = await trainTeacher(ds, { dim: 200, epochs: f["teacher-epochs"], seed, evalSeed }, bar.progress);
    bar.stop();
    teacher = t.model;
    teacherTrain = t;
    teacherTest = t.testMetrics;
  }
  const rows: ModelRow[] = [row("teacher", "teacher", null, teacher, teacherTest, teacherTrain, 1, scoringLatency(teacher, ds, { seed }))];
  writeOut(f.out, rows, seed, evalSeed, started, load0, ds.name);

  for (const method of methods) {
    const bar = progressBar(`student ${method}`);
    const isDe = method === "de" || method === "de-rrd";
    const s = await distillStudent(
      ds,
      teacher,
      {
        method,
        dim: 20,
        seed,
        evalSeed,
        epochs: isDe ? (f["de-epochs"] ?? f["student-epochs"]) : f["student-epochs"],
        de: { ...(f["de-fraction"] !== undefined && { entityFraction: f["de-fraction"] }), ...(f["de-max-experts"] !== undefined && { maxExperts: f["de-max-experts"] }) },
      },
      bar.progress,
    );
    bar.stop();
    const agree = agreement(s.model, teacher, ds, 10);
    rows.push(row(`student-${method}`, "student", method, s.model, s.testMetrics, s, agree, scoringLatency(s.model, ds, { seed })));
    s.model.dispose();
    writeOut(f.out, rows, seed, evalSeed, started, load0, ds.name);
    process.stderr.write(`student ${method}: N@10 ${s.testMetrics.sampled["N@10"].toFixed(4)} in ${s.trainSeconds.toFixed(0)} s (${s.epochsRun} epochs, best ${s.bestEpoch})\n`);
  }
  teacher.dispose();
  process.stdout.write(
    table(
      ["model", "dim", "epochs", "train s", "H@5", "N@5", "H@10", "N@10", "H@20", "N@20", "R@20 full", "tail H@10", "cov@10", "agree@10", "p50 us"],
      rows.map((r) => [r.name, r.dim, r.epochs, r.trainSeconds.toFixed(0), r.test["H@5"], r.test["N@5"], r.test["H@10"], r.test["N@10"], r.test["H@20"], r.test["N@20"], r.full["R@20"], r.longTail["H@10"], r.coverage10, r.agreement10, r.scoreP50us.toFixed(0)]),
    ) + `\n\nwall ${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${f.out}\n`,
  );
}

function writeOut(file: string, models: ModelRow[], seed: number, evalSeed: number, started: number, load0: number[], dataset: string) {
  const cpus = os.cpus();
  const result = {
    backend: backendName(),
    machine: {
      cpu: cpus[0]?.model ?? "unknown",
      cores: cpus.length,
      memoryGB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      loadAvgAtStart: load0.map((x) => round(x, 2)),
      loadAvgNow: os.loadavg().map((x) => round(x, 2)),
      shared: "other jobs were running on the same machine; wall times are pessimistic",
    },
    seed,
    evalSeed,
    dataset,
    negatives: 499,
    wallSeconds: round((performance.now() - started) / 1000, 1),
    createdAt: new Date().toISOString(),
    models,
  };
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
}

await runCli(USAGE, main);
