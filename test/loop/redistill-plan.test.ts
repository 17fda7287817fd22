// The shape of a redistillation: like the production student when production serves one; when
// production serves a teacher (the demo until its cutover), like the teacher's newest distilled student.
import { describe, expect, it } from "vitest";
import { DEFAULT_REDISTILL, redistillPlan } from "@/lib/services/drift";

type PlanModel = NonNullable<Parameters<typeof redistillPlan>[0]>;
type Template = NonNullable<Parameters<typeof redistillPlan>[3]>;

const teacher = {
  id: "t",
  role: "teacher",
  dimension: 200,
  distillationMethod: null,
  teacher: null,
  trainingRun: { config: { role: "teacher", datasetId: "d", dimension: 200, epochs: 30, hyperparameters: { evalEvery: 5, patience: 3 } } },
} as unknown as PlanModel;
const student = {
  id: "s",
  role: "student",
  dimension: 20,
  distillationMethod: "de-rrd",
  trainingRun: {
    config: {
      role: "student",
      datasetId: "d",
      dimension: 20,
      method: "de-rrd",
      teacherModelId: "t",
      epochs: 30,
      seed: 5,
      hyperparameters: { evalEvery: 5, patience: 3 },
    },
  },
} as unknown as Template;

describe("redistillPlan", () => {
  it("shapes the student like a production teacher's distilled student, with its settings", () => {
    const plan = redistillPlan(teacher, "snap", "snapshot v1", student);
    expect(plan.teacher).toMatchObject({ role: "teacher", dimension: 200, epochs: 30, kind: "redistill", datasetId: "snap" });
    expect(plan.student).toMatchObject({
      role: "student",
      dimension: 20,
      method: "de-rrd",
      epochs: 30,
      seed: 5,
      hyperparameters: { evalEvery: 5, patience: 3 },
      datasetId: "snap",
    });
  });

  it("falls back to the standard pair without a distilled student, and ignores an undistilled one", () => {
    const plain = { ...student, distillationMethod: "none" } as unknown as Template;
    for (const template of [null, plain]) {
      const plan = redistillPlan(teacher, "snap", "snapshot v1", template);
      expect(plan.student).toMatchObject({ dimension: DEFAULT_REDISTILL.studentDimension, method: DEFAULT_REDISTILL.method, seed: 42 });
      expect(plan.student.epochs).toBeUndefined();
    }
  });
});
