// npx tsx bench/demo-tune.ts [--variants '<json list of student options>'] [--out bench/results/demo-tune.json]
// The demo's data and teacher exactly as `npm start` seeds them (lib/db/seed.ts DEMO_DATASET and its
// teacher settings), then DE-RRD students with each variant of training settings. Picks on validation
// (share of the teacher's valid N@10) and reports test N@10 beside it, with each model's training time.
import fs from "node:fs";
import { generateSynthetic } from "../lib/recsys/data";
import { distillStudent, trainTeacher } from "../lib/recsys/pipeline";
import { getTf } from "../lib/recsys/backend";
import { DEMO_DATASET, DEMO_STUDENT_TRAINING, DEMO_TEACHER_TRAINING } from "../lib/db/seed";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const variants: Record<string, unknown>[] = JSON.parse(
  flag("variants") ?? JSON.stringify([DEMO_STUDENT_TRAINING]),
);
const out = flag("out");

await getTf();
const ds = { ...generateSynthetic({ seed: DEMO_DATASET.seed, numUsers: DEMO_DATASET.numUsers, numItems: DEMO_DATASET.numItems, interactionsPerUser: DEMO_DATASET.interactionsPerUser }), name: DEMO_DATASET.name };
const started = Date.now();
const teacher = await trainTeacher(ds, { dim: 200, ...DEMO_TEACHER_TRAINING, seed: 42 });
const tValid = teacher.bestValid?.["N@10"] ?? NaN;
const tTest = teacher.testMetrics.sampled["N@10"];
console.log(`teacher: valid N@10 ${tValid.toFixed(4)} test N@10 ${tTest.toFixed(4)} best epoch ${teacher.bestEpoch}/${teacher.epochsRun} ${teacher.trainSeconds.toFixed(0)} s`);
const rows = [];
for (const v of variants) {
  const s = await distillStudent(ds, teacher.model, { dim: 20, method: "de-rrd", seed: 42, ...v });
  const sValid = s.bestValid?.["N@10"] ?? NaN;
  const sTest = s.testMetrics.sampled["N@10"];
  const row = {
    variant: v,
    validN10: sValid,
    testN10: sTest,
    validShare: sValid / tValid,
    testShare: sTest / tTest,
    bestEpoch: s.bestEpoch,
    epochsRun: s.epochsRun,
    seconds: s.trainSeconds,
  };
  rows.push(row);
  console.log(`${JSON.stringify(v)}: valid ${sValid.toFixed(4)} (${(100 * row.validShare).toFixed(1)}%) test ${sTest.toFixed(4)} (${(100 * row.testShare).toFixed(1)}%) best epoch ${s.bestEpoch}/${s.epochsRun} ${s.trainSeconds.toFixed(0)} s`);
  s.model.dispose();
}
const result = {
  dataset: DEMO_DATASET,
  teacher: { settings: DEMO_TEACHER_TRAINING, validN10: tValid, testN10: tTest, bestEpoch: teacher.bestEpoch, epochsRun: teacher.epochsRun, seconds: teacher.trainSeconds },
  students: rows,
  totalSeconds: (Date.now() - started) / 1000,
  note: "timings on the shared 2-core machine while other sessions were running",
};
if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
teacher.model.dispose();
