// Named distillation recipes: the settings a user gets without tuning. "recommended" is the CiteULike
// benchmark's recipe (bench/README.md, run 7) with IR-RRD as its method: RRD plus the item side over the
// items of the batch users' RRD lists, as in the IR-RRD authors' code (a tenth of them kept, an unbiased
// estimate); on validation it ranks above DE-RRD at about 0.8× its training time. "fast" keeps the recipe's
// learning rates, weight decays and DE approximations on a quarter of the epochs, with early stopping;
// "quality" is the recommended recipe with DE-IR-RRD, first on validation, at about 1.5× DE-RRD's training
// time. Options given explicitly always win over the preset's.
import type { DistillMethod } from "./distill/methods";
import type { StudentOptions, TeacherOptions } from "./pipeline";

export const PRESET_NAMES = ["recommended", "fast", "quality"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
export const DEFAULT_PRESET: PresetName = "recommended";

export interface Preset {
  name: PresetName;
  summary: string;
  /** the method run when none is named (the one validation picked) */
  method: DistillMethod;
  teacher: TeacherOptions;
  /** every student's settings */
  student: StudentOptions;
  /** per-method overrides of `student` (epoch budgets, λ_RRD) */
  perMethod: Partial<Record<DistillMethod, StudentOptions>>;
}

const DE_APPROX = { entityFraction: 0.25, maxExperts: 2 };
/** what both presets train with: the teacher's and the students' recipe but for epochs and patience */
const TEACHER_RECIPE = { dim: 200, batchSize: 2048, lr: 0.004, weightDecay: 0.002, lrSchedule: "cosine" } as const;
/** the item side (ir-rrd, de-ir-rrd) over the items of the batch users' RRD lists, a tenth of them kept */
const IR_LISTS = { anchors: "user-lists", anchorShare: 0.1 } as const;
const STUDENT_RECIPE = { dim: 20, lr: 0.003, weightDecay: 0.001, lrSchedule: "cosine", de: DE_APPROX, ir: IR_LISTS } as const;

/** the DE students' epoch budgets (DE-RRD and DE-IR-RRD also halve λ_RRD) */
function deBudgets(de: number, deRrd: number): Preset["perMethod"] {
  return { de: { epochs: de }, "de-rrd": { epochs: deRrd, rrd: { lambda: 0.0005 } }, "de-ir-rrd": { epochs: deRrd, rrd: { lambda: 0.0005 } } };
}

const RECOMMENDED: Preset = {
  name: "recommended",
  summary:
    "the CiteULike benchmark's recipe: teacher 200 epochs, students 240 (DE 300, DE-RRD 350) on whole cosine schedules; IR-RRD, its item side over the users' RRD lists",
  method: "ir-rrd",
  teacher: { ...TEACHER_RECIPE, epochs: 200, patience: 1000 },
  student: { ...STUDENT_RECIPE, epochs: 240, patience: 1000 },
  perMethod: deBudgets(300, 350),
};

export const PRESETS: Record<PresetName, Preset> = {
  recommended: RECOMMENDED,
  quality: {
    ...RECOMMENDED,
    name: "quality",
    summary:
      "the recommended recipe with DE-IR-RRD (DE + RRD + the item side over the users' RRD lists): first on validation, about 1.5× DE-RRD's training time",
    method: "de-ir-rrd",
  },
  fast: {
    name: "fast",
    summary: "a quarter of the recommended epochs (teacher 50, students 60, DE-RRD 90), early stopping: CiteULike DE-RRD 0.3715 N@10 in 40 % of the time",
    method: "de-rrd",
    teacher: { ...TEACHER_RECIPE, epochs: 50, patience: 5 },
    student: { ...STUDENT_RECIPE, epochs: 60, patience: 10 },
    perMethod: deBudgets(75, 90),
  },
};

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };
/** `opts` without its undefined entries, so spreading it never erases a preset value */
function defined<T extends object>(opts: T): Partial<Defined<T>> {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as Partial<Defined<T>>;
}

export function presetTeacherOptions(name: PresetName, opts: TeacherOptions = {}): TeacherOptions {
  return { ...PRESETS[name].teacher, ...defined(opts) };
}

/** the preset's student settings for `method`, under the explicit `opts` (nested de/rrd/ir/rd merged field by field) */
export function presetStudentOptions(name: PresetName, method: DistillMethod, opts: StudentOptions = {}): StudentOptions & { method: DistillMethod } {
  const p = PRESETS[name];
  const base = { ...p.student, ...p.perMethod[method] };
  const o = defined(opts);
  return {
    ...base,
    ...o,
    method,
    de: { ...base.de, ...defined(opts.de ?? {}) },
    rrd: { ...base.rrd, ...defined(opts.rrd ?? {}) },
    ir: { ...base.ir, ...defined(opts.ir ?? {}) },
    rd: { ...base.rd, ...defined(opts.rd ?? {}) },
  };
}
