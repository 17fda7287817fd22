// npx tsx bench/demo-tune.ts [--variants '<json list of student options>'] [--teacher '<json teacher options>'] [--out bench/results/demo-tune.json]
// The demo's data and teacher as `npm start` trains them: lib/db/seed.ts's DEMO_DATASET stored and read
// back like a stored dataset, the teacher and students through the default preset under the demo's
// explicit settings (what the train job does). Then DE-RRD students with each variant (a variant may
// also set `dim` and `method`). Picks on validation (share of the teacher's valid N@10) and reports test
// N@10 beside it, with each model's epochs, wall-clock and CPU seconds.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateSynthetic, loadTsvDir } from "../lib/recsys/data";
import { writeTsvDir } from "../lib/recsys/data/tsv-dir";
import { distillStudent, trainTeacher, type StudentOptions, type TrainedModel } from "../lib/recsys/pipeline";
import { DEFAULT_PRESET, presetStudentOptions, presetTeacherOptions } from "../lib/recsys/presets";
import { getTf } from "../lib/recsys/backend";
import type { DistillMethod } from "../lib/recsys/distill";
import { DEMO_DATASET, DEMO_SEED, DEMO_STUDENT_DIM, DEMO_STUDENT_METHOD, DEMO_STUDENT_TRAINING, DEMO_TEACHER_DIM, DEMO_TEACHER_TRAINING } from "../lib/db/seed";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const variants: (StudentOptions & { method?: DistillMethod })[] = JSON.parse(flag("variants") ?? JSON.stringify([DEMO_STUDENT_TRAINING]));
const teacherSettings: Record<string, unknown> = JSON.parse(flag("teacher") ?? JSON.stringify(DEMO_TEACHER_TRAINING));
const out = flag("out");

/** wall-clock and CPU seconds of fn (CPU: this process, all threads) */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallSeconds: number; cpuSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return { value, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

const perEpoch = (m: TrainedModel) => m.history.reduce((a, r) => a + r.seconds, 0) / Math.max(1, m.history.length);

await getTf();
const { name, ...world } = DEMO_DATASET;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-tune-"));
writeTsvDir(generateSynthetic(world), path.join(dir, "ds"));
const ds = { ...loadTsvDir(path.join(dir, "ds")), name };
fs.rmSync(dir, { recursive: true, force: true });
const loadStart = os.loadavg();
const started = Date.now();

const t = await timed(() => trainTeacher(ds, presetTeacherOptions(DEFAULT_PRESET, { ...teacherSettings, dim: DEMO_TEACHER_DIM, seed: DEMO_SEED })));
const teacher = t.value;
const tValid = teacher.bestValid?.["N@10"] ?? NaN;
const tTest = teacher.testMetrics.sampled["N@10"];
console.log(
  `teacher ${JSON.stringify(teacherSettings)}: valid N@10 ${tValid.toFixed(4)} test N@10 ${tTest.toFixed(4)} best epoch ${teacher.bestEpoch}/${teacher.epochsRun}` +
    ` ${perEpoch(teacher).toFixed(2)} s/epoch, ${t.wallSeconds.toFixed(0)} s wall, ${t.cpuSeconds.toFixed(0)} s CPU`,
);
const rows = [];
for (const v of variants) {
  const { method = DEMO_STUDENT_METHOD, dim = DEMO_STUDENT_DIM, ...rest } = v;
  const s = await timed(() => distillStudent(ds, teacher.model, presetStudentOptions(DEFAULT_PRESET, method, { ...rest, dim, seed: DEMO_SEED })));
  const m = s.value;
  const sValid = m.bestValid?.["N@10"] ?? NaN;
  const sTest = m.testMetrics.sampled["N@10"];
  const row = {
    variant: v,
    validN10: sValid,
    testN10: sTest,
    validShare: sValid / tValid,
    testShare: sTest / tTest,
    bestEpoch: m.bestEpoch,
    epochsRun: m.epochsRun,
    secondsPerEpoch: perEpoch(m),
    trainSeconds: m.trainSeconds,
    wallSeconds: s.wallSeconds,
    cpuSeconds: s.cpuSeconds,
    validCurve: m.history.filter((r) => r.valid).map((r) => [r.epoch, Number(r.valid!["N@10"].toFixed(4))]),
  };
  rows.push(row);
  console.log(
    `${JSON.stringify(v)}: valid ${sValid.toFixed(4)} (${(100 * row.validShare).toFixed(1)}%) test ${sTest.toFixed(4)} (${(100 * row.testShare).toFixed(1)}%)` +
      ` best epoch ${m.bestEpoch}/${m.epochsRun}, ${row.secondsPerEpoch.toFixed(2)} s/epoch, ${s.wallSeconds.toFixed(0)} s wall, ${s.cpuSeconds.toFixed(0)} s CPU`,
  );
  m.model.dispose();
}
const result = {
  dataset: DEMO_DATASET,
  preset: DEFAULT_PRESET,
  teacher: {
    settings: teacherSettings,
    validN10: tValid,
    testN10: tTest,
    bestEpoch: teacher.bestEpoch,
    epochsRun: teacher.epochsRun,
    secondsPerEpoch: perEpoch(teacher),
    wallSeconds: t.wallSeconds,
    cpuSeconds: t.cpuSeconds,
  },
  students: rows,
  totalSeconds: (Date.now() - started) / 1000,
  loadAverage: { start: loadStart, end: os.loadavg() },
  note: "wall-clock timings on the shared 2-core machine while other sessions were running (see loadAverage); quality numbers do not depend on load",
};
if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
teacher.model.dispose();
