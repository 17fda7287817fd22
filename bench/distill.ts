// npm run bench:distill -- --data ../shared/datasets/citeulike-a --out bench/results/distill-<date>.json
// Teacher (dim 200) and students (dim 20) with none, rd, de, rrd, de-rrd on one dataset; writes the JSON of
// issue 3 ({backend, machine, seed, models: [...]}) and prints a table. Progress bars on stderr.
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { loadDataset } from "../lib/recsys/data/load";
import { getTf, backendName } from "../lib/recsys/backend";
import { loadModel, saveModel } from "../lib/recsys/artifact";
import { DISTILL_METHODS, distillStudent, trainTeacher, type DistillMethod, type TrainedModel } from "../lib/recsys/pipeline";
import { evaluate, type EvalResult } from "../lib/recsys/eval/evaluate";
import { agreement, scoringLatency } from "../lib/recsys/eval/agreement";
import type { ServableBpr } from "../lib/recsys/models/servable";
import type { ProgressFn } from "../lib/recsys/types";
import { LR_SCHEDULES } from "../lib/recsys/models/lr-schedule";
import { intFlag, numberFlag, parseFlags, progressBars, runCli, table, UsageError } from "../lib/recsys/cli/common";

const USAGE = `usage: npm run bench:distill -- --data <dataset dir> --out <file.json> [options]

  --data <path>            dataset (e.g. ../shared/datasets/citeulike-a)
  --out <file>             JSON result file
  --methods <list>         comma-separated subset of none,rd,de,rrd,de-rrd (default all five)
  --jobs <n>               models trained at once, each in its own process (default: CPU cores)
  --seed <n>               training seed (default 0)
  --eval-seed <n>          seed of the sampled evaluation negatives (default 0)
  --teacher-epochs <n>     teacher epoch budget (default 60)
  --teacher-batch <n>      teacher batch size (default 1024)
  --teacher-lr <x>         teacher peak learning rate, cosine-decayed (default 0.003)
  --teacher-wd <x>         teacher weight decay (default 0.001)
  --student-epochs <n>     student epoch budget (default 200)
  --student-wd <x>         students' weight decay (default 0.001)
  --de-epochs <n>          epoch budget of the DE students (default: --student-epochs)
  --de-rrd-epochs <n>      epoch budget of the DE-RRD student (default: --de-epochs)
  --de-rrd-rrd-lambda <x>  λ_RRD of the DE-RRD student (default 0.001, RRD's own)
  --de-fraction <x>        DE entity share per batch, unbiased (default 1)
  --de-max-experts <n>     DE experts evaluated per entity (default 30)
  --patience <n>           validations without improvement before stopping (default: teacher 5,
                           students 10; a count above the budget's validations runs the whole schedule)
  --lr-schedule <s>        student learning rate over the epoch budget: constant | cosine (down to a
                           tenth at the last epoch); default constant (the teacher: cosine)
  --teacher <dir>          reuse a saved teacher (its training time is then not part of the run)
  -h, --help               this message`;

const OPTIONS = {
  data: { type: "string" },
  out: { type: "string" },
  methods: { type: "string" },
  jobs: { type: "string" },
  seed: { type: "string" },
  "eval-seed": { type: "string" },
  "teacher-epochs": { type: "string" },
  "teacher-batch": { type: "string" },
  "teacher-lr": { type: "string" },
  "teacher-wd": { type: "string" },
  "student-wd": { type: "string" },
  "student-epochs": { type: "string" },
  "de-epochs": { type: "string" },
  "de-rrd-epochs": { type: "string" },
  "de-rrd-rrd-lambda": { type: "string" },
  "de-fraction": { type: "string" },
  "de-max-experts": { type: "string" },
  "lr-schedule": { type: "string" },
  patience: { type: "string" },
  teacher: { type: "string" },
  // internal: this process is one student's run, started by the parent (results in --child-dir)
  child: { type: "string" },
  "child-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const Flags = z.object({
  help: z.boolean().optional(),
  data: z.string({ error: "is required" }).min(1),
  out: z.string().min(1).optional(),
  methods: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .refine((xs) => xs.every((x) => (DISTILL_METHODS as readonly string[]).includes(x)), { message: `expected a comma-separated subset of ${DISTILL_METHODS.join(",")}` })
    .optional(),
  jobs: intFlag("a process count", 1).optional(),
  seed: intFlag("a seed", 0).optional(),
  "eval-seed": intFlag("a seed", 0).optional(),
  "teacher-epochs": intFlag("an epoch count", 1).optional(),
  "teacher-batch": intFlag("a batch size", 1).optional(),
  "teacher-lr": numberFlag("a learning rate").refine((x) => x > 0, "must be positive").optional(),
  "teacher-wd": numberFlag("a weight decay").refine((x) => x >= 0, "must be 0 or more").optional(),
  "student-wd": numberFlag("a weight decay").refine((x) => x >= 0, "must be 0 or more").optional(),
  "student-epochs": intFlag("an epoch count", 1).optional(),
  "de-epochs": intFlag("an epoch count", 1).optional(),
  "de-rrd-epochs": intFlag("an epoch count", 1).optional(),
  "de-rrd-rrd-lambda": numberFlag("a weight").refine((x) => x > 0, "must be positive").optional(),
  "de-fraction": numberFlag("a fraction").refine((x) => x > 0 && x <= 1, "must be in (0, 1]").optional(),
  "de-max-experts": intFlag("an expert count", 1).optional(),
  "lr-schedule": z.enum(LR_SCHEDULES).optional(),
  patience: intFlag("a count", 1).optional(),
  teacher: z.string().optional(),
  child: z.enum(DISTILL_METHODS).optional(),
  "child-dir": z.string().optional(),
});
type Flags = z.infer<typeof Flags>;

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

/** what a run leaves for the table: test metrics and training facts (a child process writes it as JSON) */
interface RunRecord {
  test: Pick<EvalResult, "sampled" | "full" | "longTail" | "coverage">;
  train: { epochsRun: number; bestEpoch: number; trainSeconds: number; config: Record<string, unknown> };
}

const TEST_KEYS = ["H@5", "N@5", "M@5", "H@10", "N@10", "M@10", "H@20", "N@20", "M@20"];
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const pickKeys = (r: Record<string, number> | null, keys: string[]) => Object.fromEntries(keys.map((k) => [k, round(r?.[k] ?? NaN)]));
/** longest first, so the two slowest runs start as soon as the teacher is ready */
const COST_ORDER: DistillMethod[] = ["de-rrd", "de", "rrd", "rd", "none"];

function recordOf(t: Pick<TrainedModel, "testMetrics" | "epochsRun" | "bestEpoch" | "trainSeconds" | "config">): RunRecord {
  const { sampled, full, longTail, coverage } = t.testMetrics;
  return { test: { sampled, full, longTail, coverage }, train: { epochsRun: t.epochsRun, bestEpoch: t.bestEpoch, trainSeconds: t.trainSeconds, config: t.config } };
}

function row(name: string, role: "teacher" | "student", method: DistillMethod | null, model: ServableBpr, run: RunRecord, agree: number, lat: { p50us: number; p99us: number }): ModelRow {
  const r = run.test;
  const t = run.train;
  return {
    name,
    role,
    method,
    dim: model.dim,
    params: model.model.parameterCount,
    sizeBytes: model.manifest.sizeBytes,
    epochs: t.epochsRun,
    bestEpoch: t.bestEpoch,
    trainSeconds: round(t.trainSeconds, 1),
    secondsPerEpoch: t.epochsRun > 0 ? round(t.trainSeconds / t.epochsRun, 3) : 0,
    test: pickKeys(r.sampled, TEST_KEYS),
    full: pickKeys(r.full, ["R@20", "N@20"]),
    longTail: pickKeys(r.longTail, ["H@10", "N@10"]),
    coverage10: round(r.coverage ?? NaN),
    agreement10: round(agree),
    scoreP50us: round(lat.p50us, 1),
    scoreP99us: round(lat.p99us, 1),
    config: t.config,
  };
}

function studentOptions(f: Flags, method: DistillMethod) {
  const isDe = method === "de" || method === "de-rrd";
  return {
    method,
    dim: 20,
    seed: f.seed ?? 0,
    evalSeed: f["eval-seed"] ?? 0,
    epochs: (method === "de-rrd" ? f["de-rrd-epochs"] : undefined) ?? (isDe ? f["de-epochs"] : undefined) ?? f["student-epochs"],
    lrSchedule: f["lr-schedule"],
    weightDecay: f["student-wd"],
    patience: f.patience,
    ...(method === "de-rrd" && f["de-rrd-rrd-lambda"] !== undefined && { rrd: { lambda: f["de-rrd-rrd-lambda"] } }),
    de: { ...(f["de-fraction"] !== undefined && { entityFraction: f["de-fraction"] }), ...(f["de-max-experts"] !== undefined && { maxExperts: f["de-max-experts"] }) },
  };
}

/** child mode: one student, progress to the parent over IPC, model + run.json into --child-dir */
async function runChild(f: Flags, method: DistillMethod, dir: string) {
  await getTf();
  const ds = loadDataset(f.data);
  const teacher = f.teacher ? await loadModel(f.teacher) : null;
  const s = await distillStudent(ds, teacher, studentOptions(f, method), (fraction, msg) => process.send?.({ fraction, msg }));
  await saveModel(path.join(dir, "model"), s.model);
  fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify(recordOf(s)));
}

/** the flags a child needs, rebuilt from the parsed ones */
function childArgs(f: Flags, method: DistillMethod, dir: string, teacherDir: string | null): string[] {
  const pass: (keyof Flags)[] = ["data", "seed", "eval-seed", "student-epochs", "de-epochs", "de-rrd-epochs", "de-rrd-rrd-lambda", "student-wd", "de-fraction", "de-max-experts", "lr-schedule", "patience"];
  const args = pass.flatMap((k) => (f[k] === undefined ? [] : [`--${k}`, String(f[k])]));
  return [...args, "--child", method, "--child-dir", dir, ...(teacherDir ? ["--teacher", teacherDir] : [])];
}

function startChild(f: Flags, method: DistillMethod, dir: string, teacherDir: string | null, progress: ProgressFn): { done: Promise<void>; kill: () => void } {
  const proc = fork(process.argv[1], childArgs(f, method, dir, teacherDir), { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  proc.on("message", (m: { fraction: number; msg: string }) => progress(m.fraction, m.msg));
  const done = new Promise<void>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`student ${method} failed (${signal ?? `exit code ${code}`}); its messages are above`))));
  });
  return { done, kill: () => proc.kill() };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const f = parseFlags(argv, OPTIONS, Flags);
  if (!fs.existsSync(f.data)) throw new UsageError(`--data: ${f.data} does not exist`);
  if (f.child) {
    if (!f["child-dir"]) throw new UsageError("--child needs --child-dir");
    return runChild(f, f.child, f["child-dir"]);
  }
  if (!f.out) throw new UsageError("--out: is required");
  const out = f.out;
  const outDir = path.dirname(path.resolve(out));
  if (!fs.existsSync(outDir)) throw new UsageError(`--out: directory ${outDir} does not exist`);
  if (f.teacher && !fs.existsSync(f.teacher)) throw new UsageError(`--teacher: ${f.teacher} does not exist`);
  const methods = (f.methods ?? ["none", "rd", "de", "rrd", "de-rrd"]) as DistillMethod[];
  const jobs = f.jobs ?? os.cpus().length;
  const seed = f.seed ?? 0;
  const evalSeed = f["eval-seed"] ?? 0;
  const started = performance.now();
  const load0 = os.loadavg();
  await getTf();
  const ds = loadDataset(f.data);
  process.stderr.write(`dataset ${ds.name}: ${ds.numUsers} users, ${ds.numItems} items; backend ${backendName()}; ${jobs} at once\n`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-bench-"));

  const bars = progressBars();
  const queue = COST_ORDER.filter((m) => methods.includes(m));
  const children: ReturnType<typeof startChild>[] = [];
  const abortTeacher = new AbortController();
  let teacherDir: string | null = f.teacher ?? null;
  let teacherRun: RunRecord | null = null;
  let slotsBusy = teacherDir ? 0 : 1; // the teacher trains here, in one slot
  let finish: () => void = () => {};
  let fail: (e: unknown) => void = () => {};
  const allDone = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const release = () => {
    slotsBusy--;
    pump();
    if (slotsBusy === 0 && queue.length === 0) finish();
  };
  // start whatever may run now: students need the teacher, except "none"
  function pump() {
    for (let i = 0; i < queue.length && slotsBusy < jobs; ) {
      const method = queue[i];
      if (!teacherDir && method !== "none") {
        i++;
        continue;
      }
      queue.splice(i, 1);
      slotsBusy++;
      const dir = path.join(work, method);
      fs.mkdirSync(dir);
      const bar = bars.bar(`student ${method}`);
      const c = startChild(f, method, dir, method === "none" ? null : teacherDir, bar.progress);
      children.push(c);
      c.done.then(() => {
        bar.progress(1, "done");
        release();
      }, fail);
    }
  }
  pump();
  if (!teacherDir) {
    const bar = bars.bar("teacher d200");
    trainTeacher(ds, { dim: 200, epochs: f["teacher-epochs"], batchSize: f["teacher-batch"], lr: f["teacher-lr"], weightDecay: f["teacher-wd"], patience: f.patience, seed, evalSeed }, bar.progress, abortTeacher.signal)
      .then(async (t) => {
        const dir = path.join(work, "teacher");
        await saveModel(dir, t.model);
        teacherRun = recordOf(t);
        t.model.dispose();
        teacherDir = dir;
        release();
      })
      .catch(fail);
  }
  try {
    await allDone;
  } catch (e) {
    abortTeacher.abort();
    for (const c of children) c.kill();
    throw e;
  } finally {
    bars.stopAll();
  }
  if (!teacherDir) throw new Error("no teacher was trained");
  const trainWall = (performance.now() - started) / 1000;

  // the tables: agreement with the teacher and scoring latency, measured here one model at a time
  const teacher = await loadModel(teacherDir);
  if (!teacherRun) {
    const cfg = teacher.manifest.trainingConfig;
    teacherRun = {
      test: evaluate(teacher, ds, { split: "test", seed: evalSeed }),
      train: { epochsRun: Number(cfg.epochsRun ?? 0), bestEpoch: Number(cfg.bestEpoch ?? 0), trainSeconds: Number(cfg.trainSeconds ?? 0), config: { ...cfg, reused: f.teacher } },
    };
  }
  const rows: ModelRow[] = [row("teacher", "teacher", null, teacher, teacherRun, 1, scoringLatency(teacher, ds, { seed }))];
  for (const method of DISTILL_METHODS.filter((m) => methods.includes(m))) {
    const dir = path.join(work, method);
    const model = await loadModel(path.join(dir, "model"));
    const run = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8")) as RunRecord;
    rows.push(row(`student-${method}`, "student", method, model, run, agreement(model, teacher, ds, 10), scoringLatency(model, ds, { seed })));
    model.dispose();
  }
  teacher.dispose();
  writeOut(out, rows, seed, evalSeed, started, trainWall, jobs, load0, ds.name);
  fs.rmSync(work, { recursive: true, force: true });
  process.stdout.write(
    table(
      ["model", "dim", "epochs", "train s", "H@5", "N@5", "H@10", "N@10", "H@20", "N@20", "R@20 full", "tail H@10", "cov@10", "agree@10", "p50 us"],
      rows.map((r) => [r.name, r.dim, r.epochs, r.trainSeconds.toFixed(0), r.test["H@5"], r.test["N@5"], r.test["H@10"], r.test["N@10"], r.test["H@20"], r.test["N@20"], r.full["R@20"], r.longTail["H@10"], r.coverage10, r.agreement10, r.scoreP50us.toFixed(0)]),
    ) + `\n\nwall ${((performance.now() - started) / 1000).toFixed(0)} s (training ${trainWall.toFixed(0)} s, ${jobs} at once); wrote ${out}\n`,
  );
}

function writeOut(file: string, models: ModelRow[], seed: number, evalSeed: number, started: number, trainWall: number, jobs: number, load0: number[], dataset: string) {
  const cpus = os.cpus();
  const result = {
    backend: backendName(),
    adam: models[0]?.config.adamKernel ?? null,
    machine: {
      cpu: cpus[0]?.model ?? "unknown",
      cores: cpus.length,
      memoryGB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      loadAvgAtStart: load0.map((x) => round(x, 2)),
      loadAvgNow: os.loadavg().map((x) => round(x, 2)),
    },
    seed,
    evalSeed,
    dataset,
    negatives: 499,
    jobs,
    trainWallSeconds: round(trainWall, 1),
    wallSeconds: round((performance.now() - started) / 1000, 1),
    createdAt: new Date().toISOString(),
    models,
  };
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
}

await runCli(USAGE, main);
