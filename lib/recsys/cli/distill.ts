// npm run distill -- --data <dir> [--teacher-dim 200] [--student-dim 20] [--method de-rrd] [--teacher <dir>]
//   [--out <dir>] [--epochs N] [--teacher-epochs N] [--seed S] ...
// Trains (or reuses) a teacher, distills a student, evaluates both on test and saves the student.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { loadDataset } from "../data/load";
import { contentHash } from "../data/stats";
import { loadModel, saveModel } from "../artifact";
import { backendName, getTf } from "../backend";
import { DISTILL_METHODS, distillStudent, trainTeacher, type TrainedModel } from "../pipeline";
import type { ServableBpr } from "../models/servable";
import type { EvalResult } from "../eval/evaluate";
import { evaluate } from "../eval/evaluate";
import { LR_SCHEDULES } from "../models/lr-schedule";
import { RRD_SAMPLINGS } from "../distill/rrd";
import { rankedTeacherProblem } from "../distill/methods";
import { DEFAULT_PRESET, PRESET_NAMES, PRESETS, presetStudentOptions, presetTeacherOptions } from "../presets";
import { isRankedListsDir, loadRankedLists, RankedListTeacher } from "../interop/ranked-lists";
import { IR_FLAGS, IR_USAGE, irOptions } from "./ir-flags";
import { fractionFlag, interruptSignal, intFlag, positiveFlag, progressBar, runFlagsCli, table, UsageError } from "./common";

const USAGE = `usage: npm run distill -- --data <dataset dir or file> [options]

  --data <path>            dataset: train/valid/test.tsv directory, MovieLens ratings.csv, or user,item[,ts] CSV
  --preset <p>             recommended (default: the CiteULike benchmark's recipe, method ir-rrd) | fast (a
                           quarter of its epochs, early stopping, de-rrd) | quality (recommended with
                           de-ir-rrd, first on validation, about 1.5× de-rrd's time); every flag below
                           overrides the preset's value
  --method <m>             none | de | rrd | de-rrd | rd | ir-rrd | de-ir-rrd (default: the preset's);
                           ir-rrd adds IR-RRD's item-side ranking loss to RRD
  --rrd-sampling <s>       RRD's interesting items: rank (sampled ∝ exp(−rank/T), default) | top-k
                           (the teacher's first K, in order)
  --rrd-lambda <x>         λ_RRD, weight of the user-side ranking loss (default 0.001; preset DE-RRD 0.0005)
${IR_USAGE}
  --teacher-dim <n>        teacher dimension (preset: 200)
  --student-dim <n>        student dimension (preset: 20)
  --teacher <dir>          reuse a saved teacher instead of training one: a model directory, or one
                           written by npm run teacher:import (embeddings, or ranked lists for rd/rrd)
  --out <dir>              where to save the student (default artifacts/students/<dataset>-<method>-d<dim>-s<seed>)
  --epochs <n>             student epoch budget (recommended: 240, DE 300, DE-RRD 350; fast: 60, 75, 90)
  --teacher-epochs <n>     teacher epoch budget (recommended 200, fast 50)
  --seed <n>               training seed (default 0)
  --eval-seed <n>          seed of the 499 sampled evaluation negatives (default 0)
  --lr <x>                 student learning rate (default 0.003)
  --teacher-lr <x>         teacher learning rate (preset: 0.004, cosine-decayed; batch 2048, wd 0.002)
  --lr-schedule <s>        student learning rate over the epoch budget: constant | cosine (down to a
                           tenth of --lr at the last epoch); preset: cosine
  --patience <n>           validations without improvement before stopping (recommended: 1000, i.e.
                           the whole schedule; fast: 10)
  --eval-every <n>         validate every n epochs (default 2)
  --de-fraction <x>        share of a batch's entities DE is computed on, unbiased (preset: 0.25)
  --de-max-experts <n>     experts evaluated per entity (preset: 2; 30 = all)
  --engine <e>             DE expert math: auto | tfjs | typed-arrays (default auto: the measured faster)
  --no-cache               do not read or write the teacher cache under artifacts/teachers
  -h, --help               this message`;

const Flags = z.object({
  help: z.boolean().optional(),
  data: z.string({ error: "is required" }).min(1),
  preset: z.enum(PRESET_NAMES, { error: `expected one of ${PRESET_NAMES.join(", ")}` }).default(DEFAULT_PRESET),
  method: z.enum(DISTILL_METHODS, { error: `expected one of ${DISTILL_METHODS.join(", ")}` }).optional(),
  "teacher-dim": intFlag("a dimension", 1).optional(),
  "student-dim": intFlag("a dimension", 1).optional(),
  teacher: z.string().optional(),
  out: z.string().optional(),
  epochs: intFlag("an epoch count", 1).optional(),
  "teacher-epochs": intFlag("an epoch count", 1).optional(),
  seed: intFlag("a seed", 0).optional(),
  "eval-seed": intFlag("a seed", 0).optional(),
  lr: positiveFlag("a learning rate").optional(),
  "teacher-lr": positiveFlag("a learning rate").optional(),
  "lr-schedule": z.enum(LR_SCHEDULES).optional(),
  patience: intFlag("a count", 1).optional(),
  "eval-every": intFlag("an epoch count", 1).optional(),
  "de-fraction": fractionFlag("a fraction").optional(),
  "de-max-experts": intFlag("an expert count", 1).optional(),
  "rrd-sampling": z.enum(RRD_SAMPLINGS, { error: `expected one of ${RRD_SAMPLINGS.join(", ")}` }).optional(),
  "rrd-lambda": positiveFlag("a weight").optional(),
  ...IR_FLAGS,
  engine: z.enum(["auto", "tfjs", "typed-arrays"]).optional(),
  "no-cache": z.boolean().optional(),
});
type Flags = z.infer<typeof Flags>;

export function metricRow(name: string, r: EvalResult, extra: (string | number)[] = []): (string | number)[] {
  const s = r.sampled;
  return [name, s["H@5"], s["N@5"], s["H@10"], s["N@10"], s["H@20"], s["N@20"], r.full?.["R@20"] ?? "-", r.longTail["H@10"], r.coverage ?? "-", ...extra];
}
export const METRIC_HEADERS = ["model", "H@5", "N@5", "H@10", "N@10", "H@20", "N@20", "full R@20", "tail H@10", "cov@10"];

async function main(flags: Flags) {
  const preset = PRESETS[flags.preset];
  const f = { ...flags, method: flags.method ?? preset.method };
  if (!fs.existsSync(f.data)) throw new UsageError(`--data: ${f.data} does not exist`);
  const rankedTeacher = f.teacher !== undefined && (await isRankedListsDir(f.teacher));
  if (f.teacher !== undefined && !rankedTeacher && !fs.existsSync(path.join(f.teacher, "manifest.json"))) {
    throw new UsageError(`--teacher: ${f.teacher} is not a saved model directory (no manifest.json) nor ranked lists (no ranked-lists.json)`);
  }
  if (rankedTeacher && rankedTeacherProblem(f.method))
    throw new UsageError(`--teacher ${f.teacher} holds ranked lists only: ${rankedTeacherProblem(f.method)}`);
  const signal = interruptSignal();
  await getTf();
  const ds = loadDataset(f.data);
  process.stderr.write(`dataset ${ds.name}: ${ds.numUsers} users, ${ds.numItems} items; backend ${backendName()}\n`);
  const seed = f.seed ?? 0;
  const evalSeed = f["eval-seed"] ?? 0;
  const teacherDim = f["teacher-dim"] ?? preset.teacher.dim ?? 200;
  const studentDim = f["student-dim"] ?? preset.student.dim ?? 20;
  process.stderr.write(`preset ${preset.name}: ${preset.summary}; method ${f.method}${flags.method ? "" : " (the preset's)"}\n`);

  let teacher: ServableBpr | RankedListTeacher;
  let teacherTest: EvalResult | null = null;
  const cacheDir = path.join("artifacts", "teachers", `${contentHash(ds).slice(0, 16)}-d${teacherDim}-s${seed}-${preset.name}`);
  if (rankedTeacher) {
    teacher = await loadRankedLists(f.teacher!);
    if (teacher.numUsers !== ds.numUsers || teacher.numItems !== ds.numItems) {
      throw new UsageError(`--teacher: ${f.teacher} covers ${teacher.numUsers} users x ${teacher.numItems} items, the dataset ${ds.numUsers} x ${ds.numItems}`);
    }
    process.stderr.write(`distilling from ranked lists ${f.teacher} (top-${teacher.N} of ${teacher.usersCovered} users)\n`);
  } else if (f.teacher !== undefined || (!f["no-cache"] && fs.existsSync(path.join(cacheDir, "manifest.json")))) {
    const dir = f.teacher ?? cacheDir;
    teacher = await loadModel(dir);
    if (teacher.numUsers !== ds.numUsers || teacher.numItems !== ds.numItems) {
      throw new UsageError(`--teacher: ${dir} covers ${teacher.numUsers} users x ${teacher.numItems} items, the dataset ${ds.numUsers} x ${ds.numItems}`);
    }
    process.stderr.write(`reusing teacher ${dir} (dim ${teacher.dim})\n`);
    const bar = progressBar("teacher eval");
    teacherTest = evaluate(teacher, ds, { split: "test", seed: evalSeed }, bar.progress);
    bar.stop();
  } else {
    const bar = progressBar(`teacher d${teacherDim}`);
    let trained: TrainedModel;
    try {
      trained = await trainTeacher(
        ds,
        presetTeacherOptions(preset.name, { dim: teacherDim, epochs: f["teacher-epochs"], lr: f["teacher-lr"], patience: f.patience, seed, evalSeed }),
        bar.progress,
        signal,
      );
    } finally {
      bar.stop();
    }
    teacher = trained.model;
    teacherTest = trained.testMetrics;
    if (!f["no-cache"]) {
      await saveModel(cacheDir, teacher);
      process.stderr.write(`teacher cached in ${cacheDir}\n`);
    }
  }

  const bar = progressBar(`student ${f.method}`);
  let student: TrainedModel;
  try {
    student = await distillStudent(
      ds,
      teacher,
      presetStudentOptions(preset.name, f.method, {
        dim: studentDim,
        epochs: f.epochs,
        lr: f.lr,
        lrSchedule: f["lr-schedule"],
        seed,
        evalSeed,
        patience: f.patience,
        evalEvery: f["eval-every"],
        engine: f.engine,
        de: {
          ...(f["de-fraction"] !== undefined && { entityFraction: f["de-fraction"] }),
          ...(f["de-max-experts"] !== undefined && { maxExperts: f["de-max-experts"] }),
        },
        rrd: { ...(f["rrd-sampling"] !== undefined && { sampling: f["rrd-sampling"] }), ...(f["rrd-lambda"] !== undefined && { lambda: f["rrd-lambda"] }) },
        ir: irOptions(f),
      }),
      bar.progress,
      signal,
    );
  } finally {
    bar.stop();
  }
  const out = f.out ?? path.join("artifacts", "students", `${ds.name}-${f.method}-d${studentDim}-s${seed}`);
  await saveModel(out, student.model);
  process.stdout.write(
    "\n" +
      table(
        [...METRIC_HEADERS, "params"],
        [
          ...(teacher instanceof RankedListTeacher || !teacherTest ? [] : [metricRow(`teacher d${teacher.dim}`, teacherTest, [teacher.model.parameterCount])]),
          metricRow(`student d${studentDim} ${f.method}`, student.testMetrics, [student.model.model.parameterCount]),
        ],
      ) +
      `\n\npreset ${preset.name}; test split, ${student.testMetrics.negatives} sampled negatives (seed ${evalSeed}); student best epoch ${student.bestEpoch}/${student.epochsRun}, ${student.trainSeconds.toFixed(1)} s on ${student.backend}\nsaved student to ${out}\n`,
  );
  if (!(teacher instanceof RankedListTeacher)) teacher.dispose();
  student.model.dispose();
}

await runFlagsCli(USAGE, Flags, main);
