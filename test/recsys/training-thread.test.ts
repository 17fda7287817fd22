// Training in a worker thread gives the same model as training on the caller's thread, reports
// progress, stops on abort and brings errors back with their message.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { generateSynthetic } from "@/lib/recsys/data/synthetic";
import { distillStudent, trainTeacher, TrainingAborted } from "@/lib/recsys/pipeline";
import { loadModel } from "@/lib/recsys/artifact";
import { trainInThread } from "@/lib/recsys/training-thread";

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "understudy-thread-"));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe("trainInThread", () => {
  const ds = generateSynthetic({ seed: 5, numUsers: 120, numItems: 150 });
  const teacherOptions = { dim: 12, epochs: 4, evalEvery: 2, lr: 0.01 };
  // engine pinned: "auto" picks by timing, so under load the two runs could do the same math on different paths
  const studentOptions = {
    method: "de-rrd" as const,
    engine: "tfjs" as const,
    dim: 4,
    epochs: 3,
    evalEvery: 1,
    de: { experts: 3 },
    rrd: { topN: 30, K: 5, L: 5 },
  };

  it("trains the same teacher and student off the caller's thread, with progress, and saves them", async () => {
    const seen: number[] = [];
    const teacherDir = path.join(tmp, "teacher");
    const threaded = await trainInThread({ role: "teacher", dataset: ds, options: teacherOptions, teacherDir: null, outDir: teacherDir }, (f) => seen.push(f));
    expect(threaded.threadId).not.toBe(threadId);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1] - 1e-9))).toBe(true);

    const local = await trainTeacher(ds, teacherOptions);
    expect(threaded.testMetrics.sampled).toEqual(local.testMetrics.sampled);
    expect(threaded.bestEpoch).toBe(local.bestEpoch);
    const saved = await loadModel(teacherDir, { accelerate: false });
    expect(saved.manifest.metrics).toEqual(threaded.manifest.metrics);
    expect(Array.from(saved.model.items)).toEqual(Array.from(local.model.model.items));

    const student = await trainInThread({ role: "student", dataset: ds, options: studentOptions, teacherDir, outDir: path.join(tmp, "student") });
    const localStudent = await distillStudent(ds, saved, studentOptions);
    expect(student.manifest.method).toBe("de-rrd");
    expect(student.history.map((h) => h.loss)).toEqual(localStudent.history.map((h) => h.loss));
    expect(student.testMetrics.sampled).toEqual(localStudent.testMetrics.sampled);
    saved.dispose();
    local.model.dispose();
    localStudent.model.dispose();
  });

  it("stops with TrainingAborted when the signal fires, and saves nothing", async () => {
    const ac = new AbortController();
    const outDir = path.join(tmp, "aborted");
    const run = trainInThread(
      { role: "teacher", dataset: ds, options: { ...teacherOptions, epochs: 500 }, teacherDir: null, outDir },
      (f) => {
        if (f > 0.01) ac.abort();
      },
      ac.signal,
    );
    await expect(run).rejects.toBeInstanceOf(TrainingAborted);
    expect(existsSync(outDir)).toBe(false);
  });

  it("brings the thread's errors back with their message", async () => {
    const noTeacher = trainInThread({
      role: "student",
      dataset: ds,
      options: studentOptions,
      teacherDir: path.join(tmp, "missing"),
      outDir: path.join(tmp, "x"),
    });
    await expect(noTeacher).rejects.toThrow(/not a model directory/);
    const badEpochs = trainInThread({ role: "teacher", dataset: ds, options: { ...teacherOptions, epochs: 0 }, teacherDir: null, outDir: path.join(tmp, "y") });
    await expect(badEpochs).rejects.toBeInstanceOf(RangeError);
    await expect(badEpochs).rejects.toThrow(/epochs must be a positive integer/);
  });
});
