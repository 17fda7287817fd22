import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Rng } from "@/lib/recsys/random";
import { BprModel } from "@/lib/recsys/models/bpr";
import { ServableBpr } from "@/lib/recsys/models/servable";
import { ArtifactError, loadModel, saveModel } from "@/lib/recsys/artifact";
import type { ModelManifest } from "@/lib/recsys/types";

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "understudy-artifact-"));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

function servable(): ServableBpr {
  const m = BprModel.random(7, 40, 6, new Rng(3), 0.3);
  const manifest: ModelManifest = {
    format: "understudy-model",
    version: 1,
    architecture: "bpr-mf",
    role: "student",
    dimension: 6,
    numUsers: 7,
    numItems: 40,
    parameterCount: m.parameterCount,
    sizeBytes: 0,
    method: "de-rrd",
    datasetName: "unit",
    trainingConfig: { lr: 0.003 },
    metrics: { test: { "N@10": 0.5 } },
    createdAt: new Date(0).toISOString(),
  };
  return new ServableBpr(
    m,
    manifest,
    Array.from({ length: 7 }, (_, i) => `user-${i}`),
    Array.from({ length: 40 }, (_, i) => `item-${i}`),
  );
}

describe("model artifacts", () => {
  it("a loaded model scores identically and keeps manifest and ids", async () => {
    const original = servable();
    const dir = path.join(tmp, "m1");
    await saveModel(dir, original);
    const loaded = await loadModel(dir, { accelerate: false });
    expect(loaded.manifest.method).toBe("de-rrd");
    expect(loaded.manifest.trainingConfig).toEqual({ lr: 0.003 });
    expect(loaded.manifest.sizeBytes).toBe((7 + 40) * 6 * 4);
    expect(loaded.userIndex("user-3")).toBe(3);
    expect(loaded.itemIds[39]).toBe("item-39");
    const a = new Float32Array(40);
    const b = new Float32Array(40);
    for (let u = 0; u < 7; u++) {
      original.scoreUser(u, a);
      loaded.scoreUser(u, b);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(loaded.recommend(u, 5)).toEqual(original.recommend(u, 5));
    }
    // the accelerated (tfjs) paths agree with each other exactly, and with JS up to float rounding
    await original.accelerate();
    const fast = await loadModel(dir);
    for (let u = 0; u < 7; u++) {
      original.scoreUser(u, a);
      fast.scoreUser(u, b);
      expect(Array.from(b)).toEqual(Array.from(a));
      loaded.scoreUser(u, b);
      for (let i = 0; i < 40; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    }
    original.dispose();
    fast.dispose();
  });

  it("rejects missing or inconsistent directories with a clear error", async () => {
    await expect(loadModel(path.join(tmp, "nope"))).rejects.toThrow(/not a model directory/);
    const dir = path.join(tmp, "m2");
    await saveModel(dir, servable());
    await fs.truncate(path.join(dir, "items.f32"), 100);
    await expect(loadModel(dir)).rejects.toBeInstanceOf(ArtifactError);
    await expect(loadModel(dir)).rejects.toThrow(/items\.f32: 100 bytes, expected 960/);
    await fs.writeFile(path.join(dir, "manifest.json"), "{oops");
    await expect(loadModel(dir)).rejects.toThrow(/not valid JSON/);
  });
});
