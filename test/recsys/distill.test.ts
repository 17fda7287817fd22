import { describe, expect, it } from "vitest";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { distillStudent, trainTeacher } from "@/lib/recsys/pipeline";

// Synthetic data (fixed seed) where a dim-48 teacher clearly beats a dim-8 student; distilling its
// latent (DE) and ranking (RRD) knowledge must close part of that gap.
describe("distillation on synthetic data", () => {
  it("the de-rrd student beats the none student", async () => {
    const ds = generateSynthetic({ seed: 1, numUsers: 500, numItems: 800 });
    const common = { evalEvery: 2, patience: 5, lr: 0.005, batchSize: 256, seed: 0 };
    const teacher = await trainTeacher(ds, { dim: 48, epochs: 30, ...common });
    // at most 2 experts evaluated per entity keeps the early soft-τ epochs cheap (see DeConfig.maxExperts)
    const student = { dim: 8, epochs: 24, ...common, rrd: { topN: 100, K: 20, L: 20 }, de: { maxExperts: 2 } };
    const none = await distillStudent(ds, teacher.model, { ...student, method: "none" });
    const deRrd = await distillStudent(ds, teacher.model, { ...student, method: "de-rrd" });
    const t = teacher.testMetrics.sampled["N@10"];
    const a = none.testMetrics.sampled["N@10"];
    const b = deRrd.testMetrics.sampled["N@10"];
    // observed with these seeds: teacher 0.278, none 0.188, de-rrd 0.205 (N@10). The thresholds keep the
    // ordering with margin: the teacher gap is 3x the asserted one, the de-rrd gain 1.7x.
    expect(t).toBeGreaterThan(a + 0.03);
    expect(b).toBeGreaterThan(a + 0.01);
    // and it is a plain BPR model of the student's dimension (experts dropped)
    expect(deRrd.model.dim).toBe(8);
    expect(deRrd.model.manifest.method).toBe("de-rrd");
    expect(deRrd.model.manifest.parameterCount).toBe((ds.numUsers + ds.numItems) * 8);
    expect(deRrd.history.some((h) => (h.loss.de ?? 0) > 0 && (h.loss.rrd ?? 0) > 0)).toBe(true);
  });

  it("ir-rrd and de-ir-rrd add the item-side ranking loss to RRD's (and DE's) and keep a plain student", async () => {
    const ds = generateSynthetic({ seed: 3, numUsers: 150, numItems: 200 });
    const common = { evalEvery: 1, patience: 5, lr: 0.005, batchSize: 256, seed: 0 };
    const teacher = await trainTeacher(ds, { dim: 16, epochs: 3, ...common });
    const student = { dim: 4, epochs: 2, ...common, rrd: { topN: 30, K: 5, L: 5 }, ir: { topN: 20, K: 4, L: 4 }, de: { experts: 3 } };
    const ir = await distillStudent(ds, teacher.model, { ...student, method: "ir-rrd" });
    expect(ir.history.every((h) => (h.loss.rrd ?? 0) > 0 && (h.loss.ir ?? 0) > 0 && h.loss.de === undefined)).toBe(true);
    expect(ir.model.manifest.method).toBe("ir-rrd");
    expect(ir.config.ir).toEqual({ topN: 20, K: 4, L: 4 });
    expect(ir.model.manifest.parameterCount).toBe((ds.numUsers + ds.numItems) * 4);
    const deIr = await distillStudent(ds, teacher.model, { ...student, method: "de-ir-rrd" });
    expect(deIr.history.every((h) => (h.loss.de ?? 0) > 0 && (h.loss.rrd ?? 0) > 0 && (h.loss.ir ?? 0) > 0)).toBe(true);
    expect(deIr.model.dim).toBe(4);
  });
});
