// npm run bench:distill -- --data <dataset dir> --out bench/results/distill-<date>.json
// Teacher (dim 200) and students (dim 20) with none, rd, de, rrd, de-rrd, ir-rrd, de-ir-rrd on one dataset;
// writes JSON ({backend, machine, seed, models: [...]}) and prints a table. With --seeds, the
// whole run (teacher retrained) once per training seed, each seed's JSON beside --out, and in --out the mean ±
// sd of every metric per model and paired per-user comparisons against none and de-rrd pooled over the seeds.
// Each seed's JSON keeps every user's test and valid rank per model, so --pool (or --seeds with --resume)
// builds the summary from seed files of earlier runs without retraining. Progress bars on stderr.
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
import { RRD_SAMPLINGS } from "../lib/recsys/distill/rrd";
import { IR_FLAGS, IR_USAGE, irOptions } from "../lib/recsys/cli/ir-flags";
import { DEFAULT_PRESET, PRESET_NAMES, PRESETS, presetStudentOptions, presetTeacherOptions } from "../lib/recsys/presets";
import { methodParts } from "../lib/recsys/distill";
import type { Spread } from "../lib/recsys/eval/seeds";
import { poolSeedFiles, SeedFile, summarizePooled, type SeedsSummary } from "../lib/recsys/eval/seed-files";
import { fractionFlag, intFlag, nonNegativeFlag, positiveFlag, progressBars, runFlagsCli, table, UsageError } from "../lib/recsys/cli/common";

const USAGE = `usage: npm run bench:distill -- --data <dataset dir> --out <file.json> [options]
       npm run bench:distill -- --pool <a.seed0.json,b.seed1.json,...> --out <summary.json>

  --data <path>            dataset (e.g. ../shared/datasets/citeulike-a)
  --out <file>             JSON result file
  --preset <p>             recommended (default: run 7's recipe, every flag below at its value) | fast |
                           quality (recommended, de-ir-rrd as the default method);
                           the flags below override the preset's values
  --methods <list>         comma-separated subset of none,rd,de,rrd,de-rrd,ir-rrd,de-ir-rrd (default all)
  --seeds <list>           comma-separated training seeds, e.g. 0,1,2: the whole run per seed (teacher
                           retrained), each seed's JSON as <out>.seed<k>.json, the summary in --out
  --resume                 with --seeds: reuse <out>.seed<k>.json where it already holds the teacher and
                           every listed method with per-user ranks, train only the other seeds
  --pool <files>           no training: the multi-seed summary of these seed files into --out; files of
                           one seed merge by model name (the same name must carry the same results)
  --tag <s>                name this run's students student-<method>/<s> (to pool variants side by side)
  --keep-teacher <dir>     save the trained teacher there (with --seeds: <dir>/seed<k>) for --teacher
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
  --de-rrd-epochs <n>      epoch budget of the DE-RRD and DE-IR-RRD students (default: --de-epochs)
  --de-ir-rrd-epochs <n>   epoch budget of the DE-IR-RRD student (default: --de-rrd-epochs)
  --de-rrd-rrd-lambda <x>  λ_RRD of the DE-RRD and DE-IR-RRD students (default 0.001, RRD's own)
  --rrd-sampling <s>       RRD's interesting items: rank (sampled, default) | top-k (the teacher's first K)
${IR_USAGE}
  --de-fraction <x>        DE entity share per batch, unbiased (default 1)
  --de-max-experts <n>     DE experts evaluated per entity (default 30)
  --patience <n>           validations without improvement before stopping (default: teacher 5,
                           students 10; a count above the budget's validations runs the whole schedule)
  --lr-schedule <s>        student learning rate over the epoch budget: constant | cosine (down to a
                           tenth at the last epoch); default constant (the teacher: cosine)
  --teacher <dir>          reuse a saved teacher (its training time is then not part of the run)
  -h, --help               this message`;

const Flags = z.object({
  help: z.boolean().optional(),
  data: z.string().min(1).optional(),
  pool: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .refine((xs) => xs.every((x) => x.length > 0), { message: "expected comma-separated seed files" })
    .optional(),
  resume: z.boolean().optional(),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { message: "letters, digits, . _ - only" })
    .optional(),
  "keep-teacher": z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  methods: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .refine((xs) => xs.every((x) => (DISTILL_METHODS as readonly string[]).includes(x)), {
      message: `expected a comma-separated subset of ${DISTILL_METHODS.join(",")}`,
    })
    .optional(),
  preset: z.enum(PRESET_NAMES, { error: `expected one of ${PRESET_NAMES.join(", ")}` }).default(DEFAULT_PRESET),
  seeds: z
    .string()
    .transform((s) => s.split(",").map((x) => Number(x.trim())))
    .refine((xs) => xs.length > 0 && xs.every((x) => Number.isInteger(x) && x >= 0), { message: "expected comma-separated seeds (integers >= 0), e.g. 0,1,2" })
    .refine((xs) => new Set(xs).size === xs.length, { message: "a seed is listed twice" })
    .optional(),
  "rrd-sampling": z.enum(RRD_SAMPLINGS, { error: `expected one of ${RRD_SAMPLINGS.join(", ")}` }).optional(),
  ...IR_FLAGS,
  jobs: intFlag("a process count", 1).optional(),
  seed: intFlag("a seed", 0).optional(),
  "eval-seed": intFlag("a seed", 0).optional(),
  "teacher-epochs": intFlag("an epoch count", 1).optional(),
  "teacher-batch": intFlag("a batch size", 1).optional(),
  "teacher-lr": positiveFlag("a learning rate").optional(),
  "teacher-wd": nonNegativeFlag("a weight decay").optional(),
  "student-wd": nonNegativeFlag("a weight decay").optional(),
  "student-epochs": intFlag("an epoch count", 1).optional(),
  "de-epochs": intFlag("an epoch count", 1).optional(),
  "de-rrd-epochs": intFlag("an epoch count", 1).optional(),
  "de-ir-rrd-epochs": intFlag("an epoch count", 1).optional(),
  "de-rrd-rrd-lambda": positiveFlag("a weight").optional(),
  "de-fraction": fractionFlag("a fraction").optional(),
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
  /** validation metrics of the kept weights (what choices are made on) */
  valid: Record<string, number>;
  full: Record<string, number>;
  longTail: Record<string, number>;
  coverage10: number;
  agreement10: number;
  scoreP50us: number;
  scoreP99us: number;
  config: Record<string, unknown>;
  perUser?: { test: number[]; valid: number[] };
}

/** what a run leaves for the table: test metrics and training facts (a child process writes it as JSON) */
interface RunRecord {
  test: Pick<EvalResult, "sampled" | "full" | "longTail" | "coverage">;
  train: { epochsRun: number; bestEpoch: number; trainSeconds: number; bestValid: Record<string, number> | null; config: Record<string, unknown> };
}

const TEST_KEYS = ["H@5", "N@5", "M@5", "H@10", "N@10", "M@10", "H@20", "N@20", "M@20"];
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const pickKeys = (r: Record<string, number> | null, keys: string[]) => Object.fromEntries(keys.map((k) => [k, round(r?.[k] ?? NaN)]));
/** longest first, so the two slowest runs start as soon as the teacher is ready */
const COST_ORDER: DistillMethod[] = ["de-ir-rrd", "de-rrd", "de", "ir-rrd", "rrd", "rd", "none"];

function recordOf(t: Pick<TrainedModel, "testMetrics" | "epochsRun" | "bestEpoch" | "trainSeconds" | "bestValid" | "config">): RunRecord {
  const { sampled, full, longTail, coverage } = t.testMetrics;
  return {
    test: { sampled, full, longTail, coverage },
    train: { epochsRun: t.epochsRun, bestEpoch: t.bestEpoch, trainSeconds: t.trainSeconds, bestValid: t.bestValid, config: t.config },
  };
}

function row(
  name: string,
  role: "teacher" | "student",
  method: DistillMethod | null,
  model: ServableBpr,
  run: RunRecord,
  agree: number,
  lat: { p50us: number; p99us: number },
): ModelRow {
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
    valid: pickKeys(t.bestValid, ["H@10", "N@10"]),
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
  const parts = methodParts(method);
  const isDe = parts.de;
  const isDeRrd = parts.de && parts.rrd;
  return presetStudentOptions(f.preset, method, {
    dim: 20,
    seed: f.seed ?? 0,
    evalSeed: f["eval-seed"] ?? 0,
    epochs:
      (method === "de-ir-rrd" ? f["de-ir-rrd-epochs"] : undefined) ??
      (isDeRrd ? f["de-rrd-epochs"] : undefined) ??
      (isDe ? f["de-epochs"] : undefined) ??
      f["student-epochs"],
    lrSchedule: f["lr-schedule"],
    weightDecay: f["student-wd"],
    patience: f.patience,
    rrd: {
      ...(isDeRrd && f["de-rrd-rrd-lambda"] !== undefined && { lambda: f["de-rrd-rrd-lambda"] }),
      ...(f["rrd-sampling"] !== undefined && { sampling: f["rrd-sampling"] }),
    },
    ir: irOptions(f),
    de: {
      ...(f["de-fraction"] !== undefined && { entityFraction: f["de-fraction"] }),
      ...(f["de-max-experts"] !== undefined && { maxExperts: f["de-max-experts"] }),
    },
  });
}

function teacherOptions(f: Flags, seed: number) {
  return presetTeacherOptions(f.preset, {
    dim: 200,
    epochs: f["teacher-epochs"],
    batchSize: f["teacher-batch"],
    lr: f["teacher-lr"],
    weightDecay: f["teacher-wd"],
    patience: f.patience,
    seed,
    evalSeed: f["eval-seed"] ?? 0,
  });
}

/** child mode: one student, progress to the parent over IPC, model + run.json into --child-dir */
async function runChild(f: Flags & { data: string }, method: DistillMethod, dir: string) {
  await getTf();
  const ds = loadDataset(f.data);
  const teacher = f.teacher ? await loadModel(f.teacher) : null;
  const s = await distillStudent(ds, teacher, studentOptions(f, method), (fraction, msg) => process.send?.({ fraction, msg }));
  await saveModel(path.join(dir, "model"), s.model);
  fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify(recordOf(s)));
}

/** the flags a child needs, rebuilt from the parsed ones */
function childArgs(f: Flags, method: DistillMethod, dir: string, teacherDir: string | null): string[] {
  const pass: (keyof Flags)[] = [
    "data",
    "preset",
    "seed",
    "eval-seed",
    "student-epochs",
    "de-epochs",
    "de-rrd-epochs",
    "de-ir-rrd-epochs",
    "de-rrd-rrd-lambda",
    "rrd-sampling",
    "ir-lambda",
    "ir-anchors",
    "ir-anchor-share",
    "student-wd",
    "de-fraction",
    "de-max-experts",
    "lr-schedule",
    "patience",
  ];
  const args = pass.flatMap((k) => (f[k] === undefined ? [] : [`--${k}`, String(f[k])]));
  return [...args, "--child", method, "--child-dir", dir, ...(teacherDir ? ["--teacher", teacherDir] : [])];
}

function startChild(f: Flags, method: DistillMethod, dir: string, teacherDir: string | null, progress: ProgressFn): { done: Promise<void>; kill: () => void } {
  const proc = fork(process.argv[1], childArgs(f, method, dir, teacherDir), { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  proc.on("message", (m: { fraction: number; msg: string }) => progress(m.fraction, m.msg));
  const done = new Promise<void>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`student ${method} failed (${signal ?? `exit code ${code}`}); its messages are above`)),
    );
  });
  return { done, kill: () => proc.kill() };
}

async function main(f: Flags) {
  if (f.pool) return pool(f, f.pool);
  if (!f.data) throw new UsageError("--data: is required");
  if (!fs.existsSync(f.data)) throw new UsageError(`--data: ${f.data} does not exist`);
  if (f.child) {
    if (!f["child-dir"]) throw new UsageError("--child needs --child-dir");
    return runChild({ ...f, data: f.data }, f.child, f["child-dir"]);
  }
  if (!f.out) throw new UsageError("--out: is required");
  const out = f.out;
  const outDir = path.dirname(path.resolve(out));
  if (!fs.existsSync(outDir)) throw new UsageError(`--out: directory ${outDir} does not exist`);
  if (f.teacher && !fs.existsSync(f.teacher)) throw new UsageError(`--teacher: ${f.teacher} does not exist`);
  if (f.teacher && f["keep-teacher"]) throw new UsageError("--keep-teacher saves a trained teacher: drop it with --teacher");
  if (f.seeds && f.teacher) throw new UsageError("--seeds retrains the teacher with each seed: drop --teacher");
  if (f.seeds && f.seed !== undefined) throw new UsageError("--seed and --seeds: give one of them");
  if (f.resume && !f.seeds) throw new UsageError("--resume reuses the seed files of --seeds: give --seeds");
  const methods = (f.methods ?? [...DISTILL_METHODS]) as DistillMethod[];
  const jobs = f.jobs ?? os.cpus().length;
  await getTf();
  const ds = loadDataset(f.data);
  process.stderr.write(
    `dataset ${ds.name}: ${ds.numUsers} users, ${ds.numItems} items; backend ${backendName()}; ${jobs} at once; preset ${f.preset}: ${PRESETS[f.preset].summary}\n`,
  );
  if (!f.seeds) {
    const run = await runSeed(f, f.seed ?? 0, ds, methods, jobs, out, f["keep-teacher"] ?? null);
    process.stdout.write(
      run.table + `\n\nwall ${run.wallSeconds.toFixed(0)} s (training ${run.trainWallSeconds.toFixed(0)} s, ${jobs} at once); wrote ${out}\n`,
    );
    return;
  }
  const base = out.replace(/\.json$/, "");
  const files: string[] = [];
  for (const [k, seed] of f.seeds.entries()) {
    const file = `${base}.seed${seed}.json`;
    files.push(file);
    const missing = f.resume && fs.existsSync(file) ? missingFromSeedFile(file, seed, methods, f.tag) : null;
    if (missing && missing.length === 0) {
      process.stderr.write(`--- seed ${seed} (${k + 1}/${f.seeds.length}): reusing ${file} ---\n`);
      continue;
    }
    if (missing) process.stderr.write(`${file} lacks ${missing.join(", ")}: rerunning seed ${seed}, the file will be replaced\n`);
    process.stderr.write(`--- seed ${seed} (${k + 1}/${f.seeds.length}) ---\n`);
    const keep = f["keep-teacher"] ? path.join(f["keep-teacher"], `seed${seed}`) : null;
    const run = await runSeed({ ...f, seed }, seed, ds, methods, jobs, file, keep);
    process.stdout.write(`seed ${seed}\n${run.table}\nwall ${run.wallSeconds.toFixed(0)} s; wrote ${file}\n\n`);
  }
  writeSummary(files, out, { jobs });
}

/** --pool: the summary of existing seed files, nothing trained */
function pool(f: Flags, files: string[]) {
  if (!f.out) throw new UsageError("--out: is required");
  for (const file of files) if (!fs.existsSync(file)) throw new UsageError(`--pool: ${file} does not exist`);
  const clash = files.find((file) => path.resolve(file) === path.resolve(f.out!));
  if (clash) throw new UsageError(`--out ${f.out} is one of the pooled files`);
  writeSummary(files, f.out, {});
}

function writeSummary(files: string[], out: string, extra: Record<string, unknown>) {
  let summary: SeedsSummary;
  try {
    summary = summarizePooled(poolSeedFiles(files.map((file) => ({ file, json: JSON.parse(fs.readFileSync(file, "utf8")) as unknown }))));
  } catch (e) {
    if (e instanceof RangeError || e instanceof SyntaxError) throw new UsageError(e.message);
    throw e;
  }
  fs.writeFileSync(out, compactJson({ ...summary, pooledFrom: files, ...extra, createdAt: new Date().toISOString() }));
  process.stdout.write(seedsTable(summary) + `\n\nwrote ${out}\n`);
}

/** what a seed file lacks for --resume: the teacher or a method's student, or their per-user ranks */
function missingFromSeedFile(file: string, seed: number, methods: DistillMethod[], tag: string | undefined): string[] {
  const r = SeedFile.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!r.success) return ["a readable seed file"];
  if (r.data.seed !== seed) return [`seed ${seed} (it holds seed ${r.data.seed})`];
  const want = ["teacher", ...methods.map((m) => studentName(m, tag))];
  return want.filter((name) => !r.data.models.some((m) => m.name === name && m.perUser));
}

const studentName = (method: DistillMethod, tag: string | undefined) => `student-${method}${tag ? `/${tag}` : ""}`;

/** JSON with arrays of plain integers (the per-user ranks) on one line each */
function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s*-?\d+(?:,\s*-?\d+)*\s*\]/g, (m) => m.replace(/\s+/g, "")) + "\n";
}

interface SeedRun {
  seed: number;
  file: string;
  rows: ModelRow[];
  wallSeconds: number;
  trainWallSeconds: number;
  table: string;
}

/** one whole benchmark run (teacher, then the students) with one training seed; writes its JSON to `out` */
async function runSeed(
  f: Flags,
  seed: number,
  ds: ReturnType<typeof loadDataset>,
  methods: DistillMethod[],
  jobs: number,
  out: string,
  keepTeacher: string | null,
): Promise<SeedRun> {
  const evalSeed = f["eval-seed"] ?? 0;
  const started = performance.now();
  const load0 = os.loadavg();
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
    for (let i = 0; i < queue.length && slotsBusy < jobs;) {
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
    trainTeacher(ds, teacherOptions(f, seed), bar.progress, abortTeacher.signal)
      .then(async (t) => {
        const dir = keepTeacher ?? path.join(work, "teacher");
        await saveModel(dir, t.model);
        if (keepTeacher) process.stderr.write(`teacher saved in ${keepTeacher}\n`);
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

  // the tables: agreement with the teacher, scoring latency and per-user ranks, one model at a time
  const teacher = await loadModel(teacherDir);
  if (!teacherRun) {
    const cfg = teacher.manifest.trainingConfig;
    const bestValid = (teacher.manifest.metrics.bestValid ?? null) as Record<string, number> | null;
    teacherRun = {
      test: evaluate(teacher, ds, { split: "test", seed: evalSeed }),
      train: {
        epochsRun: Number(cfg.epochsRun ?? 0),
        bestEpoch: Number(cfg.bestEpoch ?? 0),
        trainSeconds: Number(cfg.trainSeconds ?? 0),
        bestValid,
        config: { ...cfg, reused: f.teacher },
      },
    };
  }
  const users = { test: [] as number[], valid: [] as number[] };
  const ranksOf = (m: ServableBpr) => {
    const r = (split: "test" | "valid") => evaluate(m, ds, { split, seed: evalSeed, full: false, keepRanks: true }).ranks!;
    const test = r("test");
    const valid = r("valid");
    users.test = Array.from(test.users);
    users.valid = Array.from(valid.users);
    return { test: Array.from(test.sampled), valid: Array.from(valid.sampled) };
  };
  const rows: ModelRow[] = [{ ...row("teacher", "teacher", null, teacher, teacherRun, 1, scoringLatency(teacher, ds, { seed })), perUser: ranksOf(teacher) }];
  for (const method of DISTILL_METHODS.filter((m) => methods.includes(m))) {
    const dir = path.join(work, method);
    const model = await loadModel(path.join(dir, "model"));
    const run = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8")) as RunRecord;
    const r = row(studentName(method, f.tag), "student", method, model, run, agreement(model, teacher, ds, 10), scoringLatency(model, ds, { seed }));
    rows.push({ ...r, perUser: ranksOf(model) });
    model.dispose();
  }
  teacher.dispose();
  const wallSeconds = (performance.now() - started) / 1000;
  writeOut(out, rows, seed, evalSeed, started, trainWall, jobs, load0, ds.name, users);
  fs.rmSync(work, { recursive: true, force: true });
  const text = table(
    ["model", "dim", "epochs", "train s", "H@5", "N@5", "H@10", "N@10", "H@20", "N@20", "R@20 full", "tail H@10", "cov@10", "agree@10", "p50 us", "valid N@10"],
    rows.map((r) => [
      r.name,
      r.dim,
      r.epochs,
      r.trainSeconds.toFixed(0),
      r.test["H@5"],
      r.test["N@5"],
      r.test["H@10"],
      r.test["N@10"],
      r.test["H@20"],
      r.test["N@20"],
      r.full["R@20"],
      r.longTail["H@10"],
      r.coverage10,
      r.agreement10,
      r.scoreP50us.toFixed(0),
      r.valid["N@10"],
    ]),
  );
  return { seed, file: out, rows, wallSeconds, trainWallSeconds: trainWall, table: text };
}

function seedsTable(s: SeedsSummary): string {
  const pm = (x: Spread | undefined) => (x ? `${x.mean.toFixed(4)} ± ${x.sd === null ? "-" : x.sd.toFixed(4)}` : "-");
  const models = table(
    ["model", "seeds", "test N@10", "test H@10", "test N@20", "tail H@10", "valid N@10", "train s"],
    s.models.map((m) => [
      m.name,
      m.seeds.join(","),
      pm(m.test["N@10"]),
      pm(m.test["H@10"]),
      pm(m.test["N@20"]),
      pm(m.longTail["H@10"]),
      pm(m.valid["N@10"]),
      `${m.trainSeconds.mean.toFixed(0)}`,
    ]),
  );
  const pairs = table(
    ["model", "against", "split", "Δ N@10", "95% CI", "p", "users x seeds"],
    s.paired.map((p) => [
      p.model,
      p.against,
      p.split,
      p.meanDiff.toFixed(4),
      `[${p.ci[0].toFixed(4)}, ${p.ci[1].toFixed(4)}]`,
      p.pValue < 1e-4 ? "<1e-4" : p.pValue.toFixed(4),
      `${p.users} x ${p.seedList.join(",")}`,
    ]),
  );
  const seeds = s.perSeed
    .map((p) => `seed ${p.seed}: ${(p.wallSeconds / 60).toFixed(1)} min${p.files.length > 1 ? ` over ${p.files.length} files` : ""}`)
    .join("; ");
  const tail = Object.entries(s.longTailAboveNone)
    .map(([name, v]) => `${name} ${v.every ? `every seed of ${v.of.join(",")}` : `seeds ${v.seeds.join(",") || "none"} of ${v.of.join(",")}`}`)
    .join("; ");
  return `mean ± sd over seeds ${s.seeds.join(",")}\n${models}\n\npaired per-user differences of N@10, averaged over the seeds both have\n${pairs}\n\nlong-tail H@10 above none's: ${tail}\nwall: ${seeds}`;
}

function writeOut(
  file: string,
  models: ModelRow[],
  seed: number,
  evalSeed: number,
  started: number,
  trainWall: number,
  jobs: number,
  load0: number[],
  dataset: string,
  perUserUsers: { test: number[]; valid: number[] },
) {
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
    perUserRanks: "each model's perUser: 0-based sampled rank (among the held-out item and its negatives) of every user in perUserUsers, same order",
    perUserUsers,
    models,
  };
  fs.writeFileSync(file, compactJson(result));
}

await runFlagsCli(USAGE, Flags, main);
