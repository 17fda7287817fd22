import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { distillStudent, trainTeacher, TrainingAborted } from "@/lib/recsys/pipeline";
import { loadModel, saveModel } from "@/lib/recsys/artifact";
import { evaluate } from "@/lib/recsys/eval/evaluate";

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "understudy-pipeline-"));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe("pipeline", () => {
  const ds = generateSynthetic({ seed: 3, numUsers: 200, numItems: 300 });

  it("trains a teacher with progress, early stopping history and test metrics; the saved model re-evaluates identically", async () => {
    const seen: number[] = [];
    const t = await trainTeacher(ds, { dim: 16, epochs: 12, evalEvery: 2, lr: 0.01 }, (f) => seen.push(f));
    expect(seen.length).toBeGreaterThan(3);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1] - 1e-9)).toBe(true);
    expect(t.history.filter((h) => h.valid).length).toBe(6);
    expect(t.bestEpoch).toBeGreaterThan(0);
    expect(t.testMetrics.sampled["H@10"]).toBeGreaterThan(0.1);
    expect(t.model.manifest.role).toBe("teacher");
    expect(t.model.manifest.metrics).toHaveProperty("test");
    const dir = path.join(tmp, "teacher");
    await saveModel(dir, t.model);
    const loaded = await loadModel(dir);
    const again = evaluate(loaded, ds, { split: "test", seed: 0 });
    expect(again.sampled).toEqual(t.testMetrics.sampled);
    loaded.dispose();

    const rd = await distillStudent(ds, t.model, { method: "rd", dim: 4, epochs: 4, evalEvery: 2 });
    expect(rd.model.dim).toBe(4);
    expect(rd.history[0].loss.rd).toBeGreaterThan(0);
  });

  it("stops with TrainingAborted when the signal fires", async () => {
    const ac = new AbortController();
    const run = trainTeacher(
      ds,
      { dim: 8, epochs: 500 },
      (f) => {
        if (f > 0.01) ac.abort();
      },
      ac.signal,
    );
    await expect(run).rejects.toBeInstanceOf(TrainingAborted);
  });

  it("rejects a teacher from another dataset", async () => {
    const other = generateSynthetic({ seed: 4, numUsers: 50, numItems: 60 });
    const t = await trainTeacher(other, { dim: 4, epochs: 2 });
    await expect(distillStudent(ds, t.model, { method: "none", epochs: 1 })).rejects.toThrow(/teacher covers 50 users/);
  });
});
