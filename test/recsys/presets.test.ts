// The "recommended" preset is the CiteULike benchmark's recipe: pinned here to the settings recorded in the
// committed benchmark result (bench/results/distill-citeulike-a.json, run 7) and to the command bench/README.md
// gives for it, so neither can drift from the product's default without this test failing.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { PRESETS, presetStudentOptions, presetTeacherOptions, type PresetName } from "@/lib/recsys/presets";
import type { DistillMethod } from "@/lib/recsys/distill/methods";

const result = JSON.parse(fs.readFileSync("bench/results/distill-citeulike-a.json", "utf8")) as {
  models: { name: string; method: DistillMethod | null; config: Record<string, unknown> }[];
};
const KEYS = ["dim", "epochs", "lr", "weightDecay", "batchSize", "lrSchedule", "patience"] as const;

/** the preset's settings for `method` are those its student in the committed run `file` recorded; returns them */
function expectPresetIsRun(preset: PresetName, method: DistillMethod, file: string) {
  const run = JSON.parse(fs.readFileSync(file, "utf8")) as typeof result;
  const model = run.models.find((m) => m.method === method);
  expect(model, `${method} in ${file}`).toBeDefined();
  const s = presetStudentOptions(preset, method);
  for (const k of KEYS) if (s[k] !== undefined) expect(s[k], `${method} ${k}`).toEqual(model!.config[k]);
  expect(s.de).toEqual(model!.config.de);
  expect(s.rrd).toEqual(model!.config.rrd);
  expect(s.ir).toEqual(model!.config.ir);
  return s;
}

describe("presets", () => {
  it("recommended = the settings every model of the committed CiteULike benchmark ran with", () => {
    expect(PRESETS.recommended.method).toBe("ir-rrd");
    for (const m of result.models) {
      const c = m.config;
      if (m.method === null) {
        const t = presetTeacherOptions("recommended");
        for (const k of KEYS) if (k !== "batchSize" || t.batchSize !== undefined) expect(t[k], `teacher ${k}`).toEqual(c[k]);
        continue;
      }
      const s = presetStudentOptions("recommended", m.method);
      for (const k of KEYS) {
        if (s[k] === undefined) continue; // left to the library default, which the run also had
        expect(s[k], `${m.name} ${k}`).toEqual(c[k]);
      }
      expect(s.de, `${m.name} de`).toEqual(c.de);
      expect(s.rrd, `${m.name} rrd`).toEqual(c.rrd ?? {});
    }
  });

  it("recommended = the flags of the benchmark command in bench/README.md", () => {
    const readme = fs.readFileSync("bench/README.md", "utf8");
    const block = readme.split("```").find((b) => b.includes("--teacher-wd"));
    expect(block).toBeDefined();
    const flags = Object.fromEntries([...block!.matchAll(/--([a-z-]+) ([^\s\\]+)/g)].map((m) => [m[1], m[2]]));
    const r = PRESETS.recommended;
    expect(Number(flags["teacher-epochs"])).toBe(r.teacher.epochs);
    expect(Number(flags["teacher-batch"])).toBe(r.teacher.batchSize);
    expect(Number(flags["teacher-lr"])).toBe(r.teacher.lr);
    expect(Number(flags["teacher-wd"])).toBe(r.teacher.weightDecay);
    expect(Number(flags["student-epochs"])).toBe(r.student.epochs);
    expect(Number(flags["de-epochs"])).toBe(r.perMethod.de?.epochs);
    expect(Number(flags["de-rrd-epochs"])).toBe(r.perMethod["de-rrd"]?.epochs);
    expect(Number(flags["de-rrd-rrd-lambda"])).toBe(r.perMethod["de-rrd"]?.rrd?.lambda);
    expect(Number(flags.patience)).toBe(r.student.patience);
    expect(Number(flags.patience)).toBe(r.teacher.patience);
    expect(Number(flags["de-fraction"])).toBe(r.student.de?.entityFraction);
    expect(Number(flags["de-max-experts"])).toBe(r.student.de?.maxExperts);
    expect(flags["lr-schedule"]).toBe(r.student.lrSchedule);
  });

  it("recommended's method = the committed IR-RRD run over the users' lists", () => {
    const s = expectPresetIsRun("recommended", "ir-rrd", "bench/results/distill-citeulike-a-ir-rrd-lists10-seed0.json");
    expect(s.ir).toEqual({ anchors: "user-lists", anchorShare: 0.1 });
  });

  it("quality = recommended with de-ir-rrd on the users' lists: the settings of the committed DE-IR-RRD run", () => {
    expect(PRESETS.quality.method).toBe("de-ir-rrd");
    expect(PRESETS.quality.teacher).toEqual(PRESETS.recommended.teacher);
    const s = expectPresetIsRun("quality", "de-ir-rrd", "bench/results/distill-citeulike-a-ir-lists10-seed0.json");
    expect(s.ir).toEqual({ anchors: "user-lists", anchorShare: 0.1 });
    // only de-ir-rrd changes: the other methods keep recommended's settings
    expect(presetStudentOptions("quality", "de-rrd")).toEqual(presetStudentOptions("recommended", "de-rrd"));
  });

  it("explicit options win, nested settings merge field by field, undefined never erases a preset value", () => {
    const s = presetStudentOptions("recommended", "de-rrd", { epochs: 7, lr: undefined, de: { experts: 5 }, rrd: { sampling: "top-k" } });
    expect(s.epochs).toBe(7);
    expect(s.lr).toBe(0.003);
    expect(s.de).toEqual({ entityFraction: 0.25, maxExperts: 2, experts: 5 });
    expect(s.rrd).toEqual({ lambda: 0.0005, sampling: "top-k" });
    expect(s.method).toBe("de-rrd");
    expect(presetStudentOptions("recommended", "rrd").rrd).toEqual({});
    expect(presetTeacherOptions("fast", { dim: 64 })).toMatchObject({ dim: 64, epochs: 50, patience: 5 });
    // fast keeps recommended's rates and decays, on fewer epochs
    expect(PRESETS.fast.student.lr).toBe(PRESETS.recommended.student.lr);
    expect(PRESETS.fast.perMethod["de-rrd"]!.epochs!).toBeLessThan(PRESETS.recommended.perMethod["de-rrd"]!.epochs!);
  });
});
